import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { BroadcastProgress, ComposedImage, SyncStatus } from '../../preload/contract';
import { FINAL_BROADCAST_STATES } from '../../preload/contract';
import { type App, createApp } from '../../main/app';
import { value, waitForRowsWritten } from '../helpers/app-flow';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import type { OutboxOptions, OutboxSnapshot } from '../../main/outbox';
import { MemoryVault } from '../../main/vault';
import { benchUserId, benchWaId } from './outbox-server';
import type { BenchRow, Benchmark } from './types';

/**
 * The send engine's pacing and cost (issue 6 "Performance"). The app's core (createApp) runs in this process; the
 * sandbox runs in a child process (outbox-server.ts) with its real per-second limits set through /_sandbox/config.
 *
 * 100,000 LINE recipients are not synced from a 420,000-event world (what one account would need to see that many in
 * progress): the broadcast's snapshot is enqueued straight through App.outbox.enqueue with 100,000 synthetic LINE
 * friends of one sandbox channel — the same call broadcast.send makes after prepare. Everything after the snapshot
 * (media upload, batches, retry keys, pacing, answers, progress) is the real engine against the real sandbox.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_SCRIPT = path.join('test', 'bench', 'outbox-server.ts');
const LINE_RECIPIENTS = 100_000;
const WHATSAPP_RECIPIENTS = 2000;
const SLOW_LINE_LIMIT = 20;
const REAL_LINE_LIMIT = 200;
const WHATSAPP_LIMIT = 80;
const PING_INTERVAL_MS = 20;
const PROFILE_INTERVAL_US = 500;

interface Server {
  child: ChildProcess;
  origin: string;
  lineChannelId: string;
  phoneNumberId: string;
}

function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, String(LINE_RECIPIENTS), String(WHATSAPP_RECIPIENTS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, ...(JSON.parse(line) as Omit<Server, 'child'>) });
    });
    child.once('exit', (code) => reject(new Error(`outbox benchmark server exited with ${code}`)));
  });
}

async function sandboxConfig(origin: string, limits: Record<string, number>): Promise<void> {
  const response = await fetch(`${origin}/_sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(limits) });
  if (response.status !== 200) throw new Error(`sandbox config: ${response.status} ${await response.text()}`);
}

async function ledgerCount(origin: string, channel: 'line' | 'whatsapp'): Promise<number> {
  const response = await fetch(`${origin}/_sandbox/ledger?channel=${channel}&count=only`);
  return ((await response.json()) as { count: number }).count;
}

interface Trace {
  at: number;
  point: string;
  status: unknown;
  code: unknown;
  outcome: unknown;
  /** A retry's wait (rate limits: how long the account's lane is held). */
  delayMs: unknown;
}

interface Opened {
  app: App;
  dir: string;
  traces: Trace[];
  image: { sha256: string; format: 'jpeg' | 'png' };
  finals: Map<string, (progress: BroadcastProgress) => void>;
}

/** A signed-in app (sales@demo) on a fresh folder, its engine's trace recorded with timestamps, and one image. */
async function openApp(server: Server, outbox: OutboxOptions): Promise<Opened> {
  const dir = mkdtempSync(path.join(tmpdir(), 'omo-bench-outbox-'));
  const traces: Trace[] = [];
  const app = createApp({
    dataDir: dir,
    version: '0.0.0-bench',
    transport: 'preview',
    logger: silentLogger,
    vault: new MemoryVault(),
    network: new ManualNetworkStatus(true),
    outbox,
    outboxTrace: (point, detail) =>
      traces.push({ at: performance.now(), point, status: detail.status, code: detail.code, outcome: detail.outcome, delayMs: detail.delayMs }),
  });
  const finals = new Map<string, (progress: BroadcastProgress) => void>();
  app.subscribe((event, payload) => {
    if (event !== 'broadcast.progress') return;
    const progress = payload as BroadcastProgress;
    if (FINAL_BROADCAST_STATES.includes(progress.state)) finals.get(progress.id)?.(progress);
  });
  await app.ready;
  value(await app.dispatch('session.signIn', { inboxUrl: server.origin, account: 'sales@demo', password: 'demo' }));
  for (;;) {
    const status = value<SyncStatus>(await app.dispatch('events.syncStatus', {}));
    if (status.state === 'idle' && status.lastSyncedAt !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer();
  const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'bench.png', data: png.toString('base64') }));
  return { app, dir, traces, image: { sha256: image.sha256, format: image.format }, finals };
}

