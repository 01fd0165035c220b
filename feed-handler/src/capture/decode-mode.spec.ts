import { describe, expect, it } from 'vitest';
import {
  KEYFRAME_INTERVAL_LIMIT_MS,
  KeyframeIntervalLearner,
  LEARN_WINDOW_MS,
  medianIntervalMs,
  modeForInterval,
} from './decode-mode.js';

/** Feeds keyframe times until a verdict comes; returns it and how many times it took. */
function learn(times: number[]) {
  const learner = new KeyframeIntervalLearner();
  for (const [i, t] of times.entries()) {
    const verdict = learner.addKeyframe(t);
    if (verdict) return { ...verdict, after: i + 1 };
  }
  return null;
}

describe('decode mode', () => {
  it('calls for keyframes when they come about once a second, or more often', () => {
    expect(modeForInterval(1006)).toBe('keyframes');
    expect(modeForInterval(KEYFRAME_INTERVAL_LIMIT_MS)).toBe('keyframes');
    expect(modeForInterval(KEYFRAME_INTERVAL_LIMIT_MS + 1)).toBe('all');
    expect(modeForInterval(null)).toBe('all');
  });

  it('takes the median interval', () => {
    expect(medianIntervalMs([0, 1000, 2000, 9000])).toBe(1000);
    expect(medianIntervalMs([0, 1000, 3000])).toBe(1500);
    expect(medianIntervalMs([5])).toBeNull();
  });
});

describe('KeyframeIntervalLearner', () => {
  it('decides keyframes on the fifth keyframe of a 1 s GOP (four intervals), and only once', () => {
    const learner = new KeyframeIntervalLearner();
    const verdicts = [0, 1006, 2012, 3018, 4024, 5030].map((t) => learner.addKeyframe(t));
    expect(verdicts.slice(0, 4)).toEqual([null, null, null, null]);
    expect(verdicts[4]).toMatchObject({ mode: 'keyframes', keyframeIntervalMs: 1006 });
    expect(verdicts[5]).toBeNull();
    expect(learner.decided).toBe(true);
  });

  it('decides keyframes for a GOP shorter than a second', () => {
    expect(learn([0, 500, 1000, 1500, 2000])).toMatchObject({ mode: 'keyframes', keyframeIntervalMs: 500, after: 5 });
  });

  it('decides all on a median above the limit, one late keyframe does not tip it', () => {
    expect(learn([0, 1200, 2400, 3600, 4800])).toMatchObject({ mode: 'all', keyframeIntervalMs: 1200 });
    expect(learn([0, 1000, 3500, 4500, 5500])).toMatchObject({ mode: 'keyframes', keyframeIntervalMs: 1000 });
  });

  it('decides all for a long GOP once the window has passed, without waiting for four intervals', () => {
    // 4 s GOP: keyframes at 0, 4, 8, 12 s; the window (8.8 s) has passed at 12 s.
    expect(LEARN_WINDOW_MS).toBe(8_800);
    expect(learn([0, 4000, 8000, 12_000, 16_000])).toMatchObject({
      mode: 'all',
      keyframeIntervalMs: 4000,
      after: 4,
    });
  });

  it('decides all from stream time alone when keyframes stop coming', () => {
    const learner = new KeyframeIntervalLearner();
    expect(learner.addKeyframe(0)).toBeNull();
    expect(learner.noteTime(8_000)).toBeNull();
    expect(learner.noteTime(9_000)).toMatchObject({ mode: 'all', keyframeIntervalMs: null });
    // No keyframe at all: the window runs from the first time seen.
    const blind = new KeyframeIntervalLearner();
    expect(blind.noteTime(100)).toBeNull();
    expect(blind.noteTime(9_000)).toMatchObject({ mode: 'all', keyframeIntervalMs: null });
  });

  it('starts over when time goes backwards (a new timeline)', () => {
    expect(learn([50_000, 51_000, 52_000, 0, 1000, 2000, 3000, 4000])).toMatchObject({ mode: 'keyframes', after: 8 });
  });
});
