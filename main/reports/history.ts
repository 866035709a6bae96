import {
  BroadcastNote,
  type BroadcastDetail,
  type BroadcastProgress,
  type Channel,
  type HistoryItem,
  type HistoryPage,
  type HistoryQuery,
  type RecipientCounts,
  type RecipientEntry,
  type RecipientsPage,
  type RecipientsQuery,
  type ReportSync,
} from '../../preload/contract';
import type { Logger } from '../log';
import { AppFailure } from '../rpc';
import { summarizeProblems } from '../store/broadcasts';
import type { Database } from '../store/db';
import type { BroadcastStateName } from '../store/outbox';
import {
  FINAL_STATES,
  type HistoryRow,
  type RecipientListRow,
  broadcastExists,
  countByChannelState,
  countRetryableFailed,
  countUncoveredUnknown,
  getBroadcastContent,
  getHistoryRow,
  listHistory,
  listRetries,
  listTotals,
  readRecipientPage,
} from '../store/reports';
import { parseContent } from './report';

/** What the history needs besides the database: the outbox's live counters of a broadcast still sending. */
export interface HistorySources {
  db: Database;
  logger: Logger;
  live(id: string): BroadcastProgress | null;
}

const FINAL: ReadonlySet<string> = new Set(FINAL_STATES);
const TITLE_MAX = 80;

/** The history's state filter → broadcast states. */
const STATE_FILTER: Record<NonNullable<HistoryQuery['state']>, readonly BroadcastStateName[]> = {
  active: ['queued', 'sending', 'paused', 'waiting_for_network'],
  completed: ['completed'],
  failures: ['completed_with_failures'],
  cancelled: ['cancelled'],
  expired: ['expired'],
};

export function emptyCounts(): RecipientCounts {
  return { pending: 0, inFlight: 0, accepted: 0, failed: 0, skipped: 0, unknown: 0 };
}

function sumCounts(a: RecipientCounts, b: RecipientCounts): RecipientCounts {
  return {
    pending: a.pending + b.pending,
    inFlight: a.inFlight + b.inFlight,
    accepted: a.accepted + b.accepted,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    unknown: a.unknown + b.unknown,
  };
}

function totalOf(counts: RecipientCounts): number {
  return counts.pending + counts.inFlight + counts.accepted + counts.failed + counts.skipped + counts.unknown;
}

/** A broadcast's recipients per channel, from the cheapest source that is right for its state. */
export interface ChannelCounts {
  line: RecipientCounts;
  whatsapp: RecipientCounts;
}

/**
 * Final broadcasts: their totals (no recipient row read). Active ones: the outbox's live counters. Either missing
 * (a final broadcast before recordTotals, an active one the outbox does not run): one GROUP BY over the covering
 * index broadcast_recipients_by_channel_state, plus the sizes of the batches whose LINE recipients are still packed.
 */
export function channelCounts(sources: HistorySources, id: string, state: BroadcastStateName): ChannelCounts {
  if (FINAL.has(state)) {
    const totals = listTotals(sources.db, id);
    if (totals.length > 0) {
      const counts: ChannelCounts = { line: emptyCounts(), whatsapp: emptyCounts() };
      for (const t of totals) {
        counts[t.channel] = { pending: 0, inFlight: 0, accepted: t.accepted, failed: t.failed, skipped: t.skipped, unknown: t.unknown };
      }
      return counts;
    }
  } else {
    const live = sources.live(id);
    if (live !== null) return { line: { ...live.line }, whatsapp: { ...live.whatsapp } };
  }
  const counts: ChannelCounts = { line: emptyCounts(), whatsapp: emptyCounts() };
  for (const row of countByChannelState(sources.db, id)) {
    counts[row.channel][row.state === 'in_flight' ? 'inFlight' : row.state] += row.count;
  }
  return counts;
}

/** The first non-empty line of the text, at most 80 characters (code points, so an emoji is never cut in half). */
export function titleOf(text: unknown, templateName: unknown): string {
  if (typeof text === 'string') {
    for (const line of text.split(/\r\n|\r|\n/)) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      const chars = Array.from(trimmed);
      return chars.length <= TITLE_MAX ? trimmed : `${chars.slice(0, TITLE_MAX - 1).join('')}…`;
    }
  }
  return typeof templateName === 'string' ? templateName : '';
}

