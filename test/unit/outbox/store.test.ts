import { describe, expect, it } from 'vitest';
import type { Database } from '../../../main/store/db';
import {
  type NewOutboxRecipient,
  countRecipientStates,
  countUnfinishedRecipients,
  getBroadcastMedia,
  getOutboxBroadcast,
  insertSnapshot,
  listActiveBroadcasts,
  listBatchRecipientIds,
  listPackedFinishedBroadcasts,
  listPendingBatches,
  listPendingLineAccounts,
  listPendingWhatsApp,
  listUnsweptBroadcasts,
  markBatchInFlight,
  moveBatch,
  moveRecipient,
  recoverInterrupted,
  saveBroadcastMedia,
  setBroadcastState,
  sweepPendingOfAccount,
  sweepPendingRecipients,
  writePackedRows,
} from '../../../main/store/outbox';
import { makeTestDatabase } from '../../helpers/tmp';

const T0 = Date.UTC(2026, 4, 14, 3, 0, 0);
const KEY_A = '11111111-1111-4111-8111-111111111111';
const KEY_B = '22222222-2222-4222-8222-222222222222';

function open(): Database {
  return makeTestDatabase('outbox-store');
}

function line(i: number, state: NewOutboxRecipient['state'] = 'pending'): NewOutboxRecipient {
  return {
    eventId: `evt-l${i}`,
    channel: 'line',
    channelAccount: '1600000001',
    recipientId: `U${i.toString(16).padStart(32, '0')}`,
    customerName: `L${i}`,
    state,
    reason: state === 'pending' ? null : 'duplicate',
  };
}

function wa(i: number): NewOutboxRecipient {
  return { eventId: `evt-w${i}`, channel: 'whatsapp', channelAccount: '100000000000001', recipientId: `8869${String(i).padStart(8, '0')}`, customerName: `W${i}`, state: 'pending', reason: null };
}

function member(i: number): { eventId: string; recipientId: string; customerName: string } {
  const r = line(i);
  return { eventId: r.eventId, recipientId: r.recipientId, customerName: r.customerName };
}

/** b1: 3 LINE packed in batch A, 2 in batch B, 1 skipped (a row); 4 WhatsApp (rows). */
function seed(database: Database, id = 'b1'): void {
  insertSnapshot(
    database,
    { id, createdBy: 'u-sales', draftId: 'd1', kind: 'original', originId: null, content: '{"version":1}', imageSha256: null, createdAt: T0, expiresAt: T0 + 86_400_000 },
    [line(6, 'skipped'), wa(1), wa(2), wa(3), wa(4)],
    [
      { batchId: id === 'b1' ? KEY_A : KEY_A.replace(/^1/, '3'), channelAccount: '1600000001', seq: 1, members: [member(1), member(2), member(3)] },
      { batchId: id === 'b1' ? KEY_B : KEY_B.replace(/^2/, '3'), channelAccount: '1600000001', seq: 2, members: [member(4), member(5)] },
    ],
  );
}

function rowCount(database: Database, id = 'b1'): number {
  return database.prepare<[string], { n: number }>('SELECT count(*) AS n FROM broadcast_recipients WHERE broadcast_id = ?').get(id)!.n;
}

function counts(database: Database, id = 'b1'): Record<string, number> {
  return Object.fromEntries(countRecipientStates(database, id).map((row) => [`${row.channel}.${row.state}`, row.count]));
}

