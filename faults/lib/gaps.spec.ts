import { describe, expect, it } from 'vitest';
import { compareCensus, isConsistent, longestFootageGaps, statusGaps } from './gaps.js';
import { percentile, summarise } from './stats.js';

describe('compareCensus', () => {
  it('finds files without points (lost) and points without files (phantom)', () => {
    const c = compareCensus(
      new Map([
        ['a', [1, 2, 3]],
        ['b', [5]],
      ]),
      new Map([
        ['a', [1, 3, 4]],
        ['c', [9]],
      ]),
    );
    expect(c.disk).toEqual({ a: 3, b: 1, c: 0 });
    expect(c.indexed).toEqual({ a: 3, b: 0, c: 1 });
    expect(c.lost).toEqual([
      { camera: 'a', capturedAtMs: 2 },
      { camera: 'b', capturedAtMs: 5 },
    ]);
    expect(c.phantom).toEqual([
      { camera: 'a', capturedAtMs: 4 },
      { camera: 'c', capturedAtMs: 9 },
    ]);
    expect(isConsistent(c)).toBe(false);
    expect(isConsistent(compareCensus(new Map([['a', [1]]]), new Map([['a', [1]]])))).toBe(true);
  });
});

describe('statusGaps', () => {
  it('pairs each offline point with the next online point of its camera', () => {
    const gaps = statusGaps([
      { camera: 'a', atMs: 30, online: true, reason: 'first-frame' },
      { camera: 'a', atMs: 10, online: false, reason: 'exited: code 1' },
      { camera: 'a', atMs: 20, online: false, reason: 'stalled' },
      { camera: 'b', atMs: 15, online: false, reason: 'stalled' },
      { camera: 'b', atMs: 5, online: true, reason: 'first-frame' },
    ]);
    expect(gaps).toEqual([
      { camera: 'a', offlineAtMs: 10, onlineAtMs: 30, reason: 'exited: code 1' },
      { camera: 'b', offlineAtMs: 15, onlineAtMs: null, reason: 'stalled' },
    ]);
  });
});

describe('longestFootageGaps', () => {
  it('is the largest difference between consecutive times', () => {
    expect(longestFootageGaps(new Map([['a', [3000, 1000, 2000, 9000]]]))).toEqual({ a: 6000 });
    expect(longestFootageGaps(new Map([['a', [1]]]))).toEqual({ a: 0 });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(summarise([5, 1, 3])).toEqual({ count: 3, p50Ms: 3, p99Ms: 5, maxMs: 5 });
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});
