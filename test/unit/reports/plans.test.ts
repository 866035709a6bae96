import { describe, expect, it } from 'vitest';
import type { Database } from '../../../main/store/db';
import {
  type BoundSql,
  type HistoryFilter,
  REPORTS_SQL,
  type RecipientFilter,
  historySql,
  packedPageSql,
  prepareReportStatements,
  recipientCountSql,
  recipientPageSql,
  recipientSegmentsSql,
} from '../../../main/store/reports';
import { makeTestDatabase } from '../../helpers/tmp';
import { batchId, insertBroadcast, many, members, uuid } from './fixtures';

/**
 * The history must stay fast at 2,000 broadcasts and 1,000,000 recipient rows: every statement is held to the index
 * it was written for. The app never runs ANALYZE, so these plans (no statistics) are the ones users get.
 */

function open(): Database {
  const db = makeTestDatabase('reports-plans');
  prepareReportStatements(db);
  // A little data, so nothing is planned against empty tables.
  for (let n = 1; n <= 3; n += 1) {
    insertBroadcast(db, { id: uuid(n), createdAt: n, state: 'completed', recipients: many(5, { channel: 'line', state: 'accepted' }) });
  }
  // And one still sending with its LINE recipients packed in batches.
  insertBroadcast(db, {
    id: uuid(4),
    createdAt: 4,
    state: 'sending',
    recipients: [],
    batches: [
      { seq: 1, state: 'accepted', outcome: 'accepted', members: members('p1', 'p2') },
      { seq: 2, state: 'pending', members: members('p3') },
    ],
  });
  return db;
}

function plan(database: Database, sql: string, params: BoundSql['params'] | unknown[] = []): string[] {
  const statement = database.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (Array.isArray(params) ? statement.all(...params) : statement.all(params)) as Array<{ detail: string }>;
  return rows.map((row) => row.detail);
}

/** No table of the history is read whole: a SCAN is only allowed as an ordered walk of broadcasts_by_created_at. */
function expectNoFullScan(lines: readonly string[]): void {
  for (const line of lines) {
    if (!line.startsWith('SCAN')) continue;
    expect(line, lines.join(' | ')).toBe('SCAN b USING INDEX broadcasts_by_created_at');
  }
}

/**
 * Packed members are read only out of batches found by an index (their members by the batch's key): the one SCAN
 * allowed is json_each over the members of such a batch (the view broadcast_members), besides a constant row.
 */
function expectOnlyMembersScanned(lines: readonly string[]): void {
  for (const line of lines) {
    if (!line.startsWith('SCAN')) continue;
    expect(['SCAN m VIRTUAL TABLE INDEX 1:', 'SCAN CONSTANT ROW'], lines.join(' | ')).toContain(line);
  }
}

const history = (filter: Omit<HistoryFilter, 'limit'>): BoundSql => historySql({ limit: 51, ...filter });

