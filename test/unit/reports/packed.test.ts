import { describe, expect, it } from 'vitest';
import { BroadcastDetail, RecipientsPage } from '../../../preload/contract';
import { AppFailure } from '../../../main/rpc';
import { countRecipientsByState, listRecipients, recipientsInState, summarizeProblems } from '../../../main/store/broadcasts';
import type { Database } from '../../../main/store/db';
import type { RecipientStateName } from '../../../main/store/outbox';
import { countRetryableFailed, countUncoveredUnknown, hasPackedMembers, listTotals } from '../../../main/store/reports';
import { makeTestDatabase } from '../../helpers/tmp';
import {
  LINE_CHANNEL,
  NO_REPORT,
  T0,
  WA_NUMBER_A,
  batchId,
  insertBroadcast,
  insertEvent,
  makeReports,
  members,
  uuid,
} from './fixtures';

/**
 * Since migration 6 a LINE recipient of a multicast batch travels packed beside its batch (broadcast_batch_members)
 * until the engine writes its row, possibly after the broadcast is final. Every reader of the history, the report,
 * the CSV and the retry rules must see each recipient exactly once, wherever it is. These fixtures write the batches
 * as the engine leaves them, so nothing here depends on the engine.
 */

function open(): Database {
  return makeTestDatabase('reports-packed');
}

const DAY = 86_400_000;
const MIXED = uuid(1);
const LINE_CHANNEL_2 = '1600000002';

/**
 * A broadcast still sending, with rows (WhatsApp; LINE skipped at planning; LINE rows the engine already wrote) and
 * packed batches in every state a batch can hold them: answered (accepted, failed, unknown, skipped: rows not written
 * yet), in flight, pending.
 */
function seedMixed(database: Database, state: 'sending' | 'cancelled' = 'sending'): void {
  insertBroadcast(database, {
    id: MIXED,
    createdAt: T0,
    state,
    recipients: [
      { channel: 'whatsapp', state: 'accepted', name: 'Wa Amy', eventId: 'w1', messageId: 'wamid.1' },
      { channel: 'line', state: 'accepted', name: 'Amy Row', eventId: 'l1', requestId: 'req-0' },
      { channel: 'line', state: 'skipped', reason: 'not_in_progress', name: 'Row Bob', eventId: 'l2' },
      { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable', name: 'Wa Ben', eventId: 'w2' },
      { channel: 'line', state: 'accepted', name: 'Row Cat', eventId: 'l3', requestId: 'req-0' },
      { channel: 'whatsapp', state: 'pending', name: 'Wa Cy', eventId: 'w3' },
      { channel: 'line', state: 'failed', reason: 'line_rejected: The request body has 1 error(s)', name: 'Row Dan', eventId: 'l4' },
    ],
    batches: [
      { seq: 1, state: 'accepted', outcome: 'accepted', requestId: 'req-1', at: T0 + 100, members: members('b1-0', 'b1-1', 'b1-2') },
      { seq: 2, state: 'in_flight', members: members('b2-0', 'b2-1') },
      { seq: 3, state: 'pending', members: members('b3-0', { eventId: 'b3-1', name: 'Ámy Lin' }, 'b3-2') },
      { seq: 4, state: 'failed', outcome: 'failed', reason: 'line_rejected: bad request', at: T0 + 400, members: members('b4-0', 'b4-1') },
      { seq: 5, state: 'failed', outcome: 'unknown', reason: 'timeout', members: members('b5-0') },
      { seq: 6, state: 'failed', outcome: 'skipped', reason: 'cancelled', members: members('b6-0', 'b6-1') },
      { seq: 7, state: 'accepted', outcome: 'accepted', requestId: 'req-7', account: LINE_CHANNEL_2, members: members('b7-0', 'b7-1') },
    ],
  });
}

/** The page order: by state, the rows (snapshot order) before the packed members (batch by batch, request order). */
const ORDER = [
  ...['w1', 'l1', 'l3', 'b1-0', 'b1-1', 'b1-2', 'b7-0', 'b7-1'],
  ...['w2', 'l4', 'b4-0', 'b4-1'],
  ...['b2-0', 'b2-1'],
  ...['w3', 'b3-0', 'b3-1', 'b3-2'],
  ...['l2', 'b6-0', 'b6-1'],
  'b5-0',
];

const STATE_OF: Record<string, RecipientStateName> = Object.fromEntries(
  ORDER.map((id, index) => {
    const state: RecipientStateName = index < 8 ? 'accepted' : index < 12 ? 'failed' : index < 14 ? 'in_flight' : index < 18 ? 'pending' : index < 21 ? 'skipped' : 'unknown';
    return [id, state];
  }),
);
const CHANNEL_OF = (id: string): 'line' | 'whatsapp' => (id.startsWith('w') ? 'whatsapp' : 'line');

/** What the engine does once a batch is answered: its members become rows (request order), in one transaction. */
function writeRows(database: Database, broadcastId: string, seqs: readonly number[]): void {
  database.transaction(() => {
    for (const seq of seqs) {
      database
        .prepare(
          `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name,
             state, reason, batch_id, request_id, message_id, updated_at)
           SELECT broadcast_id, event_id, channel, channel_account, recipient_id, customer_name, state, reason, batch_id,
             request_id, message_id, updated_at
           FROM broadcast_members WHERE broadcast_id = ? AND batch_id = ? ORDER BY position`,
        )
        .run(broadcastId, batchId(seq));
      database.prepare('UPDATE broadcast_batches SET packed = 0 WHERE broadcast_id = ? AND batch_id = ?').run(broadcastId, batchId(seq));
      database.prepare('DELETE FROM broadcast_batch_members WHERE broadcast_id = ? AND batch_id = ?').run(broadcastId, batchId(seq));
    }
  })();
}

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppFailure) return error.code;
    throw error;
  }
  return 'no failure';
}