function toItem(sources: HistorySources, row: HistoryRow, byChannel = channelCounts(sources, row.id, row.state)): HistoryItem {
  const counts = sumCounts(byChannel.line, byChannel.whatsapp);
  const channels: Channel[] = [];
  if (totalOf(byChannel.line) > 0) channels.push('line');
  if (totalOf(byChannel.whatsapp) > 0) channels.push('whatsapp');
  const note = BroadcastNote.safeParse(row.note);
  return {
    id: row.id,
    kind: row.kind,
    originId: row.originId,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    senderId: typeof row.senderId === 'string' ? row.senderId : row.createdBy,
    senderName: typeof row.senderName === 'string' ? row.senderName : '',
    channels,
    imageSha256: row.imageSha256,
    title: titleOf(row.text, row.templateName),
    state: row.state,
    note: note.success ? note.data : null,
    total: totalOf(counts),
    counts,
  };
}

interface Cursor {
  createdAt: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // Falls through to the failure below.
  }
  throw new AppFailure('invalid_input', 'history.list: the cursor is not one this app gave');
}

/** 發送紀錄: newest first, a page at a time; the cursor is the last item's (created_at, id), so pages never shift. */
export function listHistoryPage(sources: HistorySources, query: HistoryQuery): HistoryPage {
  const search = query.search?.trim();
  const rows = listHistory(sources.db, {
    from: query.from,
    to: query.to,
    states: query.state === undefined ? undefined : STATE_FILTER[query.state],
    channel: query.channel,
    search: search === '' ? undefined : search,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toItem(sources, row)),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

/** One broadcast as sent. `report` is the platform report's state, which the platform reporter owns. */
export function getBroadcastDetail(sources: HistorySources, id: string, report: ReportSync): BroadcastDetail {
  const row = getHistoryRow(sources.db, id);
  if (row === undefined) throw new AppFailure('not_found', `No broadcast ${id}`);
  const byChannel = channelCounts(sources, id, row.state);
  const item = toItem(sources, row, byChannel);
  const content = parseContent(getBroadcastContent(sources.db, id), id, sources.logger);
  return {
    item,
    content: {
      text: content?.text ?? null,
      lineText: content?.lineText ?? null,
      links: (content?.links ?? []).map((link) => ({ url: link.url, kind: link.kind })),
      whatsapp: (content?.whatsapp ?? []).map((entry) => ({
        phoneNumberId: entry.phoneNumberId,
        template: { name: entry.template.name, language: entry.template.language },
        body: entry.body ?? null,
        links: (entry.links ?? []).map((link) => ({ url: link.url, kind: link.kind })),
      })),
    },
    byChannel,
    retries: listRetries(sources.db, id).map((retry) => toItem(sources, retry)),
    problems: summarizeProblems(sources.db, id),
    report,
    retryableFailed: item.counts.failed === 0 ? 0 : countRetryableFailed(sources.db, id),
    unknown: item.counts.unknown === 0 ? 0 : countUncoveredUnknown(sources.db, id),
  };
}

/** A stored reason is `code` or `code: the service's own words`. */
export function splitReason(reason: string | null): { reason: string | null; detail: string | null } {
  if (reason === null) return { reason: null, detail: null };
  const split = reason.indexOf(': ');
  return split < 0 ? { reason, detail: null } : { reason: reason.slice(0, split), detail: reason.slice(split + 2) };
}

export function toRecipientEntry(row: RecipientListRow): RecipientEntry {
  return {
    eventId: row.eventId,
    channel: row.channel,
    channelAccount: row.channelAccount,
    customerName: row.customerName,
    state: row.state,
    ...splitReason(row.reason),
    at: row.at,
    requestId: row.requestId,
    messageId: row.messageId,
  };
}

/**
 * A page of a broadcast's recipients, grouped by state (accepted, failed, in flight, pending, skipped, unknown), each
 * in snapshot order: the rows, then the LINE recipients still packed in their batches (batch by batch).
 */
export function listRecipientsPage(sources: HistorySources, query: RecipientsQuery): RecipientsPage {
  if (!broadcastExists(sources.db, query.id)) throw new AppFailure('not_found', `No broadcast ${query.id}`);
  const search = query.search?.trim();
  const filter = { broadcastId: query.id, state: query.state, channel: query.channel, search: search === '' ? undefined : search };
  const page = readRecipientPage(sources.db, filter, { offset: query.offset, limit: query.limit });
  return { rows: page.rows.map(toRecipientEntry), total: page.total };
}
