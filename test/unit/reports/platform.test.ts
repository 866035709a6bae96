import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReportQuery } from '../../../preload/contract';
import { type BroadcastAccepted, type BroadcastReport, type InboxClient, InboxError, type Me, type ReferralReportQuery } from '../../../main/inbox/client';
import type { Logger } from '../../../main/log';
import { ManualNetworkStatus } from '../../../main/network';
import { type PlatformReporter, REFUSED_RETRY_MS, type ReportBody, createPlatformReporter } from '../../../main/reports/platform';
import { createBroadcast } from '../../../main/store/broadcasts';
import { type Database, openDatabase } from '../../../main/store/db';
import { getPlatformReport } from '../../../main/store/platform-reports';
import { makeTempDir } from '../../helpers/tmp';
import { T0, makeBroadcast } from '../store/fixtures';

/**
 * The platform reporter against a fake Inbox client, a fake clock whose sleeps only end when the test advances it,
 * and a real SQLite file (the queue must survive a restart).
 */

const SENDER = 'u-sales';
const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';

function body(messages: number, senderId = SENDER): ReportBody {
  return {
    senderId,
    sentAt: T0,
    channels: { line: { messages, officialLinks: messages, otherLinks: 0 } },
    totals: { messages, officialLinks: messages, otherLinks: 0 },
  };
}

/** Lets every promise chain that can run, run (the fake client and SQLite answer at once). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

function fakeTime(start = T0) {
  let now = start;
  const sleepers = new Set<{ until: number; wake: () => void }>();
  const requested: number[] = [];
  return {
    clock: { now: () => now },
    requested,
    /** Sleeps still waiting (a waiter woken by something else cancels its sleep). */
    pending: () => sleepers.size,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      requested.push(ms);
      return new Promise<void>((resolve) => {
        const sleeper = {
          until: now + ms,
          wake: () => {
            sleepers.delete(sleeper);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', sleeper.wake, { once: true });
      });
    },
    async advance(ms: number): Promise<void> {
      now += ms;
      for (const sleeper of [...sleepers]) if (sleeper.until <= now) sleeper.wake();
      await settle();
    },
  };
}

type Answer = 'ok' | InboxError | { hang: true };

/** The platform as the reporter sees it: stores each id once, answers what the test scripts, records every PUT. */
function fakeClient(userId = SENDER) {
  const stored = new Map<string, string>();
  const puts: Array<{ id: string; body: BroadcastReport }> = [];
  const answers: Answer[] = [];
  const reportQueries: ReferralReportQuery[] = [];
  let reportAnswer: (() => Promise<{ rows: [] }>) | null = null;
  const unexpected = (): never => {
    throw new Error('not used by the reporter');
  };
  const client: InboxClient = {
    baseUrl: 'https://inbox.example',
    login: unexpected,
    channels: unexpected,
    events: unexpected,
    eventsStatus: unexpected,
    settings: unexpected,
    uploadMedia: unexpected,
    me: () =>
      Promise.resolve({
        user: { id: userId, name: 'Sales', role: 'sales_person' },
        workspace: { id: 'ws', name: 'WS', plan: 'omo' },
        store: { id: 'store', name: 'Store' },
        allowance: { monthlyLimit: null, usedThisMonth: 0 },
      } satisfies Me),
    putBroadcast(id, report, options) {
      puts.push({ id, body: report });
      const answer = answers.shift() ?? 'ok';
      if (answer instanceof InboxError) return Promise.reject(answer);
      if (answer !== 'ok') {
        // Never answers; rejects when the caller aborts, as axios does.
        return new Promise<BroadcastAccepted>((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => reject(new InboxError('unreachable', 'cancelled', { code: 'aborted' })));
        });
      }
      const canonical = JSON.stringify(report);
      const before = stored.get(id);
      if (before !== undefined && before !== canonical) return Promise.reject(new InboxError('conflict', 'HTTP 409', { status: 409, code: 'conflict' }));
      stored.set(id, canonical);
      return Promise.resolve({ id, created: before === undefined });
    },
    referralReport(query) {
      reportQueries.push(query);
      return reportAnswer ? reportAnswer() : Promise.resolve({ rows: [] });
    },
  };
  return {
    client,
    stored,
    puts,
    answers,
    reportQueries,
    answerReport(answer: () => Promise<{ rows: [] }>) {
      reportAnswer = answer;
    },
  };
}

