import { performance } from 'node:perf_hooks';
import type { SyncState, SyncStatus } from '../../preload/contract';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { NetworkStatus } from '../network';
import type { Database } from '../store/db';
import { type EventRow, deleteAllEvents, deleteEventsBeforeGeneration, upsertEvents } from '../store/events';
import { EMPTY_SYNC_STATE, type SyncKind, type SyncRun, type SyncStateRow, readSyncState, writeSyncState } from '../store/sync-state';
import { type EventPage, type EventsQuery, type InboxClient, InboxError, isRetryable, isUnauthorized } from './client';
import { parseEventItem } from './event-item';

/**
 * The Inbox → SQLite sync (DESIGN §4/§5, issue 4 "Sync").
 *
 * - The first sync is FULL: every page of GET /v1/events with no status filter (an event that leaves in_progress must
 *   reach the cache to leave the list). Later syncs are INCREMENTAL: updatedSince = the serverTime of the previous
 *   sync's first page (inclusive on the server; repeats are deduplicated by the id primary key).
 * - Each page is applied in ONE transaction together with the sync_state row (kind, generation, the first page's
 *   serverTime, the next cursor), so a sync cut off anywhere (network, kill) resumes from the stored cursor and never
 *   applies a page twice or by halves.
 * - Incremental syncs cannot see an event that left the user's view (reassigned away): the server only returns
 *   visible changes. A full sync marks each row it sees with a new generation and, when it completes, deletes the
 *   older generations; one runs at least every 24 hours (FULL_SYNC_EVERY_MS) for that reason.
 */

export const SYNC_INTERVAL_MS = 5 * 60 * 1000;
export const FULL_SYNC_EVERY_MS = 24 * 60 * 60 * 1000;
/** The API's maximum page: fewer round trips and transactions for 100,000 events. */
export const PAGE_SIZE = 1000;
const BACKOFF_BASE_MS = 2000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
/** Progress pushes while fetching: often enough for a counter, rarely enough not to flood the bridge. */
const PROGRESS_EVERY_MS = 250;
/** events.changed during a long sync: the renderer rebuilds a 100,000-row list on each, so at most once a second. */
const CHANGED_EVERY_MS = 1000;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Looked up at call time, so vitest's fake timers (installed after this module loads) are the ones used. */
const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What one applied page did: for logs, the kill test's child (which prints it) and the benchmark. */
export interface AppliedPage {
  kind: SyncKind;
  /** 1-based index of the page within its run. */
  page: number;
  /** The cursor the page was fetched with (null: the run's first page). */
  cursor: string | null;
  nextCursor: string | null;
  items: number;
  applied: number;
  skipped: number;
  /** Rows a completing full sync deleted (no longer visible). */
  deleted: number;
  /** Milliseconds spent validating the items, and in the page's transaction. */
  validateMs: number;
  applyMs: number;
}

export interface SyncEngineDeps {
  db: Database;
  logger: Logger;
  clock: Clock;
  network: NetworkStatus;
  /** The signed-in user's client; null when nobody is signed in. */
  client: () => InboxClient | null;
  onStatus(status: SyncStatus): void;
  onEventsChanged(version: number): void;
  /** The server refused the token: the session leads back to sign-in. */
  onUnauthorized(): void;
  intervalMs?: number;
  fullSyncEveryMs?: number;
  pageSize?: number;
  timers?: Timers;
  /** [0, 1): the backoff's jitter; tests pin it. */
  random?: () => number;
  onPageApplied?: (page: AppliedPage) => void;
}

export interface SyncEngine {
  status(): SyncStatus;
  /** The events cache's version: bumped and persisted with every applied change. */
  version(): number;
  /** A sync now, then every interval while online; again when the network comes back. Idempotent. */
  start(): void;
  /** Starts a sync unless one runs (the refresh button); returns at once with the status. */
  syncNow(): SyncStatus;
  /** Stops timers and the sync under way (its current page is not applied); the stored cursor stays for a resume. */
  stop(): void;
  /** Sign-out or another account: deletes every cached event and the sync state, bumps the version, emits. */
  wipe(): void;
  /** Settles when no sync runs (tests and shutdown). */
  idle(): Promise<void>;
}

/** Why a run ended early without an error of its own (stopped or wiped): its outcome belongs to nobody. */
class Superseded extends Error {}

