/**
 * The child of outbox-kill.test.ts: the app's core (createApp) sending one broadcast against the parent's sandbox,
 * so the parent can SIGKILL it anywhere and start it again. Usage: outbox-child.ts <dataDir> <sandboxOrigin> <mode>,
 * mode `line` (5,000 LINE customers) or `whatsapp` (500 WhatsApp customers).
 *
 * First run (no broadcast in the folder yet): signs in as manager@demo, syncs, composes image + text + new_arrival,
 * prepares and sends. Every later run only opens the app: the engine resumes the broadcast by itself. Either way it
 * waits until the broadcast is final, prints it, closes the app and exits 0.
 *
 * stdout: one JSON line per engine trace point ({type:'trace', seq, point, n, detail}; n counts that point in this
 * run), warn/error log lines, then {type:'final'}. With OMO_FREEZE='{"point":…,"nth":…,"match":{…}}' the child stops
 * dead inside the trace hook at the nth matching point — right after the database write the point names — prints
 * {type:'frozen'} and blocks its event loop until the parent kills it: the kill lands exactly there.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { z } from 'zod';
import {
  type BroadcastPlan,
  type BroadcastProgress,
  type ComposeCheck,
  type ComposedImage,
  type DraftHead,
  type EventList,
  FINAL_BROADCAST_STATES,
  type SyncStatus,
} from '../../preload/contract';
import { unpackEventList } from '../../preload/contract/event-list-codec';
import { DATABASE_FILE, createApp } from '../../main/app';
import { value, waitForRowsWritten } from '../helpers/app-flow';
import type { Logger, LogFields } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import type { Vault } from '../../main/vault';

const CHILD_ACCOUNT = 'manager@demo';
const LINE_RECIPIENTS = 5000;
const WHATSAPP_RECIPIENTS = 500;
/**
 * The engine's options in the child. The sandbox's limits are lifted; the engine paces itself below them so the
 * batches and messages are spread over a second or two and the parent's kill points land mid-broadcast.
 */
const CHILD_OUTBOX = {
  linePerSecond: 20,
  whatsappPerSecond: 300,
  requestTimeoutMs: 5000,
  backoff: { baseMs: 20, maxMs: 200 },
  stopTimeoutMs: 1000,
};

type Mode = 'line' | 'whatsapp';

const FreezeSpec = z.object({
  point: z.string(),
  nth: z.number().int().positive(),
  /** Detail fields that must be equal (e.g. {conflict: true}). */
  match: z.record(z.string(), z.unknown()).optional(),
});

function say(line: object): void {
  // stdout to a pipe is synchronous on Linux and macOS: a line is out before the next statement runs.
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The session's secrets in a file, so a restarted child is still signed in (the app's own vault is the OS's). */
class FileVault implements Vault {
  readonly encrypted = false;

  constructor(private readonly file: string) {}

  #read(): Record<string, string> {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch {
      return {};
    }
    return z.record(z.string(), z.string()).parse(JSON.parse(raw));
  }

  #write(values: Record<string, string>): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(values));
    renameSync(`${this.file}.tmp`, this.file);
  }

  async get(name: string): Promise<string | null> {
    return this.#read()[name] ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    this.#write({ ...this.#read(), [name]: value });
  }

  async delete(name: string): Promise<void> {
    const values = this.#read();
    delete values[name];
    this.#write(values);
  }
}

/** Warnings and errors as lines for the parent (an engine error is a finding); the rest is dropped. */
function lineLogger(): Logger {
  const fields = (extra?: LogFields): LogFields =>
    Object.fromEntries(Object.entries(extra ?? {}).map(([key, field]) => [key, field instanceof Error ? field.message : field]));
  return {
    debug: () => {},
    info: () => {},
    warn: (message, extra) => say({ type: 'log', level: 'warn', message, fields: fields(extra) }),
    error: (message, extra) => say({ type: 'log', level: 'error', message, fields: fields(extra) }),
  };
}