function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const serverError = (): InboxError => new InboxError('server', 'HTTP 503', { status: 503, code: 'unavailable' });

interface Harness {
  db: Database;
  file: string;
  time: ReturnType<typeof fakeTime>;
  network: ManualNetworkStatus;
  platform: ReturnType<typeof fakeClient>;
  log: ReturnType<typeof recordingLogger>;
  current: { client: InboxClient | null };
  reporter: PlatformReporter;
  /** A new reporter on the same database file, as after an app restart (the old one must be stopped). */
  restart(): Promise<PlatformReporter>;
}

const running: Harness[] = [];

afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.reporter.stop();
    h.db.close();
  }
});

function harness(options: { online?: boolean } = {}): Harness {
  const file = path.join(makeTempDir('platform-report'), 'omo.sqlite');
  const db = openDatabase(file);
  for (const id of [ID_A, ID_B]) createBroadcast(db, makeBroadcast(id, { state: 'completed', finishedAt: T0 }), []);
  const time = fakeTime();
  const network = new ManualNetworkStatus(options.online ?? true);
  const platform = fakeClient();
  const log = recordingLogger();
  const current: { client: InboxClient | null } = { client: platform.client };
  const make = (database: Database): PlatformReporter =>
    createPlatformReporter({
      db: database,
      clock: time.clock,
      logger: log.logger,
      network,
      client: () => current.client,
      sleep: (ms, signal) => time.sleep(ms, signal),
      random: () => 0.5,
    });
  const h: Harness = {
    db,
    file,
    time,
    network,
    platform,
    log,
    current,
    reporter: make(db),
    async restart() {
      await h.reporter.stop();
      h.db.close();
      h.db = openDatabase(file);
      h.reporter = make(h.db);
      return h.reporter;
    },
  };
  running.push(h);
  return h;
}

describe('enqueue', () => {
  it('queues a report once: a second enqueue of the id (even with other numbers) changes nothing', async () => {
    const h = harness();
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'not_due', reportedAt: null, attempts: 0, lastError: null });
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.enqueue(ID_A, body(99));
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'pending', reportedAt: null, attempts: 0, lastError: null });
    expect(h.reporter.pendingCount()).toBe(1);

    h.reporter.start();
    await settle();
    expect(h.platform.puts).toEqual([{ id: ID_A, body: body(30) }]);
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'reported', reportedAt: T0, attempts: 1, lastError: null });
    expect(h.reporter.pendingCount()).toBe(0);

    // After it was reported, too: no second PUT, the row stays as it is.
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.kick();
    await settle();
    expect(h.platform.puts).toHaveLength(1);
    expect(h.reporter.sync(ID_A).state).toBe('reported');
  });

  it('refuses a body the platform would refuse, and stores nothing', () => {
    const h = harness();
    const bad = { ...body(30), totals: { messages: 31, officialLinks: 30, otherLinks: 0 } };
    expect(() => h.reporter.enqueue(ID_A, bad)).toThrow(TypeError);
    expect(() => h.reporter.enqueue(ID_A, { ...body(30), senderId: '' })).toThrow(TypeError);
    expect(h.reporter.sync(ID_A).state).toBe('not_due');
  });

  it('sends reports one at a time, as they are queued', async () => {
    const h = harness();
    h.reporter.start();
    await settle();
    h.reporter.enqueue(ID_A, body(1));
    await settle();
    h.reporter.enqueue(ID_B, body(2));
    await settle();
    expect(h.platform.puts.map((put) => put.id)).toEqual([ID_A, ID_B]);
    expect(h.reporter.pendingCount()).toBe(0);
  });
});

