/**
 * Which stills a timelapse shows (pure). Mode "all" keeps every still; mode "motion" keeps the
 * stills within `contextSeconds` of a still whose motion passed the threshold, so each
 * moving stretch is seen with a little of what led into it and out of it.
 */

/** A still as the index has it: capture time (epoch ms) and path relative to the footage root. */
export interface IndexedStill {
  timeMs: number;
  filepath: string;
}

/**
 * The stills (sorted by time) that lie within contextMs of one of the moving times (sorted).
 * Two pointers: O(stills + moving), which matters at 86,400 stills a camera-day.
 */
export function selectAroundMotion<T extends { timeMs: number }>(
  stills: readonly T[],
  movingTimesMs: readonly number[],
  contextMs: number,
): T[] {
  const kept: T[] = [];
  let m = 0;
  for (const still of stills) {
    // Skip moving times that ended their reach before this still.
    while (m < movingTimesMs.length && (movingTimesMs[m] as number) + contextMs < still.timeMs) m += 1;
    const next = movingTimesMs[m];
    if (next !== undefined && next - contextMs <= still.timeMs) kept.push(still);
  }
  return kept;
}

/** Merges per-series lists into one list in time order; equal times keep the first series' still. */
export function inTimeOrder<T extends { timeMs: number }>(stills: T[]): T[] {
  return stills.sort((a, b) => a.timeMs - b.timeMs);
}
