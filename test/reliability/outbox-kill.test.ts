import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastProgress } from '../../preload/contract';
import { DATABASE_FILE } from '../../main/app';
import type { LedgerEntry } from '../../main/sandbox/ledger';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { PROJECT_ROOT } from '../helpers/preview';
import { createTempDir } from '../helpers/tmp';

/**
 * Issue 6's reliability proof. A child process runs the app's core (outbox-child.ts) against a sandbox living in THIS
 * process, so the sandbox's ledger — what LINE and WhatsApp actually accepted — survives every death of the child.
 * The child is SIGKILLed at 20+ points of a 5,000-recipient LINE broadcast and a 500-recipient WhatsApp broadcast,
 * then started again; it resumes by itself. Three kinds of kill:
 *
 * - frozen: the child stops dead inside the engine's trace hook, right after the database write the point names
 *   (snapshot, state, media, *.in_flight, *.answered), and is killed there;
 * - ledger: the sandbox kills the child from inside its ledger, the moment it accepts the request and before it
 *   answers — the request left, its answer is never stored (the database still says in flight);
 * - with the sandbox's accept_then_cut armed, the request is accepted and the connection cut, so the child stores
 *   "no answer" (LINE: retried under the same key → 409; WhatsApp: unknown, never resent).
 *
 * Afterwards the ledger shows every LINE recipient exactly once, no WhatsApp recipient twice, and every WhatsApp
 * recipient accepted, failed or unknown in the app — every one the ledger has is accepted or unknown, never failed.
 */

const CHILD = fileURLToPath(new URL('./outbox-child.ts', import.meta.url));
/** manager@demo (台北信義店) sees ~5,260 in-progress LINE and ~3,480 WhatsApp events in this world. */
const WORLD = { seed: 6, events: 22_000 };
const LINE_RECIPIENTS = 5000;
const WHATSAPP_RECIPIENTS = 500;
const RUN_TIMEOUT_MS = 45_000;

type Mode = 'line' | 'whatsapp';

type Line =
  | { type: 'trace'; seq: number; point: string; n: number; detail: Record<string, unknown> }
  | { type: 'frozen'; seq: number; point: string; n: number; detail: Record<string, unknown> }
  | { type: 'log'; level: 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'start'; resumed: boolean; broadcastId: string | null }
  | { type: 'plan'; recipients: { total: number; line: number; whatsapp: number }; skipped: number }
  | { type: 'sent'; broadcastId: string; total: number }
  | { type: 'final'; progress: BroadcastProgress }
  | { type: 'raw'; text: string };

interface Step {
  /** Stop the child dead at the nth trace point of this name (whose detail has these fields) and kill it there. */
  freeze?: { point: string; nth: number; match?: Record<string, unknown> };
  /** Kill the child from inside the sandbox the moment it records the nth accepted request of this run. */
  ledger?: number;
  /** accept_then_cut on the mode's send route, armed for this run (left-overs are cleared after it). */
  cut?: number;
}

interface Run {
  step: Step | null;
  lines: Line[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
  /** How the child died: 'frozen' / 'ledger' kill, or null when it ran to the end. */
  killed: 'frozen' | 'ledger' | null;
  /** The ledger kill: what the sandbox had just accepted. */
  accepted: { retryKey?: string; recipients: readonly string[] } | null;
  cutsUsed: number;
}

let sandbox: Sandbox;
/** Set while a child runs: the ledger kill and the per-run count of accepted requests. */
let onRecord: ((common: Omit<LedgerEntry, 'recipient'>, recipients: readonly string[]) => void) | null = null;

beforeAll(async () => {
  // Rate limits lifted: the child's engine paces itself (20 LINE requests/s, 300 messages/s) to spread the kill points.
  sandbox = await startSandbox({
    ...WORLD,
    limits: { lineMulticastPerSecond: Number.POSITIVE_INFINITY, whatsappMessagesPerSecond: Number.POSITIVE_INFINITY, whatsappPairIntervalMs: 0 },
  });
  const ledger = sandbox.context.ledger;
  const recordMany = ledger.recordMany.bind(ledger);
  // Runs inside the sandbox's handler, after it accepted the request and before it writes the answer.
  ledger.recordMany = (common, recipients) => {
    recordMany(common, recipients);
    onRecord?.(common, recipients);
  };
});

afterAll(async () => {
  await sandbox.close();
});

async function control(method: 'POST' | 'DELETE' | 'GET', route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.origin}/_sandbox/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return response.json();
}

