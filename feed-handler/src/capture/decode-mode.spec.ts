import { describe, expect, it } from 'vitest';
import { chooseDecodeMode, medianIntervalMs } from './decode-mode.js';

describe('decode mode', () => {
  it('uses keyframes when they come about once a second', () => {
    expect(chooseDecodeMode('auto', [0, 1006, 2012, 3018]).mode).toBe('keyframes');
    expect(chooseDecodeMode('auto', [0, 500, 1000]).mode).toBe('keyframes');
  });
  it('decodes everything for a measured long GOP, and keeps that choice', () => {
    expect(chooseDecodeMode('auto', [0, 2000, 4000])).toMatchObject({ mode: 'all', source: 'probe', keep: true });
    expect(chooseDecodeMode('auto', [0, 1101])).toMatchObject({ mode: 'all', source: 'probe', keep: true });
    expect(chooseDecodeMode('auto', [0, 1100])).toMatchObject({ mode: 'keyframes', source: 'probe', keep: true });
  });
  it('treats fewer than two keyframes as inconclusive: all frames for one run, not kept', () => {
    expect(chooseDecodeMode('auto', [5])).toMatchObject({ mode: 'all', source: 'inconclusive', keep: false });
    expect(chooseDecodeMode('auto', [])).toMatchObject({
      mode: 'all',
      source: 'inconclusive',
      keep: false,
      keyframeIntervalMs: null,
    });
  });
  it('honours an override', () => {
    expect(chooseDecodeMode('all', [0, 1000, 2000])).toMatchObject({ mode: 'all', source: 'override', keep: true });
    expect(chooseDecodeMode('keyframes', [])).toMatchObject({ mode: 'keyframes', source: 'override', keep: true });
  });
  it('takes the median interval', () => {
    expect(medianIntervalMs([0, 1000, 2000, 9000])).toBe(1000);
  });
});