async function closeApp(opened: Opened): Promise<void> {
  await opened.app.close();
  rmSync(opened.dir, { recursive: true, force: true });
}

function snapshotOf(server: Server, opened: Opened, id: string, spec: { line: number; whatsapp: number }): OutboxSnapshot {
  const now = Date.now();
  const recipients: OutboxSnapshot['recipients'] = [];
  for (let index = 0; index < spec.line; index += 1) {
    recipients.push({
      eventId: `bench-line-${index}`,
      channel: 'line',
      channelAccount: server.lineChannelId,
      recipientId: benchUserId(index),
      customerName: `LINE 客人 ${index}`,
      state: 'pending',
      reason: null,
    });
  }
  for (let index = 0; index < spec.whatsapp; index += 1) {
    recipients.push({
      eventId: `bench-wa-${index}`,
      channel: 'whatsapp',
      channelAccount: server.phoneNumberId,
      recipientId: benchWaId(index),
      customerName: `客人 ${index}`,
      state: 'pending',
      reason: null,
    });
  }
  return {
    id,
    createdBy: 'u-sales',
    draftId: null,
    content: {
      version: 1,
      senderId: 'u-sales',
      senderName: '林志豪',
      text: '本週新品到貨，歡迎到門市試穿！',
      lineText: '本週新品到貨，歡迎到門市試穿！',
      links: [],
      image: opened.image,
      whatsapp:
        spec.whatsapp === 0
          ? []
          : [
              {
                phoneNumberId: server.phoneNumberId,
                template: { name: 'new_arrival', language: 'zh_TW', parameterFormat: 'POSITIONAL', headerImage: true, params: ['1', '2'] },
                params: { '1': { source: 'customer_name', fallback: '貴賓' }, '2': { source: 'fixed', text: '秋季針織外套' } },
              },
            ],
    },
    createdAt: now,
    expiresAt: now + 24 * 60 * 60 * 1000,
    // The planner's recipients are read from SQLite rows: flat strings. Built here by concatenation they would be
    // V8 rope strings, which every hash and JSON.stringify must first flatten; one JSON round trip makes them alike.
    recipients: JSON.parse(JSON.stringify(recipients)) as OutboxSnapshot['recipients'],
  };
}

interface Sent {
  progress: BroadcastProgress;
  /** enqueue → final progress event. */
  wallMs: number;
  /** The final progress event on the CPU profiler's clock (µs). */
  finalAt: number;
  /** Final progress event → the rows of its answered LINE batches written (the engine does it after the end). */
  rowsMs: number;
  /** The row-writing slices (line.rows.written traces, one batch each): how many, the longest gap they filled. */
  rowSlices: number;
  enqueueMs: number;
  /** performance.now() when enqueue returned. */
  enqueuedAt: number;
  /** The enqueue call on the CPU profiler's clock (process.hrtime, µs). */
  enqueueSpan: [number, number];
  /** This broadcast's request starts (`*.in_flight`) and answers, from the trace. */
  starts: number[];
  answers: Trace[];
}

