import { describe, expect, it } from 'vitest';
import type { ActivityRow } from '../../api/activity';
import { dayActivityQuery, isQuiet, onlyClipsWithMotion, sliceActivity } from './clip-activity';
import { type DayItem, HOUR_MS, MINUTE_MS } from './day-layout';

const DAY = Date.UTC(2026, 10, 25);

function row(max: (number | null)[], coverage?: number[]): ActivityRow {
  return {
    camera: 'yard',
    fromMs: DAY,
    toMs: DAY + max.length * MINUTE_MS,
    bucketMs: MINUTE_MS,
    max,
    mean: max,
    coverage: coverage ?? max.map((m) => (m === null ? 0 : 1)),
    source: 'thumbnails',
  };
}

describe('dayActivityQuery', () => {
  it('asks for a minute per bucket, up to the minute holding now', () => {
    expect(dayActivityQuery(DAY, DAY + 24 * HOUR_MS, DAY + 48 * HOUR_MS)).toEqual({
      fromMs: DAY,
      toMs: DAY + 24 * HOUR_MS,
      buckets: 1440,
    });
    expect(dayActivityQuery(DAY, DAY + 24 * HOUR_MS, DAY + 90 * MINUTE_MS + 1)).toEqual({
      fromMs: DAY,
      toMs: DAY + 91 * MINUTE_MS,
      buckets: 91,
    });
    expect(dayActivityQuery(DAY, DAY + 24 * HOUR_MS, DAY).buckets).toBe(1);
    expect(dayActivityQuery(DAY, DAY + 25 * HOUR_MS, DAY + 30 * HOUR_MS).buckets).toBe(1500);
  });
});

describe('sliceActivity', () => {
  it('takes the minutes of a clip and its peak', () => {
    const r = row([0, 0, 0.01, 0.2, null, 0, 0.003, 0]);
    const slice = sliceActivity(r, DAY + 2 * MINUTE_MS, DAY + 6 * MINUTE_MS);
    expect(slice).toEqual({
      max: [0.01, 0.2, null, 0],
      coverage: [1, 1, 0, 1],
      startsMs: [2, 3, 4, 5].map((m) => DAY + m * MINUTE_MS),
      bucketMs: MINUTE_MS,
      peak: 0.2,
      peakMs: DAY + 3 * MINUTE_MS,
    });
  });

  it('cuts at the end of the row, and knows nothing past it', () => {
    const r = row([0, 0.01, 0]);
    expect(sliceActivity(r, DAY + 2 * MINUTE_MS, DAY + 12 * MINUTE_MS)?.max).toEqual([0]);
    expect(sliceActivity(r, DAY + 3 * MINUTE_MS, DAY + 13 * MINUTE_MS)).toBeNull();
    expect(sliceActivity(row([null, null]), DAY, DAY + 2 * MINUTE_MS)?.peak).toBeNull();
  });
});

describe('onlyClipsWithMotion', () => {
  const clip = (minute: number, minutes = 1): DayItem => ({
    kind: 'clip',
    fromMs: DAY + minute * MINUTE_MS,
    toMs: DAY + (minute + minutes) * MINUTE_MS,
    live: false,
    summary: {
      count: 60,
      firstMs: DAY + minute * MINUTE_MS + 1000,
      lastMs: DAY + (minute + minutes) * MINUTE_MS - 2000,
      representative: { timeMs: 0, url: '/x.jpg' },
    },
  });
  const r = row([0, 0.05, 0, 0, 0.001, null, 0, 0.01, 0, 0]);
  const activityOf = (c: { fromMs: number; toMs: number }) => sliceActivity(r, c.fromMs, c.toMs);

  it('keeps clips with motion at or above the minimum and folds the rest into quiet runs', () => {
    const items: DayItem[] = [
      clip(0),
      clip(1),
      clip(2),
      clip(3),
      { kind: 'pending', fromMs: DAY + 4 * MINUTE_MS, toMs: DAY + 5 * MINUTE_MS },
      { kind: 'gap', fromMs: DAY + 5 * MINUTE_MS, toMs: DAY + 6 * MINUTE_MS },
      clip(6),
      { kind: 'pending', fromMs: DAY + 7 * MINUTE_MS, toMs: DAY + 8 * MINUTE_MS },
      clip(12),
    ];
    const shown = onlyClipsWithMotion(items, activityOf, 0.002);
    expect(shown.map((i) => [i.kind, (i.fromMs - DAY) / MINUTE_MS, (i.toMs - DAY) / MINUTE_MS])).toEqual([
      ['quiet', 0, 1],
      ['clip', 1, 2],
      ['quiet', 2, 5],
      ['gap', 5, 6],
      ['quiet', 6, 7],
      ['pending', 7, 8],
      ['clip', 12, 13],
    ]);
    // A run says where its frames are: from the first clip's first frame to the last one's last.
    expect(shown[0]).toMatchObject({ clips: 1, firstMs: DAY + 1000, lastMs: DAY + MINUTE_MS - 2000 });
    expect(shown[2]).toMatchObject({ clips: 3, firstMs: DAY + 2 * MINUTE_MS + 1000, lastMs: DAY + 5 * MINUTE_MS });
    // A higher minimum hides the weaker clip too.
    expect(onlyClipsWithMotion(items, activityOf, 0.02).filter((i) => i.kind === 'pending')).toEqual([]);
  });

  it('keeps everything when nothing is known yet', () => {
    const items = [clip(0), clip(1)];
    expect(onlyClipsWithMotion(items, () => null, 0.002)).toEqual(items);
    expect(isQuiet(null, 0.002)).toBe(false);
  });
});