describe('store/outbox', () => {
  it('writes the snapshot (broadcast, recipients, batches with their keys and packed recipients) in one transaction, or nothing', () => {
    const database = open();
    seed(database);
    // Rows only for the recipients outside a batch; the five LINE recipients travel in their two batches.
    expect(rowCount(database)).toBe(5);
    expect(getOutboxBroadcast(database, 'b1')).toMatchObject({ state: 'queued', draftId: 'd1', note: null, startedAt: null });
    expect(counts(database)).toEqual({ 'line.pending': 5, 'line.skipped': 1, 'whatsapp.pending': 4 });
    expect(listPendingBatches(database, 'b1', '1600000001').map((b) => b.batchId)).toEqual([KEY_A, KEY_B]);
    expect(listBatchRecipientIds(database, 'b1', KEY_A)).toEqual(['U' + '1'.padStart(32, '0'), 'U' + '2'.padStart(32, '0'), 'U' + '3'.padStart(32, '0')]);
    expect(listPendingLineAccounts(database, 'b1')).toEqual(['1600000001']);

    // A bad row (a second broadcast reusing a retry key) leaves nothing behind.
    expect(() =>
      insertSnapshot(
        database,
        { id: 'b2', createdBy: 'u', draftId: null, kind: 'original', originId: null, content: '{}', imageSha256: null, createdAt: T0, expiresAt: T0 + 1 },
        [wa(1)],
        [{ batchId: 'short', channelAccount: 'x', seq: 1, members: [member(1)] }],
      ),
    ).toThrow();
    expect(getOutboxBroadcast(database, 'b2')).toBeUndefined();
  });

  it('moves a batch and its recipients together, and never from a state they are not in', () => {
    const database = open();
    seed(database);
    expect(markBatchInFlight(database, 'b1', KEY_A, T0 + 1)).toEqual({ recipients: 3, attempts: 1 });
    expect(markBatchInFlight(database, 'b1', KEY_A, T0 + 2)).toBeNull();
    expect(counts(database)['line.in_flight']).toBe(3);

    // A retry after no answer keeps the reason that says it may have been accepted.
    const back = moveBatch(database, 'b1', KEY_A, { from: 'in_flight', batch: { state: 'pending', reason: 'line_timeout' }, recipients: { state: 'pending', reason: null } }, T0 + 3);
    expect(back).toBe(3);
    expect(listPendingBatches(database, 'b1')[0]).toMatchObject({ batchId: KEY_A, attempts: 1, reason: 'line_timeout' });

    expect(markBatchInFlight(database, 'b1', KEY_A, T0 + 4)).toEqual({ recipients: 3, attempts: 2 });
    const accepted = moveBatch(
      database,
      'b1',
      KEY_A,
      { from: 'in_flight', batch: { state: 'accepted', reason: null, requestId: 'req-1' }, recipients: { state: 'accepted', reason: null, requestId: 'req-1' } },
      T0 + 5,
    );
    expect(accepted).toBe(3);
    // A late duplicate write (the old attempt's answer) changes nothing.
    expect(moveBatch(database, 'b1', KEY_A, { from: 'in_flight', batch: { state: 'failed', reason: 'x' }, recipients: { state: 'failed', reason: 'x' } }, T0 + 6)).toBe(0);
    expect(counts(database)['line.accepted']).toBe(3);
    expect(counts(database)).toEqual({ 'line.accepted': 3, 'line.pending': 2, 'line.skipped': 1, 'whatsapp.pending': 4 });
  });

  it('writes the rows of answered batches in their final state and request order, once, after which counts are unchanged', () => {
    const database = open();
    seed(database);
    markBatchInFlight(database, 'b1', KEY_A, T0 + 1);
    moveBatch(
      database,
      'b1',
      KEY_A,
      { from: 'in_flight', batch: { state: 'accepted', reason: null, requestId: 'req-1' }, recipients: { state: 'accepted', reason: null, requestId: 'req-1' } },
      T0 + 2,
    );
    // B: cancelled before it was sent.
    moveBatch(database, 'b1', KEY_B, { from: 'pending', batch: { state: 'failed', reason: 'cancelled' }, recipients: { state: 'skipped', reason: 'cancelled' } }, T0 + 3);
    const before = counts(database);
    expect(before).toEqual({ 'line.accepted': 3, 'line.skipped': 3, 'whatsapp.pending': 4 });
    expect(rowCount(database)).toBe(5);
    // Still sending: not listed for start-up; once final, it is.
    expect(listPackedFinishedBroadcasts(database)).toEqual([]);
    setBroadcastState(database, 'b1', { state: 'cancelled', note: 'cancelled', now: T0 + 4, finishedAt: T0 + 4 });
    expect(listPackedFinishedBroadcasts(database)).toEqual(['b1']);

    expect(writePackedRows(database, 'b1', 1)).toBe(1);
    expect(counts(database)).toEqual(before);
    expect(writePackedRows(database, 'b1', 5)).toBe(1);
    expect(writePackedRows(database, 'b1', 5)).toBe(0);
    expect(counts(database)).toEqual(before);
    expect(listPackedFinishedBroadcasts(database)).toEqual([]);
    const rows = database
      .prepare<[], { eventId: string; state: string; reason: string | null; requestId: string | null; batchId: string | null }>(
        `SELECT event_id AS eventId, state, reason, request_id AS requestId, batch_id AS batchId FROM broadcast_recipients
         WHERE broadcast_id = 'b1' AND channel = 'line' AND batch_id IS NOT NULL ORDER BY rowid`,
      )
      .all();
    expect(rows).toEqual([
      { eventId: 'evt-l1', state: 'accepted', reason: null, requestId: 'req-1', batchId: KEY_A },
      { eventId: 'evt-l2', state: 'accepted', reason: null, requestId: 'req-1', batchId: KEY_A },
      { eventId: 'evt-l3', state: 'accepted', reason: null, requestId: 'req-1', batchId: KEY_A },
      { eventId: 'evt-l4', state: 'skipped', reason: 'cancelled', requestId: null, batchId: KEY_B },
      { eventId: 'evt-l5', state: 'skipped', reason: 'cancelled', requestId: null, batchId: KEY_B },
    ]);
    expect(listBatchRecipientIds(database, 'b1', KEY_A)).toEqual([]);
  });

  it('never writes rows of a batch still pending or in flight', () => {
    const database = open();
    seed(database);
    markBatchInFlight(database, 'b1', KEY_A, T0 + 1);
    expect(writePackedRows(database, 'b1', 5)).toBe(0);
    expect(rowCount(database)).toBe(5);
    expect(counts(database)).toEqual({ 'line.in_flight': 3, 'line.pending': 2, 'line.skipped': 1, 'whatsapp.pending': 4 });
  });

  it('moves one WhatsApp row by rowid, guarded by its state, and pages pending rows', () => {
    const database = open();
    seed(database);
    const page = listPendingWhatsApp(database, 'b1', '100000000000001', 0, 3);
    expect(page.map((row) => row.eventId)).toEqual(['evt-w1', 'evt-w2', 'evt-w3']);
    const rest = listPendingWhatsApp(database, 'b1', '100000000000001', page.at(-1)?.rowid ?? 0, 3);
    expect(rest.map((row) => row.eventId)).toEqual(['evt-w4']);
    const first = page[0]!;
    expect(moveRecipient(database, first.rowid, 'pending', { state: 'in_flight', reason: null }, T0)).toBe(true);
    expect(moveRecipient(database, first.rowid, 'pending', { state: 'in_flight', reason: null }, T0)).toBe(false);
    expect(moveRecipient(database, first.rowid, 'in_flight', { state: 'accepted', reason: null, messageId: 'wamid.1' }, T0)).toBe(true);
    expect(counts(database)['whatsapp.accepted']).toBe(1);
  });

  it('start-up recovery: WhatsApp in flight → unknown(interrupted); LINE in flight → pending, marked, same key', () => {
    const database = open();
    seed(database);
    seed(database, 'b3');
    markBatchInFlight(database, 'b1', KEY_B, T0);
    const [w1, w2] = listPendingWhatsApp(database, 'b1', '100000000000001', 0, 2);
    moveRecipient(database, w1!.rowid, 'pending', { state: 'in_flight', reason: null }, T0);
    moveRecipient(database, w2!.rowid, 'pending', { state: 'in_flight', reason: null }, T0);
    const [w3] = listPendingWhatsApp(database, 'b3', '100000000000001', 0, 1);
    moveRecipient(database, w3!.rowid, 'pending', { state: 'in_flight', reason: null }, T0);

    // b3 is being sent by this process: left alone.
    const results = recoverInterrupted(database, T0 + 10, (id) => id !== 'b3');
    expect(results).toEqual([{ broadcastId: 'b1', whatsappUnknown: 2, lineBatchesRequeued: 1, lineRecipientsRequeued: 2 }]);
    expect(counts(database)).toEqual({ 'line.pending': 5, 'line.skipped': 1, 'whatsapp.pending': 2, 'whatsapp.unknown': 2 });
    expect(listPendingBatches(database, 'b1').find((b) => b.batchId === KEY_B)).toMatchObject({ attempts: 1, reason: 'interrupted' });
    expect(counts(database, 'b3')['whatsapp.in_flight']).toBe(1);
    expect(recoverInterrupted(database, T0 + 20, (id) => id !== 'b3')).toEqual([]);
  });

  it('sweeps pending rows in chunks, per broadcast or per account, and finds broadcasts whose sweep was cut short', () => {
    const database = open();
    seed(database);
    expect(sweepPendingOfAccount(database, 'b1', 'whatsapp', '100000000000001', { state: 'failed', reason: 'wa_auth_invalid' }, 3, T0)).toBe(3);
    setBroadcastState(database, 'b1', { state: 'cancelled', note: 'cancelled', now: T0, finishedAt: T0 });
    expect(listUnsweptBroadcasts(database).map((row) => row.id)).toEqual(['b1']);
    expect(listActiveBroadcasts(database)).toEqual([]);
    // Rows only: the packed LINE recipients settle with their batches.
    expect(sweepPendingRecipients(database, 'b1', { state: 'skipped', reason: 'cancelled' }, 4, T0)).toEqual({ line: 0, whatsapp: 1 });
    expect(countUnfinishedRecipients(database, 'b1')).toBe(5);
    expect(listUnsweptBroadcasts(database).map((row) => row.id)).toEqual(['b1']);
    for (const key of [KEY_A, KEY_B]) {
      moveBatch(database, 'b1', key, { from: 'pending', batch: { state: 'failed', reason: 'cancelled' }, recipients: { state: 'skipped', reason: 'cancelled' } }, T0);
    }
    expect(countUnfinishedRecipients(database, 'b1')).toBe(0);
    expect(listUnsweptBroadcasts(database)).toEqual([]);
    expect(counts(database)).toEqual({ 'line.skipped': 6, 'whatsapp.failed': 3, 'whatsapp.skipped': 1 });
  });

  it('keeps the first start and finish times, and stores media once per broadcast and account', () => {
    const database = open();
    seed(database);
    setBroadcastState(database, 'b1', { state: 'sending', note: null, now: T0 + 1, startedAt: T0 + 1 });
    setBroadcastState(database, 'b1', { state: 'sending', note: 'rate_limited', now: T0 + 2, startedAt: T0 + 2 });
    expect(getOutboxBroadcast(database, 'b1')).toMatchObject({ startedAt: T0 + 1, note: 'rate_limited' });
    saveBroadcastMedia(database, 'b1', 'line', '', { url: 'https://m/1.jpg', previewUrl: 'https://m/1p.jpg', mediaId: null }, T0);
    saveBroadcastMedia(database, 'b1', 'whatsapp', '100000000000001', { url: null, previewUrl: null, mediaId: '123' }, T0);
    expect(getBroadcastMedia(database, 'b1', 'line', '')).toEqual({ url: 'https://m/1.jpg', previewUrl: 'https://m/1p.jpg', mediaId: null });
    expect(getBroadcastMedia(database, 'b1', 'whatsapp', '100000000000001')?.mediaId).toBe('123');
  });
});
