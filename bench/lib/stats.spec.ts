import { describe, expect, it } from 'vitest';
import { seededRandom } from './rng.js';
import { linearFit, percentile, summarise } from './stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks an observed sample', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples and refuses p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(hundred, 0)).toThrow(RangeError);
    expect(() => percentile(hundred, 101)).toThrow(RangeError);
  });
});

describe('summarise', () => {
  it('sorts numerically, not as strings', () => {
    const summary = summarise([10, 9, 100, 2, 1]);
    expect(summary).toMatchObject({ count: 5, p50: 9, max: 100, mean: 24.4 });
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(990);
  });
});

describe('linearFit', () => {
  it('recovers an exact line and says how well it fits', () => {
    const fit = linearFit([1, 2, 4, 8].map((x) => ({ x, y: 3 + 0.5 * x })));
    expect(fit.a).toBeCloseTo(3);
    expect(fit.b).toBeCloseTo(0.5);
    expect(fit.r2).toBeCloseTo(1);
  });
});
