import type { BroadcastProgress } from '../../../preload/contract';
import { silentLogger } from '../../../main/log';
import type { BroadcastContent } from '../../../main/outbox/types';
import { type Reports, createReports } from '../../../main/reports';
import type { Database } from '../../../main/store/db';
import type { BroadcastStateName, RecipientStateName } from '../../../main/store/outbox';

/**
 * Builds history fixtures by writing broadcasts and recipients straight into the tables (states the engine would
 * reach by sending), so tests and the benchmark control every column.
 */

export const T0 = Date.UTC(2026, 4, 14, 3, 0, 0);
export const LINE_CHANNEL = '1600000001';
export const WA_NUMBER_A = '100000000000001';
export const WA_NUMBER_B = '100000000000002';
export const SHA = 'ab'.repeat(32);

/** A fixed UUID per number (the contract's ids are UUIDs). */
export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function makeContent(patch: Partial<BroadcastContent> = {}): BroadcastContent {
  return {
    version: 1,
    senderId: 'u-sales',
    senderName: 'Amy 王',
    text: 'Spring sale\nsee https://shop.example/sale',
    lineText: 'Spring sale\nsee https://shop.example/sale?utm_source=line&utm_medium=omo_broadcast',
    links: [{ url: 'https://shop.example/sale', kind: 'official' }],
    image: null,
    whatsapp: [],
    ...patch,
  };
}

export function waEntry(phoneNumberId: string, links?: BroadcastContent['whatsapp'][number]['links'], name = 'spring_sale'): BroadcastContent['whatsapp'][number] {
  return {
    phoneNumberId,
    template: { name, language: 'zh_TW', parameterFormat: 'POSITIONAL', headerImage: false, params: [] },
    params: {},
    body: `Hello from ${name}`,
    ...(links === undefined ? {} : { links }),
  };
}

export interface RecipientSpec {
  channel: 'line' | 'whatsapp';
  state: RecipientStateName;
  account?: string;
  reason?: string | null;
  name?: string;
  requestId?: string | null;
  messageId?: string | null;
  eventId?: string;
  at?: number;
}

/** One packed member of a LINE batch. */
export interface MemberSpec {
  eventId: string;
  name?: string;
  recipientId?: string;
}

/**
 * A LINE multicast batch whose recipients are still packed in it (migration 6), as the engine leaves it: pending or in
 * flight with no outcome, or answered (accepted / failed) with the outcome its members end in, rows not written yet.
 */
export interface BatchSpec {
  seq: number;
  state: 'pending' | 'in_flight' | 'accepted' | 'failed';
  outcome?: 'accepted' | 'failed' | 'skipped' | 'unknown' | null;
  reason?: string | null;
  requestId?: string | null;
  account?: string;
  at?: number;
  members: readonly MemberSpec[];
}

export interface BroadcastSpec {
  id: string;
  createdAt: number;
  state: BroadcastStateName;
  content?: BroadcastContent | string;
  recipients: readonly RecipientSpec[];
  /** LINE batches with packed members, written after the rows. */
  batches?: readonly BatchSpec[];
  startedAt?: number | null;
  finishedAt?: number | null;
  note?: string | null;
  kind?: 'original' | 'retry_failed' | 'resend_unknown';
  originId?: string | null;
  imageSha256?: string | null;
  createdBy?: string;
}

const DEFAULT_REASON: Partial<Record<RecipientStateName, string>> = { failed: 'line_rejected', skipped: 'duplicate' };

/** The batch id (its X-Line-Retry-Key) of batch `seq` in the fixtures. */
export function batchId(seq: number): string {
  return uuid(0xba7c0000 + seq);
}

/** The packed members `[event id, recipient id, name]` of `events`, named after them unless given a name. */
export function members(...events: ReadonlyArray<string | MemberSpec>): MemberSpec[] {
  return events.map((event) => (typeof event === 'string' ? { eventId: event } : event));
}

