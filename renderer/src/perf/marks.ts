/**
 * User-timing marks and measures for profiling (DevTools' Timings track, the grid benchmark's GRID_BENCH_VERBOSE).
 * They cost next to nothing, so they stay in production builds. Every name starts with "omo:".
 */

function available(): boolean {
  return typeof performance !== 'undefined' && typeof performance.mark === 'function';
}

export function mark(name: string): void {
  if (available()) performance.mark(name);
}

/** Runs `work` and records it as a measure named `name` (also when it throws). */
export function measure<T>(name: string, work: () => T): T {
  if (!available() || typeof performance.measure !== 'function') return work();
  const start = performance.now();
  try {
    return work();
  } finally {
    performance.measure(name, { start, end: performance.now() });
  }
}

/** Records a measure from a start time (performance.now()) taken earlier to now. */
export function measureSince(name: string, start: number): void {
  if (available() && typeof performance.measure === 'function') performance.measure(name, { start, end: performance.now() });
}

export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
