import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../bench/lib/rng.js';
import { inTimeOrder, selectAroundMotion } from './still-selection.js';

const stills = (times: number[]) => times.map((timeMs) => ({ timeMs, filepath: `${timeMs}.jpg` }));

describe('selectAroundMotion', () => {
  it('keeps each moving still and the stills within the context on both sides', () => {
    const all = stills([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect(selectAroundMotion(all, [4000], 2000).map((s) => s.timeMs)).toEqual([2000, 3000, 4000, 5000, 6000]);
  });
  it('merges overlapping contexts without repeating a still', () => {
    const all = stills([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(selectAroundMotion(all, [1000, 3000], 1000).map((s) => s.timeMs)).toEqual([0, 1000, 2000, 3000, 4000]);
  });
  it('with no context keeps only the moving stills, and nothing when nothing moved', () => {
    const all = stills([0, 1000, 2000]);
    expect(selectAroundMotion(all, [1000], 0).map((s) => s.timeMs)).toEqual([1000]);
    expect(selectAroundMotion(all, [], 5000)).toEqual([]);
  });
  it('uses moving times outside the stills (the next slice) for the context', () => {
    expect(selectAroundMotion(stills([0, 1000, 2000]), [3000], 1000).map((s) => s.timeMs)).toEqual([2000]);
  });
  it('agrees with a brute-force check on random data', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 50; round++) {
      const times = Array.from({ length: 200 }, (_, i) => i * 1000 + Math.floor(random() * 300));
      const moving = times.filter(() => random() < 0.05);
      const context = Math.floor(random() * 4) * 1000;
      const expected = times.filter((t) => moving.some((m) => Math.abs(m - t) <= context));
      expect(selectAroundMotion(stills(times), moving, context).map((s) => s.timeMs)).toEqual(expected);
    }
  });
});

describe('inTimeOrder', () => {
  it('merges per-series lists into time order', () => {
    expect(inTimeOrder(stills([3000, 1000, 2000])).map((s) => s.timeMs)).toEqual([1000, 2000, 3000]);
  });
});
