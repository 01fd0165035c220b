import { describe, expect, it } from 'vitest';
import { allOnKeyframes, expectsKeyframes, ModeTracker, onKeyframes, rememberedKeyframes } from './cold-start.js';

const cam = (camera: string, mode: string | null, modeSource?: string | null) => ({ camera, mode, modeSource });

describe('decode mode as /healthz shows it', () => {
  it('is on keyframes once handed over, remembered or forced, never while learning', () => {
    expect(onKeyframes(cam('a', 'keyframes', 'learnt'))).toBe(true);
    expect(onKeyframes(cam('a', 'keyframes', 'remembered'))).toBe(true);
    expect(onKeyframes(cam('a', 'keyframes', 'override'))).toBe(true);
    expect(onKeyframes(cam('a', 'keyframes'))).toBe(true); // an older feed-handler without modeSource
    expect(onKeyframes(cam('a', 'all', 'learning'))).toBe(false);
    expect(onKeyframes(cam('a', 'keyframes', 'learning'))).toBe(false);
  });

  it('waits for the handovers only at a 1 s GOP in auto', () => {
    expect(expectsKeyframes(1, undefined)).toBe(true);
    expect(expectsKeyframes(1, 'auto')).toBe(true);
    expect(expectsKeyframes(1, 'all')).toBe(false);
    expect(expectsKeyframes(4, undefined)).toBe(false);
  });

  it('needs every camera listed and on keyframes', () => {
    const view = [cam('a', 'keyframes', 'learnt'), cam('b', 'all', 'learning')];
    expect(allOnKeyframes(view, ['a'])).toBe(true);
    expect(allOnKeyframes(view, ['a', 'b'])).toBe(false);
    expect(allOnKeyframes(view, ['a', 'c'])).toBe(false);
  });
});

describe('ModeTracker', () => {
  it('times each camera from the spawn and keeps the first answer', () => {
    const t = new ModeTracker(['a', 'b'], 1_000);
    t.observe([cam('a', 'all', 'learning'), cam('b', 'all', 'learning'), cam('other', 'keyframes', 'learnt')], 2_000);
    t.observe([cam('a', 'keyframes', 'learnt'), cam('b', 'all', 'learning')], 7_250);
    expect(t.allOnKeyframes()).toBe(false);
    t.observe([cam('a', 'keyframes', 'learnt'), cam('b', 'keyframes', 'learnt')], 9_000);
    expect(t.allOnKeyframes()).toBe(true);
    expect(t.keyframesMs()).toEqual([6_250, 8_000]);
    expect(t.firstAnswer()).toEqual({ atMs: 1_000, onKeyframes: 0, sources: 'all/learning 2' });
  });

  it('sees remembered modes in the first answer, and +Infinity for a camera never on keyframes', () => {
    const t = new ModeTracker(['a', 'b'], 0);
    t.observe([cam('a', 'keyframes', 'remembered'), cam('b', 'all', 'learning')], 800);
    expect(t.firstAnswer()).toEqual({ atMs: 800, onKeyframes: 1, sources: 'all/learning 1, keyframes/remembered 1' });
    expect(t.keyframesMs()).toEqual([800, Number.POSITIVE_INFINITY]);
  });
});

describe('rememberedKeyframes', () => {
  it('counts the cameras the file keeps as keyframes-only', () => {
    const file = JSON.stringify({
      version: 1,
      cameras: {
        a: { mode: 'keyframes', keyframeIntervalMs: 1000, url: 'x', learntAt: 't' },
        b: { mode: 'all', keyframeIntervalMs: null, url: 'y', learntAt: 't' },
        'a.main': { codecs: { video: 'h264', audio: null }, url: 'z', learntAt: 't' },
      },
    });
    expect(rememberedKeyframes(file, ['a', 'b', 'c'])).toBe(1);
    expect(rememberedKeyframes(null, ['a'])).toBeNull();
    expect(rememberedKeyframes('{half', ['a'])).toBeNull();
  });
});
