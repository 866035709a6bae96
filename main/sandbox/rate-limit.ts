/**
 * A fixed one-second window per key, as LINE and WhatsApp describe their limits ("200 requests per second"). `take`
 * answers whether one more unit fits in the current window of the sandbox clock.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly now: () => number) {}

  take(key: string, limitPerSecond: number, units = 1): boolean {
    if (!Number.isFinite(limitPerSecond)) return true;
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= 1000) {
      window = { start: now - (now % 1000), used: 0 };
      this.#windows.set(key, window);
    }
    if (window.used + units > limitPerSecond) return false;
    window.used += units;
    return true;
  }

  reset(): void {
    this.#windows.clear();
  }
}
