/**
 * A distribution of per-camera times (first thumbnail, handover) in four figures: min, median,
 * p95, max. Percentiles are nearest-rank (an observed value, as everywhere in the benches); a
 * camera that never got there within the timeout counts as +Infinity, so it lands in the top
 * figures and is printed as "> timeout" rather than left out.
 */
import { percentile } from '../../scripts/lib/percentile.js';

export interface Distribution {
  count: number;
  /** How many of them are finite (got there before the timeout). */
  reached: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return {
    count: sorted.length,
    reached: sorted.filter(Number.isFinite).length,
    min: sorted[0] ?? Number.NaN,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Milliseconds as seconds with one decimal; +Infinity as "> timeout" (the wait's limit), NaN as n/a. */
export function seconds(ms: number, timeoutMs?: number): string {
  if (Number.isNaN(ms)) return 'n/a';
  if (ms === Number.POSITIVE_INFINITY) return timeoutMs === undefined ? 'never' : `> ${Math.round(timeoutMs / 1000)}`;
  return (ms / 1000).toFixed(1);
}

/** "min / median / p95 / max s" of a distribution in seconds. */
export function distributionText(d: Distribution, timeoutMs?: number): string {
  if (d.count === 0) return 'n/a';
  return [d.min, d.median, d.p95, d.max].map((v) => seconds(v, timeoutMs)).join(' / ');
}
