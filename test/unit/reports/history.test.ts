import { describe, expect, it } from 'vitest';
import { BroadcastDetail, HistoryPage, RecipientsPage } from '../../../preload/contract';
import { titleOf } from '../../../main/reports';
import { AppFailure } from '../../../main/rpc';
import type { Database } from '../../../main/store/db';
import { makeTestDatabase } from '../../helpers/tmp';
import {
  LINE_CHANNEL,
  NO_REPORT,
  SHA,
  T0,
  WA_NUMBER_A,
  WA_NUMBER_B,
  insertBroadcast,
  insertEvent,
  makeContent,
  makeReports,
  many,
  progressOf,
  uuid,
  waEntry,
} from './fixtures';

function open(): Database {
  return makeTestDatabase('reports-history');
}

const MINUTE = 60_000;

function failure(run: () => unknown): AppFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof AppFailure) return error;
    throw error;
  }
  throw new Error('expected an AppFailure');
}

/** Five completed LINE broadcasts a minute apart (ids 1..5), plus totals. */
function seedFive(database: Database): void {
  for (let n = 1; n <= 5; n += 1) {
    insertBroadcast(database, { id: uuid(n), createdAt: T0 + n * MINUTE, state: 'completed', recipients: many(2, { channel: 'line', state: 'accepted' }) });
  }
  const reports = makeReports(database);
  for (let n = 1; n <= 5; n += 1) reports.recordTotals(uuid(n));
}

