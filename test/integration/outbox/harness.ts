import path from 'node:path';
import { expect, onTestFinished, vi } from 'vitest';
import { type BroadcastProgress, FINAL_BROADCAST_STATES } from '../../../preload/contract';
import { buildMulticastRequest } from '../../../main/channels/line/messages';
import type { Clock } from '../../../main/clock';
import { type ImageStore, createImageStore } from '../../../main/compose/images';
import { type InboxClient, createInboxClient } from '../../../main/inbox/client';
import { silentLogger } from '../../../main/log';
import { ManualNetworkStatus } from '../../../main/network';
import { type BroadcastContent, type Outbox, type OutboxDeps, type OutboxSnapshot, buildRecipientMessage, createOutbox } from '../../../main/outbox';
import { type SandboxLimits, UNLIMITED } from '../../../main/sandbox/context';
import { type LedgerEntry, contentHash } from '../../../main/sandbox/ledger';
import { DEMO_PASSWORD } from '../../../main/sandbox/seed';
import { type Sandbox, startSandbox } from '../../../main/sandbox/server';
import type { LineChannel, WhatsAppContact, WhatsAppNumber } from '../../../main/sandbox/world';
import type { ChannelCredentials } from '../../../main/session';
import { type Database, openDatabase } from '../../../main/store/db';
import { solidPng } from '../../helpers/images';
import { makeTempDir } from '../../helpers/tmp';

export const HOUR = 60 * 60 * 1000;
/** What a customer with no usable name is called in the template. */
export const NAME_FALLBACK = '貴賓';
export const PRODUCT = '秋季針織外套';
const LINE_TEXT = '本週新品到貨，歡迎到門市試穿！https://shop.example.com/new?utm_source=line&utm_medium=omo_broadcast';

/**
 * A fake clock for the engine whose short waits (pacing, back-off: ≤ `shortMs`) pass at once in fake time, while
 * long ones (the expiry deadline of a broadcast waiting for the network) wait until the test advances the clock.
 * `sleeps` counts every wait started, so a test can prove a wait does not poll.
 */
export class FakeTime implements Clock {
  #now: number;
  #waiters: Array<{ at: number; wake: () => void }> = [];
  sleeps = 0;

  constructor(
    start: number,
    readonly shortMs = 5000,
  ) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps += 1;
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      if (ms <= this.shortMs) {
        this.#now = Math.max(this.#now, this.#now + ms);
        this.#fire();
        setImmediate(resolve);
        return;
      }
      const waiter = { at: this.#now + ms, wake: resolve };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          this.#waiters = this.#waiters.filter((entry) => entry !== waiter);
          resolve();
        },
        { once: true },
      );
    });
  };

  advance(ms: number): void {
    this.#now += ms;
    this.#fire();
  }

  #fire(): void {
    const due = this.#waiters.filter((waiter) => waiter.at <= this.#now);
    this.#waiters = this.#waiters.filter((waiter) => waiter.at > this.#now);
    for (const waiter of due) waiter.wake();
  }
}

export interface HarnessOptions {
  lineUsers?: number;
  contacts?: number;
  /** Sandbox limits (default: lifted, except where a test studies them). */
  limits?: Partial<SandboxLimits>;
}

