import type { Database } from './db';
import type { Channel } from './events';
import { type ChannelStateCount, countByChannelState } from './reports';
import { statementsFor } from './statements';

/**
 * The send engine's tables (migrations 1, 3, 4, 6): broadcasts, broadcast_recipients, broadcast_batches and
 * broadcast_media. Every function is one statement or one transaction; every transition names the state it expects
 * to leave (`AND state = ?`), so a late or repeated write can never move a row backwards. Callers keep their
 * in-memory counters from the counts these return, never from a re-count.
 *
 * LINE recipients of a multicast batch travel packed beside their batch row (broadcast_batch_members, migration 6)
 * until the batch is answered and their rows are written (writePackedRows): the snapshot is one row per 500
 * recipients and an answer is one small row write, so a 100,000-recipient broadcast costs the main thread
 * milliseconds a batch, not seconds. A recipient is always in exactly one place: its row, or its batch's members
 * (the view broadcast_members).
 */

export type BroadcastStateName =
  | 'queued'
  | 'sending'
  | 'paused'
  | 'waiting_for_network'
  | 'completed'
  | 'completed_with_failures'
  | 'cancelled'
  | 'expired';
export type RecipientStateName = 'pending' | 'in_flight' | 'accepted' | 'failed' | 'skipped' | 'unknown';
export type BatchStateName = 'pending' | 'in_flight' | 'accepted' | 'failed';