function parse(text: string): Line {
  try {
    return JSON.parse(text) as Line;
  } catch {
    return { type: 'raw', text };
  }
}

/** One life of the child: runs it with `step`'s kill armed, until it dies or finishes. */
async function runChild(dir: string, mode: Mode, step: Step | null): Promise<Run> {
  const route = mode === 'line' ? 'line.multicast' : 'whatsapp.messages';
  if (step?.cut) await control('POST', 'faults', { route, kind: 'accept_then_cut', count: step.cut });
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (step?.freeze) env.OMO_FREEZE = JSON.stringify(step.freeze);
  else delete env.OMO_FREEZE;

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, sandbox.origin, mode], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  const run: Run = { step, lines: [], signal: null, code: null, stderr: '', killed: null, accepted: null, cutsUsed: 0 };
  let records = 0;
  onRecord = (common, recipients) => {
    if (common.channel !== mode || step?.ledger === undefined || run.killed !== null) return;
    records += 1;
    if (records !== step.ledger) return;
    run.killed = 'ledger';
    run.accepted = { ...(common.retryKey === undefined ? {} : { retryKey: common.retryKey }), recipients: [...recipients] };
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (data: string) => {
        buffered += data;
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          const line = parse(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          run.lines.push(line);
          if (line.type === 'frozen' && run.killed === null) {
            run.killed = 'frozen';
            child.kill('SIGKILL');
          }
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (data: string) => {
        run.stderr += data;
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        run.code = code;
        run.signal = signal;
        resolve();
      });
    });
  } finally {
    clearTimeout(timer);
    onRecord = null;
  }
  if (step?.cut) {
    const armed = (await control('GET', 'faults')) as { armed: Array<{ remaining: number }> };
    run.cutsUsed = step.cut - armed.armed.reduce((sum, fault) => sum + fault.remaining, 0);
    await control('DELETE', 'faults');
  }
  return run;
}

function traces(run: Run, point?: string): Array<Extract<Line, { type: 'trace' }>> {
  return run.lines.filter((line): line is Extract<Line, { type: 'trace' }> => line.type === 'trace' && (point === undefined || line.point === point));
}

function openReadOnly(dir: string): BetterSqlite3.Database {
  return new BetterSqlite3(path.join(dir, DATABASE_FILE), { readonly: true, fileMustExist: true });
}

interface RecipientRow {
  channel: Mode;
  recipientId: string;
  state: string;
  reason: string | null;
  batchId: string | null;
  messageId: string | null;
}

function recipientRows(dir: string, broadcastId: string): RecipientRow[] {
  const db = openReadOnly(dir);
  try {
    return db
      .prepare<{ id: string }, RecipientRow>(
        // Rows, and the LINE recipients still packed in their batches (in the batch's state, then its outcome).
        `SELECT channel, recipient_id AS recipientId, state, reason, batch_id AS batchId, message_id AS messageId
         FROM broadcast_recipients WHERE broadcast_id = @id
         UNION ALL
         SELECT channel, recipient_id, state, reason, batch_id, message_id FROM broadcast_members WHERE broadcast_id = @id`,
      )
      .all({ id: broadcastId });
  } finally {
    db.close();
  }
}

function batchRows(dir: string, broadcastId: string): Array<{ batchId: string; state: string; attempts: number; reason: string | null; written: number }> {
  const db = openReadOnly(dir);
  try {
    return db
      .prepare<[string], { batchId: string; state: string; attempts: number; reason: string | null; written: number }>(
        // written: the recipients are rows (1), or still packed in the batch (0).
        'SELECT batch_id AS batchId, state, attempts, reason, packed = 0 AS written FROM broadcast_batches WHERE broadcast_id = ? ORDER BY seq',
      )
      .all(broadcastId);
  } finally {
    db.close();
  }
}

/**
 * What the database holds right after a kill, checked against the point the child was killed at: the write the
 * point names is there (frozen), or the accepted request is still in flight (ledger kill: the answer never stored).
 */
