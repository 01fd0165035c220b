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

/** How far two consecutive thumbnails may stand from 1 s before spacingText names them. */
export const SPACING_TOLERANCE_MS = 150;

/**
 * Where one camera's consecutive thumbnails were not about 1 s apart, as "off 1 s: 12.0–14.1 s (2.1 s)"
 * with times from the window's start. A lost thumbnail shows as a 2 s spacing, a stall as a longer one,
 * and a step of the capture clock as one spacing short or long (0.4 s, 1.4 s) with none lost.
 */
export function spacingText(timesMs: readonly number[], windowStartMs: number): string {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const off: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const from = sorted[i - 1] as number;
    const to = sorted[i] as number;
    if (Math.abs(to - from - 1_000) > SPACING_TOLERANCE_MS) {
      const s = (t: number) => ((t - windowStartMs) / 1000).toFixed(1);
      off.push(`${s(from)}–${s(to)} s (${((to - from) / 1000).toFixed(2)} s)`);
    }
  }
  return off.length ? `off 1 s: ${off.join(', ')}` : `every spacing 1 s ± ${SPACING_TOLERANCE_MS} ms`;
}

/**
 * How long after its capture time each thumbnail was written (its file's time), as "written 0.31 s (median),
 * 2.62 s (most) after capture": a camera whose pipeline lags shows here, where its spacing stays 1 s.
 */
export function writeDelayText(files: readonly { capturedAtMs: number; writtenAtMs: number }[]): string {
  const delays = files
    .map((f) => f.writtenAtMs - f.capturedAtMs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (delays.length === 0) return 'no thumbnail written';
  const median = delays[Math.floor((delays.length - 1) / 2)] as number;
  const most = delays[delays.length - 1] as number;
  return `written ${(median / 1000).toFixed(2)} s (median), ${(most / 1000).toFixed(2)} s (most) after capture`;
}
