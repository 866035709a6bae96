import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './db';
import type { Channel } from './events';
import type { BroadcastStateName, RecipientStateName } from './outbox';
import { statementsFor } from './statements';

/**
 * The sent history and the referral report over migrations 1, 4 and 5: reads of broadcasts and their recipients, and
 * broadcast_totals (a finished broadcast's counters per channel, so neither the list nor the report visits a million
 * recipient rows). Every query is meant to use an index; test/unit/reports/plans.test.ts holds them to it.
 */

export const FINAL_STATES: readonly BroadcastStateName[] = ['completed', 'completed_with_failures', 'cancelled', 'expired'];

/** A broadcast as the history shows it: its columns and the few content fields the list needs (no whole content). */
export interface HistoryRow {
  id: string;
  kind: 'original' | 'retry_failed' | 'resend_unknown';
  originId: string | null;
  state: BroadcastStateName;
  note: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  imageSha256: string | null;
  createdBy: string;
  /** From the content JSON: whatever is there (the caller checks the types). */
  senderId: unknown;
  senderName: unknown;
  text: unknown;
  templateName: unknown;
}

/** One row of broadcast_totals. */
export interface TotalsRow {
  channel: Channel;
  recipients: number;
  accepted: number;
  failed: number;
  skipped: number;
  unknown: number;
  officialLinks: number;
  otherLinks: number;
}

export interface HistoryFilter {
  /** created_at ≥ from, < to. */
  from?: number | undefined;
  to?: number | undefined;
  states?: readonly BroadcastStateName[] | undefined;
  /** Broadcasts with recipients on this channel. */
  channel?: Channel | undefined;
  /** Folded with foldForSearch; matched against the text and the sender's name. */
  search?: string | undefined;
  /** Keyset: strictly after this (created_at, id) in newest-first order. */
  after?: { createdAt: number; id: string } | undefined;
  limit: number;
}

export interface RecipientFilter {
  broadcastId: string;
  state?: RecipientStateName | undefined;
  channel?: Channel | undefined;
  /** Folded with foldForSearch; matched against the customer's name. */
  search?: string | undefined;
}

export interface RecipientListRow {
  eventId: string;
  channel: Channel;
  channelAccount: string;
  customerName: string;
  state: RecipientStateName;
  reason: string | null;
  at: number;
  requestId: string | null;
  messageId: string | null;
}

/** A broadcast in a report's range, with one channel's totals (all null: no totals yet, count it live). */
export interface ReportSourceRow {
  id: string;
  at: number;
  createdBy: string;
  senderId: unknown;
  senderName: unknown;
  channel: Channel | null;
  accepted: number | null;
  officialLinks: number | null;
  otherLinks: number | null;
}

const HISTORY_COLUMNS = `b.id, b.kind, b.origin_id AS originId, b.state, b.note, b.created_at AS createdAt,
  b.started_at AS startedAt, b.finished_at AS finishedAt, b.image_sha256 AS imageSha256, b.created_by AS createdBy,
  json_extract(b.content, '$.senderId') AS senderId, json_extract(b.content, '$.senderName') AS senderName,
  json_extract(b.content, '$.text') AS text, json_extract(b.content, '$.whatsapp[0].template.name') AS templateName`;

const TOTALS_COLUMNS = `channel, recipients, accepted, failed, skipped, unknown, official_links AS officialLinks,
  other_links AS otherLinks`;

const RECIPIENT_COLUMNS = `event_id AS eventId, channel, channel_account AS channelAccount,
  customer_name AS customerName, state, reason, updated_at AS at, request_id AS requestId, message_id AS messageId`;

/** When the report counts a broadcast: its start, else (never started) its creation. */
const REPORT_TIME = 'coalesce(b.started_at, b.created_at)';

const FINAL_LIST = FINAL_STATES.map((state) => `'${state}'`).join(', ');

/** SQLite's lower() folds ASCII only; this folds every script (Vietnamese customers' names, full-width Latin). */
const FOLD_FUNCTION = 'omo_search_fold';

/**
 * A recipient `r` of a broadcast is covered when a retry of that broadcast (broadcasts.origin_id) has the same event
 * accepted, on its way (pending, in flight) or unknown: retrying again would send it twice.
 */
export const NOT_COVERED = `NOT EXISTS (SELECT 1 FROM broadcasts c JOIN broadcast_recipients cr
      ON cr.broadcast_id = c.id AND cr.event_id = r.event_id
    WHERE c.origin_id = r.broadcast_id AND cr.state IN ('accepted', 'pending', 'in_flight', 'unknown'))`;