export interface Harness {
  sandbox: Sandbox;
  dir: string;
  db: Database;
  images: ImageStore;
  image: { sha256: string; format: 'jpeg' | 'png' };
  network: ManualNetworkStatus;
  credentials: ChannelCredentials;
  inbox: InboxClient;
  line: LineChannel;
  number: WhatsAppNumber;
  lineUsers: string[];
  contacts: WhatsAppContact[];
  /** Every progress event, in order, and when it came (real time). */
  events: BroadcastProgress[];
  eventTimes: number[];
  /** A new engine on the harness' database (stopped when the test ends). */
  outbox(overrides?: Partial<OutboxDeps>): Outbox;
  /** A snapshot of `line` LINE and `whatsapp` WhatsApp recipients (the first ones of each list). */
  snapshot(spec: { id: string; line?: number; whatsapp?: number; expiresInMs?: number; createdAt?: number; content?: Partial<BroadcastContent> }): OutboxSnapshot;
  ledger(channel: 'line' | 'whatsapp'): LedgerEntry[];
  fault(spec: Record<string, unknown> | Array<Record<string, unknown>>): Promise<void>;
  config(limits: Partial<Record<keyof SandboxLimits, number | null>>): Promise<void>;
  /** Waits (polling the engine, real time) until the broadcast's progress satisfies `predicate`. */
  until(outbox: Outbox, id: string, predicate: (progress: BroadcastProgress) => boolean, timeoutMs?: number): Promise<BroadcastProgress>;
  /** Until final with nothing in flight. */
  settled(outbox: Outbox, id: string, timeoutMs?: number): Promise<BroadcastProgress>;
  /** The recipients' rows of a broadcast. */
  rows(id: string): RecipientRowView[];
  batches(id: string): Array<{ batchId: string; state: string; attempts: number; requestId: string | null; reason: string | null }>;
  /** The LINE messages hash the ledger records for this harness' content. */
  lineContentHash(id: string): string;
  /** The WhatsApp template hash the ledger records for one recipient. */
  whatsappContentHash(id: string, recipient: { recipientId: string; customerName: string }): string;
}

export interface RecipientRowView {
  eventId: string;
  channel: 'line' | 'whatsapp';
  recipientId: string;
  customerName: string;
  state: string;
  reason: string | null;
  batchId: string | null;
  requestId: string | null;
  messageId: string | null;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({ seed: 11, events: 40, limits: { ...UNLIMITED, ...options.limits } });
  onTestFinished(() => sandbox.close());
  const world = sandbox.context.world;
  const line = world.lineChannels[0];
  const number = world.whatsappNumbers[0];
  if (!line || !number) throw new Error('the seeded world has no LINE channel or WhatsApp number');

  // Enough customers for a real broadcast (the seeded demo has a few dozen).
  const lineUsers: string[] = [];
  for (let i = 0; i < (options.lineUsers ?? 0); i += 1) {
    const userId = `U${(0xa0000 + i).toString(16).padStart(32, '0')}`;
    world.lineUsers.set(userId, { userId, channelId: line.id, displayName: `LINE 客人 ${i}`, pictureUrl: null, language: 'zh-TW' });
    lineUsers.push(userId);
  }
  const contacts: WhatsAppContact[] = [];
  for (let i = 0; i < (options.contacts ?? 0); i += 1) {
    // Every seventh customer has no usable name (empty, or only spaces): the template gets the fallback.
    const name = i % 7 === 3 ? '' : i % 7 === 5 ? '   ' : `客人 ${i}`;
    const contact: WhatsAppContact = { waId: `8869${String(10_000_000 + i)}`, phoneNumberId: number.phoneNumberId, name, lastInboundAt: null, undeliverable: false };
    world.whatsappContacts.set(contact.waId, contact);
    contacts.push(contact);
  }

  const dir = makeTempDir('outbox');
  const db = openDatabase(path.join(dir, 'omo.sqlite'));
  onTestFinished(() => {
    db.close();
  });
  const images = createImageStore({ db, dir: path.join(dir, 'images'), clock: { now: () => Date.now() }, logger: silentLogger });
  const composed = await images.importImage(await solidPng(64, 48, [200, 80, 40]));