describe('LINE recipients packed in their batches: counts', () => {
  it('counts each recipient once, rows and packed alike, in the history list, the detail and the store', () => {
    const database = open();
    seedMixed(database);
    const reports = makeReports(database);

    const [item] = reports.list({ limit: 5 }).items;
    expect(item).toMatchObject({
      id: MIXED,
      channels: ['line', 'whatsapp'],
      total: ORDER.length,
      counts: { pending: 4, inFlight: 2, accepted: 8, failed: 4, skipped: 3, unknown: 1 },
    });
    const detail = reports.get(MIXED, NO_REPORT);
    expect(BroadcastDetail.parse(detail)).toEqual(detail);
    expect(detail.byChannel.line).toEqual({ pending: 3, inFlight: 2, accepted: 7, failed: 3, skipped: 3, unknown: 1 });
    expect(detail.byChannel.whatsapp).toEqual({ pending: 1, inFlight: 0, accepted: 1, failed: 1, skipped: 0, unknown: 0 });

    expect(countRecipientsByState(database, MIXED)).toEqual({ pending: 4, in_flight: 2, accepted: 8, failed: 4, skipped: 3, unknown: 1 });
    const listed = listRecipients(database, MIXED);
    expect(listed.map((row) => row.eventId)).toEqual([...ORDER].sort());
    expect(listRecipients(database, MIXED, { limit: 3, offset: 3 }).map((row) => row.eventId)).toEqual([...ORDER].sort().slice(3, 6));
    expect(listed.find((row) => row.eventId === 'b7-1')).toEqual({
      broadcastId: MIXED,
      eventId: 'b7-1',
      channel: 'line',
      channelAccount: LINE_CHANNEL_2,
      recipientId: 'U-b7-1',
      customerName: 'Customer b7-1',
      state: 'accepted',
      reason: null,
      batchId: batchId(7),
      requestId: 'req-7',
      messageId: null,
      updatedAt: T0,
    });
  });

  it('groups the problems of packed members by their batch outcome and reason, with the rows', () => {
    const database = open();
    seedMixed(database);
    const expected = [
      { channel: 'line', state: 'failed', reason: 'line_rejected', detail: 'The request body has 1 error(s)', count: 3 },
      { channel: 'line', state: 'unknown', reason: 'timeout', detail: null, count: 1 },
      { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable', detail: null, count: 1 },
    ];
    expect(summarizeProblems(database, MIXED)).toEqual(expected);
    expect(makeReports(database).get(MIXED, NO_REPORT).problems).toEqual(expected);
  });

  it('counts them live in the report, and records totals only once every packed batch is answered', () => {
    const database = open();
    seedMixed(database);
    const reports = makeReports(database);
    // One official link per accepted recipient: 7 on LINE (2 rows, 5 packed), 1 on WhatsApp (no template links).
    expect(reports.report({ from: T0 - DAY, to: T0 + DAY, utcOffsetMinutes: 480 }).totals).toEqual({ messages: 8, officialLinks: 7, otherLinks: 0 });

    expect(code(() => reports.recordTotals(MIXED))).toBe('broadcast_active');
    // Cancelled: final, but batches 2 (in flight) and 3 (pending) are not settled yet.
    database.prepare("UPDATE broadcasts SET state = 'cancelled' WHERE id = ?").run(MIXED);
    database.prepare("UPDATE broadcast_recipients SET state = 'skipped', reason = 'cancelled' WHERE broadcast_id = ? AND state = 'pending'").run(MIXED);
    expect(code(() => reports.recordTotals(MIXED))).toBe('broadcast_active');
    database.prepare("UPDATE broadcast_batches SET state = 'failed', outcome = 'skipped', reason = 'cancelled' WHERE broadcast_id = ? AND seq = 3").run(MIXED);
    expect(code(() => reports.recordTotals(MIXED))).toBe('broadcast_active');
    database.prepare("UPDATE broadcast_batches SET state = 'accepted', outcome = 'accepted', request_id = 'req-2' WHERE broadcast_id = ? AND seq = 2").run(MIXED);

    expect(reports.recordTotals(MIXED)).toEqual([
      { channel: 'line', accepted: 9, officialLinks: 9, otherLinks: 0 },
      { channel: 'whatsapp', accepted: 1, officialLinks: 0, otherLinks: 0 },
    ]);
    const totals = listTotals(database, MIXED);
    expect(totals).toEqual([
      { channel: 'line', recipients: 19, accepted: 9, failed: 3, skipped: 6, unknown: 1, officialLinks: 9, otherLinks: 0 },
      { channel: 'whatsapp', recipients: 3, accepted: 1, failed: 1, skipped: 1, unknown: 0, officialLinks: 0, otherLinks: 0 },
    ]);
    // The engine writes the rows afterwards: nothing it already counted changes.
    writeRows(database, MIXED, [1, 2, 3, 4, 5, 6, 7]);
    expect(hasPackedMembers(database, MIXED)).toBe(false);
    expect(reports.recordTotals(MIXED)).toEqual([
      { channel: 'line', accepted: 9, officialLinks: 9, otherLinks: 0 },
      { channel: 'whatsapp', accepted: 1, officialLinks: 0, otherLinks: 0 },
    ]);
    expect(listTotals(database, MIXED)).toEqual(totals);
  });

  it('finds a broadcast whose LINE recipients are all packed under the LINE filter of the history', () => {
    const database = open();
    insertBroadcast(database, { id: uuid(1), createdAt: T0 + 1, state: 'sending', recipients: [], batches: [{ seq: 1, state: 'pending', members: members('a', 'b') }] });
    // Final, answered, rows not written and totals not recorded yet.
    insertBroadcast(database, {
      id: uuid(2),
      createdAt: T0 + 2,
      state: 'completed',
      recipients: [],
      batches: [{ seq: 1, state: 'accepted', outcome: 'accepted', members: members('c') }],
    });
    insertBroadcast(database, { id: uuid(3), createdAt: T0 + 3, state: 'sending', recipients: [{ channel: 'whatsapp', state: 'pending' }] });
    const reports = makeReports(database);
    expect(reports.list({ limit: 10, channel: 'line' }).items.map((item) => item.id)).toEqual([uuid(2), uuid(1)]);
    expect(reports.list({ limit: 10, channel: 'whatsapp' }).items.map((item) => item.id)).toEqual([uuid(3)]);
    const byId = new Map(reports.list({ limit: 10 }).items.map((item) => [item.id, item]));
    expect(byId.get(uuid(1))).toMatchObject({ channels: ['line'], total: 2, counts: { pending: 2 } });
    expect(byId.get(uuid(2))).toMatchObject({ channels: ['line'], total: 1, counts: { accepted: 1 } });
  });
});

describe('LINE recipients packed in their batches: lists', () => {
  const ids = (page: RecipientsPage): string[] => page.rows.map((row) => row.eventId);

  it('pages them after the rows of their state, batch by batch, each recipient once at every offset', () => {
    const database = open();
    seedMixed(database);
    const reports = makeReports(database);
    const all = reports.recipients({ id: MIXED, offset: 0, limit: 500 });
    expect(RecipientsPage.parse(all)).toEqual(all);
    expect(ids(all)).toEqual(ORDER);
    expect(all.total).toBe(ORDER.length);
    expect(all.rows.map((row) => row.state)).toEqual(ORDER.map((id) => STATE_OF[id]));

    for (const limit of [1, 2, 3, 5, 7]) {
      const seen: string[] = [];
      for (let offset = 0; offset < ORDER.length; offset += limit) {
        const page = reports.recipients({ id: MIXED, offset, limit });
        expect(page.total).toBe(ORDER.length);
        seen.push(...ids(page));
      }
      expect(seen, `pages of ${limit}`).toEqual(ORDER);
    }
    expect(reports.recipients({ id: MIXED, offset: ORDER.length, limit: 10 })).toEqual({ rows: [], total: ORDER.length });
  });

  it('filters rows and packed members alike by state, channel and customer name', () => {
    const database = open();
    seedMixed(database);
    const reports = makeReports(database);
    const page = (query: { state?: RecipientStateName; channel?: 'line' | 'whatsapp'; search?: string }, offset = 0, limit = 500): [string[], number] => {
      const answer = reports.recipients({ id: MIXED, offset, limit, ...query });
      return [ids(answer), answer.total];
    };
    for (const state of ['pending', 'in_flight', 'accepted', 'failed', 'skipped', 'unknown'] as const) {
      const expected = ORDER.filter((id) => STATE_OF[id] === state);
      expect(page({ state }), state).toEqual([expected, expected.length]);
      const line = expected.filter((id) => CHANNEL_OF(id) === 'line');
      expect(page({ state, channel: 'line' }), `${state} on LINE`).toEqual([line, line.length]);
    }
    const line = ORDER.filter((id) => CHANNEL_OF(id) === 'line');
    expect(page({ channel: 'line' })).toEqual([line, line.length]);
    expect(page({ channel: 'line' }, 4, 5)).toEqual([line.slice(4, 9), line.length]);
    expect(page({ channel: 'whatsapp' })).toEqual([['w1', 'w2', 'w3'], 3]);
    expect(page({ state: 'accepted' }, 2, 3)).toEqual([['l3', 'b1-0', 'b1-1'], 8]);
    expect(page({ state: 'accepted', channel: 'line' }, 4, 10)).toEqual([['b1-2', 'b7-0', 'b7-1'], 7]);

    // Names inside the packed JSON are searched like the rows' (ASCII by lower(), the rest by the JS fold).
    expect(page({ search: 'AMY' })).toEqual([['w1', 'l1'], 2]);
    expect(page({ search: 'ÁMY' })).toEqual([['b3-1'], 1]);
    expect(page({ search: 'customer b' })).toEqual([ORDER.filter((id) => id.startsWith('b') && id !== 'b3-1'), 14]);
    expect(page({ search: 'customer b', state: 'failed' })).toEqual([['b4-0', 'b4-1'], 2]);
    expect(page({ search: 'customer b' }, 3, 4)).toEqual([['b7-0', 'b7-1', 'b4-0', 'b4-1'], 14]);
    expect(page({ search: 'nobody' })).toEqual([[], 0]);
  });

  it('shows a packed member with its batch: state, reason, time, account and request id', () => {
    const database = open();
    seedMixed(database);
    const rows = makeReports(database).recipients({ id: MIXED, offset: 0, limit: 500 }).rows;
    const byId = new Map(rows.map((row) => [row.eventId, row]));
    expect(byId.get('b1-2')).toEqual({
      eventId: 'b1-2',
      channel: 'line',
      channelAccount: LINE_CHANNEL,
      customerName: 'Customer b1-2',
      state: 'accepted',
      reason: null,
      detail: null,
      at: T0 + 100,
      requestId: 'req-1',
      messageId: null,
    });
    expect(byId.get('b4-0')).toMatchObject({ state: 'failed', reason: 'line_rejected', detail: 'bad request', at: T0 + 400, requestId: null });
    expect(byId.get('b5-0')).toMatchObject({ state: 'unknown', reason: 'timeout', detail: null });
    expect(byId.get('b6-1')).toMatchObject({ state: 'skipped', reason: 'cancelled' });
    expect(byId.get('b2-0')).toMatchObject({ state: 'in_flight', reason: null, requestId: null });
    expect(byId.get('b7-0')).toMatchObject({ channelAccount: LINE_CHANNEL_2, requestId: 'req-7' });
    expect(byId.get('w1')).toMatchObject({ channel: 'whatsapp', channelAccount: WA_NUMBER_A, messageId: 'wamid.1' });
  });

  it('keeps every recipient in its place while the engine writes answered batches as rows', () => {
    const database = open();
    seedMixed(database);
    const reports = makeReports(database);
    const before = reports.recipients({ id: MIXED, offset: 0, limit: 500 });
    const counts = reports.get(MIXED, NO_REPORT).byChannel;
    // Answered batches, in seq order (the engine's order); 2 and 3 stay packed, in flight and pending.
    writeRows(database, MIXED, [1, 4, 5]);
    expect(reports.recipients({ id: MIXED, offset: 0, limit: 500 })).toEqual(before);
    expect(reports.get(MIXED, NO_REPORT).byChannel).toEqual(counts);
    writeRows(database, MIXED, [6, 7]);
    expect(reports.recipients({ id: MIXED, offset: 0, limit: 500 })).toEqual(before);
    expect(reports.recipients({ id: MIXED, offset: 5, limit: 6 }).rows).toEqual(before.rows.slice(5, 11));
    expect(reports.get(MIXED, NO_REPORT).byChannel).toEqual(counts);
  });

  it('exports every recipient once to the CSV, in the page order', () => {
    const database = open();
    seedMixed(database);
    const exported = makeReports(database).exportCsv(MIXED, 'en');
    expect(exported.rows).toBe(ORDER.length);
    const records = exported.csv.slice(1).split('\r\n').slice(1, -1);
    expect(records.map((record) => record.split(',').at(-1))).toEqual(ORDER);
    const b20 = records.find((record) => record.endsWith(',b2-0'))?.split(',');
    expect(b20?.slice(0, 4)).toEqual(['Customer b2-0', 'LINE', LINE_CHANNEL, 'Sending']);
    const b40 = records.find((record) => record.endsWith(',b4-0'))?.split(',');
    expect(b40?.slice(3, 6)).toEqual(['Failed', 'line_rejected', 'bad request']);
    expect(records.find((record) => record.endsWith(',b1-0'))?.split(',')[7]).toBe('req-1');
  });
});

describe('LINE recipients packed in their batches: retries', () => {
  const ORIGIN = uuid(10);
  const eventIds = (rows: ReadonlyArray<{ eventId: string }>): string[] => rows.map((row) => row.eventId).sort();

  /** A finished broadcast whose failed and unknown recipients are rows and packed members (rows not written yet). */
  function seedOrigin(database: Database): void {
    insertBroadcast(database, {
      id: ORIGIN,
      createdAt: T0,
      state: 'completed_with_failures',
      recipients: [
        { channel: 'line', state: 'failed', eventId: 'f1' },
        { channel: 'line', state: 'failed', eventId: 'f5' },
        { channel: 'whatsapp', state: 'unknown', reason: 'interrupted', eventId: 'u1' },
        { channel: 'line', state: 'accepted', eventId: 'a1' },
      ],
      batches: [
        { seq: 1, state: 'failed', outcome: 'failed', reason: 'line_server', members: members('f2', 'f3', 'f4', { eventId: 'f6', name: 'Fay' }) },
        { seq: 2, state: 'failed', outcome: 'unknown', reason: 'timeout', members: members('u2', 'u3') },
        { seq: 3, state: 'accepted', outcome: 'accepted', members: members('a2') },
      ],
    });
    for (const id of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6']) insertEvent(database, id, 'in_progress');
  }

  it('offers failed and unknown recipients whether they are rows or still packed', () => {
    const database = open();
    seedOrigin(database);
    expect(eventIds(recipientsInState(database, ORIGIN, 'failed'))).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
    expect(recipientsInState(database, ORIGIN, 'failed').find((row) => row.eventId === 'f6')).toEqual({
      eventId: 'f6',
      channel: 'line',
      channelAccount: LINE_CHANNEL,
      recipientId: 'U-f6',
      customerName: 'Fay',
    });
    expect(eventIds(recipientsInState(database, ORIGIN, 'unknown'))).toEqual(['u1', 'u2', 'u3']);
    expect(countRetryableFailed(database, ORIGIN)).toBe(6);
    expect(countUncoveredUnknown(database, ORIGIN)).toBe(3);
    const detail = makeReports(database).get(ORIGIN, NO_REPORT);
    expect(detail).toMatchObject({ retryableFailed: 6, unknown: 3 });
  });

  it('never offers again a customer a retry reached or is reaching, as a row or packed in its batch', () => {
    const database = open();
    seedOrigin(database);
    // A retry still sending: f2 pending and f3 in flight, packed.
    insertBroadcast(database, {
      id: uuid(11),
      createdAt: T0 + 1,
      state: 'sending',
      kind: 'retry_failed',
      originId: ORIGIN,
      recipients: [],
      batches: [
        { seq: 1, state: 'pending', members: members('f2') },
        { seq: 2, state: 'in_flight', members: members('f3') },
      ],
    });
    // A finished retry: f1 accepted (packed, row not written yet), f4 failed again (packed), f5 accepted as a row.
    insertBroadcast(database, {
      id: uuid(12),
      createdAt: T0 + 2,
      state: 'completed_with_failures',
      kind: 'retry_failed',
      originId: ORIGIN,
      recipients: [{ channel: 'line', state: 'accepted', eventId: 'f5' }],
      batches: [
        { seq: 1, state: 'accepted', outcome: 'accepted', members: members('f1') },
        { seq: 2, state: 'failed', outcome: 'failed', members: members('f4') },
      ],
    });
    // A resend of the unknown ones: u1 pending as a row, u2 unknown again (packed: unknown covers, it may have arrived).
    insertBroadcast(database, {
      id: uuid(13),
      createdAt: T0 + 3,
      state: 'sending',
      kind: 'resend_unknown',
      originId: ORIGIN,
      recipients: [{ channel: 'whatsapp', state: 'pending', eventId: 'u1' }],
      batches: [{ seq: 1, state: 'failed', outcome: 'unknown', reason: 'timeout', members: members('u2') }],
    });
    // Another broadcast's packed members never cover the origin's recipients.
    insertBroadcast(database, { id: uuid(14), createdAt: T0 + 4, state: 'sending', recipients: [], batches: [{ seq: 1, state: 'pending', members: members('f6', 'u3') }] });

    expect(eventIds(recipientsInState(database, ORIGIN, 'failed'))).toEqual(['f4', 'f6']);
    expect(eventIds(recipientsInState(database, ORIGIN, 'unknown'))).toEqual(['u3']);
    expect(countRetryableFailed(database, ORIGIN)).toBe(2);
    expect(countUncoveredUnknown(database, ORIGIN)).toBe(1);
    expect(makeReports(database).get(ORIGIN, NO_REPORT)).toMatchObject({ retryableFailed: 2, unknown: 1 });
  });

  it('a retry whose LINE recipients are still packed: the origin offers them again only once that retry failed them', () => {
    const database = open();
    seedOrigin(database);
    insertBroadcast(database, {
      id: uuid(11),
      createdAt: T0 + 1,
      state: 'sending',
      kind: 'retry_failed',
      originId: ORIGIN,
      recipients: [],
      batches: [{ seq: 1, state: 'pending', members: members('f1', 'f2', 'f3', 'f4', 'f5', 'f6') }],
    });
    const reports = makeReports(database);
    expect(recipientsInState(database, ORIGIN, 'failed')).toEqual([]);
    expect(reports.get(ORIGIN, NO_REPORT).retryableFailed).toBe(0);

    const answer = database.prepare('UPDATE broadcast_batches SET state = ?, outcome = ?, reason = ? WHERE broadcast_id = ?');
    answer.run('in_flight', null, null, uuid(11));
    expect(reports.get(ORIGIN, NO_REPORT).retryableFailed).toBe(0);
    answer.run('failed', 'unknown', 'timeout', uuid(11));
    expect(reports.get(ORIGIN, NO_REPORT).retryableFailed).toBe(0);
    answer.run('accepted', 'accepted', null, uuid(11));
    expect(reports.get(ORIGIN, NO_REPORT).retryableFailed).toBe(0);
    answer.run('failed', 'failed', 'line_server', uuid(11));
    expect(reports.get(ORIGIN, NO_REPORT).retryableFailed).toBe(6);
    expect(eventIds(recipientsInState(database, ORIGIN, 'failed'))).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
  });
});
