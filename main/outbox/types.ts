import type { messagingApi } from '@line/bot-sdk';
import { z } from 'zod';
import {
  type BroadcastProgress,
  type SkipReason,
  SkipReason as SkipReasonSchema,
  type TemplateParamValue,
  TemplateParamValue as TemplateParamValueSchema,
} from '../../preload/contract';
import type { GraphClient } from '../channels/whatsapp/client';
import type { Clock } from '../clock';
import type { ImageStore } from '../compose/images';
import type { InboxClient } from '../inbox/client';
import type { Logger } from '../log';
import type { NetworkStatus } from '../network';
import type { ChannelCredentials, LineCredentials, WhatsAppCredentials } from '../session';
import type { Database } from '../store/db';

/** JSON in broadcasts.content; immutable once written. */
export interface BroadcastContent {
  version: 1;
  senderId: string;
  senderName: string;
  /** As typed. */
  text: string | null;
  /** What LINE gets (official links UTM-tagged with this broadcast's id). */
  lineText: string | null;
  links: Array<{ url: string; kind: 'official' | 'other' }>;
  image: { sha256: string; format: 'jpeg' | 'png' } | null;
  whatsapp: Array<{
    phoneNumberId: string;
    template: { name: string; language: string; parameterFormat: 'POSITIONAL' | 'NAMED'; headerImage: boolean; params: string[] };
    params: Record<string, TemplateParamValue>;
    /** The template as sent (body with its fixed parameters filled), for the history; absent in older snapshots. */
    body?: string | undefined;
    /** The links in that body, for the referral report (each counts once per accepted recipient). */
    links?: Array<{ url: string; kind: 'official' | 'other' }> | undefined;
  }>;
}

export interface SnapshotRecipient {
  eventId: string;
  channel: 'line' | 'whatsapp';
  channelAccount: string;
  recipientId: string;
  customerName: string;
  state: 'pending' | 'skipped';
  reason: SkipReason | null;
}

export interface OutboxSnapshot {
  id: string;
  createdBy: string;
  draftId: string | null;
  /** A retry of another broadcast's failed (or unknown) recipients, linked to it; absent: an original. */
  origin?: { id: string; kind: 'retry_failed' | 'resend_unknown' } | undefined;
  content: BroadcastContent;
  createdAt: number;
  expiresAt: number;
  recipients: SnapshotRecipient[];
}

export interface OutboxOptions {
  /** Per LINE channel, default 200 (LINE's multicast limit); the engine paces at 0.95× so a fixed 1-s window never sees one too many. */
  linePerSecond?: number;
  /** Per number, default 80. */
  whatsappPerSecond?: number;
  /** Default 20_000. LINE: the SDK has none, the call is raced with a timer; WhatsApp: axios' timeout. */
  requestTimeoutMs?: number;
  /** In-flight requests per account (default 24 LINE, 16 WhatsApp: the paced rate at ~100 ms latency). */
  lineConcurrency?: number;
  whatsappConcurrency?: number;
  /** Exponential with jitter (defaults 1 s … 60 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** The sandbox's http origin, whose image URLs LINE accepts without TLS (buildMulticastRequest's allowInsecureOrigin). */
  insecureMediaOrigin?: () => string | null;
  /** How long stop() waits for requests in flight (default 5_000 ms). */
  stopTimeoutMs?: number;
}

export interface OutboxDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  network: NetworkStatus;
  credentials(): ChannelCredentials | null;
  inbox(): InboxClient | null;
  images: ImageStore;
  /** Throttled by the engine: ≤ 1 per 100 ms per broadcast, plus every state change and the final state immediately. */
  onProgress(progress: BroadcastProgress): void;
  options?: OutboxOptions;
  /** Default createLineClient({channelAccessToken, baseURL: apiBaseUrl}). */
  lineClient?: (channel: LineCredentials) => messagingApi.MessagingApiClient;
  /** Default createGraphClient(...) with the request timeout. */
  graphClient?: (number: WhatsAppCredentials) => GraphClient;
  /** Waits (backoff, pacing, network and expiry waits). Default real timers. Must resolve or reject early on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /**
   * Test hook for crash tests, called synchronously at named points (after the database write the point names):
   * 'snapshot', 'state', 'media', 'line.batch.in_flight', 'line.batch.answered', 'whatsapp.in_flight',
   * 'whatsapp.answered'. Default no-op.
   */
  trace?: (point: string, detail: Record<string, unknown>) => void;
}