  const login = await createInboxClient({ baseUrl: sandbox.origin }).login('sales@demo', DEMO_PASSWORD);
  const inbox = createInboxClient({ baseUrl: sandbox.origin, accessToken: login.accessToken });
  const credentials: ChannelCredentials = {
    line: world.lineChannels.map((channel) => ({ id: channel.id, name: channel.name, accessToken: channel.accessToken, apiBaseUrl: sandbox.origin })),
    whatsapp: world.whatsappNumbers.map((n) => ({
      phoneNumberId: n.phoneNumberId,
      wabaId: n.wabaId,
      displayNumber: n.displayNumber,
      name: n.name,
      accessToken: n.accessToken,
      graphVersion: n.graphVersion,
      apiBaseUrl: sandbox.origin,
    })),
  };
  const network = new ManualNetworkStatus(true);
  const events: BroadcastProgress[] = [];
  const eventTimes: number[] = [];

  const content = (overrides: Partial<BroadcastContent> = {}): BroadcastContent => ({
    version: 1,
    senderId: 'u-sales',
    senderName: '林志豪',
    text: '本週新品到貨，歡迎到門市試穿！https://shop.example.com/new',
    lineText: LINE_TEXT,
    links: [{ url: 'https://shop.example.com/new', kind: 'official' }],
    image: { sha256: composed.sha256, format: composed.format },
    whatsapp: [
      {
        phoneNumberId: number.phoneNumberId,
        template: { name: 'new_arrival', language: 'zh_TW', parameterFormat: 'POSITIONAL', headerImage: true, params: ['1', '2'] },
        params: { '1': { source: 'customer_name', fallback: NAME_FALLBACK }, '2': { source: 'fixed', text: PRODUCT } },
      },
    ],
    ...overrides,
  });
  const snapshots = new Map<string, OutboxSnapshot>();

