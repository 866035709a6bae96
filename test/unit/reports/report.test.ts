import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../../main/rpc';
import type { Database } from '../../../main/store/db';
import { listTotals } from '../../../main/store/reports';
import { makeTestDatabase } from '../../helpers/tmp';
import {
  T0,
  WA_NUMBER_A,
  WA_NUMBER_B,
  insertBroadcast,
  makeContent,
  makeReports,
  many,
  markReported,
  uuid,
  waEntry,
} from './fixtures';

function open(): Database {
  return makeTestDatabase('reports-report');
}

const DAY = 86_400_000;
/** Midnight 2026-05-14 in Taipei (UTC+8) = 16:00 UTC the day before. */
const TPE_MIDNIGHT = Date.UTC(2026, 4, 13, 16, 0);
const RANGE = { from: TPE_MIDNIGHT - 7 * DAY, to: TPE_MIDNIGHT + 7 * DAY, utcOffsetMinutes: 480 };

const TWO_OFFICIAL_ONE_OTHER = makeContent({
  links: [
    { url: 'https://shop.example/a', kind: 'official' },
    { url: 'https://m.shop.example/b', kind: 'official' },
    { url: 'https://maps.example/c', kind: 'other' },
  ],
});

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppFailure) return error.code;
    throw error;
  }
  return 'no failure';
}

