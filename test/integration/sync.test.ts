import { EventList as EventListSchema } from '../../preload/contract';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SyncStatus } from '../../preload/contract';
import { type InboxClient, createInboxClient } from '../../main/inbox/client';
import { buildEventList, summarizeSelection } from '../../main/inbox/event-list';
import { type AppliedPage, type SyncEngine, type Timers, createSyncEngine } from '../../main/inbox/sync';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import type { DemoUser, InboxEvent } from '../../main/sandbox/world';
import { type Database, openDatabase } from '../../main/store/db';
import { countEvents, upsertEvents } from '../../main/store/events';
import { setSettings } from '../../main/store/settings';
import { readSyncState } from '../../main/store/sync-state';
import { makeTempDir } from '../helpers/tmp';
import { makeEvent } from '../unit/store/fixtures';

const DAY = 24 * 60 * 60 * 1000;
/** Small pages, so ~850 visible events make ~9 pages and a cut can land in the middle. */
const PAGE = 100;

let sandbox: Sandbox;
let manager: DemoUser;
let token: string;

/**
 * A proxy in front of the sandbox that can answer GET /v1/events with a body of the test's choosing: the sandbox's
 * faults only fake error statuses, and a 200 whose body is not the API's is what these tests need.
 */
let proxy: http.Server;
let proxyOrigin: string;
/** Per GET /v1/events request through the proxy, in order: a body to answer 200 with, or null to forward. */
const overrides: Array<unknown> = [];