describe('waiting', () => {
  it('offline: sends nothing and starts no timer until the network event, then sends at once', async () => {
    const h = harness({ online: false });
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await h.time.advance(60 * 60_000);
    expect(h.platform.puts).toEqual([]);
    expect(h.time.requested).toEqual([]);

    h.network.set(true);
    await settle();
    expect(h.platform.puts).toHaveLength(1);
    expect(h.reporter.sync(ID_A).state).toBe('reported');
  });

  it('signed out: waits for kick() after sign-in', async () => {
    const h = harness();
    h.current.client = null;
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.platform.puts).toEqual([]);
    h.current.client = h.platform.client;
    h.reporter.kick();
    await settle();
    expect(h.platform.puts).toHaveLength(1);
  });

  it('sends only the signed-in user’s reports; another sender’s wait for that user', async () => {
    const h = harness();
    h.reporter.enqueue(ID_A, body(1, 'u-other'));
    h.reporter.enqueue(ID_B, body(2));
    h.reporter.start();
    await settle();
    expect(h.platform.puts.map((put) => put.id)).toEqual([ID_B]);
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'pending', attempts: 0 });

    const other = fakeClient('u-other');
    h.current.client = other.client;
    h.reporter.kick();
    await settle();
    expect(other.puts.map((put) => put.id)).toEqual([ID_A]);
    expect(h.reporter.pendingCount()).toBe(0);
  });

  it('continues after a restart: the queue is in the database, and a PUT cut by stop() goes again', async () => {
    const h = harness();
    h.platform.answers.push({ hang: true });
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.enqueue(ID_B, body(12));
    h.reporter.start();
    await settle();
    expect(h.platform.puts.map((put) => put.id)).toEqual([ID_A]);

    await h.reporter.stop();
    // The answer never came: nothing was decided about the row.
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'pending', reportedAt: null, attempts: 0, lastError: null });

    const reporter = await h.restart();
    expect(reporter.pendingCount()).toBe(2);
    reporter.start();
    await settle();
    expect(h.platform.puts.map((put) => put.id)).toEqual([ID_A, ID_A, ID_B]);
    expect(reporter.pendingCount()).toBe(0);
    // The same body every time: the platform holds each report once.
    expect(h.platform.puts[0]?.body).toEqual(h.platform.puts[1]?.body);
    expect([...h.platform.stored.keys()]).toEqual([ID_A, ID_B]);
  });

  it('stop() ends a loop that is waiting, promptly', async () => {
    const h = harness();
    h.platform.answers.push(serverError());
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.time.pending()).toBe(1);
    await h.reporter.stop();
    expect(h.time.pending()).toBe(0);
  });
});