describe('history.list', () => {
  it('lists newest first, ties on created_at broken by id, and pages with a cursor', () => {
    const database = open();
    seedFive(database);
    // Same created_at as broadcast 5: ordered by id, descending.
    insertBroadcast(database, { id: uuid(9), createdAt: T0 + 5 * MINUTE, state: 'completed', recipients: many(1, { channel: 'line', state: 'accepted' }) });
    const reports = makeReports(database);

    const all = reports.list({ limit: 50 });
    expect(HistoryPage.parse(all)).toEqual(all);
    expect(all.items.map((item) => item.id)).toEqual([uuid(9), uuid(5), uuid(4), uuid(3), uuid(2), uuid(1)]);
    expect(all.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = reports.list({ limit: 4, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(2);
    expect(seen).toEqual(all.items.map((item) => item.id));
  });

  it('keeps its pages stable when broadcasts are sent between two pages', () => {
    const database = open();
    seedFive(database);
    const reports = makeReports(database);
    const first = reports.list({ limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual([uuid(5), uuid(4)]);
    // A new broadcast (newest) arrives while the user scrolls: the next page neither repeats nor skips.
    insertBroadcast(database, { id: uuid(6), createdAt: T0 + 6 * MINUTE, state: 'queued', recipients: many(1, { channel: 'line', state: 'pending' }) });
    const second = reports.list({ limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((item) => item.id)).toEqual([uuid(3), uuid(2)]);
    const third = reports.list({ limit: 2, cursor: second.nextCursor ?? '' });
    expect(third.items.map((item) => item.id)).toEqual([uuid(1)]);
    expect(third.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give', () => {
    const reports = makeReports(open());
    expect(failure(() => reports.list({ limit: 5, cursor: 'not-a-cursor' })).code).toBe('invalid_input');
    expect(failure(() => reports.list({ limit: 5, cursor: Buffer.from('{"a":1}').toString('base64url') })).code).toBe('invalid_input');
  });

  it('describes each broadcast: sender, channels, image, title, kind and origin, note', () => {
    const database = open();
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: T0,
      state: 'completed_with_failures',
      note: 'line_quota',
      imageSha256: SHA,
      content: makeContent({ text: '\n   \n  First real line  \nsecond', whatsapp: [waEntry(WA_NUMBER_A)] }),
      recipients: [{ channel: 'line', state: 'accepted' }, { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable' }],
    });
    insertBroadcast(database, {
      id: uuid(2),
      createdAt: T0 + MINUTE,
      state: 'sending',
      kind: 'retry_failed',
      originId: uuid(1),
      note: 'not_a_note_this_version_knows',
      content: makeContent({ text: null, lineText: null, links: [], whatsapp: [waEntry(WA_NUMBER_A, undefined, 'restock_notice')] }),
      recipients: [{ channel: 'whatsapp', state: 'pending' }],
    });
    const [retry, original] = makeReports(database).list({ limit: 10 }).items;
    expect(original).toMatchObject({
      id: uuid(1),
      kind: 'original',
      originId: null,
      senderId: 'u-sales',
      senderName: 'Amy 王',
      channels: ['line', 'whatsapp'],
      imageSha256: SHA,
      title: 'First real line',
      state: 'completed_with_failures',
      note: 'line_quota',
      total: 2,
      startedAt: T0,
    });
    // WhatsApp only, no text: the template's name; an unknown note is not passed on.
    expect(retry).toMatchObject({ kind: 'retry_failed', originId: uuid(1), channels: ['whatsapp'], title: 'restock_notice', note: null, imageSha256: null });
  });

  it('cuts the title at 80 characters without splitting an emoji', () => {
    expect(titleOf('a'.repeat(80), null)).toBe('a'.repeat(80));
    const long = titleOf(`${'😀'.repeat(100)}`, null);
    expect(Array.from(long)).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
    expect(long.includes('\uFFFD')).toBe(false);
    expect(titleOf(null, null)).toBe('');
  });

  it('counts final broadcasts from their totals, active ones from the outbox, and the rest with a GROUP BY', () => {
    const database = open();
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: T0,
      state: 'completed_with_failures',
      recipients: [...many(3, { channel: 'line', state: 'accepted' }), { channel: 'line', state: 'failed' }, { channel: 'whatsapp', state: 'unknown', reason: 'interrupted' }],
    });
    insertBroadcast(database, { id: uuid(2), createdAt: T0 + 1, state: 'sending', recipients: many(4, { channel: 'line', state: 'pending' }) });
    insertBroadcast(database, { id: uuid(3), createdAt: T0 + 2, state: 'paused', recipients: [...many(2, { channel: 'whatsapp', state: 'accepted' }), { channel: 'whatsapp', state: 'in_flight' }] });
    insertBroadcast(database, { id: uuid(4), createdAt: T0 + 3, state: 'expired', recipients: [{ channel: 'line', state: 'skipped', reason: 'expired' }] });
    const live = progressOf(uuid(2), {
      total: 4,
      counts: { pending: 1, inFlight: 1, accepted: 2, failed: 0, skipped: 0, unknown: 0 },
      line: { pending: 1, inFlight: 1, accepted: 2, failed: 0, skipped: 0, unknown: 0 },
    });
    const reports = makeReports(database, (id) => (id === uuid(2) ? live : null));
    reports.recordTotals(uuid(1));
    // Proof that the totals, not the rows, answer for a final broadcast: a row changed behind their back.
    database.prepare("UPDATE broadcast_recipients SET state = 'failed', reason = 'x' WHERE broadcast_id = ? AND state = 'accepted'").run(uuid(1));

    const byId = new Map(reports.list({ limit: 10 }).items.map((item) => [item.id, item]));
    expect(byId.get(uuid(1))).toMatchObject({ total: 5, counts: { pending: 0, inFlight: 0, accepted: 3, failed: 1, skipped: 0, unknown: 1 } });
    expect(byId.get(uuid(2))).toMatchObject({ total: 4, channels: ['line'], counts: live.counts });
    expect(byId.get(uuid(3))).toMatchObject({ total: 3, channels: ['whatsapp'], counts: { accepted: 2, inFlight: 1 } });
    // Final but not recorded yet (a crash before recordTotals): counted from its rows.
    expect(byId.get(uuid(4))).toMatchObject({ total: 1, channels: ['line'], counts: { skipped: 1 } });
  });

  it('filters by date range: from inclusive, to exclusive, on created_at', () => {
    const database = open();
    seedFive(database);
    const reports = makeReports(database);
    const ids = reports.list({ limit: 10, from: T0 + 2 * MINUTE, to: T0 + 4 * MINUTE }).items.map((item) => item.id);
    expect(ids).toEqual([uuid(3), uuid(2)]);
  });

  it('filters by state: active, completed, failures, cancelled, expired', () => {
    const database = open();
    const states = ['queued', 'sending', 'paused', 'waiting_for_network', 'completed', 'completed_with_failures', 'cancelled', 'expired'] as const;
    states.forEach((state, index) => {
      insertBroadcast(database, { id: uuid(index + 1), createdAt: T0 + index, state, recipients: [{ channel: 'line', state: 'accepted' }] });
    });
    const reports = makeReports(database);
    const ids = (state: 'active' | 'completed' | 'failures' | 'cancelled' | 'expired'): string[] =>
      reports.list({ limit: 50, state }).items.map((item) => item.id);
    expect(ids('active')).toEqual([uuid(4), uuid(3), uuid(2), uuid(1)]);
    expect(ids('completed')).toEqual([uuid(5)]);
    expect(ids('failures')).toEqual([uuid(6)]);
    expect(ids('cancelled')).toEqual([uuid(7)]);
    expect(ids('expired')).toEqual([uuid(8)]);
  });

  it('filters by channel: final broadcasts by their totals, active and unrecorded ones by their recipients', () => {
    const database = open();
    insertBroadcast(database, { id: uuid(1), createdAt: T0 + 1, state: 'completed', recipients: [{ channel: 'line', state: 'accepted' }] });
    insertBroadcast(database, { id: uuid(2), createdAt: T0 + 2, state: 'completed', recipients: [{ channel: 'whatsapp', state: 'accepted' }] });
    insertBroadcast(database, { id: uuid(3), createdAt: T0 + 3, state: 'sending', recipients: [{ channel: 'whatsapp', state: 'pending' }] });
    insertBroadcast(database, { id: uuid(4), createdAt: T0 + 4, state: 'cancelled', recipients: [{ channel: 'line', state: 'skipped', reason: 'cancelled' }, { channel: 'whatsapp', state: 'accepted' }] });
    const reports = makeReports(database);
    reports.recordTotals(uuid(1));
    reports.recordTotals(uuid(2));
    // uuid(4) is final without totals.
    expect(reports.list({ limit: 10, channel: 'line' }).items.map((item) => item.id)).toEqual([uuid(4), uuid(1)]);
    expect(reports.list({ limit: 10, channel: 'whatsapp' }).items.map((item) => item.id)).toEqual([uuid(4), uuid(3), uuid(2)]);
  });

  it('searches the text and the sender name, case-insensitively, in every script', () => {
    const database = open();
    insertBroadcast(database, { id: uuid(1), createdAt: T0 + 1, state: 'completed', content: makeContent({ text: 'SPRING Sale 春季特賣' }), recipients: [{ channel: 'line', state: 'accepted' }] });
    insertBroadcast(database, { id: uuid(2), createdAt: T0 + 2, state: 'completed', content: makeContent({ text: 'Restock', senderName: 'Nguyễn Văn ÁNH' }), recipients: [{ channel: 'line', state: 'accepted' }] });
    insertBroadcast(database, { id: uuid(3), createdAt: T0 + 3, state: 'completed', content: makeContent({ text: 'Other', senderName: 'Bob' }), recipients: [{ channel: 'line', state: 'accepted' }] });
    const reports = makeReports(database);
    const ids = (search: string): string[] => reports.list({ limit: 10, search }).items.map((item) => item.id);
    expect(ids('spring')).toEqual([uuid(1)]);
    expect(ids('特賣')).toEqual([uuid(1)]);
    expect(ids('ánh')).toEqual([uuid(2)]);
    expect(ids('nguyễn')).toEqual([uuid(2)]);
    expect(ids('amy')).toEqual([uuid(1)]);
    expect(ids('bob')).toEqual([uuid(3)]);
    expect(ids('%')).toEqual([]);
    expect(ids('   ')).toEqual([uuid(3), uuid(2), uuid(1)]);
  });

  it('combines filters and pages through the filtered list', () => {
    const database = open();
    for (let n = 1; n <= 8; n += 1) {
      insertBroadcast(database, {
        id: uuid(n),
        createdAt: T0 + n * MINUTE,
        state: n % 2 === 0 ? 'completed' : 'cancelled',
        content: makeContent({ text: n <= 6 ? `Sale ${n}` : `News ${n}` }),
        recipients: [{ channel: n === 2 ? 'whatsapp' : 'line', state: 'accepted' }],
      });
    }
    const reports = makeReports(database);
    const query = { state: 'completed', channel: 'line', search: 'sale', from: T0 } as const;
    // completed: 2 4 6 8; on LINE: 4 6 8; with "sale": 4 6.
    const first = reports.list({ ...query, limit: 1 });
    expect(first.items.map((item) => item.id)).toEqual([uuid(6)]);
    const second = reports.list({ ...query, limit: 1, cursor: first.nextCursor ?? '' });
    expect(second.items.map((item) => item.id)).toEqual([uuid(4)]);
    expect(second.nextCursor).toBeNull();
  });
});

describe('history.get', () => {
  it('shows the content as sent (LINE text with its UTM tags), per-channel counts, retries, problems and the report', () => {
    const database = open();
    const content = makeContent({
      links: [
        { url: 'https://shop.example/sale', kind: 'official' },
        { url: 'https://maps.example/store', kind: 'other' },
      ],
      lineText: 'Spring sale\nsee https://shop.example/sale?utm_source=line&utm_medium=omo_broadcast&utm_campaign=x&utm_content=u-sales',
      whatsapp: [waEntry(WA_NUMBER_A, [{ url: 'https://shop.example/wa', kind: 'official' }]), { ...waEntry(WA_NUMBER_B), body: undefined }],
    });
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: T0,
      state: 'completed_with_failures',
      content,
      recipients: [
        { channel: 'line', state: 'accepted', eventId: 'e1' },
        { channel: 'line', state: 'failed', reason: 'line_rejected: The request body has 1 error(s)', eventId: 'e2' },
        { channel: 'line', state: 'failed', reason: 'line_rejected: another message', eventId: 'e3' },
        { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable', eventId: 'e4' },
        { channel: 'whatsapp', state: 'unknown', reason: 'interrupted', eventId: 'e5' },
      ],
    });
    insertBroadcast(database, { id: uuid(2), createdAt: T0 + MINUTE, state: 'completed', kind: 'retry_failed', originId: uuid(1), recipients: [{ channel: 'line', state: 'accepted' }] });
    insertBroadcast(database, { id: uuid(3), createdAt: T0 + 2 * MINUTE, state: 'sending', kind: 'resend_unknown', originId: uuid(1), recipients: [{ channel: 'whatsapp', state: 'pending' }] });
    // e2 and e4 are still 處理中; e3 was resolved since.
    insertEvent(database, 'e2', 'in_progress');
    insertEvent(database, 'e3', 'resolved');
    insertEvent(database, 'e4', 'in_progress');
    const reports = makeReports(database);
    reports.recordTotals(uuid(1));
    const report = { state: 'pending', reportedAt: null, attempts: 2, lastError: 'unreachable' } as const;

    const detail = reports.get(uuid(1), report);
    expect(BroadcastDetail.parse(detail)).toEqual(detail);
    expect(detail.item).toMatchObject({ id: uuid(1), total: 5, channels: ['line', 'whatsapp'] });
    expect(detail.content).toEqual({
      text: content.text,
      lineText: content.lineText,
      links: content.links,
      whatsapp: [
        { phoneNumberId: WA_NUMBER_A, template: { name: 'spring_sale', language: 'zh_TW' }, body: 'Hello from spring_sale', links: [{ url: 'https://shop.example/wa', kind: 'official' }] },
        { phoneNumberId: WA_NUMBER_B, template: { name: 'spring_sale', language: 'zh_TW' }, body: null, links: [] },
      ],
    });
    expect(detail.byChannel.line).toEqual({ pending: 0, inFlight: 0, accepted: 1, failed: 2, skipped: 0, unknown: 0 });
    expect(detail.byChannel.whatsapp).toEqual({ pending: 0, inFlight: 0, accepted: 0, failed: 1, skipped: 0, unknown: 1 });
    expect(detail.retries.map((item) => [item.id, item.kind])).toEqual([
      [uuid(3), 'resend_unknown'],
      [uuid(2), 'retry_failed'],
    ]);
    expect(detail.problems).toEqual([
      { channel: 'line', state: 'failed', reason: 'line_rejected', detail: expect.any(String), count: 2 },
      { channel: 'whatsapp', state: 'unknown', reason: 'interrupted', detail: null, count: 1 },
      { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable', detail: null, count: 1 },
    ]);
    expect(detail.report).toEqual(report);
    expect(detail.retryableFailed).toBe(2);
    expect(detail.unknown).toBe(1);
  });

  it('answers not_found for an unknown broadcast', () => {
    const reports = makeReports(open());
    expect(failure(() => reports.get(uuid(404), NO_REPORT)).code).toBe('not_found');
  });

  it('still opens a broadcast whose content this version cannot read', () => {
    const database = open();
    insertBroadcast(database, { id: uuid(1), createdAt: T0, state: 'completed', content: '{"version":99}', recipients: [{ channel: 'line', state: 'accepted' }] });
    const detail = makeReports(database).get(uuid(1), NO_REPORT);
    expect(detail.content).toEqual({ text: null, lineText: null, links: [], whatsapp: [] });
    expect(detail.item).toMatchObject({ senderId: 'u-sales', senderName: '', title: '', total: 1 });
  });
});

describe('history.recipients', () => {
  function seedRecipients(database: Database): void {
    insertBroadcast(database, {
      id: uuid(1),
      createdAt: T0,
      state: 'completed_with_failures',
      recipients: [
        { channel: 'line', state: 'accepted', name: 'Amy', requestId: 'req-1', eventId: 'e-z' },
        { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable: Message undeliverable', name: 'Ben', eventId: 'e-y', account: WA_NUMBER_B },
        { channel: 'line', state: 'skipped', reason: 'not_in_progress', name: 'Cat', eventId: 'e-x' },
        { channel: 'whatsapp', state: 'accepted', name: 'ámy', messageId: 'wamid.1', eventId: 'e-w' },
        { channel: 'line', state: 'accepted', name: 'Dan', requestId: 'req-1', eventId: 'e-v' },
        { channel: 'line', state: 'failed', reason: 'line_quota', name: 'Eve', eventId: 'e-u', at: T0 + 999 },
      ],
    });
  }

  it('pages by state, then in snapshot order, with the total', () => {
    const database = open();
    seedRecipients(database);
    const reports = makeReports(database);
    const all = reports.recipients({ id: uuid(1), offset: 0, limit: 500 });
    expect(RecipientsPage.parse(all)).toEqual(all);
    expect(all.total).toBe(6);
    expect(all.rows.map((row) => row.customerName)).toEqual(['Amy', 'ámy', 'Dan', 'Ben', 'Eve', 'Cat']);
    const page = reports.recipients({ id: uuid(1), offset: 2, limit: 2 });
    expect(page.rows.map((row) => row.customerName)).toEqual(['Dan', 'Ben']);
    expect(page.total).toBe(6);
  });

  it('filters by state, channel and customer name', () => {
    const database = open();
    seedRecipients(database);
    const reports = makeReports(database);
    const names = (query: { state?: 'accepted' | 'failed'; channel?: 'line' | 'whatsapp'; search?: string }): [string[], number] => {
      const page = reports.recipients({ id: uuid(1), offset: 0, limit: 500, ...query });
      return [page.rows.map((row) => row.customerName), page.total];
    };
    expect(names({ state: 'failed' })).toEqual([['Ben', 'Eve'], 2]);
    expect(names({ channel: 'whatsapp' })).toEqual([['ámy', 'Ben'], 2]);
    expect(names({ channel: 'line', state: 'accepted' })).toEqual([['Amy', 'Dan'], 2]);
    expect(names({ search: 'AMY' })).toEqual([['Amy'], 1]);
    expect(names({ search: 'ÁMY' })).toEqual([['ámy'], 1]);
  });

  it('splits the reason into its code and the service words, with the time and the ids', () => {
    const database = open();
    seedRecipients(database);
    const rows = makeReports(database).recipients({ id: uuid(1), offset: 0, limit: 500 }).rows;
    const byName = new Map(rows.map((row) => [row.customerName, row]));
    expect(byName.get('Ben')).toEqual({
      eventId: 'e-y',
      channel: 'whatsapp',
      channelAccount: WA_NUMBER_B,
      customerName: 'Ben',
      state: 'failed',
      reason: 'wa_undeliverable',
      detail: 'Message undeliverable',
      at: T0 + 1,
      requestId: null,
      messageId: null,
    });
    expect(byName.get('Eve')).toMatchObject({ reason: 'line_quota', detail: null, at: T0 + 999 });
    expect(byName.get('Amy')).toMatchObject({ reason: null, detail: null, requestId: 'req-1', channelAccount: LINE_CHANNEL });
    expect(byName.get('ámy')).toMatchObject({ messageId: 'wamid.1' });
  });

  it('answers not_found for an unknown broadcast', () => {
    const reports = makeReports(open());
    expect(failure(() => reports.recipients({ id: uuid(404), offset: 0, limit: 10 })).code).toBe('not_found');
  });
});
