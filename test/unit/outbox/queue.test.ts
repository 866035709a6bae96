import { describe, expect, it } from 'vitest';
import { RateWindow, RecipientCounters, buildProgress } from '../../../main/outbox/counts';
import { RetryQueue } from '../../../main/outbox/queue';

describe('RetryQueue', () => {
  it('gives the ready item first in order, and says when the earliest waiting one is due', () => {
    const queue = new RetryQueue<{ seq: number }>((item) => item.seq, [{ seq: 3 }, { seq: 1 }]);
    queue.push({ seq: 0 }, 500);
    expect(queue.next(100)).toEqual({ item: { seq: 1 } });
    expect(queue.next(100)).toEqual({ item: { seq: 3 } });
    expect(queue.next(100)).toEqual({ later: 500 });
    expect(queue.next(500)).toEqual({ item: { seq: 0 } });
    expect(queue.next(500)).toBeNull();
  });

  it('removes items by predicate', () => {
    const queue = new RetryQueue<{ seq: number; ok: boolean }>((item) => item.seq, [
      { seq: 1, ok: true },
      { seq: 2, ok: false },
    ]);
    expect(queue.removeWhere((item) => !item.ok)).toEqual([{ seq: 2, ok: false }]);
    expect(queue.size).toBe(1);
  });
});

describe('counters and progress', () => {
  it('moves counts between states and builds the progress with a rate and an ETA only while sending', () => {
    const counters = RecipientCounters.from([
      { channel: 'line', state: 'pending', count: 1000 },
      { channel: 'whatsapp', state: 'pending', count: 200 },
      { channel: 'whatsapp', state: 'skipped', count: 3 },
    ]);
    counters.move('line', 'pending', 'in_flight', 500);
    counters.move('line', 'in_flight', 'accepted', 500);
    const facts = { id: 'b', draftId: null, note: null, createdAt: 0, startedAt: 0, finishedAt: null, expiresAt: 1 };
    const sending = buildProgress({ ...facts, state: 'sending' }, counters, 100);
    expect(sending).toMatchObject({
      total: 1203,
      counts: { pending: 700, inFlight: 0, accepted: 500, failed: 0, skipped: 3, unknown: 0 },
      line: { pending: 500, accepted: 500 },
      whatsapp: { pending: 200, skipped: 3 },
      ratePerSecond: 100,
      etaSeconds: 7,
    });
    expect(buildProgress({ ...facts, state: 'paused' }, counters, 100)).toMatchObject({ ratePerSecond: 0, etaSeconds: null });
  });

  it('measures completions per second over the last five seconds', () => {
    const rate = new RateWindow();
    rate.restart(0);
    expect(rate.perSecond(0)).toBe(0);
    for (let t = 0; t < 10_000; t += 100) rate.record(t, 5);
    // 50 per second steadily; the window holds the last five seconds.
    expect(rate.perSecond(10_000)).toBeCloseTo(50, 0);
    expect(rate.perSecond(20_000)).toBe(0);
    // A first answer right after the start does not read as a huge rate.
    const fresh = new RateWindow();
    fresh.restart(0);
    fresh.record(1, 1);
    expect(fresh.perSecond(1)).toBe(1);
  });
});
