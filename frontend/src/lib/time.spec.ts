import { describe, expect, it } from 'vitest';
import {
  dayBounds,
  dayOf,
  formatAge,
  formatClock,
  formatDistance,
  formatDuration,
  isDay,
  msToUnixSecondsParam,
  shiftDay,
} from './time';

describe('msToUnixSecondsParam', () => {
  it('writes exact milliseconds, never a float artefact', () => {
    expect(msToUnixSecondsParam(1795618800123)).toBe('1795618800.123');
    expect(msToUnixSecondsParam(1795618800007)).toBe('1795618800.007');
    expect(msToUnixSecondsParam(1795618800000)).toBe('1795618800.000');
    expect(msToUnixSecondsParam(0)).toBe('0.000');
  });

  it('refuses what is not an integer ms time', () => {
    expect(() => msToUnixSecondsParam(1.5)).toThrow(RangeError);
    expect(() => msToUnixSecondsParam(-1)).toThrow(RangeError);
    expect(() => msToUnixSecondsParam(Number.NaN)).toThrow(RangeError);
  });
});

describe('days', () => {
  it('bounds a local day from midnight to the next midnight', () => {
    const { startMs, endMs } = dayBounds('2026-11-25');
    expect(startMs).toBe(new Date(2026, 10, 25).getTime());
    expect(endMs).toBe(new Date(2026, 10, 26).getTime());
    expect(dayOf(startMs)).toBe('2026-11-25');
    expect(dayOf(endMs - 1)).toBe('2026-11-25');
    expect(dayOf(endMs)).toBe('2026-11-26');
  });

  it('validates and shifts days across months and years', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-1-5')).toBe(false);
    expect(shiftDay('2026-12-31', 1)).toBe('2027-01-01');
    expect(shiftDay('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => dayBounds('yesterday')).toThrow(RangeError);
  });
});

describe('wording', () => {
  it('formats clock times in local time', () => {
    const ms = new Date(2026, 10, 25, 9, 5, 7, 42).getTime();
    expect(formatClock(ms)).toBe('09:05:07');
    expect(formatClock(ms, { withMs: true })).toBe('09:05:07.042');
  });

  it('says durations and ages in plain words', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(150_000)).toBe('2 min 30 s');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatDuration(5 * 86_400_000)).toBe('5 days');
    expect(formatAge(800)).toBe('just now');
    expect(formatAge(-300)).toBe('just now');
    expect(formatAge(4_200)).toBe('4 s ago');
  });

  it('says where the frame is relative to the requested moment', () => {
    expect(formatDistance(1000, 1000)).toBe('exact match');
    expect(formatDistance(1400, 1000)).toBe('0.400 s after');
    expect(formatDistance(1000, 3500)).toBe('2.5 s before');
    expect(formatDistance(0, 184_000)).toBe('3 min 4 s before');
  });
});
