import { describe, expect, it, vi } from 'vitest';
import type { Outbox } from '../../../main/outbox';
import { createGraphClient } from '../../../main/channels/whatsapp/client';
import { silentLogger } from '../../../main/log';
import { AppFailure } from '../../../main/rpc';
import { listPendingBatches, markBatchInFlight, setBroadcastState } from '../../../main/store/outbox';
import { FakeTime, HOUR, expectExactlyOnce, startHarness, stateCounts } from './harness';

const MINUTE = 60_000;

function failureCode(call: () => unknown): string | null {
  try {
    call();
    return null;
  } catch (error) {
    return error instanceof AppFailure ? error.code : `not an AppFailure: ${String(error)}`;
  }
}

/** Lets the engine run for a moment of real time (only where a test proves that nothing happens meanwhile). */
function moment(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('outbox: pause, resume, cancel', () => {
  it('pause stops new requests (in-flight ones finish); resume completes, exactly once; active() lists newest first', async () => {
    const h = await startHarness({ lineUsers: 2000 });
    let answered = 0;
    const outbox: Outbox = h.outbox({
      options: { lineConcurrency: 1 },
      trace: (point) => {
        if (point === 'line.batch.answered' && (answered += 1) === 1) outbox.pause('bc-pause');
      },
    });
    const createdAt = Date.now();
    outbox.enqueue(h.snapshot({ id: 'bc-pause', line: 2000, createdAt }));
    const paused = await h.until(outbox, 'bc-pause', (p) => p.state === 'paused' && p.counts.inFlight === 0);
    expect(paused).toMatchObject({ counts: { accepted: 500, pending: 1500 }, etaSeconds: null, ratePerSecond: 0 });
    await moment();
    expect(h.ledger('line')).toHaveLength(500);
    expect(outbox.progress('bc-pause')?.state).toBe('paused');
    expect(h.db.prepare('SELECT state FROM broadcasts WHERE id = ?').get('bc-pause')).toEqual({ state: 'paused' });
    // Pausing twice is harmless.
    expect(outbox.pause('bc-pause').state).toBe('paused');

    // A second, newer broadcast, paused at once: both are active, newest first.
    const second = h.snapshot({ id: 'bc-pause-2', line: 0, createdAt: createdAt + 1 });
    second.recipients = [{ eventId: 'e2', channel: 'line', channelAccount: h.line.id, recipientId: h.lineUsers[0] ?? '', customerName: 'x', state: 'pending', reason: null }];
    outbox.enqueue(second);
    outbox.pause('bc-pause-2');
    expect(outbox.active().map((p) => p.id)).toEqual(['bc-pause-2', 'bc-pause']);

    expect(outbox.resume('bc-pause').state).not.toBe('paused');
    const done = await h.settled(outbox, 'bc-pause');
    expect(done).toMatchObject({ state: 'completed', counts: { accepted: 2000 } });
    expect(h.ledger('line').filter((entry) => entry.account === h.line.id)).toHaveLength(2000);
    expectExactlyOnce(h.ledger('line'), h.lineUsers);
    expect(outbox.active().map((p) => p.id)).toEqual(['bc-pause-2']);

    expect(failureCode(() => outbox.pause('bc-pause'))).toBe('broadcast_finished');
    expect(failureCode(() => outbox.resume('bc-pause'))).toBe('broadcast_finished');
    expect(failureCode(() => outbox.cancel('bc-pause'))).toBe('broadcast_finished');
    expect(failureCode(() => outbox.pause('nope'))).toBe('not_found');
    expect(outbox.progress('nope')).toBeNull();
  });

  it('cancel mid-send: accepted stay accepted, the rest skipped(cancelled), nothing sent after', async () => {
    const h = await startHarness({ lineUsers: 1500, contacts: 60 });
    let answered = 0;
    let returned: ReturnType<Outbox['cancel']> | null = null;
    const outbox: Outbox = h.outbox({
      options: { lineConcurrency: 1, whatsappConcurrency: 2, whatsappPerSecond: 40 },
      trace: (point) => {
        if (point === 'whatsapp.answered' && (answered += 1) === 10) returned = outbox.cancel('bc-cancel');
      },
    });
    outbox.enqueue(h.snapshot({ id: 'bc-cancel', line: 1500, whatsapp: 60 }));
    const done = await h.settled(outbox, 'bc-cancel');
    expect(returned).toMatchObject({ state: 'cancelled', note: 'cancelled' });
    expect(done).toMatchObject({ state: 'cancelled', note: 'cancelled' });
    expect(done.finishedAt).not.toBeNull();
    await moment();

    const rows = h.rows('bc-cancel');
    const accepted = rows.filter((row) => row.state === 'accepted');
    expect(rows.every((row) => row.state === 'accepted' || (row.state === 'skipped' && row.reason === 'cancelled'))).toBe(true);
    expect(rows.filter((row) => row.channel === 'whatsapp' && row.state === 'skipped').length).toBeGreaterThan(30);
    // The ledger holds exactly the accepted ones: nothing was sent after the cancel, nothing skipped was sent.
    const sent = [...h.ledger('line'), ...h.ledger('whatsapp')];
    expectExactlyOnce(
      sent,
      accepted.map((row) => row.recipientId),
    );
    expect(outbox.progress('bc-cancel')).toMatchObject({ counts: { accepted: accepted.length, skipped: rows.length - accepted.length, pending: 0 } });
    expect(h.db.prepare('SELECT state, note FROM broadcasts WHERE id = ?').get('bc-cancel')).toEqual({ state: 'cancelled', note: 'cancelled' });
  });

  it('cancel after a LINE attempt went unanswered: those recipients are unknown (LINE may have them), not skipped', async () => {
    const h = await startHarness({ lineUsers: 1000 });
    await h.fault({ route: 'line.multicast', kind: 'hang', count: 1, ms: 1000 });
    const outbox: Outbox = h.outbox({
      options: { lineConcurrency: 1, requestTimeoutMs: 200, backoff: { baseMs: 60_000, maxMs: 60_000 } },
      trace: (point, detail) => {
        if (point === 'line.batch.answered' && detail.outcome === 'retry') outbox.cancel('bc-unanswered');
      },
    });
    outbox.enqueue(h.snapshot({ id: 'bc-unanswered', line: 1000 }));
    await expect(h.settled(outbox, 'bc-unanswered')).resolves.toMatchObject({ state: 'cancelled', counts: { unknown: 500, skipped: 500 } });
    expect(stateCounts(h.rows('bc-unanswered'))).toEqual({ 'unknown(line_timeout)': 500, 'skipped(cancelled)': 500 });
    expect(h.ledger('line')).toHaveLength(0);
  });
});

describe('outbox: network and expiry (fake clock)', () => {
  it('the network gone for a minute: waiting_for_network without polling, then resumes by itself and completes', async () => {
    const time = new FakeTime(Date.now());
    const h = await startHarness({ lineUsers: 2000 });
    let answered = 0;
    const outbox = h.outbox({
      clock: time,
      sleep: time.sleep,
      options: { lineConcurrency: 1 },
      trace: (point) => {
        if (point === 'line.batch.answered' && (answered += 1) === 1) h.network.set(false);
      },
    });
    outbox.enqueue(h.snapshot({ id: 'bc-offline', line: 2000, createdAt: time.now() }));
    const waiting = await h.until(outbox, 'bc-offline', (p) => p.state === 'waiting_for_network' && p.counts.inFlight === 0);
    expect(waiting).toMatchObject({ note: 'waiting_for_network', counts: { accepted: 500, pending: 1500 } });

    // Waiting is a sleep until the online event (or the expiry), not a loop.
    const sleeps = time.sleeps;
    await moment();
    expect(time.sleeps).toBe(sleeps);

    time.advance(MINUTE);
    await moment(20);
    expect(outbox.progress('bc-offline')).toMatchObject({ state: 'waiting_for_network', counts: { accepted: 500 } });
    expect(h.ledger('line')).toHaveLength(500);

    h.network.set(true);
    const done = await h.settled(outbox, 'bc-offline');
    expect(done).toMatchObject({ state: 'completed', note: null, counts: { accepted: 2000 } });
    expectExactlyOnce(h.ledger('line'), h.lineUsers);
    const states = h.events.filter((event) => event.id === 'bc-offline').map((event) => event.state);
    expect(states.filter((state, i) => state !== states[i - 1])).toEqual(['queued', 'sending', 'waiting_for_network', 'sending', 'completed']);
  });

  it('expiry while waiting: at expiresAt every pending recipient is skipped(expired); nothing is sent after', async () => {
    const time = new FakeTime(Date.now());
    const h = await startHarness({ lineUsers: 1000, contacts: 10 });
    h.network.set(false);
    const outbox = h.outbox({ clock: time, sleep: time.sleep });
    outbox.enqueue(h.snapshot({ id: 'bc-expire', line: 1000, whatsapp: 10, createdAt: time.now(), expiresInMs: 10 * MINUTE }));
    await h.until(outbox, 'bc-expire', (p) => p.state === 'waiting_for_network');

    time.advance(9 * MINUTE);
    await moment(20);
    expect(outbox.progress('bc-expire')?.state).toBe('waiting_for_network');

    time.advance(2 * MINUTE);
    const expired = await h.settled(outbox, 'bc-expire');
    expect(expired).toMatchObject({ state: 'expired', note: 'expired', counts: { skipped: 1010, pending: 0 } });
    expect(expired.finishedAt).toBe(time.now());
    expect(stateCounts(h.rows('bc-expire'))).toEqual({ 'skipped(expired)': 1010 });

    h.network.set(true);
    await moment();
    expect(h.ledger('line')).toHaveLength(0);
    expect(h.ledger('whatsapp')).toHaveLength(0);
    expect(outbox.active()).toEqual([]);
  });

  it('a paused broadcast still expires on time', async () => {
    const time = new FakeTime(Date.now());
    const h = await startHarness({ lineUsers: 10 });
    const outbox = h.outbox({ clock: time, sleep: time.sleep });
    outbox.enqueue(h.snapshot({ id: 'bc-paused-expiry', line: 10, createdAt: time.now(), expiresInMs: 5 * MINUTE }));
    outbox.pause('bc-paused-expiry');
    await moment(20);
    time.advance(6 * MINUTE);
    await expect(h.settled(outbox, 'bc-paused-expiry')).resolves.toMatchObject({ state: 'expired', counts: { skipped: 10 } });
    expect(h.ledger('line')).toHaveLength(0);
  });

  it("an unanswered LINE batch is not retried once LINE's 24-hour key memory may have lapsed: unknown", async () => {
    const time = new FakeTime(Date.now());
    const h = await startHarness({ lineUsers: 500 });
    await h.fault({ route: 'line.multicast', kind: 'hang', count: 1, ms: 1000 });
    // The retry waits 15 minutes of fake time (a long wait: only the test moves the clock that far).
    const outbox = h.outbox({ clock: time, sleep: time.sleep, options: { requestTimeoutMs: 200, backoff: { baseMs: 20 * MINUTE, maxMs: 20 * MINUTE } } });
    outbox.enqueue(h.snapshot({ id: 'bc-key', line: 500, createdAt: time.now(), expiresInMs: 48 * HOUR }));
    await vi.waitFor(() => expect(h.batches('bc-key')[0]).toMatchObject({ state: 'pending', attempts: 1, reason: 'line_timeout' }));
    time.advance(23 * HOUR);
    await expect(h.settled(outbox, 'bc-key')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { unknown: 500 } });
    expect(stateCounts(h.rows('bc-key'))).toEqual({ 'unknown(line_timeout)': 500 });
    expect(h.ledger('line')).toHaveLength(0);
  });
});

