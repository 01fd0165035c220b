import { describe, expect, it } from 'vitest';
import { periodEndMs, periodMayHoldNewer, sortedFolderNumbers } from './folders.js';

describe('hour folders', () => {
  it('computes period ends in UTC', () => {
    expect(periodEndMs([2026])).toBe(Date.UTC(2027, 0, 1));
    expect(periodEndMs([2026, 12])).toBe(Date.UTC(2027, 0, 1));
    expect(periodEndMs([2026, 11, 30])).toBe(Date.UTC(2026, 11, 1));
    expect(periodEndMs([2026, 11, 25, 23])).toBe(Date.UTC(2026, 10, 26, 0));
  });
  it('skips periods that end at or before the cursor', () => {
    const cursor = Date.UTC(2026, 10, 25, 15, 30);
    expect(periodMayHoldNewer([2026, 11, 25, 14], cursor)).toBe(false);
    expect(periodMayHoldNewer([2026, 11, 25, 15], cursor)).toBe(true);
    expect(periodMayHoldNewer([2026, 11, 25, 15], Date.UTC(2026, 10, 25, 16) - 1)).toBe(false);
    expect(periodMayHoldNewer([2025], null)).toBe(true);
  });
  it('keeps only our folder names, numerically sorted', () => {
    expect(sortedFolderNumbers(['2027', '.staging', '2026', 'x', '202'], 0)).toEqual([2026, 2027]);
    expect(sortedFolderNumbers(['10', '09', '1'], 1)).toEqual([9, 10]);
  });
});
