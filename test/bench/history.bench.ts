import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BroadcastProgress, RecipientCounts } from '../../preload/contract';
import { silentLogger } from '../../main/log';
import type { BroadcastContent } from '../../main/outbox/types';
import { type Reports, createReports } from '../../main/reports';
import { type Database, openDatabase } from '../../main/store/db';
import type { BroadcastStateName, RecipientStateName } from '../../main/store/outbox';
import type { BenchRow, Benchmark } from './types';

/**
 * Sent history at scale (issue 7 "Performance"): 2,000 broadcasts and 1,000,000 recipient rows — one broadcast of
 * 100,000, the others 50 to 850 each over the last 18 months; final ones with their totals (recordTotals), a few
 * still active (counted live). The targets are absolute times, so the ratio is measured / target (≤ 1 passes).
 * Figures are the median of RUNS runs on a fresh connection (SQLite's page cache empty, the OS file cache warm, as
 * after an app start); the first, cold run is in the notes. Shared machines are noisy: read them as orders of size.
 */

const BROADCASTS = 2000;
const RECIPIENTS = 1_000_000;
const BIG = 100_000;
const ACTIVE = 8;
const RUNS = 9;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 14, 4, 0);
const LINE_CHANNELS = ['1600000001', '1600000002'];
const WA_NUMBERS = ['100000000000001', '100000000000002'];