  const harness: Harness = {
    sandbox,
    dir,
    db,
    images,
    image: { sha256: composed.sha256, format: composed.format },
    network,
    credentials,
    inbox,
    line,
    number,
    lineUsers,
    contacts,
    events,
    eventTimes,
    outbox(overrides = {}) {
      const outbox = createOutbox({
        db,
        clock: { now: () => Date.now() },
        logger: silentLogger,
        network,
        credentials: () => credentials,
        inbox: () => inbox,
        images,
        onProgress: (progress) => {
          events.push(progress);
          eventTimes.push(performance.now());
        },
        random: () => 0.5,
        ...overrides,
        options: {
          backoff: { baseMs: 10, maxMs: 100 },
          requestTimeoutMs: 3000,
          stopTimeoutMs: 1000,
          insecureMediaOrigin: () => sandbox.origin,
          ...overrides.options,
        },
      });
      onTestFinished(() => outbox.stop());
      return outbox;
    },
    snapshot(spec) {
      const createdAt = spec.createdAt ?? Date.now();
      const recipients: OutboxSnapshot['recipients'] = [
        ...lineUsers.slice(0, spec.line ?? 0).map((userId, i) => ({
          eventId: `evt-l-${String(i).padStart(6, '0')}`,
          channel: 'line' as const,
          channelAccount: line.id,
          recipientId: userId,
          customerName: `LINE 客人 ${i}`,
          state: 'pending' as const,
          reason: null,
        })),
        ...contacts.slice(0, spec.whatsapp ?? 0).map((contact, i) => ({
          eventId: `evt-w-${String(i).padStart(6, '0')}`,
          channel: 'whatsapp' as const,
          channelAccount: number.phoneNumberId,
          recipientId: contact.waId,
          customerName: contact.name,
          state: 'pending' as const,
          reason: null,
        })),
      ];
      const snapshot: OutboxSnapshot = {
        id: spec.id,
        createdBy: 'u-sales',
        draftId: `draft-${spec.id}`,
        content: content(spec.content),
        createdAt,
        expiresAt: createdAt + (spec.expiresInMs ?? 24 * HOUR),
        recipients,
      };
      snapshots.set(spec.id, snapshot);
      return snapshot;
    },
    ledger: (channel) => sandbox.context.ledger.entries({ channel }),
    async fault(spec) {
      const response = await fetch(`${sandbox.origin}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
      expect(response.status, await response.clone().text()).toBe(200);
    },
    async config(limits) {
      const response = await fetch(`${sandbox.origin}/_sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(limits) });
      expect(response.status, await response.clone().text()).toBe(200);
    },
    async until(outbox, id, predicate, timeoutMs = 20_000) {
      let last: BroadcastProgress | null = null;
      await vi.waitFor(
        () => {
          last = outbox.progress(id);
          if (last === null || !predicate(last)) throw new Error(`not yet: ${JSON.stringify(last)}`);
        },
        { timeout: timeoutMs, interval: 5 },
      );
      return last as unknown as BroadcastProgress;
    },
    settled(outbox, id, timeoutMs) {
      return harness.until(outbox, id, (p) => FINAL_BROADCAST_STATES.includes(p.state) && p.counts.inFlight === 0 && p.counts.pending === 0, timeoutMs);
    },
    rows: (id) =>
      db
        .prepare<{ id: string }, RecipientRowView>(
          // Rows, and the LINE recipients still packed in their batches (store/outbox.ts): each recipient once.
          `SELECT event_id AS eventId, channel, recipient_id AS recipientId, customer_name AS customerName, state, reason,
             batch_id AS batchId, request_id AS requestId, message_id AS messageId
           FROM broadcast_recipients WHERE broadcast_id = @id
           UNION ALL
           SELECT event_id, channel, recipient_id, customer_name, state, reason, batch_id, request_id, message_id
           FROM broadcast_members WHERE broadcast_id = @id
           ORDER BY eventId`,
        )
        .all({ id }),
    batches: (id) =>
      db
        .prepare<[string], { batchId: string; state: string; attempts: number; requestId: string | null; reason: string | null }>(
          `SELECT batch_id AS batchId, state, attempts, request_id AS requestId, reason FROM broadcast_batches WHERE broadcast_id = ? ORDER BY seq`,
        )
        .all(id),
    lineContentHash(id) {
      const media = db.prepare<[string], { url: string; previewUrl: string }>(`SELECT url, preview_url AS previewUrl FROM broadcast_media WHERE broadcast_id = ? AND channel = 'line'`).get(id);
      const text = snapshots.get(id)?.content.lineText ?? LINE_TEXT;
      const request = buildMulticastRequest(
        { to: ['U0'], ...(media ? { imageUrl: { original: media.url, preview: media.previewUrl } } : {}), text },
        { allowInsecureOrigin: sandbox.origin },
      );
      return contentHash(request.messages);
    },
    whatsappContentHash(id, recipient) {
      const media = db.prepare<[string], { mediaId: string }>(`SELECT media_id AS mediaId FROM broadcast_media WHERE broadcast_id = ? AND channel = 'whatsapp'`).get(id);
      const entry = snapshots.get(id)?.content.whatsapp[0];
      if (!entry) throw new Error(`no snapshot ${id}`);
      return contentHash(buildRecipientMessage(entry, recipient, media?.mediaId ?? null).template);
    },
  };
  return harness;
}

/** How many times each recipient appears in ledger entries. */
export function timesEach(entries: readonly LedgerEntry[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const entry of entries) times.set(entry.recipient, (times.get(entry.recipient) ?? 0) + 1);
  return times;
}

/** Asserts every expected recipient is in the ledger exactly once, and nobody else. */
export function expectExactlyOnce(entries: readonly LedgerEntry[], expected: readonly string[]): void {
  const times = timesEach(entries);
  const twice = [...times].filter(([, n]) => n > 1);
  expect(twice, 'recipients sent more than once').toEqual([]);
  expect(entries).toHaveLength(expected.length);
  expect(new Set(times.keys())).toEqual(new Set(expected));
}

/** The states a recipient list holds, as counts. */
export function stateCounts(rows: readonly RecipientRowView[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = row.reason === null ? row.state : `${row.state}(${row.reason})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
