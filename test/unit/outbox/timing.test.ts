import { describe, expect, it } from 'vitest';
import { Lane, Notifier, Pacer, Semaphore, backoffDelay, nap, realSleep, waitFor } from '../../../main/outbox/timing';

/**
 * A fake clock whose sleep advances it: time moves only when someone waits, so a test runs minutes of pacing in
 * microseconds and every timestamp is exact.
 */
function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleeps,
    sleep: async (ms: number): Promise<void> => {
      sleeps.push(ms);
      const wakeAt = now + ms;
      await Promise.resolve();
      now = Math.max(now, wakeAt);
    },
    set(value: number) {
      now = value;
    },
  };
}

/** The largest number of timestamps in any window [t, t + 1000) (sliding, anchored on each timestamp). */
function maxInSlidingSecond(times: readonly number[]): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

function maxInFixedSecond(times: readonly number[]): number {
  const windows = new Map<number, number>();
  for (const time of times) windows.set(Math.floor(time / 1000), (windows.get(Math.floor(time / 1000)) ?? 0) + 1);
  return Math.max(...windows.values());
}

describe('Pacer', () => {
  it('spaces request starts evenly at 0.95 × the limit', async () => {
    const time = fakeTime();
    const pacer = new Pacer(200, time.clock, time.sleep);
    const slots: number[] = [];
    for (let i = 0; i < 1000; i += 1) slots.push(await pacer.take());
    const gaps = slots.slice(1).map((slot, i) => slot - (slots[i] as number));
    const interval = 1000 / 190;
    expect(pacer.intervalMs).toBeCloseTo(interval, 9);
    for (const gap of gaps) expect(gap).toBeCloseTo(interval, 6);
    // 999 gaps of 1000/190 ms: 1,000 starts take ~5.26 s, i.e. 190 per second.
    const seconds = ((slots.at(-1) as number) - (slots[0] as number)) / 1000;
    expect(999 / seconds).toBeCloseTo(190, 6);
  });

  it('never lets a 1-second window (sliding or fixed) see more than the limit, even with many takers at once', async () => {
    const time = fakeTime(1_000_537);
    const pacer = new Pacer(200, time.clock, time.sleep);
    const slots = await Promise.all(Array.from({ length: 2000 }, () => pacer.take()));
    const sorted = [...slots].sort((a, b) => a - b);
    expect(new Set(sorted).size).toBe(2000);
    expect(maxInSlidingSecond(sorted)).toBeLessThanOrEqual(191);
    expect(maxInFixedSecond(sorted)).toBeLessThanOrEqual(200);
    // Evenly spaced: no two starts closer than the interval (a burst would be).
    const minGap = Math.min(...sorted.slice(1).map((slot, i) => slot - (sorted[i] as number)));
    expect(minGap).toBeGreaterThan(1000 / 190 - 1e-6);
  });

  it('starts at once when idle, and does not save up idle time for a later burst', async () => {
    const time = fakeTime();
    const pacer = new Pacer(10, time.clock, time.sleep);
    expect(await pacer.take()).toBe(time.clock.now());
    time.set(time.clock.now() + 60_000);
    const after = [await pacer.take(), await pacer.take(), await pacer.take()];
    expect(after[1]! - after[0]!).toBeCloseTo(1000 / 9.5, 6);
    expect(after[2]! - after[1]!).toBeCloseTo(1000 / 9.5, 6);
  });

  it('holdUntil pushes every later start past the back-off', async () => {
    const time = fakeTime();
    const pacer = new Pacer(100, time.clock, time.sleep);
    await pacer.take();
    const until = time.clock.now() + 5000;
    pacer.holdUntil(until);
    pacer.holdUntil(until - 1000);
    expect(await pacer.take()).toBe(until);
    expect(await pacer.take()).toBeCloseTo(until + 1000 / 95, 6);
  });

  it('an aborted taker rejects and gives its turn up', async () => {
    const time = fakeTime();
    const pacer = new Pacer(1, time.clock, (ms, signal) => realSleep(ms, signal));
    await pacer.take();
    const controller = new AbortController();
    const waiting = pacer.take(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
  });

  it('refuses a non-positive rate', () => {
    const time = fakeTime();
    expect(() => new Pacer(0, time.clock, time.sleep)).toThrow(RangeError);
  });
});

describe('Semaphore and Lane', () => {
  it('holds at most `limit` and serves waiters first come, first served', async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const order: string[] = [];
    const third = semaphore.acquire().then((release) => (order.push('third'), release));
    const fourth = semaphore.acquire().then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(semaphore.active).toBe(2);
    first();
    first(); // idempotent
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect(semaphore.active).toBe(0);
  });

  it('an aborted waiter leaves the queue', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
    held();
    expect(semaphore.active).toBe(0);
    (await semaphore.acquire())();
  });

  it('a lane gives a slot then a paced start; the slot returns on release', async () => {
    const time = fakeTime();
    // 100 / 0.95 per second, paced at 0.95×: one start every 10 ms.
    const lane = new Lane(100 / 0.95, 2, time.clock, time.sleep);
    const a = await lane.acquire();
    const b = await lane.acquire();
    expect(lane.slots.active).toBe(2);
    const c = lane.acquire();
    a();
    (await c)();
    b();
    expect(lane.slots.active).toBe(0);
    const waits = time.sleeps.filter((ms) => ms > 0);
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms).toBeCloseTo(10, 6);
  });
});

describe('backoffDelay', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('doubles per attempt, capped at maxMs', () => {
    const full = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, policy, () => 1));
    expect(full).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(10_000, policy, () => 1)).toBe(60_000);
  });

  it('jitters between half and all of the step', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3000);
    const samples = Array.from({ length: 500 }, () => backoffDelay(4, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });
});

describe('Notifier and waitFor', () => {
  it('wakes every current waiter once, and a later waiter only on the next notify', async () => {
    const notifier = new Notifier();
    let woke = 0;
    const waits = [notifier.wait().then(() => (woke += 1)), notifier.wait().then(() => (woke += 1))];
    notifier.notify();
    await Promise.all(waits);
    expect(woke).toBe(2);
    let late = false;
    void notifier.wait().then(() => (late = true));
    await Promise.resolve();
    expect(late).toBe(false);
    notifier.notify();
    await Promise.resolve();
    expect(late).toBe(true);
  });

  it('waits for a notify or the deadline, and cancels the deadline timer when woken', async () => {
    const notifier = new Notifier();
    const pending: Array<{ ms: number; signal: AbortSignal | undefined }> = [];
    const clock = { now: () => 0 };
    const sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
      pending.push({ ms, signal });
      return new Promise(() => {});
    };
    const controller = new AbortController();
    const waiting = waitFor(notifier, { until: 60_000, clock, sleep, signal: controller.signal });
    expect(pending.map((entry) => entry.ms)).toEqual([60_000]);
    notifier.notify();
    await waiting;
    expect(pending[0]?.signal?.aborted).toBe(true);

    // No deadline: only a notify or the signal ends it.
    const stopped = waitFor(notifier, { until: null, clock, sleep, signal: controller.signal });
    controller.abort();
    await stopped;
    expect(pending).toHaveLength(1);
  });

  it('nap swallows a sleep that rejects on abort', async () => {
    const controller = new AbortController();
    const rejecting = (_ms: number, signal?: AbortSignal): Promise<void> =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const napping = nap(rejecting, 10_000, controller.signal);
    controller.abort();
    await expect(napping).resolves.toBeUndefined();
  });

  it('realSleep resolves early on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = realSleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