describe('query plans', () => {
  it('history list: walks broadcasts_by_created_at newest first, seeks the cursor, a state filter uses broadcasts_by_state', () => {
    const database = open();
    const first = plan(database, history({}).sql, history({}).params);
    expect(first[0]).toBe('SCAN b USING INDEX broadcasts_by_created_at');
    const next = history({ after: { createdAt: 5, id: uuid(9) } });
    expect(plan(database, next.sql, next.params)[0]).toBe('SEARCH b USING INDEX broadcasts_by_created_at (created_at<?)');
    const range = history({ from: 1, to: 9 });
    expect(plan(database, range.sql, range.params)[0]).toBe('SEARCH b USING INDEX broadcasts_by_created_at (created_at>? AND created_at<?)');
    const active = history({ states: ['queued', 'sending', 'paused', 'waiting_for_network'] });
    expect(plan(database, active.sql, active.params)[0]).toBe('SEARCH b USING INDEX broadcasts_by_state (state=?)');
    for (const filter of [{}, { search: 'sale' }, { search: 'ánh' }, { channel: 'line' as const }, { states: ['completed' as const] }]) {
      const bound = history(filter);
      expectNoFullScan(plan(database, bound.sql, bound.params));
    }
  });

  it('history list: the channel filter reads totals by key and probes recipients through the covering index', () => {
    const database = open();
    const bound = history({ channel: 'whatsapp' });
    const lines = plan(database, bound.sql, bound.params);
    expect(lines).toContain('SEARCH t USING INDEX sqlite_autoindex_broadcast_totals_1 (broadcast_id=? AND channel=?)');
    expect(lines).toContain('SEARCH r USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=?)');
    expect(lines.join('\n')).not.toMatch(/broadcast_batches_packed/);
    expectNoFullScan(lines);
    // LINE: also one probe for packed batches.
    const line = history({ channel: 'line' });
    const lineLines = plan(database, line.sql, line.params);
    expect(lineLines).toContain('SEARCH r USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=?)');
    expect(lineLines).toContain('SEARCH p USING INDEX broadcast_batches_packed (broadcast_id=?)');
    expectNoFullScan(lineLines);
  });

  it('recipients page: every filter reads an index already in (state, rowid) order, so no sort and no table scan', () => {
    const database = open();
    const cases: Array<[Omit<RecipientFilter, 'broadcastId'>, string]> = [
      [{}, 'SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_state (broadcast_id=?)'],
      [{ state: 'failed' }, 'SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_state (broadcast_id=? AND state=?)'],
      [{ channel: 'line' }, 'SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=?)'],
      [
        { channel: 'line', state: 'failed' },
        'SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=? AND state=?)',
      ],
      [{ search: 'amy' }, 'SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_state (broadcast_id=?)'],
    ];
    for (const [filter, expected] of cases) {
      for (const offset of [0, 90_000]) {
        const bound = recipientPageSql({ broadcastId: uuid(1), ...filter }, { offset, limit: 500 });
        expect(plan(database, bound.sql, bound.params)).toEqual([expected]);
      }
    }
    expect(plan(database, REPORTS_SQL.allRecipients, [uuid(1)])).toEqual(['SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_state (broadcast_id=?)']);
  });

  it('recipients count: a covering index range, without reading rows', () => {
    const database = open();
    const cases: Array<[Omit<RecipientFilter, 'broadcastId'>, string]> = [
      [{}, 'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=?)'],
      [{ state: 'failed' }, 'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_state (broadcast_id=? AND state=?)'],
      [{ channel: 'whatsapp' }, 'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=?)'],
      [
        { channel: 'whatsapp', state: 'accepted' },
        'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=? AND state=?)',
      ],
    ];
    for (const [filter, expected] of cases) {
      const bound = recipientCountSql({ broadcastId: uuid(1), ...filter });
      expect(plan(database, bound.sql, bound.params)).toEqual([expected]);
    }
  });

  it('report: broadcasts by created_at, totals and platform reports by key, never a recipient row', () => {
    const database = open();
    const lines = plan(database, REPORTS_SQL.reportSource, { from: 0, to: 10, unreportedOnly: 1 });
    expect(lines[0]).toBe('SEARCH b USING INDEX broadcasts_by_created_at (created_at<?)');
    expect(lines).toContain('SEARCH t USING INDEX sqlite_autoindex_broadcast_totals_1 (broadcast_id=?) LEFT-JOIN');
    expect(lines).toContain('SEARCH p USING INDEX sqlite_autoindex_broadcast_reports_1 (broadcast_id=?)');
    expect(lines.join('\n')).not.toMatch(/broadcast_recipients/);
    expectNoFullScan(lines);
  });

  it('detail: totals, retries, retryable failures and per-number counts each use their index', () => {
    const database = open();
    expect(plan(database, REPORTS_SQL.totals, [uuid(1)])).toEqual(['SEARCH broadcast_totals USING INDEX sqlite_autoindex_broadcast_totals_1 (broadcast_id=?)']);
    expect(plan(database, REPORTS_SQL.retries, [uuid(1)])[0]).toBe('SEARCH b USING INDEX broadcasts_by_origin (origin_id=?)');
    // Rows: by state, each candidate's coverage by key. Packed members: the origin's batches by index, each member's
    // event by key. What retries hold packed is gathered once per arm (a LIST SUBQUERY, not a correlated one).
    const coveredPacked = [
      'SEARCH c USING INDEX broadcasts_by_origin (origin_id=?)',
      'SEARCH t USING INDEX broadcast_batches_packed (broadcast_id=?)',
      'SEARCH p USING INDEX sqlite_autoindex_broadcast_batch_members_1 (broadcast_id=? AND batch_id=?)',
      'SCAN m VIRTUAL TABLE INDEX 1:',
      'CREATE BLOOM FILTER',
    ];
    const coveredRow = ['SEARCH c USING INDEX broadcasts_by_origin (origin_id=?)', 'SEARCH cr USING INDEX sqlite_autoindex_broadcast_recipients_1 (broadcast_id=? AND event_id=?)'];
    expect(plan(database, REPORTS_SQL.retryableFailed, { id: uuid(1) })).toEqual([
      'SCAN CONSTANT ROW',
      'SCALAR SUBQUERY 3',
      'SEARCH r USING INDEX broadcast_recipients_by_state (broadcast_id=? AND state=?)',
      'LIST SUBQUERY 2',
      ...coveredPacked,
      'CORRELATED SCALAR SUBQUERY 1',
      ...coveredRow,
      'SEARCH e USING INDEX sqlite_autoindex_events_1 (id=?)',
      'SCALAR SUBQUERY 6',
      'SEARCH t USING INDEX broadcast_batches_packed (broadcast_id=?)',
      'SEARCH p USING INDEX sqlite_autoindex_broadcast_batch_members_1 (broadcast_id=? AND batch_id=?)',
      'SCAN m VIRTUAL TABLE INDEX 1:',
      'LIST SUBQUERY 5',
      ...coveredPacked,
      'CORRELATED SCALAR SUBQUERY 4',
      ...coveredRow,
      'SEARCH e USING INDEX sqlite_autoindex_events_1 (id=?)',
    ]);
    const unknown = plan(database, REPORTS_SQL.uncoveredUnknown, { id: uuid(1) });
    expect(unknown).toContain('SEARCH r USING INDEX broadcast_recipients_by_state (broadcast_id=? AND state=?)');
    expect(unknown.filter((line) => line.startsWith('LIST SUBQUERY'))).toHaveLength(2);
    expectOnlyMembersScanned(unknown);
    const byAccount = plan(database, REPORTS_SQL.acceptedByAccount, { id: uuid(1), channel: 'whatsapp' });
    expect(byAccount).toContain('SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=? AND state=?)');
    expect(byAccount).toContain('SEARCH broadcast_batches USING INDEX broadcast_batches_packed (broadcast_id=?)');
    const backfill = plan(database, REPORTS_SQL.finalWithoutTotals);
    expect(backfill[0]).toBe('SEARCH b USING INDEX broadcasts_by_state (state=?)');
    expectNoFullScan(backfill);
  });

  it('packed members: counted from their batch rows, and expanded only one batch (by its key) at a time for a page', () => {
    const database = open();
    expect(plan(database, REPORTS_SQL.hasPacked, [uuid(4)])).toEqual([
      'SCAN CONSTANT ROW',
      'SCALAR SUBQUERY 1',
      'SEARCH broadcast_batches USING COVERING INDEX broadcast_batches_packed (broadcast_id=?)',
    ]);
    expect(plan(database, REPORTS_SQL.countByChannelState, { id: uuid(4) })).toEqual([
      'COMPOUND QUERY',
      'LEFT-MOST SUBQUERY',
      'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=?)',
      'UNION ALL',
      'SEARCH broadcast_batches USING INDEX broadcast_batches_packed (broadcast_id=?)',
      'USE TEMP B-TREE FOR GROUP BY',
    ]);

    // Segments: the rows per state through a covering index (in state order), the batches in seq order, no sort.
    const cases: Array<[Omit<RecipientFilter, 'broadcastId'>, string]> = [
      [{}, 'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_state (broadcast_id=?)'],
      [{ state: 'failed' }, 'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_state (broadcast_id=? AND state=?)'],
      [{ channel: 'line' }, 'SEARCH broadcast_recipients USING COVERING INDEX broadcast_recipients_by_channel_state (broadcast_id=? AND channel=?)'],
    ];
    for (const [filter, rows] of cases) {
      const bound = recipientSegmentsSql({ broadcastId: uuid(4), ...filter });
      expect(plan(database, bound.rows.sql, bound.rows.params)).toEqual([rows]);
      expect(plan(database, bound.packed.sql, bound.packed.params)).toEqual(['SEARCH broadcast_batches USING INDEX broadcast_batches_packed (broadcast_id=?)']);
    }
    // A search reads the names: the rows of the broadcast, the members of its packed batches; still no sort.
    const search = recipientSegmentsSql({ broadcastId: uuid(4), search: 'ámy' });
    expect(plan(database, search.rows.sql, search.rows.params)).toEqual(['SEARCH broadcast_recipients USING INDEX broadcast_recipients_by_state (broadcast_id=?)']);
    expect(plan(database, search.packed.sql, search.packed.params)).toEqual([
      'SEARCH t USING INDEX broadcast_batches_packed (broadcast_id=?)',
      'SEARCH p USING INDEX sqlite_autoindex_broadcast_batch_members_1 (broadcast_id=? AND batch_id=?)',
      'SCAN m VIRTUAL TABLE INDEX 1:',
    ]);

    for (const filter of [{}, { state: 'accepted' as const, channel: 'line' as const }, { search: 'amy' }]) {
      const page = packedPageSql({ broadcastId: uuid(4), ...filter }, batchId(1), { offset: 100, limit: 500 });
      expect(plan(database, page.sql, page.params)).toEqual([
        'SEARCH t USING INDEX sqlite_autoindex_broadcast_batches_1 (broadcast_id=? AND batch_id=?)',
        'SEARCH p USING INDEX sqlite_autoindex_broadcast_batch_members_1 (broadcast_id=? AND batch_id=?)',
        'SCAN m VIRTUAL TABLE INDEX 1:',
        // At most 500 members, by position.
        'USE TEMP B-TREE FOR ORDER BY',
      ]);
    }
  });
});
