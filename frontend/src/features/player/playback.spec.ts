import { describe, expect, it } from 'vitest';
import { frameIntervalMs, indexOfTime, nextPlayingIndex, shiftSpeed, stepIndex } from './playback';

describe('playback', () => {
  it('steps inside the clip', () => {
    expect(stepIndex(0, 10, -1)).toBe(0);
    expect(stepIndex(9, 10, 1)).toBe(9);
    expect(stepIndex(4, 10, 3)).toBe(7);
    expect(stepIndex(4, 0, 1)).toBe(0);
  });

  it('stops at the end instead of looping', () => {
    expect(nextPlayingIndex(8, 10)).toBe(9);
    expect(nextPlayingIndex(9, 10)).toBeNull();
  });

  it('finds the frame closest to a time', () => {
    expect(indexOfTime([1000, 2000, 3000], 2400)).toBe(1);
    expect(indexOfTime([1000, 2000, 3000], 2600)).toBe(2);
    expect(indexOfTime([1000, 2000, 3000], 2500)).toBe(1);
    expect(indexOfTime([], 5)).toBe(0);
  });

  it('changes speed along the offered list', () => {
    expect(shiftSpeed(10, 1)).toBe(20);
    expect(shiftSpeed(1, -1)).toBe(1);
    expect(shiftSpeed(30, 1)).toBe(30);
    expect(frameIntervalMs(10)).toBe(100);
  });
});
