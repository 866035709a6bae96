import type { Clock } from '../clock';

/**
 * The engine's waiting primitives. Everything that waits on *time* goes through an injected `Sleep` and reads an
 * injected clock, so tests can run minutes of backoff, pacing and network outage on a fake clock. Nothing here polls:
 * a waiter sleeps until its time or until it is woken.
 */

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout caps at 2^31 − 1 ms (~24.8 days); longer waits are slept in pieces. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Real timers; resolves early (never rejects) when `signal` aborts. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    let remaining = Math.max(0, ms);
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const arm = (): void => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      remaining -= step;
      timer = setTimeout(() => (remaining > 0 ? arm() : done()), step);
    };
    signal?.addEventListener('abort', done, { once: true });
    arm();
  });

/** Sleeps through `sleep`, treating a rejection on abort like an early wake-up. */
export async function nap(sleep: Sleep, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return;
  try {
    await sleep(Math.max(0, ms), signal);
  } catch {
    // An injected sleep may reject on abort; either way the caller re-checks its conditions.
  }
}

/** Wakes every current waiter on notify(); a waiter that arrives later waits for the next notify. */
export class Notifier {
  #waiters: Array<() => void> = [];

  wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      const wake = (): void => {
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Waits for the next notify, for `until` (epoch ms on the injected clock; null = no deadline), or for `signal`,
 * whichever comes first; the deadline's timer is cancelled when something else wins.
 */
export async function waitFor(
  notifier: Notifier,
  options: { until: number | null; clock: Clock; sleep: Sleep; signal: AbortSignal },
): Promise<void> {
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const waits = [notifier.wait(local.signal)];
    if (options.until !== null) waits.push(nap(options.sleep, options.until - options.clock.now(), local.signal));
    await Promise.race(waits);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    local.abort();
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

/**
 * Evenly spaced request starts for one account: at most `perSecond × headroom` per second, each `1000 / that` ms after
 * the previous, so no 1-s window (fixed or sliding) ever holds more than the limit. Takers queue in arrival order:
 * each reserves the next free slot, then sleeps until it. `holdUntil` pushes every future slot past a time (a 429's
 * back-off shared by every broadcast using the account).
 */
export class Pacer {
  readonly intervalMs: number;
  /** When the last reserved slot starts (−∞ before the first). */
  #last = Number.NEGATIVE_INFINITY;
  #heldUntil = Number.NEGATIVE_INFINITY;

  constructor(
    perSecond: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    headroom = 0.95,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`perSecond must be positive, got ${perSecond}`);
    if (!(headroom > 0 && headroom <= 1)) throw new RangeError(`headroom must be in (0, 1], got ${headroom}`);
    this.intervalMs = Number.isFinite(perSecond) ? 1000 / (perSecond * headroom) : 0;
  }

  /** Reserves the next slot; resolves at its time. Rejects with AbortedError on abort (the slot is given up). */
  async take(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted === true) throw new AbortedError();
    const now = this.clock.now();
    const slot = Math.max(now, this.#last + this.intervalMs, this.#heldUntil);
    this.#last = slot;
    if (slot > now) await nap(this.sleep, slot - now, signal);
    // Re-read after the wait (a plain `signal?.aborted` here is narrowed away by the check above).
    if (isAborted(signal)) throw new AbortedError();
    return slot;
  }

  /** No slot starts before `until` (a rate-limit answer's back-off). */
  holdUntil(until: number): void {
    this.#heldUntil = Math.max(this.#heldUntil, until);
  }

  get heldUntil(): number {
    return this.#heldUntil;
  }
}

/** At most `limit` holders; waiters are served first come, first served. */
export class Semaphore {
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  get active(): number {
    return this.#active;
  }

  /** Resolves with a release function (idempotent). Rejects with AbortedError if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(new AbortedError());
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#active += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#active -= 1;
          this.#queue.shift()?.();
        });
      };
      const onAbort = (): void => {
        const index = this.#queue.indexOf(grant);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(new AbortedError());
      };
      if (this.#active < this.limit) return grant();
      this.#queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * One account's lane, shared by every broadcast sending through it: a concurrency limit (requests in flight) and
 * the pacer (request starts). A slot is taken first, then the pacing, so a slot holder never waits for nothing.
 */
export class Lane {
  readonly pacer: Pacer;
  readonly slots: Semaphore;
  /** Consecutive rate-limit answers (429 / 130429), for the lane's back-off; reset by any success. */
  rateLimitStreak = 0;

  constructor(perSecond: number, concurrency: number, clock: Clock, sleep: Sleep) {
    this.pacer = new Pacer(perSecond, clock, sleep);
    this.slots = new Semaphore(concurrency);
  }

  /** Waits for a slot and the next paced start; returns the slot's release. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    const release = await this.slots.acquire(signal);
    try {
      await this.pacer.take(signal);
      return release;
    } catch (error) {
      release();
      throw error;
    }
  }
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential back-off with "equal jitter": attempt n (1-based) waits between half and all of min(max, base·2^(n−1)),
 * so retries spread out (no thundering herd) yet never come back sooner than half the step.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 1000) - 1));
  const jitter = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (step / 2) * jitter);
}
