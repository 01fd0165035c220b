/**
 * Pure arithmetic of the activity routes: heatmap buckets over a range, which source
 * serves them, turning aggregate rows into a row of buckets, and merging moving frames
 * into events. No InfluxDB, no HTTP.
 */
import { regionLevel } from '@fathom/index-contract';
import type { NsRange } from './nearest.js';
import { NS_PER_SECOND } from './time-input.js';

export const NS_PER_MINUTE = 60n * NS_PER_SECOND;
/** Buckets at least this wide read the per-minute activity bucket; narrower ones the thumbnails. */
export const MINUTE_SOURCE_MIN_WIDTH_NS = 5n * NS_PER_MINUTE;
/** Thumbnails come one a second: the one before a moving frame is this much earlier (where an event starts). */
export const THUMBNAIL_INTERVAL_NS = NS_PER_SECOND;
/** The per-minute bucket is complete up to about this long before now (the task runs every minute). */
export const MINUTE_BUCKET_LAG_NS = 3n * NS_PER_MINUTE;

export interface HeatmapPlan {
  widthNs: bigint;
  /** Served from the per-minute bucket: [startNs, splitNs); from the thumbnails: [splitNs, stopNs). */
  minutes: NsRange | null;
  raw: NsRange | null;
}

/**
 * Bucket width (whole ns, at least 1 s) and the sources. With minute buckets, the part
 * of the range too recent for the task to have summed is read from the thumbnails, split
 * on a bucket boundary so no bucket mixes both.
 */
export function planHeatmap(range: NsRange, buckets: number, nowNs: bigint): HeatmapPlan {
  const span = range.stopNs - range.startNs;
  let widthNs = span / BigInt(buckets);
  if (widthNs * BigInt(buckets) < span) widthNs += 1n;
  if (widthNs < NS_PER_SECOND) widthNs = NS_PER_SECOND;
  if (widthNs < MINUTE_SOURCE_MIN_WIDTH_NS) return { widthNs, minutes: null, raw: range };
  const settled = nowNs - MINUTE_BUCKET_LAG_NS;
  let splitNs = range.startNs + ((settled - range.startNs) / widthNs) * widthNs;
  if (settled <= range.startNs) splitNs = range.startNs;
  if (splitNs > range.stopNs) splitNs = range.stopNs;
  return {
    widthNs,
    minutes: splitNs > range.startNs ? { startNs: range.startNs, stopNs: splitNs } : null,
    raw: splitNs < range.stopNs ? { startNs: splitNs, stopNs: range.stopNs } : null,
  };
}

export interface HeatmapRow {
  bucketSeconds: number;
  /** Highest motion of each bucket; null where no frame had a motion value. */
  max: (number | null)[];
  /** Mean motion of each bucket's frames; null where none. */
  mean: (number | null)[];
  /** Frames present / frames expected at one a second, 0..1: 0 is a gap in the footage. */
  coverage: number[];
}

export interface AggregateRow {
  startNs: bigint;
  value: number;
}

/** Minute starts (whole minutes since the epoch) in [startNs, stopNs). */
export function minuteStartsIn(startNs: bigint, stopNs: bigint): number {
  const ceil = (ns: bigint) => (ns <= 0n ? ns / NS_PER_MINUTE : (ns + NS_PER_MINUTE - 1n) / NS_PER_MINUTE);
  return Number(ceil(stopNs) - ceil(startNs));
}

/**
 * Places aggregate rows (stamped at their window's start) into `count` buckets from startNs.
 * Buckets before `minutesUntilNs` were summed from minute points, which count whole in the
 * bucket their minute starts in: their frames are expected from the minutes that start there
 * (so a fully recorded bucket shows coverage 1 whatever its width); the rest from its width.
 */
export function buildHeatmap(
  startNs: bigint,
  widthNs: bigint,
  count: number,
  rows: { max: AggregateRow[]; sum: AggregateRow[]; frames: AggregateRow[] },
  minutesUntilNs: bigint = startNs,
): HeatmapRow {
  const max: (number | null)[] = new Array(count).fill(null);
  const sum: number[] = new Array(count).fill(0);
  const frames: number[] = new Array(count).fill(0);
  const slot = (row: AggregateRow) => {
    const i = Number((row.startNs - startNs) / widthNs);
    return i >= 0 && i < count ? i : -1;
  };
  for (const row of rows.max) {
    const i = slot(row);
    if (i >= 0) max[i] = Math.max(max[i] ?? 0, row.value);
  }
  for (const row of rows.sum) {
    const i = slot(row);
    if (i >= 0) sum[i] = (sum[i] as number) + row.value;
  }
  for (const row of rows.frames) {
    const i = slot(row);
    if (i >= 0) frames[i] = (frames[i] as number) + row.value;
  }
  const seconds = Number(widthNs) / 1e9;
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  const expected = (i: number) => {
    const bucketStart = startNs + BigInt(i) * widthNs;
    return bucketStart < minutesUntilNs ? minuteStartsIn(bucketStart, bucketStart + widthNs) * 60 : seconds;
  };
  return {
    bucketSeconds: seconds,
    max: max.map((v) => (v === null ? null : round(v))),
    // Over all frames present: the few without a motion value (a camera's first after a start) count as still.
    mean: max.map((v, i) =>
      v === null || (frames[i] as number) === 0 ? null : round((sum[i] as number) / (frames[i] as number)),
    ),
    coverage: frames.map((f, i) => {
      const want = expected(i);
      return want > 0 ? round(Math.min(1, f / want)) : 0;
    }),
  };
}

export interface MovingFrame {
  timeNs: bigint;
  motion: number;
  /** The frame's grid when it was read (region searches). */
  grid?: string;
}

export interface MotionEvent {
  /** The first moving frame. */
  startNs: bigint;
  /** Its motion. */
  firstMotion: number;
  endNs: bigint;
  peakNs: bigint;
  peak: number;
  frames: number;
}

/**
 * Runs of moving frames (time order) merged into events: a gap of more than `gapNs`
 * between two moving frames ends an event. With `cells`, only frames whose grid moved
 * inside those cells count.
 */
export function mergeEvents(frames: readonly MovingFrame[], gapNs: bigint, cells?: readonly number[]): MotionEvent[] {
  const events: MotionEvent[] = [];
  let current: MotionEvent | null = null;
  for (const frame of frames) {
    if (cells && (frame.grid === undefined || regionLevel(frame.grid, cells) === 0)) continue;
    if (current && frame.timeNs - current.endNs <= gapNs) {
      current.endNs = frame.timeNs;
      current.frames++;
      if (frame.motion > current.peak) {
        current.peak = frame.motion;
        current.peakNs = frame.timeNs;
      }
      continue;
    }
    current = {
      startNs: frame.timeNs,
      firstMotion: frame.motion,
      endNs: frame.timeNs,
      peakNs: frame.timeNs,
      peak: frame.motion,
      frames: 1,
    };
    events.push(current);
  }
  return events;
}