function expectStateAtKill(dir: string, broadcastId: string, run: Run): void {
  const rows = recipientRows(dir, broadcastId);
  if (run.killed === 'ledger') {
    const accepted = new Set(run.accepted?.recipients);
    const states = rows.filter((row) => accepted.has(row.recipientId)).map((row) => row.state);
    expect(states.length).toBe(accepted.size);
    expect(new Set(states)).toEqual(new Set(['in_flight']));
    return;
  }
  const frozen = run.lines.find((line): line is Extract<Line, { type: 'frozen' }> => line.type === 'frozen');
  if (!frozen) throw new Error('no frozen line');
  const { point, detail } = frozen;
  if (point === 'snapshot') {
    expect(rows.length).toBe(detail.recipients);
    expect(rows.every((row) => row.state === 'pending')).toBe(true);
  } else if (point === 'line.batch.in_flight' || point === 'line.batch.answered') {
    const batch = batchRows(dir, broadcastId).find((row) => row.batchId === detail.batchId);
    expect(batch?.attempts).toBe(detail.attempt);
    const expected = point === 'line.batch.in_flight' ? 'in_flight' : detail.outcome === 'accepted' ? 'accepted' : 'pending';
    expect(batch?.state).toBe(expected);
    expect(new Set(rows.filter((row) => row.batchId === detail.batchId).map((row) => row.state))).toEqual(new Set([expected]));
  } else if (point === 'line.rows.written') {
    // Killed while writing the rows of a completed broadcast: each batch is rows or packed, never both or neither.
    const batches = batchRows(dir, broadcastId);
    expect(batches.filter((batch) => batch.written === 1).length).toBeGreaterThanOrEqual(frozen.n);
    expect(batches.some((batch) => batch.written === 0)).toBe(true);
    expect(rows.every((row) => row.state === 'accepted')).toBe(true);
    expect(new Set(rows.map((row) => row.recipientId)).size).toBe(rows.length);
  } else if (point === 'whatsapp.in_flight' || point === 'whatsapp.answered') {
    const row = rows.find((candidate) => candidate.recipientId === detail.recipientId);
    expect(row?.state).toBe(point === 'whatsapp.in_flight' ? 'in_flight' : detail.outcome);
  }
}

interface Outcome {
  broadcastId: string;
  runs: Run[];
  kills: Run[];
  final: BroadcastProgress;
}

/** Recipients the sandbox accepted more than once since `since` on this channel (none, ever). */
function sentTwice(channel: Mode, since: number): string[] {
  const times = new Map<string, number>();
  for (const entry of sandbox.context.ledger.entries({ channel, since })) times.set(entry.recipient, (times.get(entry.recipient) ?? 0) + 1);
  return [...times].filter(([, n]) => n > 1).map(([recipient]) => recipient);
}

/**
 * Runs the plan's steps (one life each, the kill armed), then lives without a kill until the broadcast is final.
 * After every life the ledger has no recipient twice.
 */
async function crashThrough(dir: string, mode: Mode, plan: Step[]): Promise<Outcome> {
  const since = sandbox.context.clock.now();
  const runs: Run[] = [];
  let broadcastId: string | null = null;
  let final: BroadcastProgress | null = null;
  for (const step of [...plan, ...Array<null>(3).fill(null)]) {
    const run = await runChild(dir, mode, step);
    runs.push(run);
    expect(run.stderr, `run ${runs.length}`).toBe('');
    expect(run.lines.filter((line) => line.type === 'log' && line.level === 'error')).toEqual([]);
    expect(run.lines.filter((line) => line.type === 'raw')).toEqual([]);
    expect(sentTwice(mode, since), `after run ${runs.length}`).toEqual([]);
    for (const line of run.lines) {
      if (line.type === 'trace' && line.point === 'snapshot') broadcastId = String(line.detail.broadcastId);
      if (line.type === 'start' && line.broadcastId !== null) broadcastId = line.broadcastId;
    }
    if (run.killed !== null) {
      expect(run.signal).toBe('SIGKILL');
      if (broadcastId === null) throw new Error('killed before the snapshot');
      expectStateAtKill(dir, broadcastId, run);
      continue;
    }
    expect(run.code, JSON.stringify(run.lines.slice(-3))).toBe(0);
    const last = run.lines.at(-1);
    if (last?.type !== 'final') throw new Error(`the child ended without a final line: ${JSON.stringify(last)}`);
    final = last.progress;
    break;
  }
  if (broadcastId === null || final === null) throw new Error('the broadcast never became final');
  return { broadcastId, runs, kills: runs.filter((run) => run.killed !== null), final };
}

function ledger(channel: Mode, since: number): LedgerEntry[] {
  return sandbox.context.ledger.entries({ channel, since });
}

function summary(outcome: Outcome): string {
  return outcome.runs
    .map((run, index) => {
      const how = run.killed === 'ledger' ? `ledger#${run.step?.ledger}` : run.killed === 'frozen' ? `${run.step?.freeze?.point}#${run.step?.freeze?.nth}` : 'to the end';
      return `${index + 1}: ${how}${run.step?.cut ? ` (cut ${run.cutsUsed}/${run.step.cut})` : ''}`;
    })
    .join('; ');
}

