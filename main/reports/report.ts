import type { ReferralReport, ReportCounters, ReportQuery, ReportRow } from '../../preload/contract';
import type { Logger } from '../log';
import { type BroadcastContent, BroadcastContentSchema } from '../outbox/types';
import { AppFailure } from '../rpc';
import type { Database } from '../store/db';
import type { Channel } from '../store/events';
import {
  FINAL_STATES,
  type TotalsRow,
  countAcceptedByAccount,
  countByChannelState,
  getBroadcastContent,
  getStateAndContent,
  listFinalWithoutTotals,
  listReportSource,
  replaceTotals,
} from '../store/reports';

/**
 * The referral report's counting rules (issue 7): one message = one recipient accepted (a LINE multicast to one user
 * counts once, whatever the number of bubbles); a referral link = each link of an accepted message, per recipient.
 * LINE: every accepted LINE recipient got content.links. WhatsApp: each number sent its own template, so a recipient
 * got the `links` of its number's entry (absent: none).
 */

const CHANNELS: readonly Channel[] = ['line', 'whatsapp'];
const FINAL: ReadonlySet<string> = new Set(FINAL_STATES);

/** A channel's recipients by state and the referral links its accepted recipients got. */
export interface ChannelCounters {
  channel: Channel;
  recipients: number;
  pending: number;
  inFlight: number;
  accepted: number;
  failed: number;
  skipped: number;
  unknown: number;
  officialLinks: number;
  otherLinks: number;
}

export interface LinkCount {
  official: number;
  other: number;
}

export function countLinks(links: ReadonlyArray<{ kind: 'official' | 'other' }> | undefined): LinkCount {
  const count = { official: 0, other: 0 };
  for (const link of links ?? []) count[link.kind] += 1;
  return count;
}

/** The content snapshot, or null (logged) when the row does not hold one this version can read. */
export function parseContent(json: string | undefined, broadcastId: string, logger: Logger): BroadcastContent | null {
  if (json === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  const parsed = BroadcastContentSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  logger.warn('reports: unreadable broadcast content; its links count as none', { broadcastId });
  return null;
}

/**
 * Counts a broadcast's recipients per channel (one GROUP BY over broadcast_recipients_by_channel_state, a covering
 * index, plus the sizes of the batches whose LINE recipients are still packed) and its links. WhatsApp numbers are
 * grouped (rows visited) only when their templates carry different links.
 */
export function computeCounters(db: Database, broadcastId: string, content: BroadcastContent | null): ChannelCounters[] {
  const byChannel = new Map<Channel, ChannelCounters>(
    CHANNELS.map((channel) => [
      channel,
      { channel, recipients: 0, pending: 0, inFlight: 0, accepted: 0, failed: 0, skipped: 0, unknown: 0, officialLinks: 0, otherLinks: 0 },
    ]),
  );
  for (const row of countByChannelState(db, broadcastId)) {
    const counters = byChannel.get(row.channel);
    if (counters === undefined) continue;
    counters.recipients += row.count;
    counters[row.state === 'in_flight' ? 'inFlight' : row.state] += row.count;
  }

  const line = byChannel.get('line');
  if (line !== undefined && line.accepted > 0 && content !== null) {
    const links = countLinks(content.links);
    line.officialLinks = line.accepted * links.official;
    line.otherLinks = line.accepted * links.other;
  }

  const whatsapp = byChannel.get('whatsapp');
  if (whatsapp !== undefined && whatsapp.accepted > 0 && content !== null && content.whatsapp.length > 0) {
    const perNumber = new Map(content.whatsapp.map((entry) => [entry.phoneNumberId, countLinks(entry.links)]));
    const profiles = new Set([...perNumber.values()].map((links) => `${links.official}/${links.other}`));
    if (profiles.size === 1 && perNumber.size === content.whatsapp.length) {
      // Every number sent as many links: no need to know which number each accepted recipient was on.
      const links = [...perNumber.values()][0] ?? { official: 0, other: 0 };
      whatsapp.officialLinks = whatsapp.accepted * links.official;
      whatsapp.otherLinks = whatsapp.accepted * links.other;
    } else {
      for (const [account, accepted] of countAcceptedByAccount(db, broadcastId, 'whatsapp')) {
        const links = perNumber.get(account);
        if (links === undefined) continue;
        whatsapp.officialLinks += accepted * links.official;
        whatsapp.otherLinks += accepted * links.other;
      }
    }
  }
  return [...byChannel.values()].filter((counters) => counters.recipients > 0);
}

function toTotalsRow(c: ChannelCounters): TotalsRow {
  return {
    channel: c.channel,
    recipients: c.recipients,
    accepted: c.accepted,
    failed: c.failed,
    skipped: c.skipped,
    unknown: c.unknown,
    officialLinks: c.officialLinks,
    otherLinks: c.otherLinks,
  };
}

export interface RecordedTotals {
  channel: Channel;
  accepted: number;
  officialLinks: number;
  otherLinks: number;
}

/**
 * Writes broadcast_totals for a final, settled broadcast (replacing any: idempotent) and returns its counters as the
 * platform report needs them. Refuses (AppFailure 'broadcast_active') a broadcast not final, or final with recipients
 * still pending or in flight — a cancel's sweep, or requests in flight finishing — as those can still change its
 * counters (a request in flight may yet be accepted). LINE recipients still packed in an answered batch are settled
 * (their outcome is known): the totals count them, and the rows the engine writes for them later change nothing.
 */
export function recordTotals(db: Database, logger: Logger, broadcastId: string): RecordedTotals[] {
  const row = getStateAndContent(db, broadcastId);
  if (row === undefined) throw new AppFailure('not_found', `No broadcast ${broadcastId}`);
  if (!FINAL.has(row.state)) throw new AppFailure('broadcast_active', `Broadcast ${broadcastId} is still ${row.state}`);
  const counters = computeCounters(db, broadcastId, parseContent(row.content, broadcastId, logger));
  const unsettled = counters.reduce((sum, c) => sum + c.pending + c.inFlight, 0);
  if (unsettled > 0) {
    throw new AppFailure('broadcast_active', `Broadcast ${broadcastId} is ${row.state} but ${unsettled} recipients are not settled yet`);
  }
  replaceTotals(db, broadcastId, counters.map(toTotalsRow));
  return counters.map((c) => ({ channel: c.channel, accepted: c.accepted, officialLinks: c.officialLinks, otherLinks: c.otherLinks }));
}

/**
 * Start-up: totals for final broadcasts that have none (a crash between the final state and recordTotals). Skips
 * (for the outbox's resumed sweep to settle, then recordTotals) those with recipients still pending or in flight.
 */
export function backfillTotals(db: Database, logger: Logger): number {
  let written = 0;
  for (const id of listFinalWithoutTotals(db)) {
    try {
      recordTotals(db, logger, id);
      written += 1;
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'broadcast_active') throw error;
      logger.info('reports: totals left for after the sweep', { broadcastId: id });
    }
  }
  if (written > 0) logger.info('reports: totals backfilled', { broadcasts: written });
  return written;
}

