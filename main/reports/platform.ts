import { z } from 'zod';
import type { ReportQuery, ReportRow, ReportSync } from '../../preload/contract';
import type { Clock } from '../clock';
import { type ChannelCounters, type InboxClient, InboxError, isRetryable, isUnauthorized } from '../inbox/client';
import type { Logger } from '../log';
import type { NetworkStatus } from '../network';
import { type BackoffPolicy, Notifier, type Sleep, backoffDelay, nap, realSleep, waitFor } from '../outbox/timing';
import type { Database } from '../store/db';
import {
  type PlatformReportRow,
  countPendingPlatformReports,
  earliestPendingPlatformReport,
  getPlatformReport,
  insertPlatformReport,
  markPlatformReportReported,
  nextDuePlatformReport,
  recordPlatformReportFailure,
} from '../store/platform-reports';

/**
 * Reports each finished broadcast to the platform (issue 7; PUT /v1/broadcasts/{id}, DESIGN §7) and reads the
 * platform's store-wide report back (GET /v1/reports/referrals).
 *
 * The queue is the `broadcast_reports` table, so it survives restarts. One report at a time, only with its own
 * sender's token (a shared laptop may hold reports of several users; the platform refuses another user's senderId).
 * The body is fixed when queued and the PUT is idempotent by id, so a retry — after a timeout, a crash between the
 * platform's answer and our write, a restart — is the same request and the platform counts the broadcast once.
 *
 * The answers, decided here once (CONVENTIONS habit 6):
 * - 200 / 201: reported.
 * - 409 conflict: the platform holds a *different* report under this id (an older build's body, a restored
 *   database). Retrying can never succeed and the platform already counts one report for the broadcast: marked
 *   reported with last_error 'conflict', logged as an error. A different body is never sent.
 * - 401: stop sending until kick() (the session handles the expiry and kicks after the next sign-in); the row stays
 *   due.
 * - 403 forbidden_plan / forbidden_role: the platform refuses this user's reports for now (plan downgraded, role
 *   changed). Rows stay pending with that code and nothing is sent until kick() (next sign-in) or the next start:
 *   the numbers still belong on the platform once it takes them again, and the report view counts them as pending.
 * - Other 4xx (400, 404, 413…): this build cannot fix it; kept pending, tried again after REFUSED_RETRY_MS.
 * - 5xx, 429, timeouts, network errors, a 2xx that is not the API's: exponential backoff with jitter (default 5 s …
 *   10 min) on the row's attempts; while the machine is offline nothing is tried (woken by the network event, no
 *   polling).
 */

export interface ReportBody {
  senderId: string;
  sentAt: number;
  channels: { line?: ChannelCounters; whatsapp?: ChannelCounters };
  totals: ChannelCounters;
}

export interface PlatformReporterDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Workspace network (main/network.ts). */
  network: NetworkStatus;
  /** The signed-in Inbox client, null when signed out. */
  client(): InboxClient | null;
  sleep?: Sleep;
  /** [0, 1): the backoff's jitter; tests pin it. */
  random?: () => number;
  backoff?: BackoffPolicy;
}

export interface PlatformReporter {
  /** Queues the report of a finished broadcast; a second call for the same id changes nothing (never counted twice). */
  enqueue(broadcastId: string, body: ReportBody): void;
  /** Starts sending due reports (now, on coming online, after kick(), after each backoff); stop() ends it. */
  start(): void;
  stop(): Promise<void>;
  /** Try now (e.g. after sign-in): lifts a stop after 401 or 403. */
  kick(): void;
  sync(broadcastId: string): ReportSync;
  pendingCount(): number;
  /** The platform's report rows for the range; null when offline, signed out or the call fails. */
  fetchReport(query: ReportQuery): Promise<ReportRow[] | null>;
}

export const DEFAULT_REPORT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 10 * 60_000 };
/** A refusal this build cannot fix (400, 404…): asked again rarely, in case the platform or an update fixes it. */
export const REFUSED_RETRY_MS = 6 * 60 * 60_000;

const count = z.number().int().nonnegative();
const Counters = z.object({ messages: count, officialLinks: count, otherLinks: count }).strict();
const COUNTER_KEYS = ['messages', 'officialLinks', 'otherLinks'] as const;
/** The platform's BroadcastReport with the sender required; totals must be the sum of the channels (400 otherwise). */
const ReportBodySchema = z
  .object({
    senderId: z.string().min(1),
    sentAt: count,
    channels: z.object({ line: Counters.optional(), whatsapp: Counters.optional() }).strict(),
    totals: Counters,
  })
  .strict()
  .refine(
    (body) => COUNTER_KEYS.every((key) => (body.channels.line?.[key] ?? 0) + (body.channels.whatsapp?.[key] ?? 0) === body.totals[key]),
    { message: 'totals must be the sum of the channels', path: ['totals'] },
  );