export interface OutboxBroadcastRow {
  id: string;
  createdBy: string;
  draftId: string | null;
  /** The content snapshot as JSON text (parsed by the engine). */
  content: string;
  state: BroadcastStateName;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface NewOutboxBroadcast {
  id: string;
  createdBy: string;
  draftId: string | null;
  kind: 'original' | 'retry_failed' | 'resend_unknown';
  originId: string | null;
  content: string;
  imageSha256: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface NewOutboxRecipient {
  eventId: string;
  channel: Channel;
  channelAccount: string;
  recipientId: string;
  customerName: string;
  state: 'pending' | 'skipped' | 'failed';
  reason: string | null;
}

/** A recipient packed in its batch; stored as JSON [event id, recipient id, customer name]. */
export interface BatchMember {
  readonly eventId: string;
  readonly recipientId: string;
  readonly customerName: string;
}

export interface NewOutboxBatch {
  batchId: string;
  channelAccount: string;
  seq: number;
  /** Its recipients in request order (the same `to` on every attempt under the batch's key). */
  members: readonly BatchMember[];
}

/**
 * A LINE batch waiting to be sent. `reason` on a pending batch records that an earlier attempt got NO answer
 * (timeout, reset, a crash while in flight): LINE may have accepted it, so it is never reported as "not sent".
 */
export interface PendingBatch {
  batchId: string;
  seq: number;
  attempts: number;
  reason: string | null;
}

export interface PendingWhatsAppRecipient {
  rowid: number;
  eventId: string;
  recipientId: string;
  customerName: string;
}

/** A broadcast's recipients of one channel in one state. */
export type StateCount = ChannelStateCount;

export interface BroadcastMediaRow {
  url: string | null;
  previewUrl: string | null;
  mediaId: string | null;
}

export const ACTIVE_STATES: readonly BroadcastStateName[] = ['queued', 'sending', 'paused', 'waiting_for_network'];

const BROADCAST_COLUMNS = `id, created_by AS createdBy, draft_id AS draftId, content, state, note, created_at AS createdAt,
  updated_at AS updatedAt, expires_at AS expiresAt, started_at AS startedAt, finished_at AS finishedAt`;

const statements = statementsFor((db: Database) => ({
  insertBroadcast: db.prepare<[NewOutboxBroadcast]>(
    `INSERT INTO broadcasts (id, created_by, draft_id, kind, origin_id, content, image_sha256, state, note, created_at,
       updated_at, expires_at, started_at, finished_at)
     VALUES (@id, @createdBy, @draftId, @kind, @originId, @content, @imageSha256, 'queued', NULL, @createdAt, @createdAt,
       @expiresAt, NULL, NULL)`,
  ),
  insertPreparing: db.prepare<[NewOutboxBroadcast]>(
    `INSERT INTO broadcasts (id, created_by, draft_id, kind, origin_id, content, image_sha256, state, note, created_at,
       updated_at, expires_at, started_at, finished_at, preparing)
     VALUES (@id, @createdBy, @draftId, @kind, @originId, @content, @imageSha256, 'queued', NULL, @createdAt, @createdAt,
       @expiresAt, NULL, NULL, 1)`,
  ),
  clearPreparing: db.prepare<[string]>('UPDATE broadcasts SET preparing = 0 WHERE id = ? AND preparing = 1'),
  listPreparing: db.prepare<[], { id: string }>('SELECT id FROM broadcasts WHERE preparing = 1'),
  deleteBroadcast: db.prepare<[string]>('DELETE FROM broadcasts WHERE id = ?'),
  deleteRecipientChunk: db.prepare<[string, number]>(
    `DELETE FROM broadcast_recipients WHERE rowid IN (SELECT rowid FROM broadcast_recipients WHERE broadcast_id = ? LIMIT ?)`,
  ),
  // A snapshot's rows: WhatsApp recipients and everyone skipped (a LINE batch's recipients are packed, no row yet).
  insertRecipient: db.prepare<[string, string, string, string, string, string, string, string | null, number]>(
    `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name,
       state, reason, batch_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
  ),
  insertBatch: db.prepare<[string, string, string, number, number, number]>(
    `INSERT INTO broadcast_batches (broadcast_id, batch_id, channel_account, seq, state, attempts, updated_at, packed, size)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, 1, ?)`,
  ),
  insertMembers: db.prepare<[string, string, string]>(
    'INSERT INTO broadcast_batch_members (broadcast_id, batch_id, members) VALUES (?, ?, ?)',
  ),
  // A snapshot still being written (preparing) is invisible to the engine: never loaded, listed or sent.
  getBroadcast: db.prepare<[string], OutboxBroadcastRow>(`SELECT ${BROADCAST_COLUMNS} FROM broadcasts WHERE id = ? AND preparing = 0`),
  broadcastExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM broadcasts WHERE id = ?'),
  listActive: db.prepare<[], OutboxBroadcastRow>(
    `SELECT ${BROADCAST_COLUMNS} FROM broadcasts
     WHERE state IN ('queued', 'sending', 'paused', 'waiting_for_network') AND preparing = 0 ORDER BY created_at DESC, id`,
  ),
  listUnswept: db.prepare<[], OutboxBroadcastRow>(
    `SELECT ${BROADCAST_COLUMNS} FROM broadcasts b WHERE state IN ('cancelled', 'expired')
       AND (EXISTS (SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.state = 'pending')
         OR EXISTS (SELECT 1 FROM broadcast_batches t WHERE t.broadcast_id = b.id AND t.state = 'pending'))`,
  ),
  // Finished broadcasts whose answered batches still hold their recipients packed (a crash or a stop cut the writing).
  listPackedFinished: db.prepare<[], { id: string }>(
    `SELECT id FROM broadcasts b WHERE state NOT IN ('queued', 'sending', 'paused', 'waiting_for_network') AND preparing = 0
       AND EXISTS (SELECT 1 FROM broadcast_batches t WHERE t.broadcast_id = b.id AND t.packed = 1)`,
  ),
  listInterrupted: db.prepare<[], { id: string }>(
    `SELECT id FROM broadcasts b WHERE EXISTS (
       SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.state = 'in_flight')
     OR EXISTS (SELECT 1 FROM broadcast_batches t WHERE t.broadcast_id = b.id AND t.state = 'in_flight')`,
  ),
  countInFlightBatchMembers: db.prepare<[string], { count: number | null }>(
    `SELECT sum(size) AS count FROM broadcast_batches WHERE broadcast_id = ? AND state = 'in_flight'`,
  ),
  countUnfinished: db.prepare<[string, string], { count: number }>(
    `SELECT (SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ? AND state IN ('pending', 'in_flight'))
       + (SELECT coalesce(sum(size), 0) FROM broadcast_batches WHERE broadcast_id = ? AND state IN ('pending', 'in_flight')) AS count`,
  ),
  setState: db.prepare<[BroadcastStateName, string | null, number, number | null, number | null, string]>(
    `UPDATE broadcasts SET state = ?, note = ?, updated_at = ?, started_at = coalesce(started_at, ?),
       finished_at = coalesce(finished_at, ?) WHERE id = ?`,
  ),
  setNote: db.prepare<[string | null, number, string]>('UPDATE broadcasts SET note = ?, updated_at = ? WHERE id = ?'),

  // Crash recovery.
  whatsappInFlightToUnknown: db.prepare<[string, number, string]>(
    `UPDATE broadcast_recipients SET state = 'unknown', reason = ?, updated_at = ?
     WHERE broadcast_id = ? AND state = 'in_flight' AND channel = 'whatsapp'`,
  ),
  lineBatchesInFlightToPending: db.prepare<[string, number, string]>(
    `UPDATE broadcast_batches SET state = 'pending', reason = coalesce(reason, ?), updated_at = ?
     WHERE broadcast_id = ? AND state = 'in_flight'`,
  ),

  // LINE batches.
  pendingLineAccounts: db.prepare<[string], { account: string }>(
    `SELECT DISTINCT channel_account AS account FROM broadcast_batches
     WHERE broadcast_id = ? AND state IN ('pending', 'in_flight') ORDER BY channel_account`,
  ),
  pendingBatches: db.prepare<[string, string], PendingBatch>(
    `SELECT batch_id AS batchId, seq, attempts, reason FROM broadcast_batches
     WHERE broadcast_id = ? AND channel_account = ? AND state = 'pending' ORDER BY seq`,
  ),
  allPendingBatches: db.prepare<[string], PendingBatch>(
    `SELECT batch_id AS batchId, seq, attempts, reason FROM broadcast_batches
     WHERE broadcast_id = ? AND state = 'pending' ORDER BY seq`,
  ),
  batchMembers: db.prepare<[string, string], { members: string }>(
    `SELECT members FROM broadcast_batch_members WHERE broadcast_id = ? AND batch_id = ?`,
  ),
  batchToInFlight: db.prepare<[number, string, string], { attempts: number; size: number }>(
    `UPDATE broadcast_batches SET state = 'in_flight', attempts = attempts + 1, updated_at = ?
     WHERE broadcast_id = ? AND batch_id = ? AND state = 'pending' RETURNING attempts, size`,
  ),
  updateBatch: db.prepare<
    [BatchStateName, string | null, string | null, RecipientStateName | null, number, string, string, BatchStateName],
    { size: number }
  >(
    `UPDATE broadcast_batches SET state = ?, request_id = coalesce(?, request_id), reason = ?, outcome = ?, updated_at = ?
     WHERE broadcast_id = ? AND batch_id = ? AND state = ? RETURNING size`,
  ),
  // An answered batch's recipients become rows in their final state (in request order), and leave the batch.
  packedAnswered: db.prepare<[string, number], { batchId: string }>(
    `SELECT batch_id AS batchId FROM broadcast_batches INDEXED BY broadcast_batches_packed
     WHERE broadcast_id = ? AND packed = 1 AND outcome IS NOT NULL ORDER BY seq LIMIT ?`,
  ),
  insertPackedRows: db.prepare<[string, string]>(
    `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name,
       state, reason, batch_id, request_id, message_id, updated_at)
     SELECT broadcast_id, event_id, channel, channel_account, recipient_id, customer_name, state, reason, batch_id,
       request_id, message_id, updated_at
     FROM broadcast_members WHERE broadcast_id = ? AND batch_id = ? AND state NOT IN ('pending', 'in_flight') ORDER BY position`,
  ),
  clearPacked: db.prepare<[string, string]>(
    `UPDATE broadcast_batches SET packed = 0 WHERE broadcast_id = ? AND batch_id = ? AND packed = 1
       AND outcome IS NOT NULL`,
  ),
  deleteMembers: db.prepare<[string, string]>('DELETE FROM broadcast_batch_members WHERE broadcast_id = ? AND batch_id = ?'),

  // WhatsApp recipients (one row, one request).
  pendingWhatsApp: db.prepare<[string, string, number, number], PendingWhatsAppRecipient>(
    `SELECT rowid, event_id AS eventId, recipient_id AS recipientId, customer_name AS customerName
     FROM broadcast_recipients
     WHERE broadcast_id = ? AND state = 'pending' AND channel = 'whatsapp' AND channel_account = ? AND rowid > ?
     ORDER BY rowid LIMIT ?`,
  ),
  updateRecipient: db.prepare<[RecipientStateName, string | null, string | null, number, number, RecipientStateName]>(
    `UPDATE broadcast_recipients SET state = ?, reason = ?, message_id = coalesce(?, message_id), updated_at = ?
     WHERE rowid = ? AND state = ?`,
  ),
  // Pending rows (WhatsApp; LINE recipients of batches are settled with their batch, never by a sweep of rows).
  sweepPending: db.prepare<[RecipientStateName, string, number, string, number], { channel: Channel }>(
    `UPDATE broadcast_recipients SET state = ?, reason = ?, updated_at = ?
     WHERE rowid IN (SELECT rowid FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'pending' LIMIT ?)
     RETURNING channel`,
  ),
  sweepPendingOfAccount: db.prepare<[RecipientStateName, string, number, string, Channel, string, number]>(
    `UPDATE broadcast_recipients SET state = ?, reason = ?, updated_at = ?
     WHERE rowid IN (SELECT rowid FROM broadcast_recipients
       WHERE broadcast_id = ? AND state = 'pending' AND channel = ? AND channel_account = ? LIMIT ?)`,
  ),

  // Media.
  getMedia: db.prepare<[string, Channel, string], BroadcastMediaRow>(
    `SELECT url, preview_url AS previewUrl, media_id AS mediaId FROM broadcast_media
     WHERE broadcast_id = ? AND channel = ? AND account = ?`,
  ),
  saveMedia: db.prepare<[string, Channel, string, string | null, string | null, string | null, number]>(
    `INSERT INTO broadcast_media (broadcast_id, channel, account, url, preview_url, media_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (broadcast_id, channel, account) DO UPDATE SET url = excluded.url,
       preview_url = excluded.preview_url, media_id = excluded.media_id`,
  ),
}));

// ---------------------------------------------------------------------------------------------------------------
// Broadcasts

/**
 * The snapshot — broadcast, every recipient and every LINE batch with its retry key — in ONE transaction, before
 * any network call: after a crash it is complete or absent. Throws (writing nothing) on any bad row.
 */
export function insertSnapshot(
  db: Database,
  broadcast: NewOutboxBroadcast,
  recipients: readonly NewOutboxRecipient[],
  batches: readonly NewOutboxBatch[],
): void {
  const s = statements(db);
  const { insertBroadcast, insertRecipient } = s;
  db.transaction(() => {
    insertBroadcast.run(broadcast);
    for (const batch of batches) insertPackedBatch(s, broadcast, batch);
    for (const r of recipients) {
      insertRecipient.run(broadcast.id, r.eventId, r.channel, r.channelAccount, r.recipientId, r.customerName, r.state, r.reason, broadcast.createdAt);
    }
  }).immediate();
}

/**
 * The snapshot of a large broadcast in chunks, so enqueue never blocks the main thread for long: `begin` writes the
 * broadcast (marked preparing: the engine never sees it) and its batches; `rows` appends recipients, each call its own
 * transaction; `finish` clears the mark in one small transaction — from then on the snapshot is complete and
 * sendable. `abandon` deletes what was written. Nothing is ever sent from a half-written snapshot.
 */
export function beginSnapshot(db: Database, broadcast: NewOutboxBroadcast): void {
  statements(db).insertPreparing.run(broadcast);
}

/** More batches of a snapshot begun with beginSnapshot, in one transaction. */
export function appendSnapshotBatches(db: Database, broadcast: NewOutboxBroadcast, batches: readonly NewOutboxBatch[]): void {
  const s = statements(db);
  db.transaction(() => {
    for (const batch of batches) insertPackedBatch(s, broadcast, batch);
  }).immediate();
}

function insertPackedBatch(s: ReturnType<typeof statements>, broadcast: NewOutboxBroadcast, batch: NewOutboxBatch): void {
  s.insertBatch.run(broadcast.id, batch.batchId, batch.channelAccount, batch.seq, broadcast.createdAt, batch.members.length);
  const packed = JSON.stringify(batch.members.map((member) => [member.eventId, member.recipientId, member.customerName]));
  s.insertMembers.run(broadcast.id, batch.batchId, packed);
}

export function appendSnapshotRecipients(db: Database, broadcast: NewOutboxBroadcast, recipients: readonly NewOutboxRecipient[]): void {
  const { insertRecipient } = statements(db);
  db.transaction(() => {
    for (const r of recipients) {
      insertRecipient.run(broadcast.id, r.eventId, r.channel, r.channelAccount, r.recipientId, r.customerName, r.state, r.reason, broadcast.createdAt);
    }
  }).immediate();
}

export function finishSnapshot(db: Database, broadcastId: string): void {
  statements(db).clearPreparing.run(broadcastId);
}

/** Any broadcast row with this id, preparing or not. */
export function broadcastIdTaken(db: Database, id: string): boolean {
  return statements(db).broadcastExists.get(id) !== undefined;
}

/** Deletes a broadcast and its rows (recipients in chunks of `chunk`, then the rest by cascade). */
export function deleteBroadcast(db: Database, id: string, chunk = 5000): void {
  const s = statements(db);
  while (s.deleteRecipientChunk.run(id, chunk).changes === chunk) {
    /* next chunk */
  }
  s.deleteBroadcast.run(id);
}

/** Snapshots a crash (or a stop) left half-written. */
export function listPreparingBroadcasts(db: Database): string[] {
  return statements(db).listPreparing.all().map((row) => row.id);
}

export function getOutboxBroadcast(db: Database, id: string): OutboxBroadcastRow | undefined {
  return statements(db).getBroadcast.get(id);
}

/** Broadcasts not finished (queued, sending, paused, waiting for the network), newest first. */
export function listActiveBroadcasts(db: Database): OutboxBroadcastRow[] {
  return statements(db).listActive.all();
}

/** Cancelled or expired broadcasts whose sweep of pending recipients was cut short (a crash mid-sweep). */
export function listUnsweptBroadcasts(db: Database): OutboxBroadcastRow[] {
  return statements(db).listUnswept.all();
}

/**
 * Per channel and state: the rows, and the recipients still packed in their LINE batches (the reports' one count,
 * store/reports.ts countByChannelState: the engine and the history must never disagree).
 */
export function countRecipientStates(db: Database, broadcastId: string): StateCount[] {
  return countByChannelState(db, broadcastId);
}

/** Pending plus in flight, rows and packed (index ranges that are empty once a broadcast is done). */
export function countUnfinishedRecipients(db: Database, broadcastId: string): number {
  return statements(db).countUnfinished.get(broadcastId, broadcastId)?.count ?? 0;
}

/** started_at and finished_at are only ever set once (coalesce): a resumed broadcast keeps its first start. */
export function setBroadcastState(
  db: Database,
  id: string,
  change: { state: BroadcastStateName; note: string | null; now: number; startedAt?: number; finishedAt?: number },
): void {
  statements(db).setState.run(change.state, change.note, change.now, change.startedAt ?? null, change.finishedAt ?? null, id);
}

export function setBroadcastNote(db: Database, id: string, note: string | null, now: number): void {
  statements(db).setNote.run(note, now, id);
}

// ---------------------------------------------------------------------------------------------------------------
// Start-up recovery

export interface RecoveryResult {
  broadcastId: string;
  /** WhatsApp recipients that were in flight: they may have been sent, so they become unknown (never resent). */
  whatsappUnknown: number;
  /** LINE batches that were in flight: back to pending, resent with the same retry key. */
  lineBatchesRequeued: number;
  /** Their recipients. */
  lineRecipientsRequeued: number;
}

/**
 * After a crash: per broadcast with rows left in flight (those `include` accepts: not the ones this process is
 * sending), WhatsApp in flight → unknown(`interrupted`); LINE batches in flight → pending, marked `interrupted` (an
 * attempt without an answer), with their recipients. One transaction per broadcast.
 */
export function recoverInterrupted(db: Database, now: number, include: (broadcastId: string) => boolean = () => true): RecoveryResult[] {
  const s = statements(db);
  const results: RecoveryResult[] = [];
  for (const { id } of s.listInterrupted.all()) {
    if (!include(id)) continue;
    const result = db
      .transaction((): RecoveryResult => {
        const whatsappUnknown = s.whatsappInFlightToUnknown.run('interrupted', now, id).changes;
        const lineRecipientsRequeued = s.countInFlightBatchMembers.get(id)?.count ?? 0;
        const lineBatchesRequeued = s.lineBatchesInFlightToPending.run('interrupted', now, id).changes;
        return { broadcastId: id, whatsappUnknown, lineBatchesRequeued, lineRecipientsRequeued };
      })
      .immediate();
    results.push(result);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// LINE batches

/** LINE channel accounts with batches still to send (pending or in flight). */
export function listPendingLineAccounts(db: Database, broadcastId: string): string[] {
  return statements(db).pendingLineAccounts.all(broadcastId).map((row) => row.account);
}

export function listPendingBatches(db: Database, broadcastId: string, account?: string): PendingBatch[] {
  const s = statements(db);
  return account === undefined ? s.allPendingBatches.all(broadcastId) : s.pendingBatches.all(broadcastId, account);
}

/** The LINE user ids of a batch still packed, in request order ([] once its rows are written). */
export function listBatchRecipientIds(db: Database, broadcastId: string, batchId: string): string[] {
  const members = statements(db).batchMembers.get(broadcastId, batchId)?.members;
  if (members === undefined) return [];
  return (JSON.parse(members) as Array<[string, string, string]>).map((member) => member[1]);
}

/**
 * pending → in_flight for the batch (attempts + 1), BEFORE the request: one row write, its recipients move with it.
 * Returns how many recipients the batch holds. null when the batch is no longer pending (cancelled, failed by a quota
 * stop).
 */
export function markBatchInFlight(db: Database, broadcastId: string, batchId: string, now: number): { recipients: number; attempts: number } | null {
  const row = statements(db).batchToInFlight.get(now, broadcastId, batchId);
  return row ? { recipients: row.size, attempts: row.attempts } : null;
}

export interface BatchTransition {
  from: 'pending' | 'in_flight';
  batch: { state: BatchStateName; reason: string | null; requestId?: string | null };
  recipients: { state: RecipientStateName; reason: string | null; requestId?: string | null };
}

/**
 * Moves a batch and its packed recipients together: one row write. Returns how many recipients moved (0 when the
 * batch was not in `from`: someone else already resolved it). Answered (accepted or failed), the batch records the
 * state its recipients end in (`outcome`, with the batch's reason and request id); writePackedRows turns them into
 * rows later. The recipients' reason is the batch's: a batch and its recipients always carry the same words.
 */
export function moveBatch(db: Database, broadcastId: string, batchId: string, change: BatchTransition, now: number): number {
  const outcome = change.recipients.state === 'pending' || change.recipients.state === 'in_flight' ? null : change.recipients.state;
  const row = statements(db).updateBatch.get(
    change.batch.state,
    change.batch.requestId ?? change.recipients.requestId ?? null,
    outcome === null ? change.batch.reason : change.recipients.reason ?? change.batch.reason,
    outcome,
    now,
    broadcastId,
    batchId,
    change.from,
  );
  return row?.size ?? 0;
}

/**
 * Writes the recipient rows of up to `limit` answered batches of the broadcast (one transaction per batch: rows in,
 * members out). Returns how many batches it wrote; 0 when none is left.
 */
export function writePackedRows(db: Database, broadcastId: string, limit: number): number {
  const s = statements(db);
  let written = 0;
  for (const { batchId } of s.packedAnswered.all(broadcastId, limit)) {
    db.transaction(() => {
      s.insertPackedRows.run(broadcastId, batchId);
      s.clearPacked.run(broadcastId, batchId);
      s.deleteMembers.run(broadcastId, batchId);
    }).immediate();
    written += 1;
  }
  return written;
}

/** Finished broadcasts with answered batches whose rows are not written yet. */
export function listPackedFinishedBroadcasts(db: Database): string[] {
  return statements(db).listPackedFinished.all().map((row) => row.id);
}

// ---------------------------------------------------------------------------------------------------------------
// WhatsApp recipients

/** The next page of a number's pending recipients after `afterRowid`, in rowid order. */
export function listPendingWhatsApp(db: Database, broadcastId: string, account: string, afterRowid: number, limit: number): PendingWhatsAppRecipient[] {
  return statements(db).pendingWhatsApp.all(broadcastId, account, afterRowid, limit);
}

/** One recipient row `from` → `to`; false when it was not in `from`. */
export function moveRecipient(
  db: Database,
  rowid: number,
  from: RecipientStateName,
  to: { state: RecipientStateName; reason: string | null; messageId?: string | null },
  now: number,
): boolean {
  return statements(db).updateRecipient.run(to.state, to.reason, to.messageId ?? null, now, rowid, from).changes === 1;
}

/** Up to `limit` pending recipients of the broadcast → `state(reason)`; returns how many per channel. */
export function sweepPendingRecipients(
  db: Database,
  broadcastId: string,
  to: { state: 'skipped' | 'failed'; reason: string },
  limit: number,
  now: number,
): Record<Channel, number> {
  const rows = db.transaction(() => statements(db).sweepPending.all(to.state, to.reason, now, broadcastId, limit)).immediate();
  const moved: Record<Channel, number> = { line: 0, whatsapp: 0 };
  for (const row of rows) moved[row.channel] += 1;
  return moved;
}

/** Up to `limit` pending recipients of one channel account → `state(reason)`; returns how many. */
export function sweepPendingOfAccount(
  db: Database,
  broadcastId: string,
  channel: Channel,
  account: string,
  to: { state: 'skipped' | 'failed'; reason: string },
  limit: number,
  now: number,
): number {
  return statements(db).sweepPendingOfAccount.run(to.state, to.reason, now, broadcastId, channel, account, limit).changes;
}

// ---------------------------------------------------------------------------------------------------------------
// Media

/** LINE: the image's hosted URLs (account ''); WhatsApp: a number's media id. */
export function getBroadcastMedia(db: Database, broadcastId: string, channel: Channel, account: string): BroadcastMediaRow | undefined {
  return statements(db).getMedia.get(broadcastId, channel, account);
}

export function saveBroadcastMedia(
  db: Database,
  broadcastId: string,
  channel: Channel,
  account: string,
  media: BroadcastMediaRow,
  now: number,
): void {
  statements(db).saveMedia.run(broadcastId, channel, account, media.url, media.previewUrl, media.mediaId, now);
}
