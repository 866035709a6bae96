import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Database, openDatabase } from '../../main/store/db';
import { type EventRow, countEvents, upsertEvents } from '../../main/store/events';
import { makeEvent } from '../unit/store/fixtures';
import type { BenchRow, Benchmark } from './types';

const ROWS = 50_000;
const RUNS = 3;
const TARGET = 0.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function format(rowsPerSecond: number): string {
  return `${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s`;
}

/** The baseline: a plain prepared INSERT of the same columns in one transaction, no upsert, no mapping. */
function rawInsert(db: Database, rows: readonly EventRow[]): void {
  const insert = db.prepare(
    `INSERT INTO events (id, channel, channel_account, customer_name, customer_avatar_url, customer_platform_id,
       status, assignee_id, assignee_name, store_id, store_name, tags, last_message_at, last_inbound_at, updated_at,
       synced_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const row of rows) {
      insert.run(
        row.id, row.channel, row.channelAccount, row.customerName, row.customerAvatarUrl, row.customerPlatformId,
        row.status, row.assigneeId, row.assigneeName, row.storeId, row.storeName, JSON.stringify(row.tags),
        row.lastMessageAt, row.lastInboundAt, row.updatedAt, row.syncedAt,
      );
    }
  })();
}

/** Rows per second for one insert into a fresh file; both sides get the same schema and pragmas (openDatabase). */
function measure(dir: string, name: string, rows: readonly EventRow[], insert: (db: Database) => void): number {
  const db = openDatabase(path.join(dir, `${name}.sqlite`));
  try {
    const started = performance.now();
    insert(db);
    const seconds = (performance.now() - started) / 1000;
    if (countEvents(db) !== rows.length) throw new Error(`${name}: expected ${rows.length} rows`);
    return rows.length / seconds;
  } finally {
    db.close();
  }
}

export const benchmark: Benchmark = {
  title: 'Local store',
  async run(): Promise<BenchRow[]> {
    const rows = Array.from({ length: ROWS }, (_, index) => makeEvent(index));
    const dir = mkdtempSync(path.join(tmpdir(), 'omo-bench-store-'));
    try {
      const store: number[] = [];
      const raw: number[] = [];
      // Warm-up (not measured): the first pass pays for JIT and page-cache effects that would penalise one side.
      const warmUp = rows.slice(0, 5_000);
      measure(dir, 'warm-raw', warmUp, (db) => rawInsert(db, warmUp));
      measure(dir, 'warm-store', warmUp, (db) => upsertEvents(db, warmUp));
      // Interleaved, so a noisy moment on a shared machine hits both sides alike.
      for (let run = 0; run < RUNS; run += 1) {
        raw.push(measure(dir, `raw-${run}`, rows, (db) => rawInsert(db, rows)));
        store.push(measure(dir, `store-${run}`, rows, (db) => upsertEvents(db, rows)));
      }
      const storeRate = median(store);
      const rawRate = median(raw);
      const ratio = storeRate / rawRate;
      return [
        {
          name: `Store: upsertEvents of ${ROWS.toLocaleString('en-US')} events into a fresh file`,
          measured: format(storeRate),
          baseline: `raw better-sqlite3 prepared INSERT loop, one transaction: ${format(rawRate)}`,
          ratio,
          target: `≥ ${TARGET}`,
          pass: ratio >= TARGET,
          notes: `median of ${RUNS} runs each; WAL, synchronous=NORMAL; store runs ${store.map((r) => format(r)).join(', ')}; raw runs ${raw.map((r) => format(r)).join(', ')}`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