/** The broadcast of this mode already in the folder (a later run), or null (the first run). */
function existingBroadcast(dataDir: string, mode: Mode): string | null {
  const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<{ mode: string }, { id: string }>(
        // LINE recipients may all be packed in their batches (store/outbox.ts).
        `SELECT b.id FROM broadcasts b WHERE EXISTS (SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.channel = @mode)
           OR (@mode = 'line' AND EXISTS (SELECT 1 FROM broadcast_batches t WHERE t.broadcast_id = b.id))`,
      )
      .get({ mode });
    return row?.id ?? null;
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const [dataDir, origin, modeArg] = process.argv.slice(2);
  if (dataDir === undefined || origin === undefined || (modeArg !== 'line' && modeArg !== 'whatsapp')) {
    throw new Error('usage: outbox-child.ts <dataDir> <sandboxOrigin> line|whatsapp');
  }
  const mode: Mode = modeArg;
  const freeze = process.env.OMO_FREEZE ? FreezeSpec.parse(JSON.parse(process.env.OMO_FREEZE)) : null;

  const seen = new Map<string, number>();
  let seq = 0;
  let matched = 0;
  const trace = (point: string, detail: Record<string, unknown>): void => {
    seq += 1;
    const n = (seen.get(point) ?? 0) + 1;
    seen.set(point, n);
    say({ type: 'trace', seq, point, n, detail });
    if (freeze === null || freeze.point !== point) return;
    if (Object.entries(freeze.match ?? {}).some(([key, expected]) => detail[key] !== expected)) return;
    matched += 1;
    if (matched !== freeze.nth) return;
    say({ type: 'frozen', seq, point, n, detail });
    // Blocks the event loop right here, inside the engine's synchronous hook: nothing else runs until the SIGKILL.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    say({ type: 'log', level: 'error', message: 'frozen child was never killed' });
    process.exit(3);
  };

  const app = createApp({
    dataDir,
    version: '0.0.0-test',
    transport: 'preview',
    logger: lineLogger(),
    vault: new FileVault(path.join(dataDir, 'vault.json')),
    network: new ManualNetworkStatus(true),
    outbox: CHILD_OUTBOX,
    outboxTrace: trace,
  });
  await app.ready;

  let id = existingBroadcast(dataDir, mode);
  say({ type: 'start', resumed: id !== null, broadcastId: id });
  if (id === null) id = await compose(app, origin, mode);

  for (;;) {
    const progress = value<BroadcastProgress>(await app.dispatch('broadcast.get', { id }));
    if (FINAL_BROADCAST_STATES.includes(progress.state) && progress.counts.inFlight === 0) {
      // The engine writes the rows of answered LINE batches after the end: wait for that (a kill may cut it too).
      await waitForRowsWritten(dataDir, id, 20_000, 10);
      say({ type: 'final', progress });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await app.close();
}

/** The first run: sign in, sync, compose a ready draft for this mode's customers, prepare and send. */
async function compose(app: ReturnType<typeof createApp>, origin: string, mode: Mode): Promise<string> {
  value(await app.dispatch('session.signIn', { inboxUrl: origin, account: CHILD_ACCOUNT, password: 'demo' }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = value<SyncStatus>(await app.dispatch('events.syncStatus', {}));
    if (status.state === 'idle' && status.lastSyncedAt !== null) break;
    if (Date.now() > deadline) throw new Error(`sync did not finish: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const list = unpackEventList(value<EventList>(await app.dispatch('events.list', {})));
  const wanted = mode === 'line' ? 0 : 1;
  const size = mode === 'line' ? LINE_RECIPIENTS : WHATSAPP_RECIPIENTS;
  const selection = list.rows.ids.filter((_id, row) => list.rows.channels[row] === wanted).slice(0, size);
  if (selection.length < size) throw new Error(`${CHILD_ACCOUNT} has only ${selection.length} in-progress ${mode} events`);

  const png = await sharp({ create: { width: 640, height: 400, channels: 3, background: { r: 220, g: 140, b: 40 } } }).png().toBuffer();
  const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'new.png', data: png.toString('base64') }));
  value(await app.dispatch('compose.templates', { refresh: true }));
  const draft = value<DraftHead>(
    await app.dispatch('drafts.save', {
      text: '本週新品到貨，歡迎到門市試穿！https://shop.morninglight.example/new',
      image: { sha256: image.sha256, name: 'new.png' },
      selection,
    }),
  );
  const check = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
  const numbers = check.whatsapp.map((number) => ({
    phoneNumberId: number.phoneNumberId,
    template: { name: 'new_arrival', language: 'zh_TW' },
    params: { '1': { source: 'customer_name' as const, fallback: '貴賓' }, '2': { source: 'fixed' as const, text: '秋季針織外套' } },
  }));
  value(await app.dispatch('drafts.save', { id: draft.id, whatsapp: { numbers } }));
  const ready = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
  if (!ready.ready) throw new Error(`draft not ready: ${JSON.stringify(ready)}`);
  const plan = value<BroadcastPlan>(await app.dispatch('broadcast.prepare', { draftId: draft.id }));
  say({ type: 'plan', recipients: plan.recipients, skipped: plan.skippedCount });
  // The snapshot is written (and traced) before this returns; the engine sends in the background.
  const started = value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false }));
  say({ type: 'sent', broadcastId: started.id, total: started.total });
  return started.id;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
