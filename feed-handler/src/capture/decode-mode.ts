import type { DecodeMode } from './ffmpeg-args.js';

/**
 * Decode only keyframes when they come at least once a second (cheap: no
 * inter-frame decoding at all); otherwise decode everything and pick one
 * frame per wall-clock second.
 */

/** Cameras and GStreamer say "1 s" and deliver every 1.006 s; anything up to this counts as one a second. */
export const KEYFRAME_INTERVAL_LIMIT_MS = 1_100;

export interface DecodeModeChoice {
  mode: DecodeMode;
  /** Median keyframe interval seen by the probe; null when it saw fewer than two keyframes. */
  keyframeIntervalMs: number | null;
  /**
   * `probe`: measured interval; `inconclusive`: the probe saw fewer than two keyframes (a long GOP, or a
   * loaded machine that started ffmpeg too late to see them), so the mode is a fallback for one run.
   */
  source: 'override' | 'probe' | 'inconclusive';
  /** Whether the choice may be kept across restarts: only overrides and measured intervals are. */
  keep: boolean;
}

export function medianIntervalMs(keyframeTimesMs: readonly number[]): number | null {
  const sorted = [...keyframeTimesMs].sort((a, b) => a - b);
  const intervals: number[] = [];
  for (let i = 1; i < sorted.length; i++) intervals.push((sorted[i] as number) - (sorted[i - 1] as number));
  if (intervals.length === 0) return null;
  intervals.sort((a, b) => a - b);
  const mid = Math.floor(intervals.length / 2);
  return intervals.length % 2
    ? (intervals[mid] as number)
    : ((intervals[mid - 1] as number) + (intervals[mid] as number)) / 2;
}

export function chooseDecodeMode(setting: 'auto' | DecodeMode, keyframeTimesMs: readonly number[]): DecodeModeChoice {
  const keyframeIntervalMs = medianIntervalMs(keyframeTimesMs);
  if (setting !== 'auto') return { mode: setting, keyframeIntervalMs, source: 'override', keep: true };
  // Unknown interval: decode everything so this run makes thumbnails whatever the GOP, but probe again next start.
  if (keyframeIntervalMs === null) return { mode: 'all', keyframeIntervalMs, source: 'inconclusive', keep: false };
  const mode = keyframeIntervalMs <= KEYFRAME_INTERVAL_LIMIT_MS ? 'keyframes' : 'all';
  return { mode, keyframeIntervalMs, source: 'probe', keep: true };
}