/** The parsed body without zod's explicit `undefined`s (exactOptionalPropertyTypes), in a fixed key order. */
function reportBody(parsed: z.output<typeof ReportBodySchema>): ReportBody {
  const channels: ReportBody['channels'] = {};
  if (parsed.channels.line) channels.line = parsed.channels.line;
  if (parsed.channels.whatsapp) channels.whatsapp = parsed.channels.whatsapp;
  return { senderId: parsed.senderId, sentAt: parsed.sentAt, channels, totals: parsed.totals };
}

/** What one failed PUT means for its row (see the file comment). */
type Verdict =
  | { kind: 'blocked'; code: string }
  | { kind: 'conflict' }
  | { kind: 'retry'; code: string }
  | { kind: 'refused'; code: string };

function classify(error: unknown): Verdict {
  if (!(error instanceof InboxError)) return { kind: 'retry', code: 'internal' };
  const code = error.code ?? error.kind;
  if (isUnauthorized(error) || error.kind === 'forbidden') return { kind: 'blocked', code };
  if (error.kind === 'conflict') return { kind: 'conflict' };
  // A 2xx the client could not read: the platform may well hold it, and a repeat of the same PUT is harmless.
  if (isRetryable(error) || error.kind === 'bad_response') return { kind: 'retry', code: error.kind };
  return { kind: 'refused', code };
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof InboxError ? { kind: error.kind, status: error.status, code: error.code } : { error };
}

