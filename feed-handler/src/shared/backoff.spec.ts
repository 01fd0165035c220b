import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoff', () => {
  const policy = { baseMs: 1000, maxMs: 10_000, jitter: 0.2 };
  it('doubles from the base and stops at the cap', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelayMs(n, policy, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
  it('jitters downwards within the jitter fraction', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, r) => {
        const d = backoffDelayMs(attempt, policy, () => r);
        const full = Math.min(10_000, 1000 * 2 ** Math.min(attempt, 30));
        return d <= full && d >= Math.floor(full * 0.8);
      }),
    );
  });
});