/** Inserts one broadcast, its recipient rows and its packed batches in one transaction (rowid order = the rows' order). */
export function insertBroadcast(db: Database, spec: BroadcastSpec): void {
  const content = spec.content ?? makeContent();
  const insertB = db.prepare(
    `INSERT INTO broadcasts (id, created_by, draft_id, kind, origin_id, content, image_sha256, state, note, created_at,
       updated_at, expires_at, started_at, finished_at)
     VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertR = db.prepare(
    `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name,
       state, reason, batch_id, request_id, message_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
  );
  const insertT = db.prepare(
    `INSERT INTO broadcast_batches (broadcast_id, batch_id, channel_account, seq, state, attempts, request_id, reason,
       updated_at, packed, size, outcome)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 1, ?, ?)`,
  );
  const insertM = db.prepare('INSERT INTO broadcast_batch_members (broadcast_id, batch_id, members) VALUES (?, ?, ?)');
  db.transaction(() => {
    insertB.run(
      spec.id,
      spec.createdBy ?? 'u-sales',
      spec.kind ?? 'original',
      spec.originId ?? null,
      typeof content === 'string' ? content : JSON.stringify(content),
      spec.imageSha256 ?? null,
      spec.state,
      spec.note ?? null,
      spec.createdAt,
      spec.createdAt,
      spec.createdAt + 86_400_000,
      spec.startedAt === undefined ? spec.createdAt : spec.startedAt,
      spec.finishedAt ?? null,
    );
    spec.recipients.forEach((r, index) => {
      const account = r.account ?? (r.channel === 'line' ? LINE_CHANNEL : WA_NUMBER_A);
      insertR.run(
        spec.id,
        r.eventId ?? `${spec.id.slice(-6)}-e${String(index).padStart(6, '0')}`,
        r.channel,
        account,
        `${r.channel === 'line' ? 'U' : '8869'}${index}`,
        r.name ?? `Customer ${index}`,
        r.state,
        r.reason === undefined ? (DEFAULT_REASON[r.state] ?? null) : r.reason,
        r.requestId ?? null,
        r.messageId ?? null,
        r.at ?? spec.createdAt + index,
      );
    });
    for (const batch of spec.batches ?? []) {
      const packed = batch.members.map((m) => [m.eventId, m.recipientId ?? `U-${m.eventId}`, m.name ?? `Customer ${m.eventId}`]);
      const outcome = batch.outcome ?? null;
      insertT.run(
        spec.id,
        batchId(batch.seq),
        batch.account ?? LINE_CHANNEL,
        batch.seq,
        batch.state,
        batch.requestId ?? null,
        batch.reason === undefined ? (outcome === 'failed' || outcome === 'skipped' || batch.state === 'failed' ? 'line_rejected' : null) : batch.reason,
        batch.at ?? spec.createdAt,
        packed.length,
        outcome,
      );
      insertM.run(spec.id, batchId(batch.seq), JSON.stringify(packed));
    }
  })();
}

/** `n` recipients of one channel and state. */
export function many(n: number, spec: RecipientSpec): RecipientSpec[] {
  return Array.from({ length: n }, () => ({ ...spec }));
}

export function insertEvent(db: Database, id: string, status: string): void {
  db.prepare(
    `INSERT INTO events (id, channel, channel_account, customer_name, customer_platform_id, status, last_message_at,
       updated_at, synced_at)
     VALUES (?, 'line', ?, 'x', 'U', ?, 0, 0, 0)`,
  ).run(id, LINE_CHANNEL, status);
}

export function markReported(db: Database, broadcastId: string, state: 'pending' | 'reported'): void {
  db.prepare(
    `INSERT INTO broadcast_reports (broadcast_id, body, state, attempts, next_attempt_at, reported_at, created_at)
     VALUES (?, '{}', ?, 0, 0, ?, 0)`,
  ).run(broadcastId, state, state === 'reported' ? 1 : null);
}

export function makeReports(db: Database, live: (id: string) => BroadcastProgress | null = () => null): Reports {
  return createReports({ db, clock: { now: () => T0 }, logger: silentLogger, live });
}

export function progressOf(id: string, patch: Partial<BroadcastProgress> = {}): BroadcastProgress {
  const zero = { pending: 0, inFlight: 0, accepted: 0, failed: 0, skipped: 0, unknown: 0 };
  return {
    id,
    draftId: null,
    state: 'sending',
    note: null,
    total: 0,
    counts: zero,
    line: zero,
    whatsapp: zero,
    ratePerSecond: 0,
    etaSeconds: null,
    createdAt: T0,
    startedAt: T0,
    finishedAt: null,
    expiresAt: T0 + 86_400_000,
    ...patch,
  };
}

export const NO_REPORT = { state: 'not_due', reportedAt: null, attempts: 0, lastError: null } as const;