export function createPlatformReporter(deps: PlatformReporterDeps): PlatformReporter {
  const { db, clock, logger, network } = deps;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const policy = deps.backoff ?? DEFAULT_REPORT_BACKOFF;
  if (!(policy.baseMs >= 0 && policy.maxMs >= policy.baseMs)) throw new RangeError('report backoff needs 0 ≤ baseMs ≤ maxMs');

  const wake = new Notifier();
  /** The signed-in user of each client (a client is one session's token): reports are sent only as their sender. */
  const userOf = new WeakMap<InboxClient, string>();
  let halt: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let unsubscribe: (() => void) | null = null;
  /** Bumped by kick(); a 401/403 blocks sending until the next kick after the request that got it. */
  let kicks = 0;
  let blockedAtKick: number | null = null;
  /** Consecutive failures of GET /v1/me (no row to count them on). */
  let whoFailures = 0;

  const blocked = (): boolean => blockedAtKick === kicks;

  const wait = (until: number | null, signal: AbortSignal): Promise<void> => waitFor(wake, { until, clock, sleep, signal });

  const signedInUser = async (client: InboxClient, signal: AbortSignal): Promise<string> => {
    const known = userOf.get(client);
    if (known !== undefined) return known;
    const me = await client.me({ signal });
    userOf.set(client, me.user.id);
    return me.user.id;
  };

  const send = async (client: InboxClient, row: PlatformReportRow, signal: AbortSignal, kickAtStart: number): Promise<void> => {
    const parsed = ReportBodySchema.safeParse(parseJson(row.body));
    if (!parsed.success) {
      // Only a damaged database gets here (enqueue checks the body): never send what the platform would refuse.
      logger.error('platform report: stored body is not a report', { broadcastId: row.broadcastId });
      recordPlatformReportFailure(db, row.broadcastId, { nextAttemptAt: clock.now() + REFUSED_RETRY_MS, lastError: 'invalid_body' });
      return;
    }
    try {
      const accepted = await client.putBroadcast(row.broadcastId, reportBody(parsed.data), { signal });
      markPlatformReportReported(db, row.broadcastId, clock.now());
      logger.info('platform report: reported', { broadcastId: row.broadcastId, created: accepted.created, attempts: row.attempts + 1 });
    } catch (error) {
      // Stopped mid-request: the answer is unknown, the row stays as it was and the same PUT goes next time.
      if (signal.aborted) return;
      const verdict = classify(error);
      const now = clock.now();
      const fields = { broadcastId: row.broadcastId, attempts: row.attempts + 1, ...errorFields(error) };
      switch (verdict.kind) {
        case 'conflict':
          logger.error('platform report: the platform holds a different report for this broadcast; keeping its copy', fields);
          markPlatformReportReported(db, row.broadcastId, now, 'conflict');
          return;
        case 'blocked':
          // Not the row's fault: it stays due, and sending waits for the next kick (sign-in).
          blockedAtKick = kickAtStart;
          logger.warn('platform report: refused for this session; waiting for sign-in', fields);
          recordPlatformReportFailure(db, row.broadcastId, { nextAttemptAt: now, lastError: verdict.code });
          return;
        case 'refused':
          logger.warn('platform report: refused; trying again much later', fields);
          recordPlatformReportFailure(db, row.broadcastId, { nextAttemptAt: now + REFUSED_RETRY_MS, lastError: verdict.code });
          return;
        case 'retry': {
          if (!(error instanceof InboxError)) logger.error('platform report: failed unexpectedly', fields);
          // Offline now: due again as soon as the network returns, which wakes the loop.
          const delay = network.isOnline() ? backoffDelay(row.attempts + 1, policy, random) : 0;
          logger.warn('platform report: failed; retrying later', { ...fields, delayMs: delay });
          recordPlatformReportFailure(db, row.broadcastId, { nextAttemptAt: now + delay, lastError: verdict.code });
          return;
        }
      }
    }
  };

  /** One turn of the loop: sends one due report, or waits for what could make one due. */
  const step = async (signal: AbortSignal): Promise<void> => {
    // Each wait below is entered synchronously after its check, so no wake-up falls in between.
    if (!network.isOnline() || blocked()) return wake.wait(signal);
    const client = deps.client();
    if (client === null) return wake.wait(signal);
    const kickAtStart = kicks;
    let senderId: string;
    try {
      senderId = await signedInUser(client, signal);
      whoFailures = 0;
    } catch (error) {
      if (signal.aborted) return;
      const verdict = classify(error);
      if (verdict.kind === 'blocked') {
        blockedAtKick = kickAtStart;
        return;
      }
      whoFailures += 1;
      const delay = verdict.kind === 'retry' ? backoffDelay(whoFailures, policy, random) : policy.maxMs;
      logger.warn('platform report: could not tell who is signed in; retrying later', { ...errorFields(error), delayMs: delay });
      return wait(clock.now() + delay, signal);
    }
    if (signal.aborted) return;
    const row = nextDuePlatformReport(db, senderId, clock.now());
    if (row === undefined) return wait(earliestPendingPlatformReport(db, senderId), signal);
    await send(client, row, signal, kickAtStart);
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      try {
        await step(signal);
      } catch (error) {
        // A bug or a database failure: say so, and do not spin.
        logger.error('platform report: loop failed', { error });
        await nap(sleep, policy.maxMs, signal);
      }
    }
  };

  return {
    enqueue(broadcastId, body) {
      const parsed = ReportBodySchema.safeParse(body);
      if (!parsed.success) throw new TypeError(`report of ${broadcastId}: ${parsed.error.issues[0]?.message ?? 'invalid body'}`);
      const inserted = insertPlatformReport(db, { broadcastId, body: JSON.stringify(reportBody(parsed.data)), now: clock.now() });
      if (inserted) wake.notify();
    },
    start() {
      if (loop !== null) return;
      const controller = new AbortController();
      halt = controller;
      blockedAtKick = null;
      whoFailures = 0;
      unsubscribe = network.subscribe(() => wake.notify());
      loop = run(controller.signal);
    },
    async stop() {
      if (loop === null) return;
      halt?.abort();
      unsubscribe?.();
      unsubscribe = null;
      await loop;
      loop = null;
      halt = null;
    },
    kick() {
      kicks += 1;
      wake.notify();
    },
    sync(broadcastId) {
      const row = getPlatformReport(db, broadcastId);
      if (row === undefined) return { state: 'not_due', reportedAt: null, attempts: 0, lastError: null };
      return { state: row.state, reportedAt: row.reportedAt, attempts: row.attempts, lastError: row.lastError };
    },
    pendingCount() {
      return countPendingPlatformReports(db);
    },
    async fetchReport(query) {
      if (!network.isOnline()) return null;
      const client = deps.client();
      if (client === null) return null;
      try {
        const { rows } = await client.referralReport(query);
        return rows.map((row) => ({ ...row }));
      } catch (error) {
        logger.warn('platform report: could not read the platform report; showing local numbers', errorFields(error));
        return null;
      }
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
