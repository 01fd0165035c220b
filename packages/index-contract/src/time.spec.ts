import { describe, expect, it } from 'vitest';
import { msToNs, rfc3339ToMs, rfc3339ToNs, secondsToMs } from './time.js';

describe('time conversions', () => {
  it('converts fractional seconds to ms without floating point drift', () => {
    expect(secondsToMs(1.001)).toBe(1001);
    expect(secondsToMs(1795618800.123)).toBe(1795618800123);
  });

  it('keeps nanoseconds exact', () => {
    expect(msToNs(1795618800123)).toBe(1795618800123000000n);
    expect(rfc3339ToNs('2026-11-25T15:00:00.123456789Z')).toBe(1795618800123456789n);
    expect(rfc3339ToNs('2026-11-25T15:00:00Z')).toBe(1795618800000000000n);
    expect(rfc3339ToMs('2026-11-25T15:00:00.123Z')).toBe(1795618800123);
  });

  it('refuses non-integer ms', () => {
    expect(() => msToNs(1.5)).toThrow(RangeError);
  });
});