/** Exponential backoff with ±20 % jitter: 2 s, 4 s, 8 s … at most 5 minutes. */
export function backoffDelay(attempt: number, random: () => number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.min(BACKOFF_MAX_MS, Math.round(base * (0.8 + 0.4 * random())));
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const { db, logger, clock, network } = deps;
  const timers = deps.timers ?? globalTimers;
  const random = deps.random ?? Math.random;
  const intervalMs = deps.intervalMs ?? SYNC_INTERVAL_MS;
  const fullSyncEveryMs = deps.fullSyncEveryMs ?? FULL_SYNC_EVERY_MS;
  const pageSize = deps.pageSize ?? PAGE_SIZE;

  const stored = readSyncState(db);
  let cacheVersion = stored.version;
  let current: SyncStatus = {
    state: 'idle',
    lastSyncedAt: stored.lastSyncedAt,
    fetched: 0,
    skipped: 0,
    error: null,
    nextAttemptAt: null,
  };

  let started = false;
  /** Bumped by stop() and wipe(): a run from an older epoch applies nothing more and reports nothing. */
  let epoch = 0;
  let running: Promise<void> | null = null;
  let abort: AbortController | null = null;
  let timer: unknown = null;
  let failures = 0;
  let unsubscribeNetwork: (() => void) | null = null;
  let lastProgressAt = Number.NEGATIVE_INFINITY;
  let lastChangedAt = Number.NEGATIVE_INFINITY;
  let pendingChanged: number | null = null;

  const emitStatus = (): void => deps.onStatus({ ...current });

  const setStatus = (state: SyncState, patch: Partial<Omit<SyncStatus, 'state'>> = {}): void => {
    current = { ...current, ...patch, state };
    emitStatus();
  };

  const progress = (fetched: number, skipped: number): void => {
    current = { ...current, fetched, skipped };
    const now = clock.now();
    if (now - lastProgressAt >= PROGRESS_EVERY_MS) {
      lastProgressAt = now;
      emitStatus();
    }
  };

  const changed = (version: number, force: boolean): void => {
    pendingChanged = version;
    const now = clock.now();
    if (force || now - lastChangedAt >= CHANGED_EVERY_MS) flushChanged();
  };

  const flushChanged = (): void => {
    if (pendingChanged === null) return;
    const version = pendingChanged;
    pendingChanged = null;
    lastChangedAt = clock.now();
    deps.onEventsChanged(version);
  };

  const clearTimer = (): void => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };

  const schedule = (ms: number): void => {
    clearTimer();
    if (!started) return;
    timer = timers.setTimeout(() => {
      timer = null;
      trigger();
    }, ms);
  };

  const needsFullSync = (state: SyncStateRow): boolean =>
    state.lastServerTime === null || state.lastFullSyncAt === null || clock.now() - state.lastFullSyncAt >= fullSyncEveryMs;

  /** A new run's plan; its startedServerTime is filled in by its first page. */
  const planRun = (state: SyncStateRow): SyncRun => {
    const full = needsFullSync(state);
    return {
      kind: full ? 'full' : 'incremental',
      generation: full ? state.generation + 1 : state.generation,
      startedServerTime: -1,
      updatedSince: full ? null : state.lastServerTime,
      cursor: null,
      pages: 0,
      fetched: 0,
      skipped: 0,
    };
  };

  /** Validates and applies one page in one transaction with the sync state; returns the next run (null: done). */
  const applyPage = (
    run: SyncRun,
    page: { items: unknown[]; nextCursor: string | null; serverTime: number },
  ): { next: SyncRun | null; report: AppliedPage; version: number; completedAt: number } => {
    const syncedAt = clock.now();
    const validating = performance.now();
    const rows: EventRow[] = [];
    let skipped = 0;
    for (const raw of page.items) {
      const row = parseEventItem(raw, syncedAt);
      if (row === null) skipped += 1;
      else rows.push(row);
    }
    const applying = performance.now();
    const startedServerTime = run.pages === 0 ? page.serverTime : run.startedServerTime;
    const last = page.nextCursor === null;
    const outcome = db.transaction(() => {
      // Read inside the write lock: the state this page builds on is the one it replaces.
      const state = readSyncState(db);
      upsertEvents(db, rows, { generation: run.generation });
      const deleted = last && run.kind === 'full' ? deleteEventsBeforeGeneration(db, run.generation) : 0;
      const version = rows.length > 0 || deleted > 0 ? state.version + 1 : state.version;
      const nextRun: SyncRun | null = last
        ? null
        : {
            ...run,
            startedServerTime,
            cursor: page.nextCursor,
            pages: run.pages + 1,
            fetched: run.fetched + page.items.length,
            skipped: run.skipped + skipped,
          };
      const completedAt = clock.now();
      writeSyncState(db, {
        version,
        generation: last && run.kind === 'full' ? run.generation : state.generation,
        lastServerTime: last ? startedServerTime : state.lastServerTime,
        lastSyncedAt: last ? completedAt : state.lastSyncedAt,
        lastFullSyncAt: last && run.kind === 'full' ? completedAt : state.lastFullSyncAt,
        run: nextRun,
      });
      return { version, deleted, nextRun, completedAt };
    }).immediate();
    const applyMs = performance.now() - applying;
    return {
      next: outcome.nextRun,
      version: outcome.version,
      completedAt: outcome.completedAt,
      report: {
        kind: run.kind,
        page: run.pages + 1,
        cursor: run.cursor,
        nextCursor: page.nextCursor,
        items: page.items.length,
        applied: rows.length,
        skipped,
        deleted: outcome.deleted,
        validateMs: applying - validating,
        applyMs,
      },
    };
  };

  const syncPages = async (client: InboxClient, signal: AbortSignal, myEpoch: number): Promise<void> => {
    const state = readSyncState(db);
    let run = state.run ?? planRun(state);
    let restarted = false;
    current = { ...current, fetched: run.fetched, skipped: run.skipped };
    if (run.pages > 0) logger.info('sync: resuming', { kind: run.kind, pages: run.pages });

    const request = (updatedSince: number | null, cursor: string | null): Promise<EventPage> => {
      const query: EventsQuery = { limit: pageSize, signal };
      if (updatedSince !== null) query.updatedSince = updatedSince;
      if (cursor !== null) query.cursor = cursor;
      const promise = client.events(query);
      // Awaited later (or never, if the sync ends first): marked handled so an early end is not an unhandled rejection.
      promise.catch(() => undefined);
      return promise;
    };

    let pending = request(run.updatedSince, run.cursor);
    for (;;) {
      let page: EventPage;
      try {
        page = await pending;
      } catch (error) {
        if (myEpoch !== epoch) throw new Superseded();
        // A stored cursor the server no longer accepts (400): start the run over once rather than fail forever.
        if (error instanceof InboxError && error.kind === 'client' && run.cursor !== null && !restarted) {
          logger.warn('sync: stored cursor refused; starting the sync over', { kind: run.kind });
          restarted = true;
          const fresh = readSyncState(db);
          writeSyncState(db, { ...fresh, run: null });
          run = planRun(fresh);
          pending = request(run.updatedSince, run.cursor);
          continue;
        }
        throw error;
      }
      if (myEpoch !== epoch) throw new Superseded();
      if (page.nextCursor !== null && page.nextCursor === run.cursor) {
        // The same cursor again would loop forever: not the API's behaviour.
        throw new InboxError('bad_response', 'GET /v1/events: nextCursor did not advance');
      }
      // The next page is requested before this one is applied: the server prepares it while we write.
      if (page.nextCursor !== null) pending = request(run.updatedSince, page.nextCursor);
      const { next, report, version, completedAt } = applyPage(run, page);
      deps.onPageApplied?.(report);
      const fetched = run.fetched + report.items;
      const skipped = run.skipped + report.skipped;
      if (report.applied > 0 || report.deleted > 0) {
        cacheVersion = version;
        changed(version, next === null);
      }
      if (next === null) {
        current = { ...current, fetched, skipped, lastSyncedAt: completedAt };
        if (skipped > 0) logger.warn('sync: malformed events skipped', { skipped });
        return;
      }
      run = next;
      progress(fetched, skipped);
    }
  };

  const fail = (error: unknown): void => {
    if (isUnauthorized(error)) {
      failures = 0;
      setStatus('signed_out', { error: error instanceof InboxError ? error.kind : 'unauthorized', nextAttemptAt: null });
      deps.onUnauthorized();
      return;
    }
    if (isRetryable(error)) {
      if (!network.isOnline()) {
        setStatus('offline', { error: null, nextAttemptAt: null });
        return;
      }
      failures += 1;
      const delay = backoffDelay(failures, random);
      const kind = error instanceof InboxError ? error.kind : 'unreachable';
      setStatus('backoff', { error: kind, nextAttemptAt: clock.now() + delay });
      logger.warn('sync: failed; retrying later', { kind, attempt: failures, delayMs: delay });
      schedule(delay);
      return;
    }
    failures = 0;
    if (error instanceof InboxError) {
      const code = error.kind === 'bad_response' ? 'bad_server_response' : error.kind;
      logger.warn('sync: failed', { code, status: error.status });
      setStatus('error', { error: code, nextAttemptAt: started ? clock.now() + intervalMs : null });
    } else {
      logger.error('sync: failed unexpectedly', { error });
      setStatus('error', { error: 'internal', nextAttemptAt: started ? clock.now() + intervalMs : null });
    }
    schedule(intervalMs);
  };

  const runOnce = async (): Promise<void> => {
    clearTimer();
    const myEpoch = epoch;
    if (!network.isOnline()) {
      setStatus('offline', { error: null, nextAttemptAt: null });
      return;
    }
    const client = deps.client();
    if (client === null) {
      setStatus('signed_out', { error: null, nextAttemptAt: null });
      return;
    }
    const controller = new AbortController();
    abort = controller;
    lastProgressAt = clock.now();
    setStatus('syncing', { error: null, nextAttemptAt: null, fetched: 0, skipped: 0 });
    try {
      await syncPages(client, controller.signal, myEpoch);
      failures = 0;
      setStatus('idle', { error: null, nextAttemptAt: null });
      schedule(intervalMs);
    } catch (error) {
      if (error instanceof Superseded || myEpoch !== epoch) return;
      fail(error);
    } finally {
      if (abort === controller) abort = null;
      if (myEpoch === epoch) flushChanged();
    }
  };

  /** Starts a run unless one is under way. */
  const trigger = (): void => {
    if (running !== null) return;
    const promise = runOnce().finally(() => {
      if (running === promise) running = null;
    });
    // Cleared by the run's own finally (a microtask later even for a run that returns at once) or by supersede().
    running = promise;
  };

  /** Ends the run under way, if any, without applying or reporting anything more of it. */
  const supersede = (): void => {
    epoch += 1;
    abort?.abort();
    abort = null;
    running = null;
    pendingChanged = null;
    clearTimer();
  };

  const onNetwork = (online: boolean): void => {
    if (!started) return;
    if (online) {
      // Back online: whatever the backoff said, try now.
      failures = 0;
      trigger();
    } else if (running === null) {
      clearTimer();
      setStatus('offline', { error: null, nextAttemptAt: null });
    }
  };

  return {
    status: () => ({ ...current }),
    version: () => cacheVersion,
    start() {
      if (!started) {
        started = true;
        unsubscribeNetwork = network.subscribe(onNetwork);
      }
      trigger();
    },
    syncNow() {
      trigger();
      return { ...current };
    },
    stop() {
      if (!started && running === null) return;
      started = false;
      unsubscribeNetwork?.();
      unsubscribeNetwork = null;
      supersede();
      failures = 0;
      // Quietly: a stopped engine syncs nothing, and the app may be closing its transports.
      if (current.state === 'syncing' || current.state === 'backoff') current = { ...current, state: 'idle', nextAttemptAt: null };
    },
    wipe() {
      supersede();
      failures = 0;
      const version = db
        .transaction(() => {
          const state = readSyncState(db);
          deleteAllEvents(db);
          const next = state.version + 1;
          writeSyncState(db, { ...EMPTY_SYNC_STATE, version: next });
          return next;
        })
        .immediate();
      cacheVersion = version;
      current = {
        state: deps.client() === null ? 'signed_out' : 'idle',
        lastSyncedAt: null,
        fetched: 0,
        skipped: 0,
        error: null,
        nextAttemptAt: null,
      };
      emitStatus();
      deps.onEventsChanged(version);
    },
    async idle() {
      while (running !== null) await running;
    },
  };
}