/** Enqueues a snapshot and waits for its final progress event. */
async function send(opened: Opened, snapshot: OutboxSnapshot, channel: 'line' | 'whatsapp', onEnqueued?: () => void): Promise<Sent> {
  const from = opened.traces.length;
  const final = new Promise<BroadcastProgress>((resolve) => opened.finals.set(snapshot.id, resolve));
  const started = performance.now();
  const enqueueFrom = Number(process.hrtime.bigint() / 1000n);
  await opened.app.outbox.enqueue(snapshot);
  onEnqueued?.();
  const enqueueSpan: [number, number] = [enqueueFrom, Number(process.hrtime.bigint() / 1000n)];
  const enqueuedAt = performance.now();
  const enqueueMs = enqueuedAt - started;
  const progress = await final;
  const finalAt = Number(process.hrtime.bigint() / 1000n);
  const wallMs = performance.now() - started;
  // The next measurement starts only once this broadcast's rows are written (they would share the main thread).
  const rowsFrom = performance.now();
  await waitForRowsWritten(opened.dir, snapshot.id, 60_000);
  const rowsMs = performance.now() - rowsFrom;
  const traces = opened.traces.slice(from);
  const inFlight = channel === 'line' ? 'line.batch.in_flight' : 'whatsapp.in_flight';
  const answered = channel === 'line' ? 'line.batch.answered' : 'whatsapp.answered';
  return {
    progress,
    wallMs,
    finalAt,
    rowsMs,
    rowSlices: traces.filter((trace) => trace.point === 'line.rows.written').length,
    enqueueMs,
    enqueuedAt,
    enqueueSpan,
    starts: traces.filter((trace) => trace.point === inFlight).map((trace) => trace.at),
    answers: traces.filter((trace) => trace.point === answered),
  };
}

/** Request starts per second between the first and the last start (n starts span n − 1 intervals). */
function achievedRate(starts: readonly number[]): number {
  const first = starts[0];
  const last = starts.at(-1);
  if (first === undefined || last === undefined || starts.length < 2) return 0;
  return ((starts.length - 1) * 1000) / (last - first);
}

/**
 * The most request starts in one 1-s window: fixed windows on the epoch second (as the sandbox counts, give or take
 * the request's travel), and sliding ones.
 */
