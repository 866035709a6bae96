import { randomUUID } from 'node:crypto';
import type { messagingApi } from '@line/bot-sdk';
import { type BroadcastProgress, BroadcastNote } from '../../preload/contract';
import { createLineClient } from '../channels/line/client';
import { LINE_MAX_RECIPIENTS } from '../channels/line/messages';
import { type GraphClient, createGraphClient } from '../channels/whatsapp/client';
import type { Clock } from '../clock';
import { AppFailure } from '../rpc';
import {
  type BatchMember,
  type NewOutboxBatch,
  type NewOutboxBroadcast,
  type NewOutboxRecipient,
  type OutboxBroadcastRow,
  appendSnapshotBatches,
  appendSnapshotRecipients,
  beginSnapshot,
  broadcastIdTaken,
  countRecipientStates,
  deleteBroadcast,
  finishSnapshot,
  getOutboxBroadcast,
  insertSnapshot,
  listActiveBroadcasts,
  listPackedFinishedBroadcasts,
  listPreparingBroadcasts,
  listUnsweptBroadcasts,
  recoverInterrupted,
  writePackedRows,
} from '../store/outbox';
import { type EngineContext, type ResolvedOptions, yieldToLoop } from './context';
import { RecipientCounters } from './counts';
import { BroadcastRun, isFinalState } from './run';
import { Lane, backoffDelay, nap, realSleep } from './timing';
import {
  type BroadcastContent,
  BroadcastContentSchema,
  type Outbox,
  type OutboxDeps,
  type OutboxOptions,
  type SnapshotRecipient,
  parseSnapshotHead,
  recipientProblem,
} from './types';

/** LINE's multicast limit per channel and WhatsApp's default throughput per number (API-FACTS §1.3, §3.4). */
export const DEFAULT_OPTIONS: ResolvedOptions = {
  linePerSecond: 200,
  whatsappPerSecond: 80,
  requestTimeoutMs: 20_000,
  // Enough in flight to reach the paced rate at ~100 ms per request (190/s × 0.1 s ≈ 19; 76/s × 0.1 s ≈ 8).
  lineConcurrency: 24,
  whatsappConcurrency: 16,
  backoff: { baseMs: 1000, maxMs: 60_000 },
  insecureMediaOrigin: () => null,
  stopTimeoutMs: 5000,
};

/**
 * Per snapshot transaction: recipient rows (WhatsApp, and recipients skipped at planning), and LINE batches (500
 * packed recipients each). A larger snapshot is written in chunks of this much with the event loop free in between
 * (each chunk a few milliseconds), so enqueue never blocks the main thread for long.
 */
const SNAPSHOT_ROWS_CHUNK = 1000;
const SNAPSHOT_BATCHES_CHUNK = 20;
/** Recipients checked per slice of enqueue (~5 ms). */
const CHECK_CHUNK = 5000;

