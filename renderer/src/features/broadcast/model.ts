import type { BroadcastProgress, BroadcastState, RecipientCounts } from '../../../../preload/contract';

/**
 * States a broadcast never leaves. The contract's FINAL_BROADCAST_STATES is a value the renderer may not import;
 * a Record over every state makes a new state a compile error here instead of a silent "not final".
 */
const FINAL: Readonly<Record<BroadcastState, boolean>> = {
  queued: false,
  sending: false,
  paused: false,
  waiting_for_network: false,
  completed: true,
  completed_with_failures: true,
  cancelled: true,
  expired: true,
};

export function isFinalState(state: BroadcastState): boolean {
  return FINAL[state];
}

/** Recipients that need nothing more: accepted, failed, skipped or unknown (never resent automatically). */
export function doneCount(counts: RecipientCounts): number {
  return counts.accepted + counts.failed + counts.skipped + counts.unknown;
}

/** Recipients not reached yet: waiting, or in a request that has not answered. */
export function remainingCount(counts: RecipientCounts): number {
  return counts.pending + counts.inFlight;
}

/** 0–100, rounded down (100 only when everyone is done); an empty broadcast is done. */
export function percentDone(progress: BroadcastProgress): number {
  if (progress.total === 0) return 100;
  return Math.min(100, Math.floor((doneCount(progress.counts) * 100) / progress.total));
}

/**
 * Whether `next` may replace `current`. The contract gives a progress no sequence number, so order is judged from
 * what only moves forward: a final state is never left, and recipients once done stay done.
 */
export function isNewerProgress(next: BroadcastProgress, current: BroadcastProgress): boolean {
  if (isFinalState(current.state)) return false;
  return doneCount(next.counts) >= doneCount(current.counts);
}

export function newestFirst(a: BroadcastProgress, b: BroadcastProgress): number {
  return b.createdAt - a.createdAt;
}

/** A duration as the UI says it: under a second, whole seconds, minutes (rounded up), or hours and minutes. */
export type DurationWords =
  | { unit: 'underSecond' }
  | { unit: 'seconds'; n: number }
  | { unit: 'minutes'; n: number }
  | { unit: 'hours'; n: number }
  | { unit: 'hoursMinutes'; hours: number; minutes: number };

export function durationWords(seconds: number): DurationWords {
  if (seconds < 1) return { unit: 'underSecond' };
  if (seconds < 60) return { unit: 'seconds', n: Math.round(seconds) };
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return { unit: 'minutes', n: minutes };
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? { unit: 'hours', n: hours } : { unit: 'hoursMinutes', hours, minutes: rest };
}
