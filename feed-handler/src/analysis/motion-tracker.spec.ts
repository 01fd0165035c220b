import { describe, expect, it } from 'vitest';
import { ANALYSIS_BYTES } from './motion-score.js';
import { MotionTracker } from './motion-tracker.js';

const flat = (value: number) => new Uint8Array(ANALYSIS_BYTES).fill(value);

describe('MotionTracker', () => {
  it('scores each frame against the camera previous one, cameras apart', () => {
    const tracker = new MotionTracker();
    expect(tracker.next('a', 1_000, flat(100))).toBeUndefined();
    expect(tracker.next('b', 1_000, flat(50))).toBeUndefined();
    expect(tracker.next('a', 2_000, flat(100))?.motion).toBe(0);
    expect(tracker.next('b', 2_000, flat(50))?.motion).toBe(0);
  });

  it('starts again after a gap, a step back in time, a forget or a malformed frame', () => {
    const tracker = new MotionTracker(undefined, 3_000);
    tracker.next('a', 1_000, flat(100));
    expect(tracker.next('a', 9_000, flat(100))).toBeUndefined(); // 8 s gap
    expect(tracker.next('a', 8_000, flat(100))).toBeUndefined(); // back in time
    expect(tracker.next('a', 9_000, flat(100))).toBeDefined();
    tracker.forget('a');
    expect(tracker.next('a', 10_000, flat(100))).toBeUndefined();
    expect(tracker.next('a', 11_000, new Uint8Array(3))).toBeUndefined();
  });
});
