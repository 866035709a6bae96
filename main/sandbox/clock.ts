/**
 * The sandbox's own clock: retry-key memory, rate windows, the WhatsApp 24-hour window and event times all read it,
 * so a test can move time (a day for LINE's retry-key expiry, a minute of lost network) without waiting.
 */
export class SandboxClock {
  #offsetMs = 0;
  #frozenAt: number | null = null;

  constructor(private readonly realNow: () => number = Date.now) {}

  now(): number {
    return this.#frozenAt ?? this.realNow() + this.#offsetMs;
  }

  /** Moves time forward (or back, for a negative value). */
  advance(ms: number): void {
    if (this.#frozenAt !== null) this.#frozenAt += ms;
    else this.#offsetMs += ms;
  }

  /** Stops time at `at` (or now) until `resume()`. */
  freeze(at: number = this.now()): void {
    this.#frozenAt = at;
  }

  resume(): void {
    if (this.#frozenAt === null) return;
    this.#offsetMs = this.#frozenAt - this.realNow();
    this.#frozenAt = null;
  }
}
