import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../../main/clock';
import { type InboxClient, createInboxClient } from '../../main/inbox/client';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type PlatformReporter, type ReportBody, createPlatformReporter } from '../../main/reports/platform';
import { SandboxClock } from '../../main/sandbox/clock';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { createBroadcast } from '../../main/store/broadcasts';
import { type Database, openDatabase } from '../../main/store/db';
import { OpenApiSpec } from '../helpers/openapi';
import { createTempDir } from '../helpers/tmp';

/**
 * Issue 7's platform part against a real sandbox on 127.0.0.1: the reporter PUTs each finished broadcast once
 * (across re-enqueues, restarts and a crash after the platform's answer), and GET /v1/reports/referrals sums the
 * stored reports by day, channel and sender in each role's scope. Every /v1 answer read here is checked against
 * main/inbox/openapi.yaml.
 */

/** Mid-month (Asia/Taipei), so the allowance month never straddles a boundary. */
const T0 = Date.UTC(2026, 4, 14, 3, 0, 0);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const TAIPEI = 480;

// The helper's SpecName names the official documents; the name only keys its Ajv ids, so ours borrows one.
const spec = new OpenApiSpec('line', parseYaml(readFileSync(new URL('../../main/inbox/openapi.yaml', import.meta.url), 'utf8')) as OpenApiSpec['document'], 0, false);

let sandbox: Sandbox;
const cleanups: Array<() => Promise<void> | void> = [];
const tokens = new Map<string, string>();

beforeAll(async () => {
  const clock = new SandboxClock();
  clock.freeze(T0);
  sandbox = await startSandbox({ events: 50, seed: 11, clock });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface ApiResponse {
  status: number;
  body: Record<string, unknown> & { error?: { code: string } };
}

/** A raw call, its answer checked against openapi.yaml like every Inbox answer the tests read. */
async function api(method: string, pathAndQuery: string, options: { token?: string; body?: unknown } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sandbox.origin}${pathAndQuery}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const parsed = (await response.json()) as ApiResponse['body'];
  const bare = pathAndQuery.split('?')[0] ?? pathAndQuery;
  if (bare.startsWith('/v1/')) {
    expect(spec.findOperation(method, bare), `${method} ${bare} is in openapi.yaml`).toBeTruthy();
    const check = spec.validateResponse(method, bare, response.status, parsed);
    expect(check.errors, `${method} ${pathAndQuery} → ${response.status} against openapi.yaml`).toEqual([]);
  }
  return { status: response.status, body: parsed };
}

async function token(account: string): Promise<string> {
  let value = tokens.get(account);
  if (value === undefined) {
    value = (await createInboxClient({ baseUrl: sandbox.origin }).login(account, 'demo')).accessToken;
    tokens.set(account, value);
  }
  return value;
}

async function client(account: string): Promise<InboxClient> {
  return createInboxClient({ baseUrl: sandbox.origin, accessToken: await token(account) });
}

async function usedThisMonth(account: string): Promise<number> {
  const me = await api('GET', '/v1/me', { token: await token(account) });
  return (me.body.allowance as { usedThisMonth: number }).usedThisMonth;
}

async function stored(ids: readonly string[]): Promise<Array<{ id: string; userId: string; report: unknown }>> {
  const response = await fetch(`${sandbox.origin}/_sandbox/inbox/broadcasts`);
  const { broadcasts } = (await response.json()) as { broadcasts: Array<{ id: string; userId: string; report: unknown }> };
  return broadcasts.filter((b) => ids.includes(b.id)).map(({ id, userId, report }) => ({ id, userId, report }));
}

function report(sentAt: number, channels: ReportBody['channels'], senderId: string): ReportBody {
  const sum = (key: 'messages' | 'officialLinks' | 'otherLinks'): number => (channels.line?.[key] ?? 0) + (channels.whatsapp?.[key] ?? 0);
  return { senderId, sentAt, channels, totals: { messages: sum('messages'), officialLinks: sum('officialLinks'), otherLinks: sum('otherLinks') } };
}

const counters = (messages: number, officialLinks: number, otherLinks: number) => ({ messages, officialLinks, otherLinks });

/** The app's database on disk with finished broadcasts, and a reporter on it signed in as `account`. */
class Laptop {
  db: Database;
  reporter: PlatformReporter;
  readonly network = new ManualNetworkStatus(true);

  constructor(
    readonly file: string,
    private readonly inbox: InboxClient,
  ) {
    this.db = openDatabase(file);
    this.reporter = this.#reporter();
  }

  static async open(account: string, broadcastIds: readonly string[]): Promise<Laptop> {
    const temp = createTempDir('reports-platform');
    const laptop = new Laptop(path.join(temp.dir, 'omo.sqlite'), await client(account));
    for (const id of broadcastIds) laptop.addBroadcast(id);
    cleanups.push(async () => {
      await laptop.reporter.stop();
      laptop.db.close();
      temp.cleanup();
    });
    return laptop;
  }

  addBroadcast(id: string): void {
    const at = T0 - HOUR;
    createBroadcast(
      this.db,
      { id, createdBy: 'u', content: '{}', state: 'completed', createdAt: at, updatedAt: at, expiresAt: at + DAY, startedAt: at, finishedAt: at },
      [],
    );
  }

  /** Quits and starts again: a new reporter on the reopened file. */
  async restart(): Promise<void> {
    await this.reporter.stop();
    this.db.close();
    this.db = openDatabase(this.file);
    this.reporter = this.#reporter();
    this.reporter.start();
  }

  async reported(...ids: string[]): Promise<void> {
    await vi.waitFor(() => {
      for (const id of ids) expect(this.reporter.sync(id).state, id).toBe('reported');
    }, { timeout: 10_000, interval: 20 });
  }

  #reporter(): PlatformReporter {
    return createPlatformReporter({ db: this.db, clock: systemClock, logger: silentLogger, network: this.network, client: () => this.inbox });
  }
}

