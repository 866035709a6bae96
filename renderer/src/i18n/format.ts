import { useEffect, useState } from 'react';

/** Locale-aware formatting for the current UI language; the words come from Intl, not from hard-coded strings. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "3 分鐘前" / "3 minutes ago". Returns null for the last 45 seconds, so callers can say "just now" in their own words.
 * Older than a week: the date itself.
 */
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** Intl formatters are costly to build and a grid formats many times per frame: one per language. */
function cached<F>(cache: Map<string, F>, language: string, build: () => F): F {
  let format = cache.get(language);
  if (!format) {
    format = build();
    cache.set(language, format);
  }
  return format;
}

export function formatRelativeTime(timestamp: number, now: number, language: string): string | null {
  const elapsed = now - timestamp;
  if (elapsed < 45_000) return null;
  const relative = cached(relativeFormats, language, () => new Intl.RelativeTimeFormat(language, { numeric: 'auto' }));
  if (elapsed < HOUR) return relative.format(-Math.max(1, Math.round(elapsed / MINUTE)), 'minute');
  if (elapsed < DAY) return relative.format(-Math.round(elapsed / HOUR), 'hour');
  if (elapsed < 7 * DAY) return relative.format(-Math.round(elapsed / DAY), 'day');
  return cached(dateFormats, language, () => new Intl.DateTimeFormat(language, { dateStyle: 'medium' })).format(timestamp);
}

/** "in 30 seconds" / "30 秒後" (a retry's time). */
export function formatTimeUntil(timestamp: number, now: number, language: string): string {
  const relative = cached(relativeFormats, language, () => new Intl.RelativeTimeFormat(language, { numeric: 'auto' }));
  const seconds = Math.max(1, Math.round((timestamp - now) / 1000));
  if (seconds < 90) return relative.format(seconds, 'second');
  return relative.format(Math.round(seconds / 60), 'minute');
}

/** The full date and time, for a tooltip. */
export function formatDateTime(timestamp: number, language: string): string {
  return cached(dateTimeFormats, language, () => new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' })).format(timestamp);
}

export function formatClockTime(timestamp: number, language: string): string {
  return cached(clockFormats, language, () => new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit' })).format(timestamp);
}

export function formatNumber(value: number, language: string): string {
  return cached(numberFormats, language, () => new Intl.NumberFormat(language)).format(value);
}

/** The current time, refreshed every `intervalMs`, so relative times stay true while the view is open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const byteFormats = new Map<string, Intl.NumberFormat>();

/** "1.4 MB" / "320 kB": a file's size in the units a person reads (1 MB = 1,048,576 bytes, as the 20 MB limit is). */
export function formatBytes(bytes: number, language: string): string {
  const megabytes = bytes >= 1024 * 1024;
  const unit = megabytes ? 'megabyte' : 'kilobyte';
  const format = cached(byteFormats, `${language}:${unit}`, () =>
    new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: megabytes ? 1 : 0 }),
  );
  return format.format(megabytes ? bytes / (1024 * 1024) : Math.max(1, Math.round(bytes / 1024)));
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A calendar day or month as the report names it: 'short' is "1/15" (a chart's axis), 'long' is "2025年1月15日" /
 * "Jan 15, 2025"; a month key (YYYY-MM) gives the month ("1月" / "Jan", or "2025年1月" / "Jan 2025").
 */
export function formatCalendarKey(key: string, style: 'short' | 'long', language: string): string {
  const [year, month, day] = key.split('-').map(Number);
  if (year === undefined || month === undefined || Number.isNaN(year) || Number.isNaN(month)) return key;
  const isMonth = day === undefined;
  const options: Intl.DateTimeFormatOptions = isMonth
    ? style === 'short'
      ? { month: 'short' }
      : { year: 'numeric', month: 'short' }
    : style === 'short'
      ? { month: 'numeric', day: 'numeric' }
      : { dateStyle: 'medium' };
  const format = cached(dayFormats, `${language}:${isMonth ? 'month' : 'day'}:${style}`, () => new Intl.DateTimeFormat(language, options));
  return format.format(new Date(year, month - 1, day ?? 1));
}
