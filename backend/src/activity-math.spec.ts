import { encodeGrid, GRID_CELLS, regionCells } from '@fathom/index-contract';
import { describe, expect, it } from 'vitest';
import {
  buildHeatmap,
  MINUTE_BUCKET_LAG_NS,
  mergeEvents,
  minuteStartsIn,
  NS_PER_MINUTE,
  planHeatmap,
} from './activity-math.js';

const S = 1_000_000_000n;
const T0 = 1_795_618_800n * S;

describe('planHeatmap', () => {
  it('narrow buckets read the thumbnails', () => {
    const plan = planHeatmap({ startNs: T0, stopNs: T0 + 3600n * S }, 120, T0 + 7200n * S);
    expect(plan).toEqual({ widthNs: 30n * S, minutes: null, raw: { startNs: T0, stopNs: T0 + 3600n * S } });
  });

  it('wide buckets read the minute bucket, and the unsettled end on a bucket boundary from the thumbnails', () => {
    const range = { startNs: T0, stopNs: T0 + 86_400n * S };
    const now = T0 + 86_400n * S - 60n * S; // a minute before the end of the range
    const plan = planHeatmap(range, 96, now); // 15-minute buckets
    expect(plan.widthNs).toBe(15n * NS_PER_MINUTE);
    const split = plan.minutes?.stopNs ?? 0n;
    expect(split).toBe(plan.raw?.startNs);
    expect((split - T0) % plan.widthNs).toBe(0n);
    expect(split).toBeLessThanOrEqual(now - MINUTE_BUCKET_LAG_NS);
    expect(now - MINUTE_BUCKET_LAG_NS - split).toBeLessThan(plan.widthNs);
  });

  it('a range in the past is all minutes; one in the future all thumbnails; never narrower than 1 s', () => {
    const range = { startNs: T0, stopNs: T0 + 7n * 86_400n * S };
    expect(planHeatmap(range, 2000, T0 + 30n * 86_400n * S).raw).toBeNull();
    expect(planHeatmap(range, 2000, T0 - S).minutes).toBeNull();
    expect(planHeatmap({ startNs: T0, stopNs: T0 + 10n * S }, 100, T0).widthNs).toBe(S);
    // Uneven spans round the width up, so the buckets cover the whole range.
    expect(planHeatmap({ startNs: T0, stopNs: T0 + 100n * S + 1n }, 100, T0).widthNs * 100n).toBeGreaterThan(100n * S);
  });
});

describe('buildHeatmap', () => {
  it('places rows by their window start, and shows missing buckets as gaps', () => {
    const w = 10n * S;
    const row = buildHeatmap(T0, w, 4, {
      max: [
        { startNs: T0, value: 0.5 },
        { startNs: T0 + 2n * w, value: 0.25 },
      ],
      sum: [
        { startNs: T0, value: 1 },
        { startNs: T0 + 2n * w, value: 0.5 },
      ],
      frames: [
        { startNs: T0, value: 10 },
        { startNs: T0 + 2n * w, value: 5 },
        { startNs: T0 + 3n * w, value: 20 },
        { startNs: T0 + 9n * w, value: 3 }, // outside: ignored
      ],
    });
    expect(row).toEqual({
      bucketSeconds: 10,
      max: [0.5, null, 0.25, null],
      mean: [0.1, null, 0.1, null],
      coverage: [1, 0, 0.5, 1],
    });
  });
});

describe('minute-sourced coverage', () => {
  it('expects the frames of the minutes that start in a bucket, so a full bucket is 1 at any width', () => {
    const w = 1296n * S; // 21.6 minutes: 21 or 22 minute starts
    const frames = [22, 22, 21].map((minutes, i) => ({ startNs: T0 + BigInt(i) * w, value: minutes * 60 }));
    const row = buildHeatmap(T0, w, 3, { max: [], sum: [], frames }, T0 + 3n * w);
    expect(row.coverage).toEqual([1, 1, 1]);
    expect([0n, 1n, 2n].map((i) => minuteStartsIn(T0 + i * w, T0 + (i + 1n) * w))).toEqual([22, 22, 21]);
    expect(minuteStartsIn(T0 + S, T0 + 60n * S)).toBe(0);
  });
});

describe('mergeEvents', () => {
  const at = (s: number, motion = 0.1, grid?: string) => ({
    timeNs: T0 + BigInt(s) * S,
    motion,
    ...(grid ? { grid } : {}),
  });

  it('merges frames closer than the gap and keeps the peak', () => {
    const events = mergeEvents([at(0, 0.1), at(1, 0.3), at(3, 0.2), at(10, 0.05), at(11, 0.06)], 3n * S);
    expect(events).toEqual([
      { startNs: T0, firstMotion: 0.1, endNs: T0 + 3n * S, peakNs: T0 + S, peak: 0.3, frames: 3 },
      { startNs: T0 + 10n * S, firstMotion: 0.05, endNs: T0 + 11n * S, peakNs: T0 + 11n * S, peak: 0.06, frames: 2 },
    ]);
    expect(mergeEvents([], S)).toEqual([]);
  });

  it('with a region, counts only frames that moved inside it', () => {
    const levels = new Uint8Array(GRID_CELLS);
    levels[0] = 3;
    const topLeft = encodeGrid(levels);
    const still = encodeGrid(new Uint8Array(GRID_CELLS));
    const cells = regionCells({ x: 0, y: 0, w: 0.1, h: 0.1 });
    const events = mergeEvents([at(0, 0.2, still), at(1, 0.1, topLeft), at(2, 0.3, still), at(3)], 5n * S, cells);
    expect(events).toEqual([
      { startNs: T0 + S, firstMotion: 0.1, endNs: T0 + S, peakNs: T0 + S, peak: 0.1, frames: 1 },
    ]);
  });
});
