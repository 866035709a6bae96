import type { BroadcastNote, BroadcastProgress, BroadcastState, RecipientCounts } from '../../preload/contract';
import type { RecipientStateName, StateCount } from '../store/outbox';

export type Channel = 'line' | 'whatsapp';

const KEY: Record<RecipientStateName, keyof RecipientCounts> = {
  pending: 'pending',
  in_flight: 'inFlight',
  accepted: 'accepted',
  failed: 'failed',
  skipped: 'skipped',
  unknown: 'unknown',
};

export function emptyCounts(): RecipientCounts {
  return { pending: 0, inFlight: 0, accepted: 0, failed: 0, skipped: 0, unknown: 0 };
}

function sum(a: RecipientCounts, b: RecipientCounts): RecipientCounts {
  return {
    pending: a.pending + b.pending,
    inFlight: a.inFlight + b.inFlight,
    accepted: a.accepted + b.accepted,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    unknown: a.unknown + b.unknown,
  };
}

/**
 * A broadcast's recipients per channel and state, kept in memory: initialised once (from the snapshot, or one
 * GROUP BY at start-up) and moved on every transition by the number of rows the transition changed, so a progress
 * event never scans the table.
 */
export class RecipientCounters {
  readonly line = emptyCounts();
  readonly whatsapp = emptyCounts();

  static from(rows: readonly StateCount[]): RecipientCounters {
    const counters = new RecipientCounters();
    for (const row of rows) counters.add(row.channel, row.state, row.count);
    return counters;
  }

  add(channel: Channel, state: RecipientStateName, n: number): void {
    this[channel][KEY[state]] += n;
  }

  move(channel: Channel, from: RecipientStateName, to: RecipientStateName, n: number): void {
    if (n <= 0) return;
    this[channel][KEY[from]] -= n;
    this[channel][KEY[to]] += n;
  }

  get total(): RecipientCounts {
    return sum(this.line, this.whatsapp);
  }
}

/**
 * Completions per second over a sliding window (5 s by default), in 250-ms buckets on the engine's clock. Only
 * answered sends count (accepted, failed, unknown), not sweeps, so the rate is the send rate.
 */
export class RateWindow {
  readonly #bucketMs = 250;
  readonly #buckets = new Map<number, number>();
  #since: number | null = null;

  constructor(private readonly windowMs = 5000) {}

  /** Sending (re)started now: the rate is measured from here. */
  restart(now: number): void {
    this.#since = now;
    this.#buckets.clear();
  }

  record(now: number, n: number): void {
    if (n <= 0) return;
    this.#since ??= now;
    const bucket = Math.floor(now / this.#bucketMs);
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + n);
    if (this.#buckets.size > (this.windowMs / this.#bucketMs) * 2) this.#prune(now);
  }

  perSecond(now: number): number {
    if (this.#since === null) return 0;
    this.#prune(now);
    let total = 0;
    for (const n of this.#buckets.values()) total += n;
    // At least one second, so a first answer a millisecond after the start does not read as 1,000/s.
    const span = Math.max(1000, Math.min(this.windowMs, now - this.#since));
    return (total * 1000) / span;
  }

  #prune(now: number): void {
    const oldest = Math.floor((now - this.windowMs) / this.#bucketMs);
    for (const bucket of this.#buckets.keys()) if (bucket < oldest) this.#buckets.delete(bucket);
  }
}

export interface ProgressFacts {
  id: string;
  draftId: string | null;
  state: BroadcastState;
  note: BroadcastNote | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  expiresAt: number;
}

export function buildProgress(facts: ProgressFacts, counters: RecipientCounters, ratePerSecond: number): BroadcastProgress {
  const counts = counters.total;
  const total = counts.pending + counts.inFlight + counts.accepted + counts.failed + counts.skipped + counts.unknown;
  const left = counts.pending + counts.inFlight;
  const sending = facts.state === 'sending';
  const rate = sending ? ratePerSecond : 0;
  return {
    id: facts.id,
    draftId: facts.draftId,
    state: facts.state,
    note: facts.note,
    total,
    counts,
    line: { ...counters.line },
    whatsapp: { ...counters.whatsapp },
    ratePerSecond: Math.round(rate * 100) / 100,
    etaSeconds: sending && rate > 0 ? Math.round((left / rate) * 10) / 10 : null,
    createdAt: facts.createdAt,
    startedAt: facts.startedAt,
    finishedAt: facts.finishedAt,
    expiresAt: facts.expiresAt,
  };
}