describe('reporting finished broadcasts (PUT /v1/broadcasts/{id})', () => {
  it('reports each broadcast once: re-enqueued, after a restart, and after a crash that lost the platform’s answer', async () => {
    const [b1, b2, b3, b4] = ['b1', 'b2', 'b3', 'b4'].map((n) => `0b7e6a52-6c1d-4f0e-9a3b-${n.padStart(12, '0')}`) as [string, string, string, string];
    const laptop = await Laptop.open('sales@demo', [b1, b2, b3, b4]);
    const usedBefore = await usedThisMonth('sales@demo');

    const first = report(T0 - 2 * HOUR, { line: counters(30, 30, 0) }, 'u-sales');
    const second = report(T0 - HOUR, { line: counters(3, 0, 3), whatsapp: counters(12, 12, 0) }, 'u-sales');
    laptop.reporter.enqueue(b1, first);
    laptop.reporter.enqueue(b2, second);
    laptop.reporter.start();
    await laptop.reported(b1, b2);
    expect(laptop.reporter.pendingCount()).toBe(0);
    expect(await stored([b1, b2])).toEqual([
      { id: b1, userId: 'u-sales', report: first },
      { id: b2, userId: 'u-sales', report: second },
    ]);
    expect(await usedThisMonth('sales@demo')).toBe(usedBefore + 45);

    // Enqueued again (with other numbers, even) and the app restarted: nothing more reaches the platform.
    laptop.reporter.enqueue(b1, first);
    laptop.reporter.enqueue(b2, report(T0, { line: counters(99, 0, 0) }, 'u-sales'));
    await laptop.restart();
    laptop.reporter.kick();
    // A new report after the restart goes out, so the reporter did run past the two old ones.
    laptop.reporter.enqueue(b3, report(T0 - HOUR, { whatsapp: counters(5, 0, 5) }, 'u-sales'));
    await laptop.reported(b3);
    expect((await stored([b1, b2, b3])).map((b) => b.id)).toEqual([b1, b2, b3]);
    expect(await usedThisMonth('sales@demo')).toBe(usedBefore + 50);

    // The platform stored b4 but the app crashed before writing that down: the repeat is answered 200, counted once.
    const fourth = report(T0 - HOUR, { line: counters(7, 7, 0) }, 'u-sales');
    expect(await (await client('sales@demo')).putBroadcast(b4, fourth)).toEqual({ id: b4, created: true });
    laptop.reporter.enqueue(b4, fourth);
    await laptop.reported(b4);
    expect(laptop.reporter.sync(b4)).toMatchObject({ attempts: 1, lastError: null });
    expect(await stored([b4])).toHaveLength(1);
    expect(await usedThisMonth('sales@demo')).toBe(usedBefore + 57);
  });

  it('queues while offline and sends when the network comes back', async () => {
    const id = '5d0c7f1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f';
    const laptop = await Laptop.open('sales3@demo', [id]);
    laptop.network.set(false);
    laptop.reporter.start();
    laptop.reporter.enqueue(id, report(T0 - HOUR, { line: counters(4, 4, 0) }, 'u-sales3'));
    // Nothing can go out offline: the row is simply pending (the reporter waits for the network event).
    expect(laptop.reporter.sync(id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await stored([id])).toEqual([]);
    laptop.network.set(true);
    await laptop.reported(id);
    expect(await stored([id])).toHaveLength(1);
  });
});

describe('the store-wide report (GET /v1/reports/referrals)', () => {
  // April 2026, Taipei: days are the Taipei calendar's at offset 480.
  const APRIL = { from: Date.UTC(2026, 2, 31, 16), to: Date.UTC(2026, 3, 30, 16) };
  const r1 = report(Date.UTC(2026, 3, 10, 15, 30), { line: counters(10, 10, 0) }, 'u-sales'); // 04-10 23:30 Taipei
  const r2 = report(Date.UTC(2026, 3, 10, 16, 30), { line: counters(5, 0, 5), whatsapp: counters(2, 1, 1) }, 'u-sales'); // 04-11 00:30
  const r3 = report(Date.UTC(2026, 3, 11, 2), { whatsapp: counters(4, 4, 0) }, 'u-sales3');
  const r4 = report(Date.UTC(2026, 3, 11, 2), { line: counters(7, 0, 7) }, 'u-sales2');
  const r5 = report(Date.UTC(2026, 3, 12, 1), { line: counters(3, 3, 0) }, 'u-manager');
  const r6 = report(Date.UTC(2026, 3, 11, 3), { line: counters(1, 1, 0) }, 'u-sales3');
  const row = (day: string, channel: string, senderId: string, senderName: string, c: { messages: number; officialLinks: number; otherLinks: number }) => ({
    day,
    channel,
    senderId,
    senderName,
    ...c,
  });
  const sales = '林志豪';

  const query = (range: { from: number; to: number }, offset: number): string =>
    `/v1/reports/referrals?from=${range.from}&to=${range.to}&utcOffsetMinutes=${offset}`;

  async function rowsFor(account: string, range = APRIL, offset = TAIPEI): Promise<unknown[]> {
    const response = await api('GET', query(range, offset), { token: await token(account) });
    expect(response.status, account).toBe(200);
    return response.body.rows as unknown[];
  }

  beforeAll(async () => {
    // u-sales's two reports through the reporter, the others straight from each sender's own token.
    const ids = ['r1', 'r2'].map((n) => `9a8b7c6d-0000-4000-8000-${n.padStart(12, '0')}`);
    const temp = createTempDir('reports-platform-april');
    const laptop = new Laptop(path.join(temp.dir, 'omo.sqlite'), await client('sales@demo'));
    for (const id of ids) laptop.addBroadcast(id);
    laptop.reporter.enqueue(ids[0] ?? '', r1);
    laptop.reporter.enqueue(ids[1] ?? '', r2);
    laptop.reporter.start();
    await laptop.reported(...ids);
    await laptop.reporter.stop();
    laptop.db.close();
    temp.cleanup();
    for (const [account, id, body] of [
      ['sales3@demo', 'april-r3', r3],
      ['sales2@demo', 'april-r4', r4],
      ['manager@demo', 'april-r5', r5],
      ['sales3@demo', 'april-r6', r6],
    ] as const) {
      expect((await api('PUT', `/v1/broadcasts/${id}`, { token: await token(account), body })).status).toBe(201);
    }
    // A repeat of a stored report adds nothing to the sums.
    expect((await api('PUT', '/v1/broadcasts/april-r3', { token: await token('sales3@demo'), body: r3 })).status).toBe(200);
  });

  it('a sales person sees their own reports, by day in their offset, channel and sender', async () => {
    expect(await rowsFor('sales@demo')).toEqual([
      row('2026-04-10', 'line', 'u-sales', sales, counters(10, 10, 0)),
      row('2026-04-11', 'line', 'u-sales', sales, counters(5, 0, 5)),
      row('2026-04-11', 'whatsapp', 'u-sales', sales, counters(2, 1, 1)),
    ]);
    // At UTC both fall on 04-10 and add up.
    expect(await rowsFor('sales@demo', APRIL, 0)).toEqual([
      row('2026-04-10', 'line', 'u-sales', sales, counters(15, 10, 5)),
      row('2026-04-10', 'whatsapp', 'u-sales', sales, counters(2, 1, 1)),
    ]);
    expect(await rowsFor('sales3@demo')).toEqual([row('2026-04-11', 'line', 'u-sales3', '吳建宏', counters(1, 1, 0)), row('2026-04-11', 'whatsapp', 'u-sales3', '吳建宏', counters(4, 4, 0))]);
  });

  it("a sales manager sees every sender of their store, and only theirs; an admin the workspace's", async () => {
    const taipei = [
      row('2026-04-10', 'line', 'u-sales', sales, counters(10, 10, 0)),
      row('2026-04-11', 'line', 'u-sales', sales, counters(5, 0, 5)),
      row('2026-04-11', 'line', 'u-sales3', '吳建宏', counters(1, 1, 0)),
      row('2026-04-11', 'whatsapp', 'u-sales', sales, counters(2, 1, 1)),
      row('2026-04-11', 'whatsapp', 'u-sales3', '吳建宏', counters(4, 4, 0)),
      row('2026-04-12', 'line', 'u-manager', '陳怡君', counters(3, 3, 0)),
    ];
    expect(await rowsFor('manager@demo')).toEqual(taipei);
    expect(await rowsFor('manager2@demo')).toEqual([row('2026-04-11', 'line', 'u-sales2', '王美玲', counters(7, 0, 7))]);
    const all = await rowsFor('admin@demo');
    expect(all).toHaveLength(7);
    expect(all).toEqual(expect.arrayContaining([...taipei, row('2026-04-11', 'line', 'u-sales2', '王美玲', counters(7, 0, 7))]));
  });

  it('takes reports with from <= sentAt < to', async () => {
    const atR2 = r2.sentAt;
    expect(await rowsFor('sales@demo', { from: atR2, to: atR2 + 1 })).toEqual([
      row('2026-04-11', 'line', 'u-sales', sales, counters(5, 0, 5)),
      row('2026-04-11', 'whatsapp', 'u-sales', sales, counters(2, 1, 1)),
    ]);
    expect(await rowsFor('sales@demo', { from: r1.sentAt, to: atR2 })).toEqual([row('2026-04-10', 'line', 'u-sales', sales, counters(10, 10, 0))]);
    expect(await rowsFor('sales@demo', { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) })).toEqual([]);
  });

  it('refuses agents, other plans, a missing token and bad parameters', async () => {
    const agent = await api('GET', query(APRIL, TAIPEI), { token: await token('agent@demo') });
    expect([agent.status, agent.body.error?.code]).toEqual([403, 'forbidden_role']);
    const standard = await api('GET', query(APRIL, TAIPEI), { token: await token('standard@demo') });
    expect([standard.status, standard.body.error?.code]).toEqual([403, 'forbidden_plan']);
    expect((await api('GET', query(APRIL, TAIPEI))).status).toBe(401);

    const auth = await token('sales@demo');
    for (const bad of [
      `/v1/reports/referrals?from=${APRIL.from}&utcOffsetMinutes=480`,
      `/v1/reports/referrals?from=abc&to=${APRIL.to}&utcOffsetMinutes=480`,
      `/v1/reports/referrals?from=${APRIL.from}&to=${APRIL.to}`,
      query({ from: APRIL.to, to: APRIL.to }, TAIPEI),
      query({ from: APRIL.from, to: APRIL.from + 401 * DAY }, TAIPEI),
      query(APRIL, 900),
      query(APRIL, 1.5),
    ]) {
      const response = await api('GET', bad, { token: auth });
      expect([response.status, response.body.error?.code], bad).toEqual([400, 'invalid_request']);
    }
  });

  it('reaches the app through the client and the reporter (null where the platform refuses)', async () => {
    const expected = await rowsFor('manager@demo');
    const manager = await client('manager@demo');
    expect((await manager.referralReport({ ...APRIL, utcOffsetMinutes: TAIPEI })).rows).toEqual(expected);

    const laptop = await Laptop.open('manager@demo', []);
    expect(await laptop.reporter.fetchReport({ ...APRIL, utcOffsetMinutes: TAIPEI })).toEqual(expected);
    laptop.network.set(false);
    expect(await laptop.reporter.fetchReport({ ...APRIL, utcOffsetMinutes: TAIPEI })).toBeNull();

    const agentLaptop = await Laptop.open('agent@demo', []);
    expect(await agentLaptop.reporter.fetchReport({ ...APRIL, utcOffsetMinutes: TAIPEI })).toBeNull();
  });
});
