import { describe, expect, it } from 'vitest';
import { distribution, distributionText, seconds } from './summary.js';

describe('distribution', () => {
  it('gives min, nearest-rank median and p95, max', () => {
    const d = distribution([5, 1, 4, 2, 3]);
    expect(d).toEqual({ count: 5, reached: 5, min: 1, median: 3, p95: 5, max: 5 });
    // 40 values 1..40: the p95 is the 38th, an observed value.
    const forty = distribution(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(forty).toMatchObject({ median: 20, p95: 38, max: 40 });
  });

  it('keeps a camera that never got there at the top, as Infinity', () => {
    const d = distribution([1000, Number.POSITIVE_INFINITY, 2000]);
    expect(d).toMatchObject({ count: 3, reached: 2, min: 1000, median: 2000, max: Number.POSITIVE_INFINITY });
    expect(distributionText(d, 120_000)).toBe('1.0 / 2.0 / > 120 / > 120');
  });

  it('is n/a when empty', () => {
    const d = distribution([]);
    expect(d.count).toBe(0);
    expect(Number.isNaN(d.median)).toBe(true);
    expect(distributionText(d)).toBe('n/a');
  });
});

describe('seconds', () => {
  it('prints ms as seconds, and the limit for a timeout', () => {
    expect(seconds(14_949)).toBe('14.9');
    expect(seconds(Number.POSITIVE_INFINITY)).toBe('never');
    expect(seconds(Number.NaN)).toBe('n/a');
  });
});
