import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './db';
import type { Channel } from './events';
import type { BroadcastStateName, RecipientStateName } from './outbox';
import { statementsFor } from './statements';

/**
 * The sent history and the referral report over migrations 1, 4, 5 and 6: reads of broadcasts and their recipients,
 * and broadcast_totals (a finished broadcast's counters per channel, so neither the list nor the report visits a
 * million recipient rows). Every query is meant to use an index; test/unit/reports/plans.test.ts holds them to it.
 *
 * Since migration 6 a LINE recipient of a multicast batch is in exactly one of two places: a broadcast_recipients
 * row, or packed in its batch (broadcast_batch_members, read as rows through the view broadcast_members) until the
 * engine writes its row. Every read here sees both. A broadcast with no packed batch (every finished broadcast, in
 * the end) keeps its row-only statements and their plans: one probe of broadcast_batches_packed decides.
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

/** How many of a broadcast's recipients of one channel are in one state. */
export interface ChannelStateCount {
  channel: Channel;
  state: RecipientStateName;
  count: number;
}

/**
 * A stretch of a recipient list in the page order: the rows in one state (batchId null), or the members of one packed
 * batch (all in the batch's state), with how many of them match the filter.
 */
export interface RecipientSegment {
  state: RecipientStateName;
  batchId: string | null;
  count: number;
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
 * The state a packed batch's members are in, without expanding its JSON: the batch's outcome once it is answered or
 * settled, else its own pending or in_flight (what the view broadcast_members says of each member).
 */
const PACKED_STATE = 'coalesce(outcome, state)';

/**
 * A recipient `r` of a broadcast is covered when a retry of that broadcast (broadcasts.origin_id) has the same event
 * accepted, on its way (pending, in flight) or unknown: retrying again would send it twice. The retry's recipient may
 * be a row (looked up by key for each candidate) or still packed in its LINE batch — pending, in flight, or answered
 * and not yet written as a row. The packed ones are gathered ONCE per statement (a subquery on the origin's id, which
 * the statement binds as @id and compares with r.broadcast_id), never by expanding the retries' batches per candidate.
 */
export const NOT_COVERED = `NOT EXISTS (SELECT 1 FROM broadcasts c JOIN broadcast_recipients cr
      ON cr.broadcast_id = c.id AND cr.event_id = r.event_id
    WHERE c.origin_id = r.broadcast_id AND cr.state IN ('accepted', 'pending', 'in_flight', 'unknown'))
  AND r.event_id NOT IN (SELECT cm.event_id FROM broadcasts c CROSS JOIN broadcast_members cm ON cm.broadcast_id = c.id
    WHERE c.origin_id = @id AND cm.state IN ('accepted', 'pending', 'in_flight', 'unknown'))`;

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
  // Rows and packed members (CROSS JOIN: from the batches to the events by key, never the other way round).
  retryableFailed: `SELECT
      (SELECT count(*) FROM broadcast_recipients r JOIN events e ON e.id = r.event_id
        WHERE r.broadcast_id = @id AND r.state = 'failed' AND e.status = 'in_progress' AND ${NOT_COVERED})
    + (SELECT count(*) FROM broadcast_members r CROSS JOIN events e ON e.id = r.event_id
        WHERE r.broadcast_id = @id AND r.state = 'failed' AND e.status = 'in_progress' AND ${NOT_COVERED}) AS count`,
  uncoveredUnknown: `SELECT
      (SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = @id AND r.state = 'unknown' AND ${NOT_COVERED})
    + (SELECT count(*) FROM broadcast_members r WHERE r.broadcast_id = @id AND r.state = 'unknown' AND ${NOT_COVERED}) AS count`,
  // An account may come twice (rows, then packed LINE members): the caller adds them up.
  acceptedByAccount: `SELECT channel_account AS account, count(*) AS count FROM broadcast_recipients
      WHERE broadcast_id = @id AND channel = @channel AND state = 'accepted' GROUP BY channel_account
    UNION ALL
    SELECT channel_account, sum(size) FROM broadcast_batches
      WHERE broadcast_id = @id AND packed = 1 AND @channel = 'line' AND ${PACKED_STATE} = 'accepted'
      GROUP BY channel_account`,
  /** Per channel and state; a (line, state) pair may come twice (rows, then packed members): the caller adds them up. */
  countByChannelState: `SELECT channel, state, count(*) AS count FROM broadcast_recipients WHERE broadcast_id = @id
      GROUP BY channel, state
    UNION ALL
    SELECT 'line', ${PACKED_STATE}, sum(size) FROM broadcast_batches WHERE broadcast_id = @id AND packed = 1
      GROUP BY 2`,
  hasPacked: `SELECT EXISTS (SELECT 1 FROM broadcast_batches WHERE broadcast_id = ? AND packed = 1) AS packed`,
  /** A broadcast with no packed batch: every recipient is a row, in the page order. */
  allRecipients: `SELECT ${RECIPIENT_COLUMNS} FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY state, rowid`,
  stateAndContent: 'SELECT state, content FROM broadcasts WHERE id = ?',
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
    retryableFailed: db.prepare<{ id: string }, { count: number }>(sql.retryableFailed),
    uncoveredUnknown: db.prepare<{ id: string }, { count: number }>(sql.uncoveredUnknown),
    acceptedByAccount: db.prepare<{ id: string; channel: Channel }, { account: string; count: number }>(sql.acceptedByAccount),
    countByChannelState: db.prepare<{ id: string }, ChannelStateCount>(sql.countByChannelState),
    hasPacked: db.prepare<[string], { packed: 0 | 1 }>(sql.hasPacked),
    allRecipients: db.prepare<[string], RecipientListRow>(sql.allRecipients),
    stateAndContent: db.prepare<[string], { state: BroadcastStateName; content: string }>(sql.stateAndContent),
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
 * through broadcast_recipients_by_channel_state (and, for LINE, broadcast_batches_packed) for a channel filter on a
 * broadcast without totals.
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
    // Final broadcasts answer from their totals; the rest (active, or final before recordTotals) from one index probe,
    // plus, for LINE, one of broadcast_batches_packed: their LINE recipients may all still be packed in batches.
    const packed =
      filter.channel === 'line'
        ? '\n          OR EXISTS (SELECT 1 FROM broadcast_batches p WHERE p.broadcast_id = b.id AND p.packed = 1 AND p.size > 0)'
        : '';
    where.push(`(EXISTS (SELECT 1 FROM broadcast_totals t WHERE t.broadcast_id = b.id AND t.channel = @channel AND t.recipients > 0)
      OR (NOT EXISTS (SELECT 1 FROM broadcast_totals t WHERE t.broadcast_id = b.id)
        AND (EXISTS (SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.channel = @channel)${packed})))`);
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

/** Whether any recipient of the broadcast is still packed in its LINE batch (one probe of broadcast_batches_packed). */
export function hasPackedMembers(db: Database, broadcastId: string): boolean {
  return statements(db).hasPacked.get(broadcastId)?.packed === 1;
}

/** Packed members are LINE recipients only: a WhatsApp filter never needs them. */
function readsPacked(db: Database, filter: RecipientFilter): boolean {
  return filter.channel !== 'whatsapp' && hasPackedMembers(db, filter.broadcastId);
}

/**
 * A page of rows ordered by (state, rowid): the order broadcast_recipients_by_state and, with a channel,
 * broadcast_recipients_by_channel_state already hold, so no filter needs a sort and a deep OFFSET only steps through
 * index entries. Within a state, rows keep the snapshot's order. Rows only: see readRecipientPage.
 */
export function recipientPageSql(filter: RecipientFilter, page: { offset: number; limit: number }): BoundSql {
  const { where, params } = recipientWhere(filter);
  return {
    sql: `SELECT ${RECIPIENT_COLUMNS} FROM broadcast_recipients WHERE ${where} ORDER BY state, rowid LIMIT @limit OFFSET @offset`,
    params: { ...params, limit: page.limit, offset: page.offset },
  };
}

/** How many rows match (a covering index range without a search). Rows only: see readRecipientPage. */
export function recipientCountSql(filter: RecipientFilter): BoundSql {
  const { where, params } = recipientWhere(filter);
  return { sql: `SELECT count(*) AS count FROM broadcast_recipients WHERE ${where}`, params };
}

/**
 * The segments of a broadcast with packed batches, as two statements: the matching rows per state (a covering index
 * range, already in state order), and the packed batches in seq order (broadcast_batches_packed) with how many of
 * their members match — their size, unless a search has to read the names out of the JSON.
 */
export function recipientSegmentsSql(filter: RecipientFilter): { rows: BoundSql; packed: BoundSql } {
  const { where, params } = recipientWhere(filter);
  const rows = { sql: `SELECT state, count(*) AS count FROM broadcast_recipients WHERE ${where} GROUP BY state`, params };
  if (filter.search !== undefined && filter.search !== '') {
    // batch_id and state are the batch's own, the same for every member of the group.
    return {
      rows,
      packed: { sql: `SELECT batch_id AS batchId, state, count(*) AS count FROM broadcast_members WHERE ${where} GROUP BY seq ORDER BY seq`, params },
    };
  }
  const packedWhere = ['broadcast_id = @id', 'packed = 1'];
  const packedParams: Record<string, string | number> = { id: filter.broadcastId };
  if (filter.state !== undefined) {
    packedWhere.push(`${PACKED_STATE} = @state`);
    packedParams.state = filter.state;
  }
  return {
    rows,
    packed: {
      sql: `SELECT batch_id AS batchId, ${PACKED_STATE} AS state, size AS count FROM broadcast_batches
        WHERE ${packedWhere.join(' AND ')} ORDER BY seq`,
      params: packedParams,
    },
  };
}

/** A page of one packed batch's matching members, in request order (by its primary key; at most 500 to sort). */
export function packedPageSql(filter: RecipientFilter, batchId: string, page: { offset: number; limit: number }): BoundSql {
  const { where, params } = recipientWhere(filter);
  return {
    sql: `SELECT ${RECIPIENT_COLUMNS} FROM broadcast_members WHERE ${where} AND batch_id = @batch ORDER BY position LIMIT @limit OFFSET @offset`,
    params: { ...params, batch: batchId, limit: page.limit, offset: page.offset },
  };
}

/**
 * The order of the recipient list as segments: state by state (accepted, failed, in_flight, pending, skipped,
 * unknown), the rows first (by rowid), then each packed batch in that state (by seq, its members by position). The
 * engine writes an answered batch's rows in request order, after every row it wrote before, and batches are answered
 * in about their seq order: a member keeps its place when it turns from packed into a row.
 */
export function recipientSegments(db: Database, filter: RecipientFilter): RecipientSegment[] {
  const { rows, packed } = recipientSegmentsSql(filter);
  const byState = new Map<RecipientStateName, RecipientSegment[]>();
  const add = (segment: RecipientSegment): void => {
    const list = byState.get(segment.state);
    if (list === undefined) byState.set(segment.state, [segment]);
    else list.push(segment);
  };
  for (const row of dynamicStatement(db, rows.sql).all(rows.params) as Array<{ state: RecipientStateName; count: number }>) {
    add({ state: row.state, batchId: null, count: row.count });
  }
  if (filter.channel !== 'whatsapp') {
    for (const batch of dynamicStatement(db, packed.sql).all(packed.params) as Array<{ batchId: string; state: RecipientStateName; count: number }>) {
      add({ state: batch.state, batchId: batch.batchId, count: batch.count });
    }
  }
  // SQLite's BINARY order of the state names (ASCII), the order of the row-only pages.
  return [...byState.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).flatMap((state) => byState.get(state) ?? []);
}

function segmentSql(filter: RecipientFilter, segment: RecipientSegment, page: { offset: number; limit: number }): BoundSql {
  return segment.batchId === null
    ? recipientPageSql({ ...filter, state: segment.state }, page)
    : packedPageSql(filter, segment.batchId, page);
}

export interface RecipientPage {
  rows: RecipientListRow[];
  /** How many recipients match the filter. */
  total: number;
}

/**
 * A page of the recipients matching `filter` and how many match: one statement each for a broadcast whose recipients
 * are all rows; otherwise the segments are counted (rows per state, batches by their size) and only the ones the page
 * overlaps are read, so a deep page of a 100,000-recipient broadcast still sending expands at most a few batches.
 */
export function readRecipientPage(db: Database, filter: RecipientFilter, page: { offset: number; limit: number }): RecipientPage {
  if (!readsPacked(db, filter)) {
    const rows = recipientPageSql(filter, page);
    const count = recipientCountSql(filter);
    return {
      rows: dynamicStatement(db, rows.sql).all(rows.params) as RecipientListRow[],
      total: (dynamicStatement(db, count.sql).get(count.params) as { count: number }).count,
    };
  }
  const segments = recipientSegments(db, filter);
  const rows: RecipientListRow[] = [];
  let skip = page.offset;
  for (const segment of segments) {
    const wanted = page.limit - rows.length;
    if (wanted <= 0) break;
    if (skip >= segment.count) {
      skip -= segment.count;
      continue;
    }
    const bound = segmentSql(filter, segment, { offset: skip, limit: Math.min(wanted, segment.count - skip) });
    rows.push(...(dynamicStatement(db, bound.sql).all(bound.params) as RecipientListRow[]));
    skip = 0;
  }
  return { rows, total: segments.reduce((sum, segment) => sum + segment.count, 0) };
}

/** Every recipient of the broadcast, in the page order, one at a time (the CSV export of 100,000 rows). */
export function iterateAllRecipients(db: Database, broadcastId: string): IterableIterator<RecipientListRow> {
  if (!hasPackedMembers(db, broadcastId)) return statements(db).allRecipients.iterate(broadcastId);
  return iterateSegments(db, { broadcastId });
}

function* iterateSegments(db: Database, filter: RecipientFilter): Generator<RecipientListRow, void, undefined> {
  for (const segment of recipientSegments(db, filter)) {
    if (segment.count === 0) continue;
    const bound = segmentSql(filter, segment, { offset: 0, limit: -1 });
    yield* dynamicStatement(db, bound.sql).iterate(bound.params) as IterableIterator<RecipientListRow>;
  }
}

/**
 * A broadcast's recipients per channel and state: rows through the covering index broadcast_recipients_by_channel_state
 * plus the packed batches' sizes (no JSON read). Pairs are summed, and every pair present has a count above 0.
 */
export function countByChannelState(db: Database, broadcastId: string): ChannelStateCount[] {
  const sums = new Map<string, ChannelStateCount>();
  for (const row of statements(db).countByChannelState.all({ id: broadcastId })) {
    if (row.count <= 0) continue;
    const key = `${row.channel}\u0000${row.state}`;
    const sum = sums.get(key);
    if (sum === undefined) sums.set(key, { ...row });
    else sum.count += row.count;
  }
  return [...sums.values()];
}

/** The state and the content snapshot (JSON text) of a broadcast, for its totals. */
export function getStateAndContent(db: Database, id: string): { state: BroadcastStateName; content: string } | undefined {
  return statements(db).stateAndContent.get(id);
}

/**
 * Failed recipients (rows, and packed members whose batch failed) whose events are still 處理中 in the cache and
 * that no retry of this broadcast has reached or is reaching: what "retry failed" would send to.
 */
export function countRetryableFailed(db: Database, broadcastId: string): number {
  return statements(db).retryableFailed.get({ id: broadcastId })?.count ?? 0;
}

/** Unknown recipients (rows and packed members) that no resend of this broadcast has reached or is reaching. */
export function countUncoveredUnknown(db: Database, broadcastId: string): number {
  return statements(db).uncoveredUnknown.get({ id: broadcastId })?.count ?? 0;
}

/** Accepted recipients of one channel per channel account (WhatsApp: per number, whose links differ), packed ones included. */
export function countAcceptedByAccount(db: Database, broadcastId: string, channel: Channel): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of statements(db).acceptedByAccount.all({ id: broadcastId, channel })) {
    counts.set(row.account, (counts.get(row.account) ?? 0) + row.count);
  }
  return counts;
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
