import type { ExportedCsv, Language, RecipientState } from '../../preload/contract';
import { AppFailure } from '../rpc';
import type { Database } from '../store/db';
import { getHistoryRow, iterateAllRecipients } from '../store/reports';
import { splitReason } from './history';

/**
 * CSV as Excel reads it (RFC 4180: comma, CRLF, fields with a comma, quote, CR or LF quoted and quotes doubled).
 * A text cell that a spreadsheet would take for a formula — starting with = + - @, a tab or a CR (OWASP's list) — is
 * neutralised by a leading single quote: customer names come from LINE and WhatsApp profiles, which anyone can set.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
/** Either of the above: most cells need neither, and one test is cheaper than two over 1,000,000 cells. */
const NEEDS_ANY = /^[=+\-@\t\r]|[",\r\n]/;

export type CsvCell = string | number | null;

export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  // Numbers are our own (counts, ids we format), never a customer's text: left as numbers.
  if (typeof value === 'number') return String(value);
  if (!NEEDS_ANY.test(value)) return value;
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: cells escaped, joined by commas, ended by CRLF. */
export function csvRecord(row: readonly CsvCell[]): string {
  return `${row.map(csvCell).join(',')}\r\n`;
}

/** Rows → CSV text: cells escaped, CRLF after every row (the last included). No BOM: the export adds it. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  let csv = '';
  for (const row of rows) csv += csvRecord(row);
  return csv;
}

export const BOM = '\uFEFF';

/** Taiwan has kept UTC+8 without daylight saving since 1979, so Asia/Taipei is this fixed offset. */
const TAIPEI_OFFSET_MS = 8 * 3_600_000;

/** ISO 8601 with the Asia/Taipei offset, to the second: 2026-05-14T11:00:00+08:00. */
export function taipeiIso(at: number): string {
  return `${new Date(at + TAIPEI_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/** yyyyMMdd-HHmm in Asia/Taipei, for file names. */
function taipeiStamp(at: number): string {
  const iso = new Date(at + TAIPEI_OFFSET_MS).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

const HEADER: Record<Language, readonly string[]> = {
  'zh-TW': ['顧客', '管道', '帳號', '狀態', '原因代碼', '原因說明', '時間', 'LINE 請求 ID', 'WhatsApp 訊息 ID', '事件 ID'],
  en: ['Customer', 'Channel', 'Account', 'State', 'Reason code', 'Reason detail', 'Time', 'LINE request ID', 'WhatsApp message ID', 'Event ID'],
};

/** The same words as the progress view (renderer/src/i18n), so the file reads like the app. */
const STATE_LABEL: Record<Language, Record<RecipientState, string>> = {
  'zh-TW': { pending: '等待中', in_flight: '傳送中', accepted: '已送出', failed: '失敗', skipped: '略過', unknown: '狀態不明' },
  en: { pending: 'Pending', in_flight: 'Sending', accepted: 'Accepted', failed: 'Failed', skipped: 'Skipped', unknown: 'Unknown' },
};

const CHANNEL_LABEL = { line: 'LINE', whatsapp: 'WhatsApp' } as const;

/**
 * Every recipient of a broadcast (in the detail's order): customer, channel, account, state, reason code and the
 * service's words, time (Asia/Taipei), LINE request id, WhatsApp message id, event id. UTF-8 with a BOM so Excel
 * opens zh-TW text as such.
 */
export function exportRecipientsCsv(db: Database, id: string, language: Language): ExportedCsv {
  const broadcast = getHistoryRow(db, id);
  if (broadcast === undefined) throw new AppFailure('not_found', `No broadcast ${id}`);
  const labels = STATE_LABEL[language];
  // Built as it is read: 100,000 recipients never sit in memory as rows as well as text.
  let csv = BOM + csvRecord(HEADER[language]);
  let rows = 0;
  for (const r of iterateAllRecipients(db, id)) {
    const { reason, detail } = splitReason(r.reason);
    rows += 1;
    csv += csvRecord([
      r.customerName,
      CHANNEL_LABEL[r.channel],
      r.channelAccount,
      labels[r.state],
      reason,
      detail,
      taipeiIso(r.at),
      r.requestId,
      r.messageId,
      r.eventId,
    ]);
  }
  const shortId = id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 8);
  return { fileName: `omo-broadcast-${taipeiStamp(broadcast.createdAt)}-${shortId}.csv`, csv, rows };
}
