/**
 * One benchmark row. Figures are ratios against a baseline measured in the same run, because the machines are
 * shared and noisy: absolute times are recorded for information only.
 */
export interface BenchRow {
  /** What is measured, e.g. "Store: insert 50,000 events". */
  name: string;
  /** The measured figure, as a human-readable string, e.g. "412,000 rows/s". */
  measured: string;
  /** The baseline measured in the same run, e.g. "raw better-sqlite3 insert loop: 610,000 rows/s". */
  baseline: string;
  /** measured / baseline (or the figure the target is written in). */
  ratio: number;
  /** The target, e.g. "≥ 0.5". */
  target: string;
  pass: boolean;
  /** Anything else worth recording (peak memory, sample counts). */
  notes?: string;
}

export interface Benchmark {
  /** Shown as the section heading in RESULTS.md. */
  title: string;
  run(): Promise<BenchRow[]>;
}
