import type { Database } from './db';
import type { Channel } from './events';
import { NOT_COVERED } from './reports';
import { statementsFor } from './statements';

export const BROADCAST_STATES = [
  'queued',
  'sending',
  'paused',
  'waiting_for_network',
  'completed',
  'completed_with_failures',
  'cancelled',
  'expired',
] as const;
export type BroadcastState = (typeof BROADCAST_STATES)[number];

export const RECIPIENT_STATES = ['pending', 'in_flight', 'accepted', 'failed', 'skipped', 'unknown'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** One broadcast: an immutable snapshot of its content plus its progress (DESIGN §4 Broadcast). */
export interface BroadcastRow {
  id: string;
  createdBy: string;
  /** The content snapshot as JSON text; its shape belongs to the send engine, which parses what it reads. */
  content: string;
  state: BroadcastState;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** One recipient of a broadcast, one per event in the snapshot (DESIGN §4 Recipient). */
export interface RecipientRow {
  broadcastId: string;
  eventId: string;
  channel: Channel;
  channelAccount: string;
  /** LINE user id or WhatsApp wa_id. */
  recipientId: string;
  customerName: string;
  state: RecipientState;
  /** Required for 'failed' and 'skipped' (a CHECK constraint enforces it). */
  reason: string | null;
  batchId: string | null;
  requestId: string | null;
  /** WhatsApp's wamid once accepted. */
  messageId: string | null;
  updatedAt: number;
}

/** A recipient given to createBroadcast: its broadcastId, when present, must be the broadcast's. */
export type NewRecipient = Omit<RecipientRow, 'broadcastId'> & { broadcastId?: string };

const BROADCAST_COLUMNS = `id, created_by AS createdBy, content, state, created_at AS createdAt,
  updated_at AS updatedAt, expires_at AS expiresAt, started_at AS startedAt, finished_at AS finishedAt`;

const RECIPIENT_COLUMNS = `broadcast_id AS broadcastId, event_id AS eventId, channel,
  channel_account AS channelAccount, recipient_id AS recipientId, customer_name AS customerName, state, reason,
  batch_id AS batchId, request_id AS requestId, message_id AS messageId, updated_at AS updatedAt`;

const statements = statementsFor((db: Database) => ({
  insertBroadcast: db.prepare<[BroadcastRow]>(
    `INSERT INTO broadcasts (id, created_by, content, state, created_at, updated_at, expires_at, started_at,
       finished_at)
     VALUES (@id, @createdBy, @content, @state, @createdAt, @updatedAt, @expiresAt, @startedAt, @finishedAt)`,
  ),
  insertRecipient: db.prepare<[RecipientRow]>(
    `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id,
       customer_name, state, reason, batch_id, request_id, message_id, updated_at)
     VALUES (@broadcastId, @eventId, @channel, @channelAccount, @recipientId, @customerName, @state, @reason,
       @batchId, @requestId, @messageId, @updatedAt)`,
  ),
  getBroadcast: db.prepare<[string], BroadcastRow>(`SELECT ${BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?`),
  // Rows and the LINE recipients still packed in their batch (migration 6): a recipient is in exactly one of the two.
  listRecipients: db.prepare<{ id: string; limit: number; offset: number }, RecipientRow>(
    `SELECT ${RECIPIENT_COLUMNS} FROM broadcast_recipients WHERE broadcast_id = @id
     UNION ALL
     SELECT ${RECIPIENT_COLUMNS} FROM broadcast_members WHERE broadcast_id = @id
     ORDER BY eventId LIMIT @limit OFFSET @offset`,
  ),
  unreported: db.prepare<[], { id: string }>(
    `SELECT b.id FROM broadcasts b
     WHERE b.state IN ('completed', 'completed_with_failures', 'cancelled', 'expired')
       AND NOT EXISTS (SELECT 1 FROM broadcast_reports r WHERE r.broadcast_id = b.id)`,
  ),
  origin: db.prepare<[string], { state: BroadcastState; draftId: string | null; content: string }>(
    'SELECT state, draft_id AS draftId, content FROM broadcasts WHERE id = ?',
  ),
  // The origin's rows, then its packed LINE members (a final broadcast's answered batches may not be rows yet).
  inState: db.prepare<{ id: string; state: RecipientState }, Pick<RecipientRow, 'eventId' | 'channel' | 'channelAccount' | 'recipientId' | 'customerName'>>(
    `SELECT event_id AS eventId, channel, channel_account AS channelAccount, recipient_id AS recipientId,
       customer_name AS customerName
     FROM broadcast_recipients r WHERE r.broadcast_id = @id AND r.state = @state AND ${NOT_COVERED}
     UNION ALL
     SELECT event_id, channel, channel_account, recipient_id, customer_name
     FROM broadcast_members r WHERE r.broadcast_id = @id AND r.state = @state AND ${NOT_COVERED}`,
  ),
  // Packed members by their batch's outcome and reason, from the batch rows (no JSON read); a group may come twice.
  problems: db.prepare<{ id: string }, { channel: Channel; state: 'failed' | 'unknown'; reason: string | null; count: number }>(
    `SELECT channel, state, reason, count(*) AS count FROM broadcast_recipients
     WHERE broadcast_id = @id AND state IN ('failed', 'unknown')
     GROUP BY channel, state, reason
     UNION ALL
     SELECT 'line', outcome, reason, sum(size) FROM broadcast_batches
     WHERE broadcast_id = @id AND packed = 1 AND outcome IN ('failed', 'unknown')
     GROUP BY outcome, reason`,
  ),
  countByState: db.prepare<{ id: string }, { state: RecipientState; count: number }>(
    `SELECT state, count(*) AS count FROM broadcast_recipients WHERE broadcast_id = @id GROUP BY state
     UNION ALL
     SELECT coalesce(outcome, state), sum(size) FROM broadcast_batches WHERE broadcast_id = @id AND packed = 1
     GROUP BY 1`,
  ),
}));

/**
 * Writes the broadcast and all its recipients in ONE transaction, before any network call: after a crash the
 * snapshot is either complete or absent, never partial. Throws (and writes nothing) on any bad row.
 */
export function createBroadcast(db: Database, broadcast: BroadcastRow, recipients: readonly NewRecipient[]): void {
  const { insertBroadcast, insertRecipient } = statements(db);
  db.transaction(() => {
    insertBroadcast.run(broadcast);
    for (const recipient of recipients) {
      if (recipient.broadcastId !== undefined && recipient.broadcastId !== broadcast.id) {
        throw new Error(`Recipient ${recipient.eventId} belongs to broadcast ${recipient.broadcastId}, not ${broadcast.id}`);
      }
      insertRecipient.run({ ...recipient, broadcastId: broadcast.id });
    }
  })();
}

export function getBroadcast(db: Database, id: string): BroadcastRow | undefined {
  return statements(db).getBroadcast.get(id);
}

/** One page of a broadcast's recipients (rows and packed LINE members alike), in a stable order (by event id). */
export function listRecipients(
  db: Database,
  broadcastId: string,
  page: { limit: number; offset?: number } = { limit: -1 },
): RecipientRow[] {
  return statements(db).listRecipients.all({ id: broadcastId, limit: page.limit, offset: page.offset ?? 0 });
}

/** How many recipients are in each state, packed LINE members included; every state is present (0 when none). */
export function countRecipientsByState(db: Database, broadcastId: string): Record<RecipientState, number> {
  const counts = Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as Record<RecipientState, number>;
  for (const { state, count } of statements(db).countByState.all({ id: broadcastId })) counts[state] += count;
  return counts;
}

export interface ProblemSummary {
  channel: Channel;
  state: 'failed' | 'unknown';
  /** The code part of the stored reason (`line_rejected` of `line_rejected: <LINE's message>`). */
  reason: string;
  /** The first detail stored with that code, if any. */
  detail: string | null;
  count: number;
}

/** Failed and unknown recipients (packed LINE members by their batch's outcome too) grouped by channel, state and reason code, most first. */
export function summarizeProblems(db: Database, broadcastId: string): ProblemSummary[] {
  const groups = new Map<string, ProblemSummary>();
  for (const row of statements(db).problems.all({ id: broadcastId })) {
    const raw = row.reason ?? 'unknown';
    const split = raw.indexOf(': ');
    const reason = split < 0 ? raw : raw.slice(0, split);
    const detail = split < 0 ? null : raw.slice(split + 2);
    const key = `${row.channel}\u0000${row.state}\u0000${reason}`;
    const group = groups.get(key);
    if (group) group.count += row.count;
    else groups.set(key, { channel: row.channel, state: row.state, reason, detail, count: row.count });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/**
 * A broadcast's recipients in one state — rows, and LINE members still packed in a batch with that outcome — that no
 * retry of it has reached or is reaching, as a row or packed (a retry's candidates).
 */
export function recipientsInState(
  db: Database,
  broadcastId: string,
  state: RecipientState,
): Array<Pick<RecipientRow, 'eventId' | 'channel' | 'channelAccount' | 'recipientId' | 'customerName'>> {
  return statements(db).inState.all({ id: broadcastId, state });
}

/** What a retry needs of the broadcast it retries: its state, its draft and its content (JSON text). */
export function getBroadcastOrigin(db: Database, id: string): { state: BroadcastState; draftId: string | null; content: string } | undefined {
  return statements(db).origin.get(id);
}

/** Finished broadcasts with no platform report queued (a crash between the final state and the queue). */
export function finishedWithoutReport(db: Database): string[] {
  return statements(db).unreported.all().map((row) => row.id);
}
