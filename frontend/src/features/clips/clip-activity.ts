/**
 * Motion per clip, from one /activity row for the whole day with a bucket per
 * minute (one request, not one per clip), and the "only clips with motion"
 * filter. Pure.
 *
 * A clip is (from, from + X] like /thumbnailGroup; its buckets are the minutes
 * [from, from + X). The two differ only for a frame exactly on a clip boundary.
 */
import type { ActivityRow } from '../../api/activity';
import { type DayItem, type Interval, MINUTE_MS } from './day-layout';

/** The /activity request for a day: one bucket a minute from midnight up to the minute holding `asOfMs`. */
export function dayActivityQuery(
  dayStartMs: number,
  dayEndMs: number,
  asOfMs: number,
): { fromMs: number; toMs: number; buckets: number } {
  const elapsed = Math.min(dayEndMs, Math.max(asOfMs, dayStartMs)) - dayStartMs;
  const buckets = Math.max(1, Math.ceil(elapsed / MINUTE_MS));
  return { fromMs: dayStartMs, toMs: dayStartMs + buckets * MINUTE_MS, buckets };
}

export interface ClipActivity {
  /** Highest motion per bucket of the clip (null: no motion value there). */
  max: (number | null)[];
  coverage: number[];
  /** Start of each bucket. */
  startsMs: number[];
  bucketMs: number;
  /** The clip's highest motion; null when no bucket has a value. */
  peak: number | null;
  peakMs: number | null;
}

/**
 * The buckets of a row that start inside [fromMs, toMs); null when the row does
 * not reach the clip at all (nothing known about it).
 */
export function sliceActivity(row: ActivityRow, fromMs: number, toMs: number): ClipActivity | null {
  const first = Math.max(0, Math.ceil((fromMs - row.fromMs) / row.bucketMs));
  const end = Math.min(row.max.length, Math.ceil((toMs - row.fromMs) / row.bucketMs));
  if (end <= first) return null;
  const max = row.max.slice(first, end);
  const coverage = row.coverage.slice(first, end);
  const startsMs = max.map((_, i) => row.fromMs + (first + i) * row.bucketMs);
  let peak: number | null = null;
  let peakMs: number | null = null;
  for (const [i, value] of max.entries()) {
    if (value !== null && (peak === null || value > peak)) {
      peak = value;
      peakMs = startsMs[i] ?? null;
    }
  }
  return { max, coverage, startsMs, bucketMs: row.bucketMs, peak, peakMs };
}

/** True when a clip is known to hold no motion of at least `min`. */
export function isQuiet(activity: ClipActivity | null, min: number): boolean {
  return activity !== null && (activity.peak === null || activity.peak < min);
}

/** What the filtered grid shows: the day's items, with clips lacking motion folded into "quiet" runs. */
export type ShownItem =
  | DayItem
  | {
      kind: 'quiet';
      /** The clips' intervals, merged. */
      fromMs: number;
      toMs: number;
      clips: number;
      /** What to show as its range: from the first frame to the last, where the clips are loaded. */
      firstMs: number;
      lastMs: number;
    };

/**
 * Only clips with motion: a clip (loaded, or still waiting to load) whose minutes
 * hold no motion of at least `min` is hidden, and neighbouring hidden clips become
 * one "quiet" item so the grid still says where time went. Gaps, checks and errors
 * stay. A clip whose activity is not known is kept.
 */
export function onlyClipsWithMotion(
  items: readonly DayItem[],
  activityOf: (clip: Interval) => ClipActivity | null,
  min: number,
): ShownItem[] {
  const shown: ShownItem[] = [];
  for (const item of items) {
    const hide = (item.kind === 'clip' || item.kind === 'pending') && isQuiet(activityOf(item), min);
    if (!hide) {
      shown.push(item);
      continue;
    }
    const firstMs = item.kind === 'clip' ? item.summary.firstMs : item.fromMs;
    const lastMs = item.kind === 'clip' ? item.summary.lastMs : item.toMs;
    const previous = shown[shown.length - 1];
    if (previous?.kind === 'quiet' && previous.toMs >= item.fromMs) {
      previous.toMs = Math.max(previous.toMs, item.toMs);
      previous.lastMs = Math.max(previous.lastMs, lastMs);
      previous.clips += 1;
    } else {
      shown.push({ kind: 'quiet', fromMs: item.fromMs, toMs: item.toMs, clips: 1, firstMs, lastMs });
    }
  }
  return shown;
}
