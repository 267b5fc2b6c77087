export interface BenchResult {
  /** The figures of the BENCH line, in order. */
  summary: Record<string, number | string>;
  /** Everything else worth keeping: raw samples, settings, targets. */
  details?: unknown;
}
