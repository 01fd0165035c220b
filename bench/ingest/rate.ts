/**
 * Thumbnails per second of one camera over a window, from the times of its thumbnails.
 *
 * Counting times in [start, start + W) is off by one whenever a frame lands near an edge
 * (capture-time jitter moves it in or out): 29/30 would read as a failure. Frames come about
 * once a second, so the window is shifted (by at most half a second) to sit halfway between
 * two frames: then W seconds hold exactly W frames when none is missing, and a missing frame
 * anywhere in the window, including at its start, counts as missing.
 */
export function thumbnailRate(timesMs: readonly number[], windowStartMs: number, windowMs: number): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const first = sorted.find((t) => t >= windowStartMs);
  if (first === undefined || windowMs <= 0) return 0;
  const phase = (((first - 500 - windowStartMs) % 1000) + 1000) % 1000;
  const start = windowStartMs + phase - (phase >= 500 ? 1000 : 0);
  const count = sorted.filter((t) => t >= start && t < start + windowMs).length;
  return count / (windowMs / 1000);
}

export interface RateSummary {
  min: number;
  mean: number;
}

export function summariseRates(rates: readonly number[]): RateSummary {
  if (rates.length === 0) return { min: 0, mean: 0 };
  return { min: Math.min(...rates), mean: rates.reduce((a, b) => a + b, 0) / rates.length };
}

/** The sweep's pass mark: every camera at least this many thumbnails a second. */
export const SUSTAINED_RATE = 0.99;
/**
 * And the newest thumbnail at most this old at the end of the window: a pipeline that
 * falls behind still writes one thumbnail per second of footage for a while, late.
 */
export const MAX_FRESHNESS_SECONDS = 5;

export function isSustained(minRate: number, maxFreshnessSeconds: number | null): boolean {
  return minRate >= SUSTAINED_RATE && (maxFreshnessSeconds === null || maxFreshnessSeconds <= MAX_FRESHNESS_SECONDS);
}

/**
 * Where one camera's thumbnails were more than 1.5 s apart, as "gaps: 12.0–14.1 s (2.1 s)" with times from the
 * window's start: a lost thumbnail shows as a 2 s gap, a stall as a longer one.
 */
export function gapsText(timesMs: readonly number[], windowStartMs: number): string {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const gaps: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const from = sorted[i - 1] as number;
    const to = sorted[i] as number;
    if (to - from > 1_500) {
      const s = (t: number) => ((t - windowStartMs) / 1000).toFixed(1);
      gaps.push(`${s(from)}–${s(to)} s (${((to - from) / 1000).toFixed(1)} s)`);
    }
  }
  return gaps.length ? `gaps: ${gaps.join(', ')}` : 'no gap over 1.5 s';
}
