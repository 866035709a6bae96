import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboxClient } from '../../main/inbox/client';
import { createSyncEngine } from '../../main/inbox/sync';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { openDatabase } from '../../main/store/db';
import { countEvents } from '../../main/store/events';
import { readSyncState } from '../../main/store/sync-state';
import { type ChildOutcome, runTsChild } from '../helpers/child';
import { makeTempDir } from '../helpers/tmp';

const CHILD = fileURLToPath(new URL('./sync-child.ts', import.meta.url));
const EVENTS = 20_000;
const PAGE = 1000;
/** Slow pages, so the kill lands between two page transactions of a sync that is far from done. */
const PAGE_LATENCY_MS = 150;

type Line =
  | { type: 'start'; cursor: string | null; storedPages: number }
  | { type: 'page'; page: number; cursor: string | null; nextCursor: string | null; items: number }
  | { type: 'done'; status: { state: string; fetched: number } };

let sandbox: Sandbox;
let token: string;

/** Runs the child; with `killAfterPage`, SIGKILLs it as soon as it reports that page applied. */
function runChild(file: string, killAfterPage?: number): Promise<ChildOutcome<Line>> {
  return runTsChild<Line>(CHILD, [file, sandbox.origin], {
    parse: (line) => JSON.parse(line) as Line,
    killOn: (line) => killAfterPage !== undefined && line.type === 'page' && line.page === killAfterPage,
    env: { ...process.env, OMO_TOKEN: token },
  });
}

async function armLatency(): Promise<void> {
  await fetch(`${sandbox.origin}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: 'inbox.events', kind: 'latency', ms: PAGE_LATENCY_MS, count: 1000 }),
  });
}

async function clearFaults(): Promise<void> {
  await fetch(`${sandbox.origin}/_sandbox/faults`, { method: 'DELETE' });
}

/** The rows a clean, uninterrupted sync produces, as (id, updated_at) pairs. */
async function cleanSync(): Promise<string[]> {
  const db = openDatabase(path.join(makeTempDir('sync-clean'), 'clean.sqlite'));
  try {
    const client = createInboxClient({ baseUrl: sandbox.origin, accessToken: token });
    const engine = createSyncEngine({
      db,
      logger: silentLogger,
      clock: { now: () => Date.now() },
      network: new ManualNetworkStatus(true),
      client: () => client,
      onStatus: () => {},
      onEventsChanged: () => {},
      onUnauthorized: () => {},
    });
    engine.syncNow();
    await engine.idle();
    expect(engine.status().state).toBe('idle');
    return rowsOf(db);
  } finally {
    db.close();
  }
}

function rowsOf(db: ReturnType<typeof openDatabase>): string[] {
  return db.prepare<[], string>("SELECT id || ':' || updated_at FROM events ORDER BY id").pluck().all();
}

beforeAll(async () => {
  sandbox = await startSandbox({ events: EVENTS, seed: 7 });
  // admin@demo sees the whole workspace: ~19,000 events, ~19 pages.
  token = (await createInboxClient({ baseUrl: sandbox.origin }).login('admin@demo', 'demo')).accessToken;
});

afterAll(async () => {
  await sandbox.close();
});

describe('sync survives SIGKILL between pages', () => {
  it.each([2, 3, 5])('killed after page %i, resumed from the stored cursor to the clean result', async (killAfterPage) => {
    const file = path.join(makeTempDir('sync-kill'), 'omo.sqlite');
    await armLatency();
    const killed = await runChild(file, killAfterPage);
    await clearFaults();

    expect(killed.stderr).toBe('');
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.lines[0]).toEqual({ type: 'start', cursor: null, storedPages: 0 });
    expect(killed.lines.some((line) => line.type === 'done')).toBe(false);

    // What the killed run left: whole pages only, and the cursor of the next one.
    const db = openDatabase(file);
    let storedPages: number;
    let storedCursor: string | null;
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const run = readSyncState(db).run;
      expect(run?.kind).toBe('full');
      storedPages = run?.pages ?? 0;
      storedCursor = run?.cursor ?? null;
      expect(storedPages).toBeGreaterThanOrEqual(killAfterPage);
      expect(countEvents(db)).toBe(storedPages * PAGE);
      const printed = killed.lines.filter((line) => line.type === 'page');
      expect(printed.find((line) => line.page === storedPages)?.nextCursor).toBe(storedCursor);
    } finally {
      db.close();
    }
    expect(storedCursor).not.toBeNull();

    const resumed = await runChild(file);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.lines[0]).toEqual({ type: 'start', cursor: storedCursor, storedPages });
    const pages = resumed.lines.filter((line): line is Extract<Line, { type: 'page' }> => line.type === 'page');
    // The resumed run's first request carried the stored cursor, and continued the page numbering.
    expect(pages[0]?.cursor).toBe(storedCursor);
    expect(pages[0]?.page).toBe(storedPages + 1);
    const done = resumed.lines.at(-1);
    expect(done?.type).toBe('done');

    const clean = await cleanSync();
    const after = openDatabase(file);
    try {
      expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(rowsOf(after)).toEqual(clean);
      // Pages add up: those applied before the kill plus those after are exactly a full walk, nothing twice.
      const total = storedPages * PAGE + pages.reduce((sum, page) => sum + page.items, 0);
      expect(total).toBe(clean.length);
      expect(storedPages + pages.length).toBe(Math.ceil(clean.length / PAGE));
      expect(readSyncState(after)).toMatchObject({ run: null, generation: 1 });
    } finally {
      after.close();
    }
  });
});