function busiestSecond(starts: readonly number[]): { fixed: number; sliding: number } {
  const perSecond = new Map<number, number>();
  for (const start of starts) {
    const second = Math.floor((performance.timeOrigin + start) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  let sliding = 0;
  for (let first = 0, last = 0; last < starts.length; last += 1) {
    while ((starts[last] ?? 0) - (starts[first] ?? 0) >= 1000) first += 1;
    sliding = Math.max(sliding, last - first + 1);
  }
  return { fixed: Math.max(0, ...perSecond.values()), sliding };
}

/** Garbage-collection pauses while `work` runs. */
async function withGcPauses<T>(work: () => Promise<T>): Promise<{ result: T; gcTotal: number; gcMax: number }> {
  let gcTotal = 0;
  let gcMax = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotal += entry.duration;
      gcMax = Math.max(gcMax, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    return { result: await work(), gcTotal, gcMax };
  } finally {
    observer.disconnect();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Ping {
  /** When the call was due (performance.now()). */
  due: number;
  /** Due → answered. */
  latency: number;
}

/**
 * A renderer's view of main while it sends: a bridge call due every 20 ms, timed from when it was due (so a blocked
 * event loop, which would hold a renderer's call in the queue, counts against it) to its answer.
 */
function startPinger(app: App, id: string, enqueued: () => boolean): () => Promise<Ping[]> {
  const pings: Ping[] = [];
  let stopped = false;
  const loop = (async (): Promise<string | null> => {
    const origin = performance.now();
    for (let tick = 1; !stopped; tick += 1) {
      const due = origin + tick * PING_INTERVAL_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const called = performance.now();
      const result = await app.dispatch('broadcast.get', { id });
      // While enqueue still checks the snapshot the id is not known yet (a renderer would not have it either): the
      // answer is not_found, and its round trip counts all the same.
      if (!result.ok && !(result.error.code === 'not_found' && !enqueued())) return `${result.error.code}: ${result.error.message}`;
      // A timer may fire a little early: such a call is counted from when it was made.
      pings.push({ due, latency: performance.now() - Math.min(due, called) });
    }
    return null;
  })();
  return async () => {
    stopped = true;
    const failure = await loop;
    if (failure !== null) throw new Error(`bridge call failed during the run: ${failure}`);
    return pings;
  };
}

/** Frames of the HTTP client: the LINE SDK, axios (the Graph client), undici (fetch) and Node's own network stack. */
const HTTP_CLIENT = /node_modules\/(@line|undici|axios|follow-redirects|form-data)|^node:(internal\/)?(http|https|net|stream|_http|tls|dns|zlib|internal\/deps\/undici)/;

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}

type Owner = 'enqueue' | 'engine' | 'afterwards' | 'http' | 'bench' | 'other' | 'gc' | 'idle';

/**
 * Main-thread time by owner, from a CPU profile. Samples inside `enqueue` (a span on the profiler's clock, µs) are the
 * synchronous enqueue call whatever the stack says (V8 may inline it into its caller). Elsewhere the nearest frame
 * that belongs to someone decides: the engine's code (and SQLite and the progress pushes under it), the HTTP client,
 * or the benchmark; a sample with none of them on its stack is 'other'.
 */
function attribute(
  profile: { nodes: ProfileNode[]; startTime: number; samples?: number[]; timeDeltas?: number[] },
  enqueue: readonly [number, number],
  finalAt: number,
): Record<Owner, number> {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const kindOf = new Map<number, Owner>();
  const classify = (leaf: number): Owner => {
    const known = kindOf.get(leaf);
    if (known) return known;
    const name = byId.get(leaf)?.callFrame.functionName;
    let kind: Owner = 'other';
    if (name === '(idle)') kind = 'idle';
    else if (name === '(garbage collector)') kind = 'gc';
    else {
      for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
        const url = byId.get(id)?.callFrame.url ?? '';
        if (HTTP_CLIENT.test(url)) kind = 'http';
        else if (/\/main\/(outbox|store)\//.test(url)) kind = 'engine';
        else if (url.includes('/test/bench/')) kind = 'bench';
        if (kind !== 'other') break;
      }
    }
    kindOf.set(leaf, kind);
    return kind;
  };
  const totals: Record<Owner, number> = { enqueue: 0, engine: 0, afterwards: 0, http: 0, bench: 0, other: 0, gc: 0, idle: 0 };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  for (let index = 0; index < samples.length; index += 1) {
    const sample = samples[index];
    // timeDeltas[i] is the time from sample i − 1 to sample i: the time sample i stands for, roughly.
    const delta = deltas[index] ?? 0;
    at += delta;
    if (sample === undefined) continue;
    let owner: Owner = at >= enqueue[0] && at <= enqueue[1] ? 'enqueue' : classify(sample);
    // After the final progress event: the engine's work then (writing the answered batches' rows) is kept apart.
    if (at > finalAt && owner === 'engine') owner = 'afterwards';
    totals[owner] += delta / 1000;
  }
  return totals;
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;
const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;

type Profile = Parameters<typeof attribute>[0];

/**
 * Runs `work` under the CPU profiler. (Not together with eventLoopUtilization: with the in-process profiler on, an
 * idle loop already reads ~0.75.)
 */
async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; profile: Profile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    return { result, profile: profile as Profile };
  } finally {
    session.disconnect();
  }
}

/** Runs `work` with the event loop's utilisation (busy / wall) measured over it. */
async function withUtilization<T>(work: () => Promise<T>): Promise<{ result: T; elu: number }> {
  const start = performance.eventLoopUtilization();
  const result = await work();
  return { result, elu: performance.eventLoopUtilization(start).utilization };
}

function statusCounts(answers: readonly Trace[], key: 'status' | 'code'): string {
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(String(answer[key] ?? 'none'), (counts.get(String(answer[key] ?? 'none')) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status} × ${n}`).join(', ');
}

export const benchmark: Benchmark = {
  title: 'Send engine (pacing, throughput, cost on the main process)',
  async run(): Promise<BenchRow[]> {
    const server = await startServer();
    const rows: BenchRow[] = [];
    try {
      // ---- LINE at 20 req/s: pacing, 429s, bookkeeping, responsiveness -----------------------------------------
      await sandboxConfig(server.origin, { lineMulticastPerSecond: SLOW_LINE_LIMIT });
      const slowApp = await openApp(server, { linePerSecond: SLOW_LINE_LIMIT });
      let slow: Sent;
      let pings: Ping[];
      let elu: number;
      let gcTotal: number;
      let gcMax: number;
      let slowLedger: number;
      let costed: Sent;
      let time: Record<Owner, number>;
      try {
        // Run 1, nothing attached but the trace: pacing, answers, responsiveness, event-loop utilisation.
        const lineBefore = await ledgerCount(server.origin, 'line');
        const snapshot = snapshotOf(server, slowApp, randomUUID(), { line: LINE_RECIPIENTS, whatsapp: 0 });
        ({
          result: { result: [slow, pings], gcTotal, gcMax },
          elu,
        } = await withUtilization(() =>
          withGcPauses(async () => {
            let enqueued = false;
            const stopPinger = startPinger(slowApp.app, snapshot.id, () => enqueued);
            const sent = await send(slowApp, snapshot, 'line', () => (enqueued = true));
            return [sent, await stopPinger()] as const;
          }),
        ));
        slowLedger = (await ledgerCount(server.origin, 'line')) - lineBefore;
        // Run 2, the same broadcast again under the CPU profiler: where the main thread's time goes.
        const again = snapshotOf(server, slowApp, randomUUID(), { line: LINE_RECIPIENTS, whatsapp: 0 });
        const run2 = await profiled(() => send(slowApp, again, 'line'));
        costed = run2.result;
        time = attribute(run2.profile, costed.enqueueSpan, costed.finalAt);
      } finally {
        await closeApp(slowApp);
      }
      const slowRate = achievedRate(slow.starts);
      const slowBusiest = busiestSecond(slow.starts);
      const slow429 = slow.answers.filter((answer) => answer.status === 429).length;
      const slowDone = slow.progress.state === 'completed' && slow.progress.counts.accepted === LINE_RECIPIENTS && slowLedger === LINE_RECIPIENTS;
      rows.push({
        name: `LINE pacing: ${LINE_RECIPIENTS.toLocaleString('en')} recipients, sandbox multicast limit ${SLOW_LINE_LIMIT} req/s`,
        measured: `${slowRate.toFixed(2)} req/s over ${slow.starts.length} requests, ${slow429} × 429`,
        baseline: `the sandbox's limit: ${SLOW_LINE_LIMIT} req/s (fixed 1-s window)`,
        ratio: slowRate / SLOW_LINE_LIMIT,
        target: '≥ 0.9 and zero 429',
        pass: slowRate / SLOW_LINE_LIMIT >= 0.9 && slow429 === 0 && slowDone,
        notes:
          `engine linePerSecond ${SLOW_LINE_LIMIT} (it paces at 0.95×); rate = (requests − 1) / (last start − first start), request starts ` +
          `from the engine's line.batch.in_flight trace; busiest second: ${slowBusiest.fixed} starts in a fixed (epoch) second, ` +
          `${slowBusiest.sliding} in a sliding one; answers by status: ${statusCounts(slow.answers, 'status')}; ${slow.progress.state}, ` +
          `${slow.progress.counts.accepted.toLocaleString('en')} accepted, sandbox ledger +${slowLedger.toLocaleString('en')}; wall ` +
          `${(slow.wallMs / 1000).toFixed(2)} s. The snapshot is enqueued through App.outbox.enqueue (100,000 synthetic friends of one ` +
          `sandbox channel), not synced: one account would need a ~420,000-event world to see that many; the rest is the real engine.`,
      });

      const sendingMs = costed.wallMs - costed.enqueueMs;
      const engineMs = time.enqueue + time.engine;
      const bookkeeping = engineMs / costed.wallMs;
      const withRows = (engineMs + time.afterwards) / costed.wallMs;
      rows.push({
        name: 'LINE pacing: engine bookkeeping on the main thread during that run',
        measured: `${ms(engineMs)} of ${ms(costed.wallMs)} wall (${pct(bookkeeping)})`,
        baseline: "the run's wall time, enqueue → final progress event",
        ratio: bookkeeping,
        target: '≤ 0.10',
        pass: bookkeeping <= 0.1,
        notes:
          `A second identical run under the CPU profiler (${PROFILE_INTERVAL_US} µs sampling). Engine = the enqueue call (checking the ` +
          `100,000 recipients and writing the snapshot — 200 batch rows with their recipients packed — in chunks behind a preparing mark: ` +
          `${ms(time.enqueue)} of samples, ${ms(costed.enqueueMs)} by the clock) + every later sample up to the final progress event ` +
          `whose nearest owned frame is main/outbox or main/store (SQLite and the progress pushes under them count; the HTTP client ` +
          `— @line/bot-sdk, undici, node:http/net — and the benchmark do not): ${ms(time.engine)} over ${costed.starts.length} batches = ` +
          `${(time.engine / Math.max(1, costed.starts.length)).toFixed(1)} ms a batch (its packed recipient ids, then the batch row ` +
          `pending → in_flight → accepted), ${pct(time.engine / sendingMs)} of the sending phase. After the final event the engine writes ` +
          `the 100,000 recipient rows from the answered batches, one batch per turn of the event loop: ${ms(time.afterwards)} of samples ` +
          `in ${costed.rowSlices} slices, ${ms(costed.rowsMs)} by the clock; counted in, the whole engine cost would be ` +
          `${pct(withRows)} of the run's wall. Elsewhere: HTTP client ` +
          `${ms(time.http)}, benchmark ${ms(time.bench)}, other ${ms(time.other)}, GC ${ms(time.gc)}. Unprofiled run 1: event-loop ` +
          `utilisation (everything on the main thread) ${pct(elu)} of ${ms(slow.wallMs)}; enqueue ${ms(slow.enqueueMs)}.`,
      });

      const all = pings.map((ping) => ping.latency);
      const sending = pings.filter((ping) => ping.due >= slow.enqueuedAt).map((ping) => ping.latency);
      const p99 = percentile(all, 99);
      rows.push({
        name: 'Main stays responsive while sending: bridge round-trip during the 20 req/s LINE run',
        measured: `p99 ${p99.toFixed(1)} ms over ${all.length} calls (from the send)`,
        baseline: 'target 50 ms',
        ratio: p99 / 50,
        target: '≤ 1.0',
        pass: p99 <= 50,
        notes:
          `app.dispatch('broadcast.get') due every ${PING_INTERVAL_MS} ms from the enqueue to the final progress event, each timed from ` +
          `when it was due (a blocked event loop counts against it); p50 ${percentile(all, 50).toFixed(1)} ms, max ${Math.max(...all).toFixed(0)} ms. ` +
          `Calls due after enqueue returned (${sending.length}): p99 ${percentile(sending, 99).toFixed(1)} ms, max ` +
          `${Math.max(...sending).toFixed(0)} ms; ${pings.length - sending.length} were due while enqueue checked and wrote the snapshot ` +
          `(${ms(slow.enqueueMs)}, in slices; answered not_found until its id exists). ` +
          `GC pauses over the run: ${ms(gcTotal)} in all, the longest ${ms(gcMax)}. ` +
          `In-process dispatch (the Electron IPC hop is not included); run 1, no profiler.`,
      });

      // ---- LINE at the real 200 req/s ---------------------------------------------------------------------------
      await sandboxConfig(server.origin, { lineMulticastPerSecond: REAL_LINE_LIMIT, whatsappMessagesPerSecond: WHATSAPP_LIMIT });
      const realApp = await openApp(server, {});
      try {
        // Warm-up (not measured): JIT, the HTTP pool, the sandbox's first requests.
        await send(realApp, snapshotOf(server, realApp, randomUUID(), { line: 10_000, whatsapp: 0 }), 'line');
        const before = await ledgerCount(server.origin, 'line');
        const snapshot = snapshotOf(server, realApp, randomUUID(), { line: LINE_RECIPIENTS, whatsapp: 0 });
        const { result: fast, elu: fastElu } = await withUtilization(() => send(realApp, snapshot, 'line'));
        const fastLedger = (await ledgerCount(server.origin, 'line')) - before;
        const fast429 = fast.answers.filter((answer) => answer.status === 429).length;
        const seconds = fast.wallMs / 1000;
        const floor = (Math.ceil(LINE_RECIPIENTS / 500) - 1) / (REAL_LINE_LIMIT * 0.95);
        const firstToLast = (fast.starts.at(-1) ?? 0) - (fast.starts[0] ?? 0);
        rows.push({
          name: `LINE at the real limit: ${LINE_RECIPIENTS.toLocaleString('en')} recipients, sandbox ${REAL_LINE_LIMIT} req/s, default engine options`,
          measured: `${seconds.toFixed(2)} s enqueue → completed`,
          baseline: 'target 1.5 s',
          ratio: seconds / 1.5,
          target: '≤ 1.0',
          pass: seconds <= 1.5 && fast429 === 0 && fast.progress.state === 'completed' && fastLedger === LINE_RECIPIENTS,
          notes:
            `enqueue (checks + 200 batch rows with their recipients packed, in chunks) ${ms(fast.enqueueMs)}; enqueue answered → first ` +
            `request ${ms((fast.starts[0] ?? fast.enqueuedAt) - fast.enqueuedAt)} (the image hosted once first); first → last request ` +
            `${ms(firstToLast)} = ${achievedRate(fast.starts).toFixed(0)} req/s (the pacing floor at 0.95 × 200 is ${ms(floor * 1000)}); ` +
            `${fast429} × 429; ledger +${fastLedger.toLocaleString('en')}; event-loop utilisation ${pct(fastElu)} (main is the bottleneck ` +
            `when it nears 100 %: the 20 req/s run's engine cost of ${(time.engine / Math.max(1, costed.starts.length)).toFixed(1)} ms a ` +
            `batch alone caps sending at ${(1000 / Math.max(0.001, time.engine / Math.max(1, costed.starts.length))).toFixed(0)} req/s); ` +
            `the recipient rows were written ${ms(fast.rowsMs)} after completion (${fast.rowSlices} slices). After an ` +
            `unmeasured 10,000-recipient warm-up broadcast.`,
        });

        // ---- WhatsApp at 80 messages/s --------------------------------------------------------------------------
        const waBefore = await ledgerCount(server.origin, 'whatsapp');
        const wa = await send(realApp, snapshotOf(server, realApp, randomUUID(), { line: 0, whatsapp: WHATSAPP_RECIPIENTS }), 'whatsapp');
        const waLedger = (await ledgerCount(server.origin, 'whatsapp')) - waBefore;
        const waRate = achievedRate(wa.starts);
        const throttled = wa.answers.filter((answer) => answer.code === 130429).length;
        rows.push({
          name: `WhatsApp pacing: ${WHATSAPP_RECIPIENTS.toLocaleString('en')} recipients, sandbox limit ${WHATSAPP_LIMIT} messages/s`,
          measured: `${waRate.toFixed(2)} messages/s, ${throttled} × 130429`,
          baseline: `the sandbox's limit: ${WHATSAPP_LIMIT} messages/s per number`,
          ratio: waRate / WHATSAPP_LIMIT,
          target: '≥ 0.9 and zero 130429',
          pass: waRate / WHATSAPP_LIMIT >= 0.9 && throttled === 0 && wa.progress.counts.accepted === WHATSAPP_RECIPIENTS && waLedger === WHATSAPP_RECIPIENTS,
          notes:
            `default engine options (80/s, paced at 0.95×); rate = (messages − 1) / (last start − first start) from whatsapp.in_flight; ` +
            `answers by status: ${statusCounts(wa.answers, 'status')}; ${wa.progress.state}, ${wa.progress.counts.accepted} accepted, ` +
            `ledger +${waLedger}; wall ${(wa.wallMs / 1000).toFixed(1)} s (enqueue ${ms(wa.enqueueMs)})` +
            (throttled > 0 ? `; the number's lane was held ${ms(Math.max(...wa.answers.map((answer) => Number(answer.delayMs ?? 0))))} after a 130429.` : '.'),
        });
      } finally {
        await closeApp(realApp);
      }
      return rows;
    } finally {
      server.child.kill('SIGTERM');
    }
  },
};
