/**
 * Calendar days in the user's own time zone, as `<input type="date">` writes them (YYYY-MM-DD). A day's range is
 * [its local midnight, the next local midnight): the filters' "to" includes the whole of its day.
 */

const DAY_INPUT = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** The local calendar day of a time, as YYYY-MM-DD. */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local date a YYYY-MM-DD names (at midnight), or null when it is not a real day. */
export function parseDay(value: string): Date | null {
  const match = DAY_INPUT.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  // 2025-02-31 rolls over to March: not a day anyone picked.
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

/** The day `days` after (or before) this one; DST-safe, since it moves the calendar, not the clock. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** Epoch ms of the day's local midnight (inclusive start), or null. */
export function dayStart(value: string): number | null {
  return parseDay(value)?.getTime() ?? null;
}

/** Epoch ms of the next day's local midnight (the exclusive end of the day), or null. */
export function dayEnd(value: string): number | null {
  const date = parseDay(value);
  return date ? addDays(date, 1).getTime() : null;
}

/** Every day from `from` to `to` (both included), as YYYY-MM-DD; empty when the range is backwards or invalid. */
export function daysOf(from: string, to: string): string[] {
  const start = parseDay(from);
  const end = parseDay(to);
  if (!start || !end) return [];
  const days: string[] = [];
  for (let day = start; day.getTime() <= end.getTime(); day = addDays(day, 1)) days.push(dayKey(day));
  return days;
}

/** The user's UTC offset in minutes (Taiwan: 480), as report.get wants it. */
export function utcOffsetMinutes(date: Date = new Date()): number {
  // getTimezoneOffset is "UTC − local"; `|| 0` turns UTC's -0 into 0.
  return -date.getTimezoneOffset() || 0;
}
