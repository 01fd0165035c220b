/** Timelapse playback rules. Pure. At one thumbnail a second, N frames/s is N× real time. */

export const PLAYBACK_FPS = [1, 2, 5, 10, 20, 30] as const;
export const DEFAULT_PLAYBACK_FPS = 10;

export function frameIntervalMs(fps: number): number {
  return Math.round(1000 / fps);
}

/** The frame index after a step, kept inside the clip. */
export function stepIndex(index: number, count: number, by: number): number {
  if (count <= 0) return 0;
  return Math.min(Math.max(index + by, 0), count - 1);
}

/** The next frame while playing; null at the end (playback stops there rather than loop). */
export function nextPlayingIndex(index: number, count: number): number | null {
  return index + 1 < count ? index + 1 : null;
}

/** The index of the frame closest to `timeMs` in a clip's frames, oldest first. */
export function indexOfTime(timesMs: readonly number[], timeMs: number): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [i, t] of timesMs.entries()) {
    const distance = Math.abs(t - timeMs);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/** A faster or slower speed from the offered list. */
export function shiftSpeed(fps: number, by: 1 | -1): number {
  const index = PLAYBACK_FPS.findIndex((s) => s >= fps);
  const current = index === -1 ? PLAYBACK_FPS.length - 1 : index;
  return PLAYBACK_FPS[Math.min(Math.max(current + by, 0), PLAYBACK_FPS.length - 1)] ?? fps;
}