describe('answers', () => {
  it('5xx: backs off with jitter on the row’s attempts (5 s base, doubling), then reports', async () => {
    const h = harness();
    h.platform.answers.push(serverError(), serverError());
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    // Attempt 1 waits between 2.5 and 5 s; random 0.5 → 3.75 s.
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'pending', reportedAt: null, attempts: 1, lastError: 'server' });
    expect(getPlatformReport(h.db, ID_A)?.nextAttemptAt).toBe(T0 + 3_750);
    await h.time.advance(3_749);
    expect(h.platform.puts).toHaveLength(1);
    await h.time.advance(1);
    expect(h.platform.puts).toHaveLength(2);
    // Attempt 2: 5–10 s → 7.5 s.
    expect(getPlatformReport(h.db, ID_A)?.nextAttemptAt).toBe(T0 + 3_750 + 7_500);
    await h.time.advance(7_500);
    expect(h.platform.puts).toHaveLength(3);
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'reported', reportedAt: T0 + 11_250, attempts: 3, lastError: null });
  });

  it('never waits more than 10 minutes between tries', async () => {
    const h = harness();
    for (let i = 0; i < 12; i += 1) h.platform.answers.push(serverError());
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    for (let i = 0; i < 12; i += 1) await h.time.advance(10 * 60_000);
    expect(h.platform.puts).toHaveLength(13);
    expect(h.reporter.sync(ID_A).state).toBe('reported');
    expect(Math.max(...h.time.requested)).toBe(10 * 60_000 * 0.75);
  });

  it('a network error while going offline: due again as soon as the network is back, without waiting out a backoff', async () => {
    const h = harness();
    const platform = h.platform;
    const put = platform.client.putBroadcast.bind(platform.client);
    h.current.client = {
      ...platform.client,
      putBroadcast: (id, report, options) => {
        h.network.set(false);
        return put(id, report, options);
      },
    };
    platform.answers.push(new InboxError('unreachable', 'ECONNRESET', { code: 'ECONNRESET' }));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'unreachable' });
    expect(h.time.requested).toEqual([]);
    h.current.client = platform.client;
    h.network.set(true);
    await settle();
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'reported', attempts: 2 });
  });

  it('401: stops until kick(), whatever time, network or new reports do', async () => {
    const h = harness();
    h.platform.answers.push(new InboxError('token_expired', 'HTTP 401', { status: 401, code: 'token_expired' }));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'pending', reportedAt: null, attempts: 1, lastError: 'token_expired' });

    await h.time.advance(60 * 60_000);
    h.network.set(false);
    h.network.set(true);
    h.reporter.enqueue(ID_B, body(12));
    await settle();
    expect(h.platform.puts).toHaveLength(1);

    h.reporter.kick();
    await settle();
    expect(h.platform.puts.map((put) => put.id)).toEqual([ID_A, ID_A, ID_B]);
    expect(h.reporter.pendingCount()).toBe(0);
  });

  it('401 after a kick() that came while the request was in flight: tries again at once (the kick is not lost)', async () => {
    const h = harness();
    const platform = h.platform;
    const put = platform.client.putBroadcast.bind(platform.client);
    h.current.client = {
      ...platform.client,
      putBroadcast: (id, report, options) => {
        const answer = put(id, report, options);
        // The user signs in again while the old token's request is on its way.
        if (platform.puts.length === 1) h.reporter.kick();
        return answer;
      },
    };
    platform.answers.push(new InboxError('unauthorized', 'HTTP 401', { status: 401, code: 'unauthorized' }));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(platform.puts).toHaveLength(2);
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'reported', attempts: 2 });
  });

  it('403 forbidden_plan: keeps the report pending with the code, and waits for kick()', async () => {
    const h = harness();
    h.platform.answers.push(new InboxError('forbidden', 'HTTP 403', { status: 403, code: 'forbidden_plan' }));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    await h.time.advance(24 * 60 * 60_000);
    expect(h.platform.puts).toHaveLength(1);
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'pending', lastError: 'forbidden_plan' });
    h.reporter.kick();
    await settle();
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'reported', attempts: 2, lastError: null });
  });

  it('409: the platform keeps its own report; marked reported with "conflict", logged, never sent again', async () => {
    const h = harness();
    // The platform already holds another report under this id (an older build's, say).
    h.platform.stored.set(ID_A, JSON.stringify(body(7)));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.reporter.sync(ID_A)).toEqual({ state: 'reported', reportedAt: T0, attempts: 1, lastError: 'conflict' });
    expect(h.log.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      expect.stringContaining('different report'),
    ]);
    h.reporter.kick();
    await h.time.advance(REFUSED_RETRY_MS);
    expect(h.platform.puts).toEqual([{ id: ID_A, body: body(30) }]);
    expect(h.reporter.pendingCount()).toBe(0);
  });

  it('other 4xx: kept pending with the code, tried again only after 6 hours', async () => {
    const h = harness();
    h.platform.answers.push(new InboxError('client', 'HTTP 400', { status: 400, code: 'invalid_request' }));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'invalid_request' });
    await h.time.advance(REFUSED_RETRY_MS - 1);
    expect(h.platform.puts).toHaveLength(1);
    await h.time.advance(1);
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'reported', attempts: 2 });
  });

  it('a repeat the platform already holds (crash after its answer) is reported, not counted again', async () => {
    const h = harness();
    h.platform.stored.set(ID_A, JSON.stringify(body(30)));
    h.reporter.enqueue(ID_A, body(30));
    h.reporter.start();
    await settle();
    expect(h.reporter.sync(ID_A)).toMatchObject({ state: 'reported', lastError: null });
    expect(h.platform.stored.size).toBe(1);
    expect(h.log.lines.some((line) => line.level === 'info' && line.message.includes('reported'))).toBe(true);
  });
});

describe('fetchReport', () => {
  const query: ReportQuery = { from: T0 - 7 * 86_400_000, to: T0, utcOffsetMinutes: 480 };

  it('asks the platform, and answers null offline, signed out or on failure (the caller shows local numbers)', async () => {
    const h = harness();
    expect(await h.reporter.fetchReport(query)).toEqual([]);
    expect(h.platform.reportQueries).toEqual([query]);

    h.network.set(false);
    expect(await h.reporter.fetchReport(query)).toBeNull();
    h.network.set(true);
    h.current.client = null;
    expect(await h.reporter.fetchReport(query)).toBeNull();
    expect(h.platform.reportQueries).toHaveLength(1);

    h.current.client = h.platform.client;
    h.platform.answerReport(() => Promise.reject(new InboxError('forbidden', 'HTTP 403', { status: 403, code: 'forbidden_role' })));
    expect(await h.reporter.fetchReport(query)).toBeNull();
    h.platform.answerReport(() => Promise.reject(serverError()));
    expect(await h.reporter.fetchReport(query)).toBeNull();
  });
});
