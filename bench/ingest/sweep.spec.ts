import { describe, expect, it } from 'vitest';
import { largestSustained, nextCameraCount } from './sweep.js';

const list = [1, 4, 8, 16, 24];

/** Runs the sweep against a machine that sustains up to `capacity` cameras. */
function sweep(capacity: number, refine: number): number[] {
  const tested = new Map<number, boolean>();
  const order: number[] = [];
  for (let n = nextCameraCount(list, tested, refine); n !== null; n = nextCameraCount(list, tested, refine)) {
    order.push(n);
    tested.set(n, n <= capacity);
  }
  expect(largestSustained(tested)).toBe(capacity > 24 ? 24 : (order.filter((n) => n <= capacity).at(-1) ?? 0));
  return order;
}

describe('camera-count sweep', () => {
  it('goes up the list and stops at the first failure', () => {
    expect(sweep(10, 0)).toEqual([1, 4, 8, 16]);
  });

  it('bisects between the last pass and the first failure', () => {
    expect(sweep(10, 1)).toEqual([1, 4, 8, 16, 12]);
    expect(sweep(10, 2)).toEqual([1, 4, 8, 16, 12, 10]);
    expect(sweep(13, 3)).toEqual([1, 4, 8, 16, 12, 14, 13]);
  });

  it('runs the whole list when everything passes, and stops at once when 1 camera fails', () => {
    expect(sweep(100, 2)).toEqual(list);
    expect(sweep(0, 2)).toEqual([1]);
  });

  it('ignores a pass above a failure (noise on a shared machine)', () => {
    const tested = new Map([
      [1, true],
      [4, true],
      [8, false],
      [16, true],
    ]);
    expect(largestSustained(tested)).toBe(4);
  });
});