describe('the send engine survives SIGKILL at every step, with the sandbox as the witness', () => {
  it('LINE, 5,000 recipients: after every kill and resume, every recipient is in the ledger exactly once', async () => {
    const temp = createTempDir('outbox-kill-line');
    try {
      const plan: Step[] = [
        { freeze: { point: 'snapshot', nth: 1 } },
        { freeze: { point: 'state', nth: 1 } },
        { freeze: { point: 'media', nth: 1 } },
        { freeze: { point: 'line.batch.in_flight', nth: 1 } },
        { ledger: 1 },
        { freeze: { point: 'line.batch.answered', nth: 1 } },
        { cut: 2, freeze: { point: 'line.batch.answered', nth: 2 } },
        { freeze: { point: 'line.batch.answered', nth: 1, match: { conflict: true } } },
        { freeze: { point: 'line.batch.in_flight', nth: 2 } },
        { ledger: 1 },
        { cut: 1, freeze: { point: 'line.batch.answered', nth: 2 } },
        { ledger: 2 },
        { freeze: { point: 'line.batch.answered', nth: 1 } },
        { cut: 1, ledger: 1 },
        { freeze: { point: 'line.batch.in_flight', nth: 1 } },
        // The broadcast completes in this life; it is killed while writing the answered batches' rows.
        { freeze: { point: 'line.rows.written', nth: 3 } },
      ];
      const outcome = await crashThrough(temp.dir, 'line', plan);
      console.info(`LINE crash runs: ${summary(outcome)}`);
      expect(outcome.kills.length, summary(outcome)).toBeGreaterThanOrEqual(12);

      expect(outcome.final.state).toBe('completed');
      expect(outcome.final.line).toMatchObject({ accepted: LINE_RECIPIENTS, failed: 0, unknown: 0, pending: 0, inFlight: 0, skipped: 0 });
      const rows = recipientRows(temp.dir, outcome.broadcastId);
      expect(rows).toHaveLength(LINE_RECIPIENTS);
      expect(rows.every((row) => row.channel === 'line' && row.state === 'accepted')).toBe(true);
      const batches = batchRows(temp.dir, outcome.broadcastId);
      expect(batches.every((batch) => batch.state === 'accepted')).toBe(true);
      // Every recipient is a row by now (the last life waited for the writing a kill had cut).
      expect(batches.every((batch) => batch.written === 1)).toBe(true);
      expect(outcome.kills.some((run) => run.lines.some((line) => line.type === 'frozen' && line.point === 'line.rows.written'))).toBe(true);

      // The witness: this broadcast's requests (by their retry keys) carried every recipient exactly once.
      const keys = new Set(batches.map((batch) => batch.batchId));
      const entries = ledger('line', 0).filter((entry) => entry.retryKey !== undefined && keys.has(entry.retryKey));
      const times = new Map<string, number>();
      for (const entry of entries) times.set(entry.recipient, (times.get(entry.recipient) ?? 0) + 1);
      expect([...times].filter(([, n]) => n > 1), 'LINE recipients sent twice').toEqual([]);
      expect(entries).toHaveLength(LINE_RECIPIENTS);
      expect(new Set(times.keys())).toEqual(new Set(rows.map((row) => row.recipientId)));
      // Nothing of this content went out without a key.
      expect(ledger('line', 0).filter((entry) => entry.retryKey === undefined)).toEqual([]);

      // The hard cases really happened: requests accepted whose answer was never stored, answered later by a 409.
      const ledgerKills = outcome.kills.filter((run) => run.killed === 'ledger');
      expect(ledgerKills.length).toBeGreaterThanOrEqual(3);
      const cuts = outcome.runs.reduce((sum, run) => sum + run.cutsUsed, 0);
      expect(cuts).toBeGreaterThanOrEqual(3);
      const conflicts = outcome.runs.flatMap((run) => traces(run, 'line.batch.answered')).filter((line) => line.detail.conflict === true);
      // Every batch whose acceptance never reached the engine ends with a 409; a cut may land on the 409 of a batch a
      // kill already hit (then a later retry answers it), so two hard cases can share one batch and one traced 409.
      expect(conflicts.length).toBeGreaterThanOrEqual(Math.max(ledgerKills.length, 3));
      expect(batches.filter((batch) => batch.attempts > 1).length).toBeGreaterThanOrEqual(ledgerKills.length);
    } finally {
      temp.cleanup();
    }
  }, 120_000);

  it('WhatsApp, 500 recipients: no one twice, every one accepted, failed or unknown, every delivered one accepted or unknown', async () => {
    const temp = createTempDir('outbox-kill-whatsapp');
    const since = Date.now();
    try {
      const plan: Step[] = [
        { freeze: { point: 'snapshot', nth: 1 } },
        { freeze: { point: 'media', nth: 1 } },
        { freeze: { point: 'whatsapp.in_flight', nth: 1 } },
        { ledger: 1 },
        { freeze: { point: 'whatsapp.answered', nth: 5 } },
        { cut: 3, freeze: { point: 'whatsapp.answered', nth: 30 } },
        { freeze: { point: 'whatsapp.in_flight', nth: 40 } },
        { ledger: 25 },
        { cut: 2, freeze: { point: 'whatsapp.answered', nth: 50 } },
        { freeze: { point: 'whatsapp.in_flight', nth: 20 } },
        { ledger: 60 },
        { freeze: { point: 'whatsapp.answered', nth: 80 } },
        { cut: 1, ledger: 1 },
      ];
      const outcome = await crashThrough(temp.dir, 'whatsapp', plan);
      console.info(`WhatsApp crash runs: ${summary(outcome)}`);
      expect(outcome.kills.length, summary(outcome)).toBeGreaterThanOrEqual(10);

      const rows = recipientRows(temp.dir, outcome.broadcastId);
      expect(rows).toHaveLength(WHATSAPP_RECIPIENTS);
      const byState = new Map<string, RecipientRow[]>();
      for (const row of rows) byState.set(row.state, [...(byState.get(row.state) ?? []), row]);
      // None lost, none silently dropped: each one has a final word.
      expect([...byState.keys()].filter((state) => !['accepted', 'failed', 'unknown'].includes(state))).toEqual([]);
      expect(outcome.final.whatsapp).toMatchObject({
        accepted: byState.get('accepted')?.length ?? 0,
        failed: byState.get('failed')?.length ?? 0,
        unknown: byState.get('unknown')?.length ?? 0,
        pending: 0,
        inFlight: 0,
        skipped: 0,
      });
      expect(outcome.final.state).toBe('completed_with_failures');

      const numbers = new Set(sandbox.context.world.whatsappNumbers.map((number) => number.phoneNumberId));
      const entries = ledger('whatsapp', since).filter((entry) => numbers.has(entry.account));
      const times = new Map<string, number>();
      for (const entry of entries) times.set(entry.recipient, (times.get(entry.recipient) ?? 0) + 1);
      expect([...times].filter(([, n]) => n > 1), 'WhatsApp recipients sent twice').toEqual([]);

      const stateOf = new Map(rows.map((row) => [row.recipientId, row]));
      // Every message WhatsApp accepted is accepted (with its wamid) or unknown in the app, never failed or pending.
      for (const entry of entries) {
        const row = stateOf.get(entry.recipient);
        expect(row?.state === 'accepted' || row?.state === 'unknown', `${entry.recipient}: ${row?.state}`).toBe(true);
        if (row?.state === 'accepted') expect(row.messageId).toBe(entry.id);
      }
      // Every one the app calls accepted is in the ledger; none it calls failed is.
      const delivered = new Set(entries.map((entry) => entry.recipient));
      expect((byState.get('accepted') ?? []).filter((row) => !delivered.has(row.recipientId))).toEqual([]);
      expect((byState.get('failed') ?? []).filter((row) => delivered.has(row.recipientId))).toEqual([]);

      // The hard cases really happened: delivered messages whose answer was lost are unknown, not resent.
      const unknownDelivered = (byState.get('unknown') ?? []).filter((row) => delivered.has(row.recipientId));
      const ledgerKills = outcome.kills.filter((run) => run.killed === 'ledger').length;
      const cuts = outcome.runs.reduce((sum, run) => sum + run.cutsUsed, 0);
      expect(ledgerKills).toBeGreaterThanOrEqual(3);
      expect(cuts).toBeGreaterThanOrEqual(3);
      // A life both cut and ledger-killed may lose the same request to both (the cut one is the first accepted).
      const both = outcome.runs.filter((run) => run.killed === 'ledger' && run.cutsUsed > 0).length;
      expect(unknownDelivered.length).toBeGreaterThanOrEqual(ledgerKills + cuts - both);
      console.info(
        `WhatsApp end state: ${[...byState].map(([state, list]) => `${state} ${list.length}`).join(', ')}; ledger ${entries.length}, ` +
          `of them unknown in the app ${unknownDelivered.length}`,
      );
    } finally {
      temp.cleanup();
    }
  }, 120_000);
});