describe('outbox: restart', () => {
  it('stopped mid-send, a new engine on the same database resumes: LINE resent under the same key, WhatsApp in flight → unknown', async () => {
    const h = await startHarness({ lineUsers: 2000, contacts: 20 });
    await h.fault([
      { route: 'line.multicast', kind: 'latency', ms: 1, count: 2 },
      // The third batch is in flight (its request never handled) when the engine stops.
      { route: 'line.multicast', kind: 'hang', ms: 3000, count: 1 },
      // So is the first WhatsApp message.
      { route: 'whatsapp.messages', kind: 'hang', ms: 3000, count: 1 },
    ]);
    let lineInFlight = 0;
    let whatsappInFlight = 0;
    let stopped: Promise<void> | null = null;
    const first: Outbox = h.outbox({
      options: { lineConcurrency: 1, whatsappConcurrency: 1, whatsappPerSecond: 20, requestTimeoutMs: 10_000, stopTimeoutMs: 300 },
      trace: (point) => {
        if (point === 'line.batch.in_flight') lineInFlight += 1;
        if (point === 'whatsapp.in_flight') whatsappInFlight += 1;
        // Both hung requests are out (whichever left last): stop.
        if (stopped === null && lineInFlight === 3 && whatsappInFlight === 1) stopped = first.stop();
      },
    });
    first.enqueue(h.snapshot({ id: 'bc-restart', line: 2000, whatsapp: 20 }));
    await vi.waitFor(() => expect(stopped).not.toBeNull());
    await stopped;

    // What the first engine left: its state, one LINE batch and one WhatsApp row in flight.
    expect(h.db.prepare('SELECT state FROM broadcasts WHERE id = ?').get('bc-restart')).toEqual({ state: 'sending' });
    const before = h.batches('bc-restart');
    expect(before.map((batch) => batch.state)).toEqual(['accepted', 'accepted', 'in_flight', 'pending']);
    const hungWhatsApp = h.rows('bc-restart').find((row) => row.channel === 'whatsapp' && row.state === 'in_flight');
    expect(hungWhatsApp).toBeDefined();

    const second = h.outbox();
    second.start();
    const done = await h.settled(second, 'bc-restart');
    expect(done).toMatchObject({ state: 'completed_with_failures', counts: { accepted: 2019, unknown: 1 } });
    const rows = h.rows('bc-restart');
    expect(rows.find((row) => row.eventId === hungWhatsApp?.eventId)).toMatchObject({ state: 'unknown', reason: 'interrupted' });

    // LINE: everyone exactly once; the interrupted batch went again under its own key.
    const lineEntries = h.ledger('line');
    expectExactlyOnce(lineEntries, h.lineUsers);
    const after = h.batches('bc-restart');
    expect(after.map((batch) => batch.batchId)).toEqual(before.map((batch) => batch.batchId));
    expect(after[2]).toMatchObject({ state: 'accepted', attempts: 2 });
    const third = rows.filter((row) => row.batchId === after[2]?.batchId).map((row) => row.recipientId);
    expect(new Set(lineEntries.filter((entry) => third.includes(entry.recipient)).map((entry) => entry.retryKey))).toEqual(new Set([after[2]?.batchId]));

    // WhatsApp: the unknown one was never resent (its hung request never reached the service), the rest once.
    const waEntries = h.ledger('whatsapp');
    expectExactlyOnce(
      waEntries,
      h.contacts.map((contact) => contact.waId).filter((waId) => waId !== hungWhatsApp?.recipientId),
    );
  });

  it('a batch LINE accepted while its answer was lost before the stop: the next engine gets 409 and counts it accepted, once', async () => {
    const h = await startHarness({ lineUsers: 1500 });
    await h.fault([
      { route: 'line.multicast', kind: 'latency', ms: 1, count: 2 },
      { route: 'line.multicast', kind: 'accept_then_cut', count: 1 },
    ]);
    let lineInFlight = 0;
    let stopped: Promise<void> | null = null;
    const first: Outbox = h.outbox({
      options: { lineConcurrency: 1 },
      trace: (point) => {
        if (point === 'line.batch.in_flight' && (lineInFlight += 1) === 3) stopped = first.stop();
      },
    });
    first.enqueue(h.snapshot({ id: 'bc-409', line: 1500 }));
    await vi.waitFor(() => expect(stopped).not.toBeNull());
    await stopped;
    expect(h.batches('bc-409')[2]).toMatchObject({ state: 'pending', attempts: 1, reason: 'line_network' });
    expect(h.ledger('line')).toHaveLength(1500);

    const second = h.outbox();
    second.start();
    await expect(h.settled(second, 'bc-409')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 1500 } });
    const entries = h.ledger('line');
    expectExactlyOnce(entries, h.lineUsers);
    const third = h.batches('bc-409')[2];
    expect(third).toMatchObject({ state: 'accepted', attempts: 2 });
    // The accepted request's id (from x-line-accepted-request-id), the one the ledger recorded.
    expect(third?.requestId).toBe(entries.find((entry) => entry.retryKey === third?.batchId)?.id);
  });
});