function positive(name: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new RangeError(`outbox option ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  return value;
}

export function resolveOptions(options: OutboxOptions = {}): ResolvedOptions {
  const backoff = options.backoff ?? DEFAULT_OPTIONS.backoff;
  if (!(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs)) throw new RangeError('outbox option backoff needs 0 ≤ baseMs ≤ maxMs');
  return {
    linePerSecond: positive('linePerSecond', options.linePerSecond, DEFAULT_OPTIONS.linePerSecond),
    whatsappPerSecond: positive('whatsappPerSecond', options.whatsappPerSecond, DEFAULT_OPTIONS.whatsappPerSecond),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_OPTIONS.requestTimeoutMs),
    lineConcurrency: positive('lineConcurrency', options.lineConcurrency, DEFAULT_OPTIONS.lineConcurrency, true),
    whatsappConcurrency: positive('whatsappConcurrency', options.whatsappConcurrency, DEFAULT_OPTIONS.whatsappConcurrency, true),
    backoff: { baseMs: backoff.baseMs, maxMs: backoff.maxMs },
    insecureMediaOrigin: options.insecureMediaOrigin ?? DEFAULT_OPTIONS.insecureMediaOrigin,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_OPTIONS.stopTimeoutMs,
  };
}

/**
 * The durable send engine (DESIGN §4 Delivery semantics). One BroadcastRun per broadcast, each with its own loop;
 * the per-account lanes (pacing + concurrency) are shared, so broadcasts sending at once never exceed an account's
 * limit together. SQLite is the truth: the engine can be killed at any instant and start() picks up from the rows.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const { db, logger } = deps;
  // Whole milliseconds for the database (STRICT INTEGER columns), whatever the injected clock returns.
  const clock: Clock = { now: () => Math.floor(deps.clock.now()) };
  const halt = new AbortController();
  const options = resolveOptions(deps.options);
  const random = deps.random ?? Math.random;
  const lanes = new Map<string, Lane>();
  const lineClients = new Map<string, messagingApi.MessagingApiClient>();
  const graphClients = new Map<string, GraphClient>();
  const runs = new Map<string, BroadcastRun>();
  let started = false;
  /** Snapshots this engine is still writing (enqueue not yet answered). */
  const preparing = new Map<string, BroadcastRun>();
  /** Ids an enqueue call is checking or writing. */
  const claimed = new Set<string>();
  let stopping: Promise<void> | null = null;

  /**
   * Finished broadcasts whose answered LINE batches still hold their recipients packed: their rows are written one
   * batch per turn of the event loop (a few milliseconds each), after the sending, never in its way. Readers see the
   * packed recipients meanwhile (the view broadcast_members), so nothing waits for this.
   */
  const unwritten = new Set<string>();
  let writing = false;
  const writeRows = (broadcastId: string): void => {
    unwritten.add(broadcastId);
    if (writing || halt.signal.aborted) return;
    writing = true;
    void (async () => {
      try {
        while (unwritten.size > 0) {
          await yieldToLoop();
          if (halt.signal.aborted) return;
          const [id] = unwritten;
          if (id === undefined) break;
          if (writePackedRows(db, id, 1) === 0) unwritten.delete(id);
          else ctx.trace('line.rows.written', { broadcastId: id });
        }
      } catch (error) {
        // Left packed (readers see them there); start-up tries again.
        logger.error('outbox: could not write the rows of answered batches', { error });
        unwritten.clear();
      } finally {
        writing = false;
      }
    })();
  };

  const lane = (key: string, perSecond: number, concurrency: number): Lane => {
    let found = lanes.get(key);
    if (!found) {
      // The pacer keeps the injected clock's full precision.
      found = new Lane(perSecond, concurrency, deps.clock, ctx.sleep);
      lanes.set(key, found);
    }
    return found;
  };

  const ctx: EngineContext = {
    db,
    clock,
    logger,
    network: deps.network,
    images: deps.images,
    options,
    sleep: deps.sleep ?? realSleep,
    random,
    credentials: () => deps.credentials(),
    inbox: () => deps.inbox(),
    trace(point, detail) {
      if (!deps.trace) return;
      try {
        deps.trace(point, detail);
      } catch (error) {
        logger.warn('outbox: trace hook threw', { point, error });
      }
    },
    emit(progress) {
      try {
        deps.onProgress(progress);
      } catch (error) {
        logger.warn('outbox: progress listener threw', { broadcastId: progress.id, error });
      }
    },
    lineLane: (channelId) => lane(`line:${channelId}`, options.linePerSecond, options.lineConcurrency),
    whatsappLane: (phoneNumberId) => lane(`whatsapp:${phoneNumberId}`, options.whatsappPerSecond, options.whatsappConcurrency),
    lineClient(channel) {
      const key = `${channel.id}\n${channel.apiBaseUrl}\n${channel.accessToken}`;
      let client = lineClients.get(key);
      if (!client) {
        client = deps.lineClient ? deps.lineClient(channel) : createLineClient({ channelAccessToken: channel.accessToken, baseURL: channel.apiBaseUrl });
        lineClients.set(key, client);
      }
      return client;
    },
    graphClient(number) {
      const key = `${number.phoneNumberId}\n${number.apiBaseUrl}\n${number.graphVersion}\n${number.accessToken}`;
      let client = graphClients.get(key);
      if (!client) {
        client = deps.graphClient
          ? deps.graphClient(number)
          : createGraphClient({ baseURL: number.apiBaseUrl, version: number.graphVersion, accessToken: number.accessToken, timeoutMs: options.requestTimeoutMs });
        graphClients.set(key, client);
      }
      return client;
    },
    backoff: (attempt) => backoffDelay(attempt, options.backoff, random),
    writeRows,
  };

  // The online event wakes every run waiting for the network: no polling.
  const unsubscribe = deps.network.subscribe(() => {
    for (const run of runs.values()) run.wake.notify();
  });

  /** Registers a run; every run this engine makes is resumed from the database if it halts on an unexpected failure. */
  function adopt(run: BroadcastRun): BroadcastRun {
    run.onHalt = (halted) => {
      if (stopping !== null) return;
      const attempt = halted.failures + 1;
      void nap(ctx.sleep, ctx.backoff(attempt), halt.signal).then(() => {
        if (stopping !== null || runs.get(halted.id) !== halted) return;
        try {
          recoverInterrupted(db, clock.now(), (id) => id === halted.id);
          const row = getOutboxBroadcast(db, halted.id);
          if (!row) return;
          const fresh = loadRun(row);
          fresh.failures = attempt;
          fresh.launch();
        } catch (error) {
          logger.error('outbox: could not resume a halted broadcast', { broadcastId: halted.id, error });
        }
      });
    };
    runs.set(run.id, run);
    return run;
  }

  function loadRun(row: OutboxBroadcastRow): BroadcastRun {
    let content: BroadcastContent | null = null;
    try {
      const parsed = BroadcastContentSchema.safeParse(JSON.parse(row.content));
      if (parsed.success) content = parsed.data;
      else logger.error('outbox: stored broadcast content does not match its schema', { broadcastId: row.id, issues: parsed.error.issues.slice(0, 3) });
    } catch (error) {
      logger.error('outbox: stored broadcast content is not JSON', { broadcastId: row.id, error });
    }
    const note = BroadcastNote.safeParse(row.note);
    const run = new BroadcastRun(
      ctx,
      {
        id: row.id,
        draftId: row.draftId,
        state: row.state,
        note: note.success ? note.data : null,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
        startedAt: row.startedAt,
        finishedAt: row.finishedAt,
      },
      RecipientCounters.from(countRecipientStates(db, row.id)),
      content,
    );
    return adopt(run);
  }

  /** The run of a broadcast, loading it from the database the first time it is asked for; null if none. */
  function lookup(id: string): BroadcastRun | null {
    const known = runs.get(id);
    if (known) return known;
    const row = getOutboxBroadcast(db, id);
    if (!row) return null;
    const run = loadRun(row);
    if (started && stopping === null) run.launch();
    return run;
  }

  function existing(id: string): BroadcastRun {
    const run = lookup(id);
    if (!run) throw new AppFailure('not_found', `No broadcast ${id}`);
    return run;
  }

  return {
    async enqueue(snapshot) {
      if (stopping !== null) throw new AppFailure('internal', 'The send engine has stopped');
      const parsed = parseSnapshotHead(snapshot);
      if (!parsed.ok) throw new AppFailure('invalid_input', `Invalid broadcast snapshot: ${parsed.message}`);
      const snap = parsed.snapshot;
      const content = snap.content;
      if (runs.has(snap.id) || claimed.has(snap.id) || broadcastIdTaken(db, snap.id)) {
        throw new AppFailure('invalid_input', `Broadcast ${snap.id} already exists`);
      }
      // Claimed until written: a large snapshot yields to the event loop while it is checked and written.
      claimed.add(snap.id);
      try {
        const numbers = new Set(content.whatsapp.map((entry) => entry.phoneNumberId));
        if (numbers.size !== content.whatsapp.length) throw new AppFailure('invalid_input', 'A WhatsApp number appears twice in the content');

        const eventIds = new Set<string>();
        // Per channel, then per account: recipient ids as they are (no concatenated key to build and hash per row).
        const customers: Record<'line' | 'whatsapp', Map<string, Set<string>>> = { line: new Map(), whatsapp: new Map() };
        // Rows: WhatsApp recipients and everyone skipped. LINE pending recipients go packed into their batches.
        const rows: NewOutboxRecipient[] = [];
        const lineByAccount = new Map<string, BatchMember[]>();
        const counters = new RecipientCounters();
        const recipients = snap.recipients;
        for (let index = 0; index < recipients.length; index += 1) {
          if (index > 0 && index % CHECK_CHUNK === 0) {
            // A 100,000-recipient snapshot is checked in slices: the bridge keeps answering meanwhile.
            await yieldToLoop();
            if (stopping !== null) throw new AppFailure('internal', 'The send engine has stopped');
          }
          const value = recipients[index];
          const problem = recipientProblem(value);
          if (problem !== null) throw new AppFailure('invalid_input', `Invalid broadcast snapshot: recipients.${index}: ${problem}`);
          const recipient = value as SnapshotRecipient;
          if (eventIds.has(recipient.eventId)) throw new AppFailure('invalid_input', `Event ${recipient.eventId} appears twice`);
          eventIds.add(recipient.eventId);
          let state: NewOutboxRecipient['state'] = recipient.state;
          let reason = recipient.reason;
          if (state === 'pending') {
            // One customer reached through two events gets the broadcast once.
            const accounts = customers[recipient.channel];
            let seen = accounts.get(recipient.channelAccount);
            if (!seen) accounts.set(recipient.channelAccount, (seen = new Set()));
            if (seen.has(recipient.recipientId)) {
              state = 'skipped';
              reason = 'duplicate';
            }
            seen.add(recipient.recipientId);
          }
          counters.add(recipient.channel, state, 1);
          if (state === 'pending' && recipient.channel === 'line') {
            if (content.lineText === null && content.image === null) throw new AppFailure('invalid_input', 'LINE recipients need a text or an image');
            let list = lineByAccount.get(recipient.channelAccount);
            if (!list) lineByAccount.set(recipient.channelAccount, (list = []));
            list.push(recipient);
            continue;
          }
          if (state === 'pending' && !numbers.has(recipient.channelAccount)) {
            throw new AppFailure('invalid_input', `No WhatsApp template for number ${recipient.channelAccount}`);
          }
          // A literal, not a spread (~1 µs a row).
          rows.push({
            eventId: recipient.eventId,
            channel: recipient.channel,
            channelAccount: recipient.channelAccount,
            recipientId: recipient.recipientId,
            customerName: recipient.customerName,
            state,
            reason,
          });
        }

        // Each batch's retry key is created and stored now, before any attempt (API-FACTS §1.2: "must be on the first").
        // Its recipients are stored packed in it, not as rows (store/outbox.ts).
        const batches: NewOutboxBatch[] = [];
        for (const [account, list] of lineByAccount) {
          for (let start = 0; start < list.length; start += LINE_MAX_RECIPIENTS) {
            batches.push({ batchId: randomUUID(), channelAccount: account, seq: batches.length + 1, members: list.slice(start, start + LINE_MAX_RECIPIENTS) });
          }
        }

        const broadcast: NewOutboxBroadcast = {
          id: snap.id,
          createdBy: snap.createdBy,
          draftId: snap.draftId,
          kind: snap.origin?.kind ?? 'original',
          originId: snap.origin?.id ?? null,
          content: JSON.stringify(content),
          imageSha256: content.image?.sha256 ?? null,
          createdAt: snap.createdAt,
          expiresAt: snap.expiresAt,
        };
        const run = new BroadcastRun(
          ctx,
          {
            id: snap.id,
            draftId: snap.draftId,
            state: 'queued',
            note: null,
            createdAt: snap.createdAt,
            expiresAt: snap.expiresAt,
            startedAt: null,
            finishedAt: null,
          },
          counters,
          content,
        );
        if (rows.length <= SNAPSHOT_ROWS_CHUNK && batches.length <= SNAPSHOT_BATCHES_CHUNK) {
          // Small: one transaction, written before this returns (no turn of the event loop in between).
          insertSnapshot(db, broadcast, rows, batches);
        } else {
          // Large: chunks, one transaction each, the event loop free in between, under a `preparing` mark the engine
          // never sends from. The promise settles only once the mark is cleared, so a caller holds the id of a
          // complete snapshot only; one cut short (crash, stop) is deleted at start-up.
          beginSnapshot(db, broadcast);
          // Its progress (queued, from the counters above) is answered meanwhile; pause/cancel see no broadcast yet.
          preparing.set(snap.id, run);
          try {
            const chunks: Array<() => void> = [];
            for (let start = 0; start < batches.length; start += SNAPSHOT_BATCHES_CHUNK) {
              const chunk = batches.slice(start, start + SNAPSHOT_BATCHES_CHUNK);
              chunks.push(() => appendSnapshotBatches(db, broadcast, chunk));
            }
            for (let start = 0; start < rows.length; start += SNAPSHOT_ROWS_CHUNK) {
              const chunk = rows.slice(start, start + SNAPSHOT_ROWS_CHUNK);
              chunks.push(() => appendSnapshotRecipients(db, broadcast, chunk));
            }
            for (const write of chunks) {
              await yieldToLoop();
              if (stopping !== null) throw new AppFailure('internal', 'The send engine has stopped');
              write();
            }
            finishSnapshot(db, snap.id);
          } catch (error) {
            if (stopping === null) {
              try {
                deleteBroadcast(db, snap.id);
              } catch (cleanup) {
                logger.warn('outbox: could not delete a half-written snapshot; start-up will', { broadcastId: snap.id, error: cleanup });
              }
            }
            throw error;
          } finally {
            preparing.delete(snap.id);
          }
        }
        ctx.trace('snapshot', { broadcastId: snap.id, recipients: recipients.length, pending: counters.total.pending, batches: batches.length });
        logger.info('outbox: broadcast queued', { broadcastId: snap.id, recipients: recipients.length, batches: batches.length });

        run.rememberBatches(batches);
        adopt(run);
        run.emit(true);
        // Sending starts on the next turn of the event loop: enqueue answers at once with the queued broadcast.
        setImmediate(() => {
          if (stopping === null && !run.stopping) run.launch();
        });
        return run.progress();
      } finally {
        claimed.delete(snap.id);
      }
    },

    start() {
      if (started || stopping !== null) return;
      started = true;
      // Half-written snapshots of an earlier process: their enqueue never answered, so nobody holds their id.
      for (const id of listPreparingBroadcasts(db)) {
        if (preparing.has(id)) continue;
        deleteBroadcast(db, id);
        logger.warn('outbox: deleted a snapshot whose writing was interrupted', { broadcastId: id });
      }
      const live = new Set([...runs.values()].filter((run) => run.launched).map((run) => run.id));
      for (const result of recoverInterrupted(db, clock.now(), (id) => !live.has(id))) {
        logger.info('outbox: recovered after an interruption', { ...result });
      }
      // Runs loaded before start() (pause, progress…) counted before the recovery moved rows: count again.
      const current = (row: OutboxBroadcastRow): BroadcastRun => {
        const known = runs.get(row.id);
        if (!known) return loadRun(row);
        if (!known.launched) known.recount();
        return known;
      };
      for (const row of listUnsweptBroadcasts(db)) current(row).resumeSweep();
      for (const row of listActiveBroadcasts(db)) current(row).launch();
      for (const id of listPackedFinishedBroadcasts(db)) writeRows(id);
    },

    pause(id) {
      const run = existing(id);
      run.pause();
      return run.progress();
    },

    resume(id) {
      const run = existing(id);
      run.resume();
      return run.progress();
    },

    cancel(id) {
      const run = existing(id);
      run.cancel();
      return run.progress();
    },

    progress(id) {
      return (preparing.get(id) ?? lookup(id))?.progress() ?? null;
    },

    active() {
      const listed: BroadcastProgress[] = [];
      const seen = new Set<string>();
      for (const row of listActiveBroadcasts(db)) {
        const run = lookup(row.id);
        if (run && !run.isFinal()) {
          listed.push(run.progress());
          seen.add(row.id);
        }
      }
      // Runs of this engine whose new state is not yet visible in that list (none, normally).
      for (const run of runs.values()) if (!seen.has(run.id) && !isFinalState(run.state)) listed.push(run.progress());
      return listed.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    stop() {
      if (stopping !== null) return stopping;
      stopping = (async () => {
        unsubscribe();
        halt.abort();
        const list = [...runs.values()];
        for (const run of list) run.beginStop();
        // A request being marked in flight as stop() begins is tracked a moment later: let that happen first.
        await yieldToLoop();
        // Real time: the bound protects the app's exit, whatever clock the engine reads.
        const deadline = Date.now() + options.stopTimeoutMs;
        for (;;) {
          const waits = list.flatMap((run) => [...run.inflight, ...(run.sweeping ? [run.sweeping] : [])]);
          const remaining = deadline - Date.now();
          if (waits.length === 0 || remaining <= 0) break;
          let timer: NodeJS.Timeout | undefined;
          const bound = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, remaining);
          });
          await Promise.race([Promise.allSettled(waits), bound]);
          if (timer !== undefined) clearTimeout(timer);
        }
        for (const run of list) run.detach();
        const left = list.reduce((sum, run) => sum + run.inflight.size, 0);
        logger.info('outbox: stopped', { broadcasts: list.length, requestsStillInFlight: left });
      })();
      return stopping;
    },
  };
}