/** YYYY-MM-DD of `at` in the calendar of a user `utcOffsetMinutes` east of UTC. */
export function dayOf(at: number, utcOffsetMinutes: number): string {
  return new Date(at + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/**
 * 導購連結報表 from local data: counters by day (the user's calendar, of started_at else created_at), channel and
 * sender. Final broadcasts read their totals; the others (active, or final not yet recorded: few) are counted live.
 * Rows where nothing was accepted are left out; rows are sorted by day, channel, sender name and id.
 */
export function buildReport(
  db: Database,
  logger: Logger,
  query: ReportQuery,
  options: { unreportedOnly?: boolean } = {},
): Pick<ReferralReport, 'rows' | 'totals'> {
  const rows = new Map<string, ReportRow & { latest: number }>();
  const add = (at: number, channel: Channel, senderId: string, senderName: string, counters: ReportCounters): void => {
    const day = dayOf(at, query.utcOffsetMinutes);
    const key = `${day}\u0000${channel}\u0000${senderId}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { day, channel, senderId, senderName, messages: 0, officialLinks: 0, otherLinks: 0, latest: at };
      rows.set(key, row);
    }
    row.messages += counters.messages;
    row.officialLinks += counters.officialLinks;
    row.otherLinks += counters.otherLinks;
    // A renamed sender shows under the name of their latest broadcast of the day.
    if (at >= row.latest) {
      row.latest = at;
      row.senderName = senderName;
    }
  };

  for (const source of listReportSource(db, { from: query.from, to: query.to, unreportedOnly: options.unreportedOnly === true })) {
    const senderId = text(source.senderId, source.createdBy);
    const senderName = text(source.senderName, '');
    if (source.channel !== null) {
      add(source.at, source.channel, senderId, senderName, {
        messages: source.accepted ?? 0,
        officialLinks: source.officialLinks ?? 0,
        otherLinks: source.otherLinks ?? 0,
      });
      continue;
    }
    const content = parseContent(getBroadcastContent(db, source.id), source.id, logger);
    for (const c of computeCounters(db, source.id, content)) {
      add(source.at, c.channel, senderId, senderName, { messages: c.accepted, officialLinks: c.officialLinks, otherLinks: c.otherLinks });
    }
  }

  const totals: ReportCounters = { messages: 0, officialLinks: 0, otherLinks: 0 };
  const list: ReportRow[] = [];
  for (const { latest: _latest, ...row } of rows.values()) {
    if (row.messages === 0 && row.officialLinks === 0 && row.otherLinks === 0) continue;
    totals.messages += row.messages;
    totals.officialLinks += row.officialLinks;
    totals.otherLinks += row.otherLinks;
    list.push(row);
  }
  list.sort((a, b) => compare(a.day, b.day) || compare(a.channel, b.channel) || compare(a.senderName, b.senderName) || compare(a.senderId, b.senderId));
  return { rows: list, totals };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