describe('outbox: start-up', () => {
  it('start(): queued ones send, paused ones stay paused, an expired one expires, a cancel cut short is finished', async () => {
    const h = await startHarness({ lineUsers: 40 });
    const first = h.outbox();
    const part = (id: string, from: number, createdAt: number, expiresInMs = 24 * HOUR) => {
      const snapshot = h.snapshot({ id, line: 40, createdAt, expiresInMs });
      snapshot.recipients = snapshot.recipients.slice(from, from + 10).map((r) => ({ ...r, eventId: `${id}-${r.eventId}` }));
      return snapshot;
    };
    const now = Date.now();
    first.enqueue(part('bc-queued', 0, now));
    first.enqueue(part('bc-paused', 10, now + 1));
    first.pause('bc-paused');
    first.enqueue(part('bc-stale', 20, now - 2 * HOUR, HOUR));
    first.enqueue(part('bc-cut', 30, now + 2));
    // Stopped before anything was sent (sending starts on the next turn of the event loop).
    await first.stop();
    expect(h.ledger('line')).toHaveLength(0);
    // A crash in the middle of cancelling bc-cut: state written, its batch in flight, its recipients not yet swept.
    const [cutBatch] = listPendingBatches(h.db, 'bc-cut');
    markBatchInFlight(h.db, 'bc-cut', cutBatch?.batchId ?? '', now);
    setBroadcastState(h.db, 'bc-cut', { state: 'cancelled', note: 'cancelled', now, finishedAt: now });

    const second = h.outbox();
    expect(second.active().map((p) => [p.id, p.state])).toEqual([
      ['bc-paused', 'paused'],
      ['bc-queued', 'queued'],
      ['bc-stale', 'queued'],
    ]);
    second.start();
    await expect(h.settled(second, 'bc-queued')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 10 } });
    await expect(h.settled(second, 'bc-stale')).resolves.toMatchObject({ state: 'expired', counts: { skipped: 10 } });
    await h.until(second, 'bc-cut', (p) => p.counts.pending === 0 && p.counts.inFlight === 0);
    // The batch was in flight at the crash: LINE may have it, so unknown — never "not sent".
    expect(stateCounts(h.rows('bc-cut'))).toEqual({ 'unknown(interrupted)': 10 });
    expect(second.progress('bc-paused')).toMatchObject({ state: 'paused', counts: { pending: 10 } });
    expect(h.ledger('line')).toHaveLength(10);

    second.resume('bc-paused');
    await expect(h.settled(second, 'bc-paused')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 10 } });
    expect(h.ledger('line')).toHaveLength(20);
    expect(stateCounts(h.rows('bc-stale'))).toEqual({ 'skipped(expired)': 10 });
  });

  it('an unexpected failure halts the run; it resumes from the database and completes, exactly once', async () => {
    const h = await startHarness({ lineUsers: 1500 });
    let calls = 0;
    const errors: string[] = [];
    const outbox = h.outbox({
      options: { lineConcurrency: 1 },
      logger: { ...silentLogger, error: (message) => errors.push(message) },
      credentials: () => {
        calls += 1;
        if (calls === 2) throw new Error('the vault is locked');
        return h.credentials;
      },
    });
    outbox.enqueue(h.snapshot({ id: 'bc-halt', line: 1500 }));
    await expect(h.settled(outbox, 'bc-halt')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 1500 } });
    expect(errors).toEqual(['outbox: broadcast run failed; it resumes from the database']);
    expect(calls).toBeGreaterThan(3);
    expectExactlyOnce(h.ledger('line'), h.lineUsers);
  });

  it('a request whose outcome cannot be handled halts the run; its row is settled as after a crash (WhatsApp: unknown)', async () => {
    const h = await startHarness({ contacts: 10 });
    let sends = 0;
    const outbox = h.outbox({
      options: { whatsappConcurrency: 1 },
      graphClient: (number) => {
        const real = createGraphClient({ baseURL: number.apiBaseUrl, version: number.graphVersion, accessToken: number.accessToken });
        return {
          ...real,
          sendMessage: (...args: Parameters<typeof real.sendMessage>) => {
            sends += 1;
            if (sends === 3) return Promise.reject(new Error('a bug after the request left'));
            return real.sendMessage(...args);
          },
        };
      },
    });
    outbox.enqueue(h.snapshot({ id: 'bc-task', whatsapp: 10 }));
    await expect(h.settled(outbox, 'bc-task')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { accepted: 9, unknown: 1 } });
    expect(stateCounts(h.rows('bc-task'))).toEqual({ accepted: 9, 'unknown(interrupted)': 1 });
    expect(h.ledger('whatsapp')).toHaveLength(9);
  });
});

describe('outbox: progress events', () => {
  it('at most one per 100 ms per broadcast, plus every state change, and the final state at once', async () => {
    const h = await startHarness({ contacts: 150 });
    const outbox = h.outbox({ options: { whatsappPerSecond: 300, whatsappConcurrency: 8 } });
    outbox.enqueue(h.snapshot({ id: 'bc-events', whatsapp: 150 }));
    const done = await h.settled(outbox, 'bc-events');
    const mine = h.events.map((event, i) => ({ event, at: h.eventTimes[i] ?? 0 })).filter(({ event }) => event.id === 'bc-events');
    for (let i = 1; i < mine.length; i += 1) {
      const previous = mine[i - 1];
      const current = mine[i];
      if (!previous || !current) continue;
      const changed = previous.event.state !== current.event.state || previous.event.note !== current.event.note;
      if (!changed) expect(current.at - previous.at).toBeGreaterThanOrEqual(95);
    }
    // ~0.5 s of sending: a handful of events, not 300.
    expect(mine.length).toBeLessThan(20);
    expect(mine.at(-1)?.event).toEqual(done);
    expect(mine.at(-1)?.event).toMatchObject({ state: 'completed', counts: { accepted: 150 } });
  });
});
