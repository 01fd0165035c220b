/**
 * The nearest-rank percentile (the smallest sample with at least p % of samples at or
 * below it), so p99 of 1,000 samples is the 990th: a real observed value, never an
 * interpolation between two. Shared by the benchmarks, the fault suite and the tests
 * that report a distribution, so all of them mean the same thing by "p99".
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}