/** mulberry32: the same database on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function uuid(n: number): string {
  return `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

function content(index: number, random: () => number): BroadcastContent {
  const official = { url: `https://shop.example/p/${index}`, kind: 'official' as const };
  const other = { url: 'https://maps.example/store', kind: 'other' as const };
  const text = `${['春季特賣', 'New arrivals', '會員獨享', 'Weekend offer'][index % 4]} ${index}\n${official.url}\n${other.url}`;
  return {
    version: 1,
    senderId: `u-${index % 12}`,
    senderName: `Sales ${index % 12}`,
    text,
    lineText: text.replace(official.url, `${official.url}?utm_source=line&utm_medium=omo_broadcast`),
    links: random() < 0.5 ? [official, other] : [official],
    image: null,
    whatsapp: WA_NUMBERS.map((phoneNumberId, n) => ({
      phoneNumberId,
      template: { name: 'spring_sale', language: 'zh_TW', parameterFormat: 'POSITIONAL' as const, headerImage: false, params: [] },
      params: {},
      body: `Hello ${official.url}`,
      links: n === 0 ? [official] : [official, other],
    })),
  };
}

const FINAL_MIX: readonly BroadcastStateName[] = ['completed', 'completed', 'completed', 'completed_with_failures', 'cancelled', 'expired'];

function pickState(random: () => number, final: boolean): RecipientStateName {
  const r = random();
  if (!final && r < 0.4) return 'pending';
  if (r < 0.85) return 'accepted';
  if (r < 0.92) return 'failed';
  if (r < 0.97) return 'skipped';
  return 'unknown';
}

const REASON: Partial<Record<RecipientStateName, string>> = {
  failed: 'line_rejected: The request body has 1 error(s)',
  skipped: 'not_in_progress',
  unknown: 'interrupted',
};

interface Built {
  bigId: string;
  live: Map<string, BroadcastProgress>;
}

/** Writes the database; returns the 100,000-recipient broadcast's id and the active ones' live progress. */
function build(db: Database): Built {
  const random = seeded(7);
  const insertB = db.prepare(
    `INSERT INTO broadcasts (id, created_by, draft_id, kind, origin_id, content, image_sha256, state, note, created_at,
       updated_at, expires_at, started_at, finished_at)
     VALUES (?, ?, NULL, 'original', NULL, ?, NULL, ?, NULL, ?, ?, ?, ?, ?)`,
  );
  const insertR = db.prepare(
    `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name,
       state, reason, batch_id, request_id, message_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
  );
  // Sizes: one of BIG, the others summing to the rest (50 … 850, scaled to hit RECIPIENTS exactly).
  const raw = Array.from({ length: BROADCASTS - 1 }, () => 50 + Math.floor(random() * 800));
  const scale = (RECIPIENTS - BIG) / raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((n) => Math.max(1, Math.round(n * scale)));
  sizes[0] = (sizes[0] ?? 0) + (RECIPIENTS - BIG - sizes.reduce((a, b) => a + b, 0));
  const bigIndex = 10;
  sizes.splice(bigIndex, 0, BIG);

  // A few recent broadcasts still sending (the 100,000 one is final here; see the last report row).
  const active = new Set<number>(Array.from({ length: ACTIVE }, (_, n) => n * 3 + 2));
  active.delete(bigIndex);
  const live = new Map<string, BroadcastProgress>();
  let event = 0;
  db.transaction(() => {
    sizes.forEach((size, index) => {
      const id = uuid(index + 1);
      // Index 0 is the newest; spread over ~18 months.
      const createdAt = NOW - Math.floor((index / BROADCASTS) * 540 * DAY) - Math.floor(random() * 3_600_000);
      const final = !active.has(index);
      const broadcastState: BroadcastStateName = final ? (FINAL_MIX[index % FINAL_MIX.length] ?? 'completed') : 'sending';
      const body = content(index, random);
      insertB.run(id, body.senderId, JSON.stringify(body), broadcastState, createdAt, createdAt, createdAt + DAY, createdAt + 1000, final ? createdAt + 600_000 : null);
      const counts = { line: zero(), whatsapp: zero() };
      for (let n = 0; n < size; n += 1) {
        const channel = random() < 0.7 ? 'line' : 'whatsapp';
        const account = channel === 'line' ? (LINE_CHANNELS[n % 2] ?? '') : (WA_NUMBERS[n % 2] ?? '');
        const state = pickState(random, final);
        counts[channel][state === 'in_flight' ? 'inFlight' : state] += 1;
        event += 1;
        insertR.run(
          id,
          `evt-${event}`,
          channel,
          account,
          channel === 'line' ? `U${event.toString(16).padStart(32, '0')}` : `8869${String(event).padStart(8, '0')}`,
          `顧客 Customer ${event}`,
          state,
          REASON[state] ?? null,
          channel === 'line' && state === 'accepted' ? `req-${Math.floor(n / 500)}` : null,
          channel === 'whatsapp' && state === 'accepted' ? `wamid.${event}` : null,
          createdAt + n,
        );
      }
      if (!final) live.set(id, progress(id, broadcastState, createdAt, counts));
    });
  })();
  const reports = reportsFor(db, live);
  for (let index = 0; index < sizes.length; index += 1) if (!active.has(index)) reports.recordTotals(uuid(index + 1));
  return { bigId: uuid(bigIndex + 1), live };
}

function zero(): RecipientCounts {
  return { pending: 0, inFlight: 0, accepted: 0, failed: 0, skipped: 0, unknown: 0 };
}

function progress(id: string, state: BroadcastStateName, createdAt: number, counts: { line: RecipientCounts; whatsapp: RecipientCounts }): BroadcastProgress {
  const total = zero();
  for (const key of Object.keys(total) as Array<keyof RecipientCounts>) total[key] = counts.line[key] + counts.whatsapp[key];
  return {
    id,
    draftId: null,
    state,
    note: null,
    total: Object.values(total).reduce((a, b) => a + b, 0),
    counts: total,
    line: counts.line,
    whatsapp: counts.whatsapp,
    ratePerSecond: 0,
    etaSeconds: null,
    createdAt,
    startedAt: createdAt + 1000,
    finishedAt: null,
    expiresAt: createdAt + DAY,
  };
}

function reportsFor(db: Database, live: Map<string, BroadcastProgress>): Reports {
  return createReports({ db, clock: { now: () => NOW }, logger: silentLogger, live: (id) => live.get(id) ?? null });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

/** Runs `work` RUNS times; the first (cold: statements compiled, pages read) is kept apart. */
function time(work: () => unknown): { median: number; cold: number; runs: number[] } {
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    work();
    runs.push(performance.now() - started);
  }
  return { median: median(runs), cold: runs[0] ?? Number.NaN, runs };
}

function row(name: string, targetMs: number, measured: { median: number; cold: number }, notes: string): BenchRow {
  const ratio = measured.median / targetMs;
  return {
    name,
    measured: `${ms(measured.median)} (median of ${RUNS})`,
    baseline: `issue 7 target: ${targetMs} ms`,
    ratio,
    target: '≤ 1',
    pass: ratio <= 1,
    notes: `first (cold) run ${ms(measured.cold)}; ${notes}`,
  };
}

export const benchmark: Benchmark = {
  title: 'Sent history and report',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'omo-bench-history-'));
    const file = path.join(dir, 'history.sqlite');
    try {
      const buildStarted = performance.now();
      const writer = openDatabase(file);
      const { bigId, live } = build(writer);
      writer.close();
      const buildSeconds = (performance.now() - buildStarted) / 1000;

      // A fresh connection: SQLite's page cache is empty, as after an app start.
      const db = openDatabase(file);
      try {
        const counted = db.prepare('SELECT (SELECT count(*) FROM broadcasts) AS b, (SELECT count(*) FROM broadcast_recipients) AS r').get() as { b: number; r: number };
        if (counted.b !== BROADCASTS || counted.r !== RECIPIENTS) throw new Error(`built ${counted.b} broadcasts, ${counted.r} recipients`);
        const reports = reportsFor(db, live);
        const scale = `${BROADCASTS.toLocaleString('en-US')} broadcasts, ${RECIPIENTS.toLocaleString('en-US')} recipients (built in ${buildSeconds.toFixed(1)} s)`;

        const list = time(() => reports.list({ limit: 50 }));
        const listLine = time(() => reports.list({ limit: 50, channel: 'whatsapp', state: 'active' }));
        const listSearch = time(() => reports.list({ limit: 50, search: 'weekend' }));
        const detail = time(() => reports.get(bigId, { state: 'reported', reportedAt: NOW, attempts: 1, lastError: null }));
        const page = time(() => reports.recipients({ id: bigId, offset: 0, limit: 500 }));
        const deep = time(() => reports.recipients({ id: bigId, offset: 90_000, limit: 500 }));
        const failedPage = time(() => reports.recipients({ id: bigId, state: 'failed', channel: 'line', offset: 1_000, limit: 500 }));
        const from = NOW - 365 * DAY;
        const year = time(() => reports.report({ from, to: NOW + 1, utcOffsetMinutes: 480 }));
        const unreported = time(() => reports.report({ from, to: NOW + 1, utcOffsetMinutes: 480 }, { unreportedOnly: true }));
        const yearRows = reports.report({ from, to: NOW + 1, utcOffsetMinutes: 480 }).rows.length;
        const csv = time(() => reports.exportCsv(bigId, 'zh-TW'));
        // Last, as it changes the database: the 100,000-recipient broadcast still sending, so counted live.
        db.prepare("UPDATE broadcasts SET state = 'sending' WHERE id = ?").run(bigId);
        db.prepare('DELETE FROM broadcast_totals WHERE broadcast_id = ?').run(bigId);
        const yearWhileSending = time(() => reports.report({ from, to: NOW + 1, utcOffsetMinutes: 480 }));

        return [
          row('History list: first page (50), no filter', 300, list, `${scale}; ${ACTIVE} active broadcasts counted from live progress`),
          row('History list: first page, WhatsApp + active filter', 300, listLine, 'recipients EXISTS through the covering index'),
          row('History list: first page, text search', 300, listSearch, 'instr(lower(json_extract(content))) over every broadcast'),
          row('Detail: header of the 100,000-recipient broadcast (history.get)', 100, detail, 'totals, problems grouped by reason (~15,000 failed/unknown rows read), retryable failures joined to the events cache (empty here: lookups miss)'),
          row('Detail: page of 500 of the 100,000-recipient broadcast (offset 0)', 100, page, 'rows + total count'),
          row('Detail: deep page of 500 (offset 90,000)', 100, deep, 'OFFSET steps through broadcast_recipients_by_state entries'),
          row('Detail: page of 500, failed on LINE (offset 1,000)', 100, failedPage, 'broadcast_recipients_by_channel_state, no sort'),
          row("Report: a year's counters by day, channel, sender", 300, year, `${yearRows} rows; totals for final broadcasts, live GROUP BY for ${ACTIVE} active`),
          row("Report: a year's unreported counters (the platform merge)", 300, unreported, 'NOT EXISTS on broadcast_reports by key'),
          row('CSV export of the 100,000-recipient broadcast', 2000, csv, 'no issue target; 2 s budget chosen here for a one-off export'),
          row("Report: a year's counters while the 100,000-recipient broadcast is sending", 300, yearWhileSending, 'its counters by GROUP BY over the covering index, WhatsApp numbers grouped (their links differ)'),
        ];
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