describe('report: the counting rules', () => {
  it('LINE: one message per accepted recipient, every link of the message per accepted recipient; nothing else counts', () => {
    const database = open();
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: TPE_MIDNIGHT + 3_600_000,
      state: 'completed_with_failures',
      content: TWO_OFFICIAL_ONE_OTHER,
      recipients: [
        ...many(10, { channel: 'line', state: 'accepted' }),
        ...many(3, { channel: 'line', state: 'failed' }),
        ...many(2, { channel: 'line', state: 'skipped' }),
        ...many(4, { channel: 'line', state: 'unknown', reason: 'timeout' }),
      ],
    });
    const reports = makeReports(database);
    expect(reports.recordTotals(uuid(1))).toEqual([{ channel: 'line', accepted: 10, officialLinks: 20, otherLinks: 10 }]);
    const report = reports.report(RANGE);
    expect(report.rows).toEqual([{ day: '2026-05-14', channel: 'line', senderId: 'u-sales', senderName: 'Amy 王', messages: 10, officialLinks: 20, otherLinks: 10 }]);
    expect(report.totals).toEqual({ messages: 10, officialLinks: 20, otherLinks: 10 });
  });

  it('WhatsApp: each number counts its own template links (none when it has none) per accepted recipient', () => {
    const database = open();
    const content = makeContent({
      whatsapp: [
        waEntry(WA_NUMBER_A, [
          { url: 'https://shop.example/wa', kind: 'official' },
          { url: 'https://maps.example/wa', kind: 'other' },
        ]),
        waEntry(WA_NUMBER_B),
      ],
    });
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: TPE_MIDNIGHT,
      state: 'completed',
      content,
      recipients: [
        ...many(3, { channel: 'whatsapp', state: 'accepted', account: WA_NUMBER_A }),
        ...many(1, { channel: 'whatsapp', state: 'failed', account: WA_NUMBER_A, reason: 'wa_undeliverable' }),
        ...many(5, { channel: 'whatsapp', state: 'accepted', account: WA_NUMBER_B }),
        ...many(2, { channel: 'line', state: 'accepted' }),
      ],
    });
    const reports = makeReports(database);
    expect(reports.recordTotals(uuid(1))).toEqual([
      // LINE: content.links (one official) per accepted LINE recipient.
      { channel: 'line', accepted: 2, officialLinks: 2, otherLinks: 0 },
      { channel: 'whatsapp', accepted: 8, officialLinks: 3, otherLinks: 3 },
    ]);
  });

  it('WhatsApp: numbers sending as many links are counted without grouping by number', () => {
    const database = open();
    const links = [{ url: 'https://shop.example/wa', kind: 'official' as const }];
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: TPE_MIDNIGHT,
      state: 'completed',
      content: makeContent({ whatsapp: [waEntry(WA_NUMBER_A, links), waEntry(WA_NUMBER_B, links)] }),
      recipients: [...many(3, { channel: 'whatsapp', state: 'accepted', account: WA_NUMBER_A }), ...many(4, { channel: 'whatsapp', state: 'accepted', account: WA_NUMBER_B })],
    });
    expect(makeReports(database).recordTotals(uuid(1))).toEqual([{ channel: 'whatsapp', accepted: 7, officialLinks: 7, otherLinks: 0 }]);
  });

  it('buckets by the user calendar day of started_at (else created_at) around midnight at +480', () => {
    const database = open();
    const line = many(1, { channel: 'line' as const, state: 'accepted' as const });
    // 23:59:59.999 on the 13th in Taipei.
    insertBroadcast(database, { id: uuid(1), createdAt: TPE_MIDNIGHT - 1, state: 'completed', recipients: line });
    // 00:00 on the 14th.
    insertBroadcast(database, { id: uuid(2), createdAt: TPE_MIDNIGHT, state: 'completed', recipients: line });
    // Created on the 13th, started on the 14th: the start decides.
    insertBroadcast(database, { id: uuid(3), createdAt: TPE_MIDNIGHT - 600_000, startedAt: TPE_MIDNIGHT + 600_000, state: 'completed', recipients: line });
    // Never started (expired while queued): its creation decides.
    insertBroadcast(database, { id: uuid(4), createdAt: TPE_MIDNIGHT - 2, startedAt: null, state: 'expired', recipients: many(1, { channel: 'line', state: 'skipped', reason: 'expired' }) });
    const reports = makeReports(database);
    for (const n of [1, 2, 3, 4]) reports.recordTotals(uuid(n));
    expect(reports.report(RANGE).rows.map((row) => [row.day, row.messages])).toEqual([
      ['2026-05-13', 1],
      ['2026-05-14', 2],
    ]);
    // The same broadcasts in UTC: all on the 13th.
    expect(reports.report({ ...RANGE, utcOffsetMinutes: 0 }).rows.map((row) => [row.day, row.messages])).toEqual([['2026-05-13', 3]]);
  });

  it('takes broadcasts counted in [from, to): from inclusive, to exclusive', () => {
    const database = open();
    const line = many(1, { channel: 'line' as const, state: 'accepted' as const });
    insertBroadcast(database, { id: uuid(1), createdAt: TPE_MIDNIGHT - 1, state: 'completed', recipients: line });
    insertBroadcast(database, { id: uuid(2), createdAt: TPE_MIDNIGHT, state: 'completed', recipients: line });
    insertBroadcast(database, { id: uuid(3), createdAt: TPE_MIDNIGHT + DAY - 1, state: 'completed', recipients: line });
    insertBroadcast(database, { id: uuid(4), createdAt: TPE_MIDNIGHT + DAY, state: 'completed', recipients: line });
    // Created before `from`, started inside: counted.
    insertBroadcast(database, { id: uuid(5), createdAt: TPE_MIDNIGHT - 5000, startedAt: TPE_MIDNIGHT + 5000, state: 'completed', recipients: line });
    const reports = makeReports(database);
    for (const n of [1, 2, 3, 4, 5]) reports.recordTotals(uuid(n));
    expect(reports.report({ from: TPE_MIDNIGHT, to: TPE_MIDNIGHT + DAY, utcOffsetMinutes: 480 }).totals.messages).toBe(3);
  });

  it('splits by channel and sender, and sums the totals', () => {
    const database = open();
    const content = (senderId: string, senderName: string) =>
      makeContent({ senderId, senderName, whatsapp: [waEntry(WA_NUMBER_A, [{ url: 'https://x.example', kind: 'other' }])] });
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: TPE_MIDNIGHT + 1,
      state: 'completed',
      content: content('u-amy', 'Amy'),
      recipients: [...many(2, { channel: 'line', state: 'accepted' }), ...many(3, { channel: 'whatsapp', state: 'accepted' })],
    });
    insertBroadcast(database, { id: uuid(2), createdAt: TPE_MIDNIGHT + 2, state: 'completed', content: content('u-bob', 'Bob'), recipients: many(4, { channel: 'line', state: 'accepted' }) });
    insertBroadcast(database, { id: uuid(3), createdAt: TPE_MIDNIGHT + 3, state: 'completed', content: content('u-amy', 'Amy Wang'), recipients: many(1, { channel: 'line', state: 'accepted' }) });
    // Nothing accepted: no row at all.
    insertBroadcast(database, { id: uuid(4), createdAt: TPE_MIDNIGHT + 4, state: 'cancelled', content: content('u-cat', 'Cat'), recipients: many(3, { channel: 'line', state: 'skipped', reason: 'cancelled' }) });
    const reports = makeReports(database);
    for (const n of [1, 2, 3, 4]) reports.recordTotals(uuid(n));
    const report = reports.report(RANGE);
    expect(report.rows).toEqual([
      // The later name of a renamed sender.
      { day: '2026-05-14', channel: 'line', senderId: 'u-amy', senderName: 'Amy Wang', messages: 3, officialLinks: 3, otherLinks: 0 },
      { day: '2026-05-14', channel: 'line', senderId: 'u-bob', senderName: 'Bob', messages: 4, officialLinks: 4, otherLinks: 0 },
      { day: '2026-05-14', channel: 'whatsapp', senderId: 'u-amy', senderName: 'Amy', messages: 3, officialLinks: 0, otherLinks: 3 },
    ]);
    expect(report.totals).toEqual({ messages: 10, officialLinks: 7, otherLinks: 3 });
  });

  it('counts broadcasts without totals (active, or not recorded yet) live from their recipients', () => {
    const database = open();
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: TPE_MIDNIGHT,
      state: 'sending',
      content: TWO_OFFICIAL_ONE_OTHER,
      recipients: [...many(4, { channel: 'line', state: 'accepted' }), ...many(6, { channel: 'line', state: 'pending' })],
    });
    insertBroadcast(database, { id: uuid(2), createdAt: TPE_MIDNIGHT + 1, state: 'completed', content: TWO_OFFICIAL_ONE_OTHER, recipients: many(1, { channel: 'line', state: 'accepted' }) });
    expect(makeReports(database).report(RANGE).totals).toEqual({ messages: 5, officialLinks: 10, otherLinks: 5 });
  });

  it('unreportedOnly: leaves out broadcasts the platform already has', () => {
    const database = open();
    const line = (n: number) => many(n, { channel: 'line' as const, state: 'accepted' as const });
    insertBroadcast(database, { id: uuid(1), createdAt: TPE_MIDNIGHT + 1, state: 'completed', recipients: line(1) });
    insertBroadcast(database, { id: uuid(2), createdAt: TPE_MIDNIGHT + 2, state: 'completed', recipients: line(10) });
    insertBroadcast(database, { id: uuid(3), createdAt: TPE_MIDNIGHT + 3, state: 'completed', recipients: line(100) });
    insertBroadcast(database, { id: uuid(4), createdAt: TPE_MIDNIGHT + 4, state: 'sending', recipients: line(1000) });
    const reports = makeReports(database);
    for (const n of [1, 2, 3]) reports.recordTotals(uuid(n));
    markReported(database, uuid(1), 'reported');
    markReported(database, uuid(2), 'pending');
    expect(reports.report(RANGE).totals.messages).toBe(1111);
    expect(reports.report(RANGE, { unreportedOnly: true }).totals.messages).toBe(1110);
  });
});

