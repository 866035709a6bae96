import type { Database } from './db';
import type { Channel } from './events';
import { statementsFor } from './statements';

/**
 * The send engine's tables (migrations 1, 3, 4): broadcasts, broadcast_recipients, broadcast_batches and
 * broadcast_media. Every function is one statement or one transaction; every transition names the state it expects
 * to leave (`AND state = ?`), so a late or repeated write can never move a row backwards. Callers keep their
 * in-memory counters from the `changes` these return, never from a re-count.
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
  /** LINE pending recipients: their multicast batch (= retry key). */
  batchId: string | null;
}

export interface NewOutboxBatch {
  batchId: string;
  channelAccount: string;
  seq: number;
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

export interface StateCount {
  channel: Channel;
  state: RecipientStateName;
  count: number;
}

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
  insertRecipient: db.prepare<[string, string, string, string, string, string, string, string | null, string | null, number]>(
    `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name,
       state, reason, batch_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  insertBatch: db.prepare<[string, string, string, number, number]>(
    `INSERT INTO broadcast_batches (broadcast_id, batch_id, channel_account, seq, state, attempts, updated_at)
     VALUES (?, ?, ?, ?, 'pending', 0, ?)`,
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
       AND EXISTS (SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.state = 'pending')`,
  ),
  listInterrupted: db.prepare<[], { id: string }>(
    `SELECT id FROM broadcasts b WHERE EXISTS (
       SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.state = 'in_flight')
     OR EXISTS (SELECT 1 FROM broadcast_batches t WHERE t.broadcast_id = b.id AND t.state = 'in_flight')`,
  ),
  countByState: db.prepare<[string], StateCount>(
    `SELECT channel, state, count(*) AS count FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY channel, state`,
  ),
  // LINE recipients stay pending in their rows while their batch is in flight (one write per batch, not 500):
  // the batch carries in_flight, and this count moves them there for the counters.
  countBatchInFlight: db.prepare<[string], { count: number }>(
    // CROSS JOIN: from the (few) batches in flight to their recipients, never from the pending recipients.
    `SELECT count(*) AS count FROM broadcast_batches t CROSS JOIN broadcast_recipients r INDEXED BY broadcast_recipients_by_batch
       ON r.broadcast_id = t.broadcast_id AND r.batch_id = t.batch_id
     WHERE t.broadcast_id = ? AND t.state = 'in_flight' AND r.state = 'pending'`,
  ),
  countBatchPending: db.prepare<[string, string], { count: number }>(
    `SELECT count(*) AS count FROM broadcast_recipients WHERE broadcast_id = ? AND batch_id = ? AND state = 'pending'`,
  ),
  countUnfinished: db.prepare<[string], { count: number }>(
    `SELECT count(*) AS count FROM broadcast_recipients WHERE broadcast_id = ? AND state IN ('pending', 'in_flight')`,
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
  lineRecipientsInFlightToPending: db.prepare<[number, string]>(
    `UPDATE broadcast_recipients SET state = 'pending', reason = NULL, updated_at = ?
     WHERE broadcast_id = ? AND state = 'in_flight' AND channel = 'line'`,
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
  batchRecipientIds: db.prepare<[string, string], { recipientId: string }>(
    // rowid order: the same `to` on every attempt, as a retry under one key must be the identical request.
    `SELECT recipient_id AS recipientId FROM broadcast_recipients WHERE broadcast_id = ? AND batch_id = ? ORDER BY rowid`,
  ),
  batchToInFlight: db.prepare<[number, string, string], { attempts: number }>(
    `UPDATE broadcast_batches SET state = 'in_flight', attempts = attempts + 1, updated_at = ?
     WHERE broadcast_id = ? AND batch_id = ? AND state = 'pending' RETURNING attempts`,
  ),
  updateBatch: db.prepare<[BatchStateName, string | null, string | null, number, string, string, BatchStateName]>(
    `UPDATE broadcast_batches SET state = ?, request_id = coalesce(?, request_id), reason = ?, updated_at = ?
     WHERE broadcast_id = ? AND batch_id = ? AND state = ?`,
  ),
  updateBatchRecipients: db.prepare<[RecipientStateName, string | null, string | null, number, string, string, RecipientStateName]>(
    `UPDATE broadcast_recipients SET state = ?, reason = ?, request_id = coalesce(?, request_id), updated_at = ?
     WHERE broadcast_id = ? AND batch_id = ? AND state = ?`,
  ),

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
  sweepPending: db.prepare<[RecipientStateName, string, number, string, number], { channel: Channel }>(
    `UPDATE broadcast_recipients SET state = ?, reason = ?, updated_at = ?
     WHERE rowid IN (SELECT rowid FROM broadcast_recipients r WHERE broadcast_id = ? AND state = 'pending'
       AND (batch_id IS NULL OR NOT EXISTS (SELECT 1 FROM broadcast_batches t
         WHERE t.broadcast_id = r.broadcast_id AND t.batch_id = r.batch_id AND t.state = 'in_flight')) LIMIT ?)
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
  const { insertBroadcast, insertRecipient, insertBatch } = statements(db);
  db.transaction(() => {
    insertBroadcast.run(broadcast);
    for (const batch of batches) insertBatch.run(broadcast.id, batch.batchId, batch.channelAccount, batch.seq, broadcast.createdAt);
    for (const r of recipients) {
      insertRecipient.run(broadcast.id, r.eventId, r.channel, r.channelAccount, r.recipientId, r.customerName, r.state, r.reason, r.batchId, broadcast.createdAt);
    }
  }).immediate();
}

/**
 * The snapshot of a large broadcast in chunks, so enqueue never blocks the main thread for long: `begin` writes the
 * broadcast (marked preparing: the engine never sees it) and its batches; `rows` appends recipients, each call its own
 * transaction; `finish` clears the mark in one small transaction — from then on the snapshot is complete and
 * sendable. `abandon` deletes what was written. Nothing is ever sent from a half-written snapshot.
 */
export function beginSnapshot(db: Database, broadcast: NewOutboxBroadcast, batches: readonly NewOutboxBatch[]): void {
  const { insertPreparing, insertBatch } = statements(db);
  db.transaction(() => {
    insertPreparing.run(broadcast);
    for (const batch of batches) insertBatch.run(broadcast.id, batch.batchId, batch.channelAccount, batch.seq, broadcast.createdAt);
  }).immediate();
}

export function appendSnapshotRecipients(db: Database, broadcast: NewOutboxBroadcast, recipients: readonly NewOutboxRecipient[]): void {
  const { insertRecipient } = statements(db);
  db.transaction(() => {
    for (const r of recipients) {
      insertRecipient.run(broadcast.id, r.eventId, r.channel, r.channelAccount, r.recipientId, r.customerName, r.state, r.reason, r.batchId, broadcast.createdAt);
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
 * Per channel and state. LINE recipients of a batch in flight are counted in_flight (their rows stay pending until
 * the batch is answered).
 */
export function countRecipientStates(db: Database, broadcastId: string): StateCount[] {
  const s = statements(db);
  const rows = s.countByState.all(broadcastId);
  const inFlight = s.countBatchInFlight.get(broadcastId)?.count ?? 0;
  if (inFlight === 0) return rows;
  const out: StateCount[] = [];
  let existing: StateCount | undefined;
  for (const row of rows) {
    if (row.channel === 'line' && row.state === 'pending') {
      if (row.count > inFlight) out.push({ ...row, count: row.count - inFlight });
    } else if (row.channel === 'line' && row.state === 'in_flight') {
      existing = { ...row, count: row.count + inFlight };
      out.push(existing);
    } else out.push(row);
  }
  if (!existing) out.push({ channel: 'line', state: 'in_flight', count: inFlight });
  return out;
}

/** Pending plus in flight (an index range that is empty once a broadcast is done). */
export function countUnfinishedRecipients(db: Database, broadcastId: string): number {
  return statements(db).countUnfinished.get(broadcastId)?.count ?? 0;
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
        // The recipients of LINE batches in flight are pending in their rows already: count them before the batches move.
        const batchRecipients = s.countBatchInFlight.get(id)?.count ?? 0;
        const lineBatchesRequeued = s.lineBatchesInFlightToPending.run('interrupted', now, id).changes;
        // Rows written in flight by an earlier build.
        const lineRecipientsRequeued = batchRecipients + s.lineRecipientsInFlightToPending.run(now, id).changes;
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

export function listBatchRecipientIds(db: Database, broadcastId: string, batchId: string): string[] {
  return statements(db).batchRecipientIds.all(broadcastId, batchId).map((row) => row.recipientId);
}

/**
 * pending → in_flight for the batch (attempts + 1), BEFORE the request. Its recipient rows stay pending (one small
 * write, not one per recipient): the batch row says they are in flight, and moveBatch moves them straight from
 * pending to the answer. Returns how many recipients the batch holds pending. null when the batch is no longer
 * pending (cancelled, failed by a quota stop).
 */
export function markBatchInFlight(db: Database, broadcastId: string, batchId: string, now: number): { recipients: number; attempts: number } | null {
  const s = statements(db);
  return db
    .transaction(() => {
      const row = s.batchToInFlight.get(now, broadcastId, batchId);
      if (!row) return null;
      const recipients = s.countBatchPending.get(broadcastId, batchId)?.count ?? 0;
      return { recipients, attempts: row.attempts };
    })
    .immediate();
}

export interface BatchTransition {
  from: 'pending' | 'in_flight';
  batch: { state: BatchStateName; reason: string | null; requestId?: string | null };
  recipients: { state: RecipientStateName; reason: string | null; requestId?: string | null };
}

/**
 * Moves a batch and its recipients together, in one transaction. Returns how many recipients moved (0 when the
 * batch was not in `from`: someone else already resolved it). The recipient rows of a batch are pending whether the
 * batch is pending or in flight; back to pending they are left as they are.
 */
export function moveBatch(db: Database, broadcastId: string, batchId: string, change: BatchTransition, now: number): number {
  const s = statements(db);
  return db
    .transaction(() => {
      const moved = s.updateBatch.run(change.batch.state, change.batch.requestId ?? null, change.batch.reason, now, broadcastId, batchId, change.from).changes;
      if (moved === 0) return 0;
      if (change.recipients.state === 'pending') return s.countBatchPending.get(broadcastId, batchId)?.count ?? 0;
      return s.updateBatchRecipients.run(
        change.recipients.state,
        change.recipients.reason,
        change.recipients.requestId ?? null,
        now,
        broadcastId,
        batchId,
        'pending',
      ).changes;
    })
    .immediate();
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