async function startProxy(): Promise<void> {
  proxy = http.createServer((req, res) => {
    const isEvents = req.method === 'GET' && (req.url ?? '').startsWith('/v1/events?');
    const override = isEvents && overrides.length > 0 ? overrides.shift() : null;
    if (override !== null && override !== undefined) {
      const body = JSON.stringify(override);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const headers: Record<string, string> = {};
    if (typeof req.headers.authorization === 'string') headers.authorization = req.headers.authorization;
    fetch(`${sandbox.origin}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers })
      .then(async (answer) => {
        const body = Buffer.from(await answer.arrayBuffer());
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(body);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyOrigin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

/** Timers the test fires by hand: the backoff and the interval are asserted, never waited for. */
class ManualTimers implements Timers {
  readonly #pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#next++;
    this.#pending.set(id, { callback, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#pending.delete(handle);
  }

  delays(): number[] {
    return [...this.#pending.values()].map((timer) => timer.ms);
  }

  /** Runs the one pending timer; returns its delay. */
  fire(): number {
    const [entry, ...rest] = [...this.#pending.entries()];
    if (!entry || rest.length > 0) throw new Error(`expected exactly one pending timer, found ${this.#pending.size}`);
    this.#pending.delete(entry[0]);
    entry[1].callback();
    return entry[1].ms;
  }
}

interface Harness {
  db: Database;
  engine: SyncEngine;
  statuses: SyncStatus[];
  changes: number[];
  pages: AppliedPage[];
  timers: ManualTimers;
  network: ManualNetworkStatus;
  clock: { now(): number; advance(ms: number): void };
  unauthorized: number;
  requests: number;
}

function harness(
  options: { db?: Database; pageSize?: number; client?: () => InboxClient | null; viaProxy?: boolean } = {},
): Harness {
  const db = options.db ?? openDatabase(path.join(makeTempDir('sync'), 'omo.sqlite'));
  let now = Date.now();
  const baseUrl = options.viaProxy === true ? proxyOrigin : sandbox.origin;
  const real = createInboxClient({ baseUrl, accessToken: token, timeoutMs: 10_000 });
  const h: Harness = {
    db,
    engine: undefined as unknown as SyncEngine, // assigned right below; the deps close over `h`
    statuses: [],
    changes: [],
    pages: [],
    timers: new ManualTimers(),
    network: new ManualNetworkStatus(true),
    clock: { now: () => now, advance: (ms) => void (now += ms) },
    unauthorized: 0,
    requests: 0,
  };
  // Counts requests, so "offline: no request" is checked rather than assumed.
  const counting: InboxClient = {
    ...real,
    events: (query) => {
      h.requests += 1;
      return real.events(query);
    },
  };
  h.engine = createSyncEngine({
    db,
    logger: silentLogger,
    clock: h.clock,
    network: h.network,
    client: options.client ?? (() => counting),
    onStatus: (status) => h.statuses.push(status),
    onEventsChanged: (version) => h.changes.push(version),
    onUnauthorized: () => void (h.unauthorized += 1),
    pageSize: options.pageSize ?? PAGE,
    timers: h.timers,
    random: () => 0.5, // no jitter: the backoff's delays are exactly 2 s, 4 s, 8 s
    onPageApplied: (page) => h.pages.push(page),
  });
  onTestFinished(() => {
    h.engine.stop();
    if (!options.db) db.close();
  });
  return h;
}

async function syncOnce(h: Harness): Promise<SyncStatus> {
  h.engine.syncNow();
  await h.engine.idle();
  return h.engine.status();
}

/** What the server shows the manager right now: the sandbox's own rule (same workspace, same store). */
function visible(): InboxEvent[] {
  return sandbox.context.world.events.filter((e) => e.workspaceId === manager.workspaceId && e.storeId === manager.storeId);
}

function cached(db: Database): Array<{ id: string; status: string; updatedAt: number; assigneeId: string | null }> {
  return db
    .prepare<[], { id: string; status: string; updatedAt: number; assigneeId: string | null }>(
      'SELECT id, status, updated_at AS updatedAt, assignee_id AS assigneeId FROM events ORDER BY id',
    )
    .all();
}

function expectedRows(): Array<{ id: string; status: string; updatedAt: number; assigneeId: string | null }> {
  return visible()
    .map((e) => ({ id: e.id, status: e.status, updatedAt: e.updatedAt, assigneeId: e.assigneeId }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function control(pathname: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.origin}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, pathname).toBe(200);
  return response.json();
}

beforeAll(async () => {
  sandbox = await startSandbox({ events: 1500, seed: 4 });
  const found = sandbox.context.world.users.find((u) => u.account === 'manager@demo');
  if (!found) throw new Error('no manager@demo in the world');
  manager = found;
  const login = await createInboxClient({ baseUrl: sandbox.origin, timeoutMs: 10_000 }).login('manager@demo', 'demo');
  token = login.accessToken;
  await startProxy();
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await sandbox.close();
});

describe('sync engine against the sandbox', () => {
  it('a full sync caches exactly the events the user may see, every status, page by page', async () => {
    const h = harness();
    const status = await syncOnce(h);

    expect(status).toMatchObject({ state: 'idle', error: null, skipped: 0, fetched: visible().length });
    expect(status.lastSyncedAt).toBe(h.clock.now());
    expect(cached(h.db)).toEqual(expectedRows());
    // Not only in_progress: an event that left it must be able to leave the list.
    expect(new Set(cached(h.db).map((row) => row.status))).toEqual(new Set(['in_progress', 'pending', 'resolved']));
    expect(h.pages.every((page) => page.kind === 'full')).toBe(true);
    expect(h.pages).toHaveLength(Math.ceil(visible().length / PAGE));
    expect(h.pages[0]?.cursor).toBeNull();
    // Applied change → version bumped and persisted, and the renderer told (at least at the end).
    expect(h.engine.version()).toBe(h.pages.length);
    expect(readSyncState(h.db)).toMatchObject({ version: h.pages.length, generation: 1, run: null });
    expect(h.changes.at(-1)).toBe(h.engine.version());
    expect(h.statuses.map((s) => s.state)).toContain('syncing');
    expect(h.statuses.at(-1)?.state).toBe('idle');
  });

  it('syncing again adds no duplicates and changes nothing (incremental, then a daily full)', async () => {
    const h = harness();
    await syncOnce(h);
    const first = cached(h.db);
    h.pages.length = 0;

    await syncOnce(h);
    expect(h.pages.every((page) => page.kind === 'incremental')).toBe(true);
    expect(cached(h.db)).toEqual(first);

    h.clock.advance(DAY);
    h.pages.length = 0;
    await syncOnce(h);
    expect(h.pages[0]?.kind).toBe('full');
    expect(cached(h.db)).toEqual(first);
    expect(countEvents(h.db)).toBe(visible().length);
  });

  it('an incremental sync picks up a status change, and the event leaves the in-progress list', async () => {
    const h = harness();
    await syncOnce(h);
    const target = visible().find((e) => e.status === 'in_progress');
    if (!target) throw new Error('no in-progress event visible');
    expect(buildEventList(h.db, { lastSyncedAt: null, version: 0 }).rows.ids).toContain(target.id);

    await control(`/_sandbox/inbox/events/${target.id}`, { status: 'resolved' });
    h.pages.length = 0;
    await syncOnce(h);

    expect(h.pages.map((page) => page.kind)).toEqual(['incremental']);
    // Inclusive updatedSince: a handful of items at most, not the whole view again.
    expect(h.pages[0]?.items).toBeLessThan(20);
    expect(cached(h.db).find((row) => row.id === target.id)?.status).toBe('resolved');
    expect(buildEventList(h.db, { lastSyncedAt: null, version: 0 }).rows.ids).not.toContain(target.id);
    expect(cached(h.db)).toEqual(expectedRows());
  });

  it('an event reassigned away stays until the next full sync, which removes it', async () => {
    const h = harness();
    await syncOnce(h);
    const target = visible().find((e) => e.status === 'in_progress');
    if (!target) throw new Error('no in-progress event visible');

    // sales2@demo works in another store: the event leaves the manager's view.
    await control(`/_sandbox/inbox/events/${target.id}`, { assigneeId: 'u-sales2' });
    await syncOnce(h);
    expect(cached(h.db).some((row) => row.id === target.id)).toBe(true); // incremental syncs cannot see a disappearance

    h.clock.advance(DAY);
    h.pages.length = 0;
    await syncOnce(h);
    expect(h.pages[0]?.kind).toBe('full');
    expect(h.pages.at(-1)?.deleted).toBe(1);
    expect(cached(h.db).some((row) => row.id === target.id)).toBe(false);
    expect(cached(h.db)).toEqual(expectedRows());
  });

  it('5xx → backoff with a visible error and growing delays, then success after the retries', async () => {
    const h = harness();
    await control('/_sandbox/faults', { route: 'inbox.events', kind: 'error_500', count: 3 });
    h.engine.start();
    await h.engine.idle();

    expect(h.engine.status()).toMatchObject({ state: 'backoff', error: 'server', nextAttemptAt: h.clock.now() + 2000 });
    expect(countEvents(h.db)).toBe(0);
    expect(h.timers.fire()).toBe(2000);
    await h.engine.idle();
    expect(h.engine.status()).toMatchObject({ state: 'backoff', error: 'server', nextAttemptAt: h.clock.now() + 4000 });
    expect(h.timers.fire()).toBe(4000);
    await h.engine.idle();
    expect(h.engine.status().state).toBe('backoff');
    expect(h.timers.fire()).toBe(8000);
    await h.engine.idle();

    expect(h.engine.status()).toMatchObject({ state: 'idle', error: null, nextAttemptAt: null });
    expect(cached(h.db)).toEqual(expectedRows());
    // Then the regular interval, every 5 minutes.
    expect(h.timers.delays()).toEqual([5 * 60 * 1000]);
  });

  it('a malformed item is skipped and counted; the rest of its page is applied', async () => {
    const h = harness({ viaProxy: true });
    const sample = await createInboxClient({ baseUrl: sandbox.origin, accessToken: token }).events({ limit: 3 });
    overrides.push({ items: [...sample.items, { id: 5 }], nextCursor: null, serverTime: sample.serverTime });
    const status = await syncOnce(h);

    expect(status).toMatchObject({ state: 'idle', skipped: 1, fetched: 4, error: null });
    expect(countEvents(h.db)).toBe(3);
    expect(h.pages[0]).toMatchObject({ items: 4, applied: 3, skipped: 1 });
  });

  it('a malformed page applies nothing of itself: error bad_server_response, the stored cursor kept', async () => {
    const h = harness({ viaProxy: true });
    // The first page passes through, the second is not the API's.
    overrides.push(null, { nope: true });
    const status = await syncOnce(h);

    expect(status).toMatchObject({ state: 'error', error: 'bad_server_response' });
    expect(countEvents(h.db)).toBe(PAGE);
    expect(readSyncState(h.db).run).toMatchObject({ kind: 'full', pages: 1 });
    expect(readSyncState(h.db).run?.cursor).toBe(h.pages[0]?.nextCursor);

    // The next attempt resumes from the second page and completes.
    await syncOnce(h);
    expect(h.pages[1]?.cursor).toBe(h.pages[0]?.nextCursor);
    expect(cached(h.db)).toEqual(expectedRows());
  });

  it('401 → onUnauthorized, state signed_out, nothing scheduled', async () => {
    const h = harness();
    await control('/_sandbox/faults', {
      route: 'inbox.events',
      kind: 'status',
      status: 401,
      body: { error: { code: 'token_expired', message: 'expired' } },
    });
    h.engine.start();
    await h.engine.idle();
    expect(h.unauthorized).toBe(1);
    expect(h.engine.status()).toMatchObject({ state: 'signed_out', error: 'token_expired' });
    expect(h.timers.delays()).toEqual([]);
  });

  it('offline: no request, state offline, the cached list still served; back online → syncs', async () => {
    const h = harness();
    await syncOnce(h);
    const list = buildEventList(h.db, { lastSyncedAt: h.engine.status().lastSyncedAt, version: h.engine.version() });
    const requests = h.requests;

    h.network.set(false);
    h.engine.start();
    await h.engine.idle();
    expect(h.requests).toBe(requests);
    expect(h.engine.status()).toMatchObject({ state: 'offline', lastSyncedAt: list.lastSyncedAt });
    expect(buildEventList(h.db, { lastSyncedAt: h.engine.status().lastSyncedAt, version: h.engine.version() })).toEqual(list);
    expect(h.timers.delays()).toEqual([]);

    h.network.set(true);
    await h.engine.idle();
    expect(h.requests).toBe(requests + 1);
    expect(h.engine.status().state).toBe('idle');
  });

  it('a sync cut mid-way (connection dropped on the 3rd page) resumes from the stored cursor to the clean result', async () => {
    const h = harness();
    await control('/_sandbox/faults', [
      { route: 'inbox.events', kind: 'latency', ms: 0, count: 2 },
      { route: 'inbox.events', kind: 'drop' },
    ]);
    h.engine.start();
    await h.engine.idle();
    expect(h.engine.status()).toMatchObject({ state: 'backoff', error: 'unreachable' });
    expect(h.pages).toHaveLength(2);
    expect(countEvents(h.db)).toBe(2 * PAGE);
    expect(readSyncState(h.db).run).toMatchObject({ kind: 'full', pages: 2, cursor: h.pages[1]?.nextCursor });

    h.timers.fire();
    await h.engine.idle();
    expect(h.engine.status().state).toBe('idle');
    // The resumed run's first request carried the stored cursor; no page was fetched (or applied) twice.
    expect(h.pages[2]?.cursor).toBe(h.pages[1]?.nextCursor);
    const cursors = h.pages.map((page) => page.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(h.pages.reduce((sum, page) => sum + page.items, 0)).toBe(visible().length);

    const clean = harness();
    await syncOnce(clean);
    expect(cached(h.db)).toEqual(cached(clean.db));
    expect(cached(h.db)).toEqual(expectedRows());
  });

  it('a new engine on the same database resumes a cut sync (the app restarted)', async () => {
    const db = openDatabase(path.join(makeTempDir('sync-restart'), 'omo.sqlite'));
    onTestFinished(() => {
      db.close();
    });
    const first = harness({ db });
    await control('/_sandbox/faults', [
      { route: 'inbox.events', kind: 'latency', ms: 0, count: 3 },
      { route: 'inbox.events', kind: 'drop' },
    ]);
    await syncOnce(first);
    first.engine.stop();
    expect(readSyncState(db).run?.pages).toBe(3);

    const second = harness({ db });
    await syncOnce(second);
    expect(second.pages[0]?.cursor).toBe(first.pages[2]?.nextCursor);
    expect(second.engine.status().fetched).toBe(visible().length);
    expect(cached(db)).toEqual(expectedRows());
  });

  it('wipe deletes the cache and the sync state, bumps the version and tells the renderer', async () => {
    const h = harness();
    await syncOnce(h);
    const before = h.engine.version();
    h.engine.wipe();
    expect(countEvents(h.db)).toBe(0);
    expect(readSyncState(h.db)).toMatchObject({ version: before + 1, lastServerTime: null, lastSyncedAt: null, run: null });
    expect(h.engine.version()).toBe(before + 1);
    expect(h.changes.at(-1)).toBe(before + 1);
    expect(h.statuses.at(-1)).toMatchObject({ state: 'idle', lastSyncedAt: null });
    // The next sync is a full one again.
    h.pages.length = 0;
    await syncOnce(h);
    expect(h.pages[0]?.kind).toBe('full');
  });

  it('signed out (no client): no request, state signed_out', async () => {
    const h = harness({ client: () => null });
    const status = await syncOnce(h);
    expect(status.state).toBe('signed_out');
    expect(h.requests).toBe(0);
  });
});

describe('buildEventList and summarizeSelection', () => {
  function seeded(): Database {
    const db = openDatabase(path.join(makeTempDir('event-list'), 'omo.sqlite'));
    onTestFinished(() => {
      db.close();
    });
    upsertEvents(db, [
      makeEvent(1, { tags: ['vip', 'shoes'] }),
      makeEvent(2, { storeId: null, storeName: null, assigneeId: null, assigneeName: null }),
      makeEvent(3, { status: 'resolved' }),
      makeEvent(4, { tags: ['shoes'], channelAccount: 'line-channel-2' }),
      makeEvent(5, { tags: ['vip', 'shoes'], customerAvatarUrl: null }),
    ]);
    return db;
  }

  it('lists the in-progress events newest first, as columns with dictionaries', () => {
    const db = seeded();
    setSettings(db, [['session', JSON.stringify({ channels: [{ channel: 'line', id: 'line-channel-1', name: 'Main LINE' }] })]]);
    const list = buildEventList(db, { lastSyncedAt: 123, version: 7 });

    expect(list.rows.ids).toEqual(['evt-000005', 'evt-000004', 'evt-000002', 'evt-000001']);
    expect(list.rows.names).toEqual(['Customer 5', 'Customer 4', 'Customer 2', 'Customer 1']);
    expect(list.rows.channels).toEqual([1, 0, 0, 1]);
    expect(list.accounts).toEqual([
      { channel: 'whatsapp', id: 'wa-phone-1', name: 'wa-phone-1' },
      { channel: 'line', id: 'line-channel-2', name: 'line-channel-2' },
      { channel: 'line', id: 'line-channel-1', name: 'Main LINE' },
    ]);
    expect(list.rows.accountIndex).toEqual([0, 1, 2, 0]);
    expect(list.stores).toEqual([{ id: 'store-1', name: 'Taipei 101' }]);
    expect(list.rows.storeIndex).toEqual([0, 0, -1, 0]);
    expect(list.rows.assigneeIndex).toEqual([0, 0, -1, 0]);
    expect(list.tags).toEqual(['vip', 'shoes']);
    expect(list.rows.tagIndex).toEqual([[0, 1], [1], [], [0, 1]]);
    expect(list.rows.avatar).toEqual([false, true, true, true]);
    expect(list.rows.lastMessageAt[0]).toBeGreaterThan(list.rows.lastMessageAt[1] ?? Infinity);
    expect(list).toMatchObject({ version: 7, lastSyncedAt: 123 });
  });

  it('the packed read equals the row-by-row read on synced data', async () => {
    const h = harness();
    await syncOnce(h);
    const meta = { lastSyncedAt: 1, version: 2 };
    const packed = buildEventList(h.db, meta);
    expect(packed.rows.ids.length).toBe(visible().filter((e) => e.status === 'in_progress').length);
    expect(packed).toEqual(buildEventList(h.db, meta, { rowByRow: true }));
    // The bridge does not re-check this large output on every call (TRUSTED_OUTPUTS in main/app.ts): this does.
    expect(EventListSchema.safeParse(packed).success).toBe(true);
    // Newest conversation first.
    const times = packed.rows.lastMessageAt;
    expect(times.every((time, i) => i === 0 || time <= (times[i - 1] ?? Infinity))).toBe(true);
  });

  it('values holding the packing separators fall back to the row-by-row read, same result', () => {
    const db = seeded();
    upsertEvents(db, [
      makeEvent(6, { customerName: 'Two\x1eRecords' }),
      makeEvent(7, { storeName: 'Field\x1fStore', storeId: 'store-2' }),
    ]);
    const list = buildEventList(db, { lastSyncedAt: null, version: 0 });
    expect(list).toEqual(buildEventList(db, { lastSyncedAt: null, version: 0 }, { rowByRow: true }));
    expect(list.rows.names.slice(0, 2)).toEqual(['Customer 7', 'Two\x1eRecords']);
    expect(list.stores).toContainEqual({ id: 'store-2', name: 'Field\x1fStore' });
  });

  it('an empty cache lists nothing', () => {
    const db = openDatabase(path.join(makeTempDir('event-list-empty'), 'omo.sqlite'));
    onTestFinished(() => {
      db.close();
    });
    expect(buildEventList(db, { lastSyncedAt: null, version: 0 })).toEqual({
      rows: { ids: [], names: [], channels: [], accountIndex: [], lastMessageAt: [], storeIndex: [], assigneeIndex: [], tagIndex: [], avatar: [] },
      stores: [],
      assignees: [],
      tags: [],
      accounts: [],
      version: 0,
      lastSyncedAt: null,
    });
  });

  it('summarizes a selection per channel and account; ids not cached or not in progress are dropped', () => {
    const db = seeded();
    const summary = summarizeSelection(db, ['evt-000001', 'evt-000002', 'evt-000003', 'evt-000004', 'evt-000004', 'nope']);
    expect(summary).toEqual({
      total: 3,
      line: 2,
      whatsapp: 1,
      accounts: [
        { channel: 'line', id: 'line-channel-1', name: 'line-channel-1', count: 1 },
        { channel: 'line', id: 'line-channel-2', name: 'line-channel-2', count: 1 },
        { channel: 'whatsapp', id: 'wa-phone-1', name: 'wa-phone-1', count: 1 },
      ],
      dropped: 2,
    });
  });

  it('handles 100,000 selected ids in one call', () => {
    const db = seeded();
    const ids = Array.from({ length: 100_000 }, (_, i) => `evt-${String(i).padStart(6, '0')}`);
    const summary = summarizeSelection(db, ids);
    expect(summary.total).toBe(4);
    expect(summary.dropped).toBe(100_000 - 4);
  });
});