describe('recordTotals and backfillTotals', () => {
  it('writes per-channel totals and is idempotent: a second call replaces, never adds', () => {
    const database = open();
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: T0,
      state: 'completed_with_failures',
      content: TWO_OFFICIAL_ONE_OTHER,
      recipients: [...many(2, { channel: 'line', state: 'accepted' }), { channel: 'line', state: 'failed' }, { channel: 'line', state: 'skipped' }, { channel: 'whatsapp', state: 'unknown', reason: 'interrupted' }],
    });
    const reports = makeReports(database);
    const first = reports.recordTotals(uuid(1));
    const second = reports.recordTotals(uuid(1));
    expect(second).toEqual(first);
    expect(listTotals(database, uuid(1))).toEqual([
      { channel: 'line', recipients: 4, accepted: 2, failed: 1, skipped: 1, unknown: 0, officialLinks: 4, otherLinks: 2 },
      { channel: 'whatsapp', recipients: 1, accepted: 0, failed: 0, skipped: 0, unknown: 1, officialLinks: 0, otherLinks: 0 },
    ]);
  });

  it('refuses a broadcast not final, final with recipients not settled, or unknown', () => {
    const database = open();
    insertBroadcast(database, { id: uuid(1), createdAt: T0, state: 'sending', recipients: many(1, { channel: 'line', state: 'accepted' }) });
    insertBroadcast(database, { id: uuid(2), createdAt: T0, state: 'cancelled', recipients: [{ channel: 'line', state: 'accepted' }, { channel: 'line', state: 'pending' }] });
    insertBroadcast(database, { id: uuid(3), createdAt: T0, state: 'cancelled', recipients: [{ channel: 'whatsapp', state: 'in_flight' }] });
    const reports = makeReports(database);
    expect(code(() => reports.recordTotals(uuid(1)))).toBe('broadcast_active');
    expect(code(() => reports.recordTotals(uuid(2)))).toBe('broadcast_active');
    expect(code(() => reports.recordTotals(uuid(3)))).toBe('broadcast_active');
    expect(code(() => reports.recordTotals(uuid(404)))).toBe('not_found');
    for (const n of [1, 2, 3]) expect(listTotals(database, uuid(n))).toEqual([]);
  });

  it('backfills final, settled broadcasts without totals, once', () => {
    const database = open();
    const line = many(2, { channel: 'line' as const, state: 'accepted' as const });
    insertBroadcast(database, { id: uuid(1), createdAt: T0, state: 'completed', recipients: line });
    insertBroadcast(database, { id: uuid(2), createdAt: T0 + 1, state: 'expired', recipients: many(1, { channel: 'line', state: 'skipped', reason: 'expired' }) });
    insertBroadcast(database, { id: uuid(3), createdAt: T0 + 2, state: 'sending', recipients: line });
    insertBroadcast(database, { id: uuid(4), createdAt: T0 + 3, state: 'cancelled', recipients: [{ channel: 'line', state: 'pending' }] });
    insertBroadcast(database, { id: uuid(5), createdAt: T0 + 4, state: 'completed', recipients: line });
    const reports = makeReports(database);
    reports.recordTotals(uuid(5));
    expect(reports.backfillTotals()).toBe(2);
    expect(listTotals(database, uuid(1))).toHaveLength(1);
    expect(listTotals(database, uuid(2))).toHaveLength(1);
    // Active, and cancelled with its sweep unfinished: left for the outbox to settle.
    expect(listTotals(database, uuid(3))).toEqual([]);
    expect(listTotals(database, uuid(4))).toEqual([]);
    expect(reports.backfillTotals()).toBe(0);
  });
});
