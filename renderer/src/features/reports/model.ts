import type { Channel, ReportCounters, ReportRow } from '../../../../preload/contract';
import { addDays, dayEnd, dayKey, dayStart, daysOf } from '../../i18n/dates';
import type { ReportPreset } from '../../store';

/** report.get takes at most 400 days. */
export const MAX_REPORT_DAYS = 400;
const DAY_MS = 86_400_000;
/** Up to this many days the chart has a bar per day; a longer range has one per month, so bars stay readable. */
export const MAX_DAILY_BARS = 62;

export const PRESETS: readonly Exclude<ReportPreset, 'custom'>[] = ['today', 'last7', 'last30', 'month', 'year'];

/** The days (both included) a preset covers, ending today. */
export function presetRange(preset: Exclude<ReportPreset, 'custom'>, today: Date): { from: string; to: string } {
  const to = dayKey(today);
  switch (preset) {
    case 'today':
      return { from: to, to };
    case 'last7':
      return { from: dayKey(addDays(today, -6)), to };
    case 'last30':
      return { from: dayKey(addDays(today, -29)), to };
    case 'month':
      return { from: dayKey(new Date(today.getFullYear(), today.getMonth(), 1)), to };
    case 'year':
      return { from: dayKey(new Date(today.getFullYear(), 0, 1)), to };
  }
}

export type RangeProblem = 'invalid' | 'backwards' | 'tooLong';

/** Why two dates cannot be asked for, or null. */
export function rangeProblem(from: string, to: string): RangeProblem | null {
  const start = dayStart(from);
  const end = dayEnd(to);
  if (start === null || end === null) return 'invalid';
  if (end <= start) return 'backwards';
  if (end - start > MAX_REPORT_DAYS * DAY_MS) return 'tooLong';
  return null;
}

export const NO_COUNTERS: ReportCounters = { messages: 0, officialLinks: 0, otherLinks: 0 };

function addCounters(into: ReportCounters, row: ReportCounters): ReportCounters {
  return {
    messages: into.messages + row.messages,
    officialLinks: into.officialLinks + row.officialLinks,
    otherLinks: into.otherLinks + row.otherLinks,
  };
}

export function linksOf(counters: ReportCounters): number {
  return counters.officialLinks + counters.otherLinks;
}

/** One bar of the chart: a day (YYYY-MM-DD) or a month (YYYY-MM). */
export interface ChartBucket extends ReportCounters {
  key: string;
  unit: 'day' | 'month';
}

/** The chart's bars: every day of the range (days without broadcasts at zero), or every month for a long range. */
export function chartBuckets(rows: readonly ReportRow[], from: string, to: string): ChartBucket[] {
  const days = daysOf(from, to);
  const unit: ChartBucket['unit'] = days.length > MAX_DAILY_BARS ? 'month' : 'day';
  const keyOf = (day: string) => (unit === 'day' ? day : day.slice(0, 7));
  const buckets = new Map<string, ChartBucket>();
  for (const day of days) {
    const key = keyOf(day);
    if (!buckets.has(key)) buckets.set(key, { key, unit, ...NO_COUNTERS });
  }
  for (const row of rows) {
    const bucket = buckets.get(keyOf(row.day));
    // A row outside the days asked for (a clock change between the question and the answer) is left out of the bars.
    if (bucket) buckets.set(bucket.key, { ...bucket, ...addCounters(bucket, row) });
  }
  return [...buckets.values()];
}

export interface SenderRow extends ReportCounters {
  senderId: string;
  senderName: string;
  channel: Channel;
}

/** The rows summed per sender and channel, most messages first (then by name, for a stable order). */
export function bySender(rows: readonly ReportRow[]): SenderRow[] {
  const groups = new Map<string, SenderRow>();
  for (const row of rows) {
    const key = `${row.senderId}\u0000${row.channel}`;
    const group = groups.get(key) ?? { senderId: row.senderId, senderName: row.senderName, channel: row.channel, ...NO_COUNTERS };
    groups.set(key, { ...group, ...addCounters(group, row) });
  }
  return [...groups.values()].sort(
    (a, b) => b.messages - a.messages || a.senderName.localeCompare(b.senderName) || a.channel.localeCompare(b.channel),
  );
}

/** A round top for the chart's axis (1, 2, 5 × 10ⁿ) at or above the largest value, and its tick step. */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: ticks, step: 1 };
  const rough = max / ticks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const wholeStep = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / wholeStep) * wholeStep, step: wholeStep };
}