export interface Outbox {
  /**
   * Writes broadcast + recipients + LINE batches (≤ 500 per channel account, each with a fresh UUID retry key), then
   * resolves with its progress and sends in the background. A small snapshot is one transaction, written before this
   * returns; a large one is written in chunks (the event loop free in between) under a `preparing` mark the engine
   * never sends from, cleared in one transaction after the last chunk: the promise resolves only then, so nothing is
   * sent from, and no caller holds the id of, a half-written snapshot (one a crash cut short is deleted at start-up).
   * Rejects (writing nothing) on an invalid snapshot.
   */
  enqueue(snapshot: OutboxSnapshot): Promise<BroadcastProgress>;
  /** At start-up: WhatsApp in flight → unknown; LINE batches in flight → pending (same key); resumes active broadcasts (paused stay paused; expiry applies). */
  start(): void;
  /** Throws AppFailure('not_found' | 'broadcast_finished'). */
  pause(id: string): BroadcastProgress;
  resume(id: string): BroadcastProgress;
  /** In-flight requests finish; nothing new starts; the rest skipped('cancelled'); state cancelled. */
  cancel(id: string): BroadcastProgress;
  progress(id: string): BroadcastProgress | null;
  /** Not final, newest first. */
  active(): BroadcastProgress[];
  /** Stops starting requests, waits (bounded) for in-flight ones; leaves everything resumable. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing what comes from the caller and the disk (CONVENTIONS habit 3)

const GRAPH_ID = /^\d{1,32}$/;

export const BroadcastContentSchema = z
  .object({
    version: z.literal(1),
    senderId: z.string(),
    senderName: z.string(),
    text: z.string().nullable(),
    lineText: z.string().nullable(),
    links: z.array(z.object({ url: z.string(), kind: z.enum(['official', 'other']) })),
    image: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), format: z.enum(['jpeg', 'png']) }).nullable(),
    whatsapp: z.array(
      z.object({
        phoneNumberId: z.string().regex(GRAPH_ID),
        template: z.object({
          name: z.string().min(1),
          language: z.string().min(1),
          parameterFormat: z.enum(['POSITIONAL', 'NAMED']),
          headerImage: z.boolean(),
          params: z.array(z.string()),
        }),
        params: z.record(z.string(), TemplateParamValueSchema),
        body: z.string().optional(),
        links: z.array(z.object({ url: z.string(), kind: z.enum(['official', 'other']) })).optional(),
      }),
    ),
  })
  .strict();

export const SnapshotRecipientSchema = z
  .object({
    eventId: z.string().min(1),
    channel: z.enum(['line', 'whatsapp']),
    channelAccount: z.string().min(1),
    recipientId: z.string().min(1),
    customerName: z.string(),
    state: z.enum(['pending', 'skipped']),
    reason: SkipReasonSchema.nullable(),
  })
  .strict()
  .refine((r) => (r.state === 'skipped') === (r.reason !== null), { message: 'a skipped recipient needs a reason; a pending one has none' });

export const OutboxSnapshotSchema = z
  .object({
    id: z.string().min(1).max(100),
    createdBy: z.string().min(1),
    draftId: z.string().nullable(),
    origin: z.object({ id: z.string().min(1), kind: z.enum(['retry_failed', 'resend_unknown']) }).optional(),
    content: BroadcastContentSchema,
    createdAt: z.number().int(),
    expiresAt: z.number().int(),
    recipients: z.array(SnapshotRecipientSchema),
  })
  .strict()
  .refine((s) => s.expiresAt > s.createdAt, { message: 'expiresAt must be after createdAt' });

/** The snapshot without its recipients, which parseSnapshot checks by hand (zod costs ~2 µs a row; 100k rows add up). */
const SnapshotHeadSchema = z
  .object({
    id: z.string().min(1).max(100),
    createdBy: z.string().min(1),
    draftId: z.string().nullable(),
    origin: z.object({ id: z.string().min(1), kind: z.enum(['retry_failed', 'resend_unknown']) }).optional(),
    content: BroadcastContentSchema,
    createdAt: z.number().int(),
    expiresAt: z.number().int(),
    // Checked one by one by recipientProblem: z.array would walk (and copy) 100,000 elements first.
    recipients: z.custom<unknown[]>((value) => Array.isArray(value), { message: 'recipients must be an array' }),
  })
  .strict()
  .refine((s) => s.expiresAt > s.createdAt, { message: 'expiresAt must be after createdAt' });

const SKIP_REASON_SET: ReadonlySet<string> = new Set(SkipReasonSchema.options);
const RECIPIENT_KEYS = 7;

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Exactly what SnapshotRecipientSchema accepts, without allocating per row beyond the result. */
export function recipientProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const r = value as Record<string, unknown>;
  if (Object.keys(r).length !== RECIPIENT_KEYS) return 'unexpected or missing fields';
  if (!isNonEmptyString(r.eventId) || !isNonEmptyString(r.channelAccount) || !isNonEmptyString(r.recipientId)) return 'empty id';
  if (typeof r.customerName !== 'string') return 'customerName';
  if (r.channel !== 'line' && r.channel !== 'whatsapp') return 'channel';
  if (r.state === 'pending') return r.reason === null ? null : 'a pending recipient has no reason';
  if (r.state === 'skipped') return typeof r.reason === 'string' && SKIP_REASON_SET.has(r.reason) ? null : 'a skipped recipient needs a skip reason';
  return 'state';
}

export type SnapshotParse = { ok: true; snapshot: OutboxSnapshot } | { ok: false; message: string };

/** Parses a snapshot from the caller (CONVENTIONS habit 3): the same rules as OutboxSnapshotSchema. */
export function parseSnapshot(value: unknown): SnapshotParse {
  const head = parseSnapshotHead(value);
  if (!head.ok) return head;
  const recipients = head.snapshot.recipients;
  for (let index = 0; index < recipients.length; index += 1) {
    const problem = recipientProblem(recipients[index]);
    if (problem !== null) return { ok: false, message: `recipients.${index}: ${problem}` };
  }
  return { ok: true, snapshot: { ...head.snapshot, recipients: recipients as SnapshotRecipient[] } };
}

/**
 * Everything but the recipients themselves (an array of unknown values, to be checked one by one with
 * recipientProblem — the engine does that in slices, yielding to the event loop, for a 100,000-recipient snapshot).
 */
export function parseSnapshotHead(value: unknown): { ok: true; snapshot: Omit<OutboxSnapshot, 'recipients'> & { recipients: unknown[] } } | { ok: false; message: string } {
  const head = SnapshotHeadSchema.safeParse(value);
  if (!head.success) {
    return { ok: false, message: head.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  }
  return { ok: true, snapshot: head.data };
}

// The schemas and the interfaces above must describe the same values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const contentMatches: Same<z.output<typeof BroadcastContentSchema>, BroadcastContent> = true;
const recipientMatches: Same<z.output<typeof SnapshotRecipientSchema>, SnapshotRecipient> = true;
void contentMatches;
void recipientMatches;