/** The fixed statements' SQL, exported so tests can EXPLAIN QUERY PLAN exactly what runs. */
export const REPORTS_SQL = {
  historyRow: `SELECT ${HISTORY_COLUMNS} FROM broadcasts b WHERE b.id = ?`,
  retries: `SELECT ${HISTORY_COLUMNS} FROM broadcasts b WHERE b.origin_id = ? ORDER BY b.created_at DESC, b.id DESC`,
  content: 'SELECT content FROM broadcasts WHERE id = ?',
  exists: 'SELECT 1 AS one FROM broadcasts WHERE id = ?',
  totals: `SELECT ${TOTALS_COLUMNS} FROM broadcast_totals WHERE broadcast_id = ? ORDER BY channel`,
  deleteTotals: 'DELETE FROM broadcast_totals WHERE broadcast_id = ?',
  insertTotals: `INSERT INTO broadcast_totals (broadcast_id, channel, recipients, accepted, failed, skipped, unknown,
      official_links, other_links)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  retryableFailed: `SELECT count(*) AS count FROM broadcast_recipients r JOIN events e ON e.id = r.event_id
    WHERE r.broadcast_id = ? AND r.state = 'failed' AND e.status = 'in_progress' AND ${NOT_COVERED}`,
  uncoveredUnknown: `SELECT count(*) AS count FROM broadcast_recipients r
    WHERE r.broadcast_id = ? AND r.state = 'unknown' AND ${NOT_COVERED}`,
  acceptedByAccount: `SELECT channel_account AS account, count(*) AS count FROM broadcast_recipients
    WHERE broadcast_id = ? AND channel = ? AND state = 'accepted' GROUP BY channel_account`,
  allRecipients: `SELECT ${RECIPIENT_COLUMNS} FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY state, rowid`,
  reportSource: `SELECT b.id, ${REPORT_TIME} AS at, b.created_by AS createdBy,
      json_extract(b.content, '$.senderId') AS senderId, json_extract(b.content, '$.senderName') AS senderName,
      t.channel, t.accepted, t.official_links AS officialLinks, t.other_links AS otherLinks
    FROM broadcasts b LEFT JOIN broadcast_totals t ON t.broadcast_id = b.id
    WHERE b.created_at < @to AND ${REPORT_TIME} >= @from AND ${REPORT_TIME} < @to
      AND (@unreportedOnly = 0 OR NOT EXISTS (
        SELECT 1 FROM broadcast_reports p WHERE p.broadcast_id = b.id AND p.state = 'reported'))`,
  finalWithoutTotals: `SELECT b.id FROM broadcasts b WHERE b.state IN (${FINAL_LIST})
      AND NOT EXISTS (SELECT 1 FROM broadcast_totals t WHERE t.broadcast_id = b.id)
    ORDER BY b.created_at`,
} as const;

const statements = statementsFor((db: Database) => {
  db.function(FOLD_FUNCTION, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : null));
  const sql = REPORTS_SQL;
  return {
    historyRow: db.prepare<[string], HistoryRow>(sql.historyRow),
    retries: db.prepare<[string], HistoryRow>(sql.retries),
    content: db.prepare<[string], { content: string }>(sql.content),
    exists: db.prepare<[string], { one: number }>(sql.exists),
    totals: db.prepare<[string], TotalsRow>(sql.totals),
    deleteTotals: db.prepare<[string]>(sql.deleteTotals),
    insertTotals: db.prepare<[string, Channel, number, number, number, number, number, number, number]>(sql.insertTotals),
    retryableFailed: db.prepare<[string], { count: number }>(sql.retryableFailed),
    uncoveredUnknown: db.prepare<[string], { count: number }>(sql.uncoveredUnknown),
    acceptedByAccount: db.prepare<[string, Channel], { account: string; count: number }>(sql.acceptedByAccount),
    allRecipients: db.prepare<[string], RecipientListRow>(sql.allRecipients),
    reportSource: db.prepare<{ from: number; to: number; unreportedOnly: 0 | 1 }, ReportSourceRow>(sql.reportSource),
    finalWithoutTotals: db.prepare<[], { id: string }>(sql.finalWithoutTotals),
    /** Statements whose WHERE depends on the filters given, compiled once per shape. */
    dynamic: new Map<string, BetterSqlite3.Statement>(),
  };
});

/**
 * Registers the search fold on `db` (done by every function here before it runs SQL); tests that EXPLAIN the
 * statements themselves call it first.
 */
export function prepareReportStatements(db: Database): void {
  statements(db);
}

export interface BoundSql {
  sql: string;
  params: Record<string, string | number>;
}

function dynamicStatement(db: Database, sql: string): BetterSqlite3.Statement {
  const cache = statements(db).dynamic;
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * The needle's fold and the SQL function to fold the column with: an ASCII needle can only match ASCII letters, so
 * SQLite's own lower() (≈5× faster than a JS function over 100,000 names) answers it exactly; anything else folds
 * both sides in JS.
 */
export function foldForSearch(text: string): { needle: string; fold: 'lower' | typeof FOLD_FUNCTION } {
  const needle = text.toLowerCase();
  // eslint-disable-next-line no-control-regex -- the ASCII range is the point
  return { needle, fold: /^[\x00-\x7f]*$/.test(needle) ? 'lower' : FOLD_FUNCTION };
}

// ---------------------------------------------------------------------------------------------------------------
// Broadcasts

/**
 * One page of the history, newest first (created_at DESC, id DESC), after the keyset `after`. Walks
 * broadcasts_by_created_at (or broadcasts_by_state for a state filter); totals by their primary key; recipients only
 * through broadcast_recipients_by_channel_state for a channel filter on a broadcast without totals.
 */
export function listHistory(db: Database, filter: HistoryFilter): HistoryRow[] {
  const { sql, params } = historySql(filter);
  return dynamicStatement(db, sql).all(params) as HistoryRow[];
}

export function historySql(filter: HistoryFilter): BoundSql {
  // A snapshot still being written in chunks (enqueue has not answered) is nobody's broadcast yet.
  const where: string[] = ['b.preparing = 0'];
  const params: Record<string, string | number> = { limit: filter.limit };
  if (filter.from !== undefined) {
    where.push('b.created_at >= @from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('b.created_at < @to');
    params.to = filter.to;
  }
  if (filter.states !== undefined) {
    const names = filter.states.map((state, index) => {
      params[`state${index}`] = state;
      return `@state${index}`;
    });
    where.push(names.length === 0 ? '0' : `b.state IN (${names.join(', ')})`);
  }
  if (filter.channel !== undefined) {
    // Final broadcasts answer from their totals; the rest (active, or final before recordTotals) from one index probe.
    where.push(`(EXISTS (SELECT 1 FROM broadcast_totals t WHERE t.broadcast_id = b.id AND t.channel = @channel AND t.recipients > 0)
      OR (NOT EXISTS (SELECT 1 FROM broadcast_totals t WHERE t.broadcast_id = b.id)
        AND EXISTS (SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.channel = @channel)))`);
    params.channel = filter.channel;
  }
  if (filter.search !== undefined && filter.search !== '') {
    const { needle, fold } = foldForSearch(filter.search);
    where.push(`(instr(${fold}(json_extract(b.content, '$.text')), @search) > 0
      OR instr(${fold}(json_extract(b.content, '$.senderName')), @search) > 0
      OR instr(${fold}(json_extract(b.content, '$.whatsapp[0].template.name')), @search) > 0)`);
    params.search = needle;
  }
  if (filter.after !== undefined) {
    // The first conjunct is a range the index can seek to; the second breaks ties on created_at by id.
    where.push('b.created_at <= @afterAt AND (b.created_at < @afterAt OR b.id < @afterId)');
    params.afterAt = filter.after.createdAt;
    params.afterId = filter.after.id;
  }
  const sql = `SELECT ${HISTORY_COLUMNS} FROM broadcasts b
    ${where.length > 0 ? `WHERE ${where.join('\n AND ')}` : ''}
    ORDER BY b.created_at DESC, b.id DESC LIMIT @limit`;
  return { sql, params };
}

export function getHistoryRow(db: Database, id: string): HistoryRow | undefined {
  return statements(db).historyRow.get(id);
}

/** Broadcasts made from this one's failed or unknown recipients, newest first (broadcasts_by_origin). */
export function listRetries(db: Database, originId: string): HistoryRow[] {
  return statements(db).retries.all(originId);
}

/** The content snapshot as JSON text (the caller parses it). */
export function getBroadcastContent(db: Database, id: string): string | undefined {
  return statements(db).content.get(id)?.content;
}

export function broadcastExists(db: Database, id: string): boolean {
  return statements(db).exists.get(id) !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Totals

/** The broadcast's totals per channel ('line' before 'whatsapp'); empty when none were written. */
export function listTotals(db: Database, broadcastId: string): TotalsRow[] {
  return statements(db).totals.all(broadcastId);
}

/** Replaces the broadcast's totals with `rows`, in one transaction. */
export function replaceTotals(db: Database, broadcastId: string, rows: readonly TotalsRow[]): void {
  const s = statements(db);
  db.transaction(() => {
    s.deleteTotals.run(broadcastId);
    for (const r of rows) {
      s.insertTotals.run(broadcastId, r.channel, r.recipients, r.accepted, r.failed, r.skipped, r.unknown, r.officialLinks, r.otherLinks);
    }
  }).immediate();
}

/** Final broadcasts with no totals (a crash between the final state and their recording), oldest first. */
export function listFinalWithoutTotals(db: Database): string[] {
  return statements(db).finalWithoutTotals.all().map((row) => row.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Recipients

function recipientWhere(filter: RecipientFilter): { where: string; params: Record<string, string | number> } {
  const where = ['broadcast_id = @id'];
  const params: Record<string, string | number> = { id: filter.broadcastId };
  if (filter.state !== undefined) {
    where.push('state = @state');
    params.state = filter.state;
  }
  if (filter.channel !== undefined) {
    where.push('channel = @channel');
    params.channel = filter.channel;
  }
  if (filter.search !== undefined && filter.search !== '') {
    const { needle, fold } = foldForSearch(filter.search);
    where.push(`instr(${fold}(customer_name), @search) > 0`);
    params.search = needle;
  }
  return { where: where.join(' AND '), params };
}

/**
 * A page of recipients ordered by (state, rowid): the order broadcast_recipients_by_state and, with a channel,
 * broadcast_recipients_by_channel_state already hold, so no filter needs a sort and a deep OFFSET only steps through
 * index entries. Within a state, rows keep the snapshot's order.
 */
export function listRecipientPage(db: Database, filter: RecipientFilter, page: { offset: number; limit: number }): RecipientListRow[] {
  const { sql, params } = recipientPageSql(filter, page);
  return dynamicStatement(db, sql).all(params) as RecipientListRow[];
}

export function recipientPageSql(filter: RecipientFilter, page: { offset: number; limit: number }): BoundSql {
  const { where, params } = recipientWhere(filter);
  return {
    sql: `SELECT ${RECIPIENT_COLUMNS} FROM broadcast_recipients WHERE ${where} ORDER BY state, rowid LIMIT @limit OFFSET @offset`,
    params: { ...params, limit: page.limit, offset: page.offset },
  };
}

export function countRecipients(db: Database, filter: RecipientFilter): number {
  const { sql, params } = recipientCountSql(filter);
  return (dynamicStatement(db, sql).get(params) as { count: number }).count;
}

export function recipientCountSql(filter: RecipientFilter): BoundSql {
  const { where, params } = recipientWhere(filter);
  return { sql: `SELECT count(*) AS count FROM broadcast_recipients WHERE ${where}`, params };
}

/** Every recipient of the broadcast, in the page order, one at a time (the CSV export of 100,000 rows). */
export function iterateAllRecipients(db: Database, broadcastId: string): IterableIterator<RecipientListRow> {
  return statements(db).allRecipients.iterate(broadcastId);
}

/**
 * Failed recipients whose events are still 處理中 in the cache and that no retry of this broadcast has reached or is
 * reaching: what "retry failed" would send to.
 */
export function countRetryableFailed(db: Database, broadcastId: string): number {
  return statements(db).retryableFailed.get(broadcastId)?.count ?? 0;
}

/** Unknown recipients that no resend of this broadcast has reached or is reaching. */
export function countUncoveredUnknown(db: Database, broadcastId: string): number {
  return statements(db).uncoveredUnknown.get(broadcastId)?.count ?? 0;
}

/** Accepted recipients of one channel per channel account (WhatsApp: per number, whose links differ). */
export function countAcceptedByAccount(db: Database, broadcastId: string, channel: Channel): Map<string, number> {
  return new Map(statements(db).acceptedByAccount.all(broadcastId, channel).map((row) => [row.account, row.count]));
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/**
 * Broadcasts counted at a time in [from, to) (started_at, else created_at), one row per channel with totals, or one
 * row with null totals for a broadcast that has none yet (active, or not recorded): the caller counts those live.
 * `unreportedOnly`: leaves out broadcasts the platform already has (broadcast_reports.state = 'reported').
 */
export function listReportSource(db: Database, range: { from: number; to: number; unreportedOnly: boolean }): ReportSourceRow[] {
  return statements(db).reportSource.all({ from: range.from, to: range.to, unreportedOnly: range.unreportedOnly ? 1 : 0 });
}
