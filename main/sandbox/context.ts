import type { SandboxClock } from './clock';
import type { Faults } from './faults';
import type { Ledger } from './ledger';
import type { RateLimiter } from './rate-limit';
import type { SandboxWorld } from './world';

/** Limits the sandbox enforces like the real services; all configurable (`POST /_sandbox/config`). */
export interface SandboxLimits {
  /** LINE: multicast requests per second per channel. */
  lineMulticastPerSecond: number;
  /** LINE: every other endpoint, per channel. */
  lineOtherPerSecond: number;
  /** LINE: overrides every channel's monthly quota when set; null = each channel's own. */
  lineMonthlyQuota: number | null;
  /** How long LINE remembers a retry key. */
  lineRetryKeyTtlMs: number;
  /** WhatsApp: messages per second per phone number (130429 beyond). */
  whatsappMessagesPerSecond: number;
  /** WhatsApp: the shortest gap between two messages to the same customer (131056 below). */
  whatsappPairIntervalMs: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  lineMulticastPerSecond: 200,
  lineOtherPerSecond: 2000,
  lineMonthlyQuota: null,
  lineRetryKeyTtlMs: 24 * 60 * 60 * 1000,
  whatsappMessagesPerSecond: 80,
  whatsappPairIntervalMs: 6000,
};

/** Lifted limits, for benchmarks where the sandbox must never be the bottleneck. */
export const UNLIMITED: Partial<SandboxLimits> = {
  lineMulticastPerSecond: Number.POSITIVE_INFINITY,
  lineMonthlyQuota: Number.POSITIVE_INFINITY,
  lineOtherPerSecond: Number.POSITIVE_INFINITY,
  whatsappMessagesPerSecond: Number.POSITIVE_INFINITY,
  whatsappPairIntervalMs: 0,
};

export interface SandboxContext {
  readonly clock: SandboxClock;
  readonly ledger: Ledger;
  readonly faults: Faults;
  readonly rate: RateLimiter;
  readonly limits: SandboxLimits;
  readonly world: SandboxWorld;
  /** `http://127.0.0.1:<port>`: the base URL of every emulated service, and of hosted media. */
  readonly origin: string;
}
