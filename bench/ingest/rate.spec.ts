import { describe, expect, it } from 'vitest';
import { isSustained, spacingText, summariseRates, thumbnailRate, writeDelayText } from './rate.js';

/** Frames once a second from `first`, with optional jitter and gaps. */
function frames(first: number, count: number, { jitter = 0, skip = [] as number[] } = {}): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (!skip.includes(i)) out.push(first + i * 1000 + (i % 2 ? jitter : -jitter));
  return out;
}

describe('thumbnailRate', () => {
  it('is exactly 1 for one frame a second, whatever the phase against the window', () => {
    for (const phase of [0, 1, 250, 499, 500, 501, 999]) {
      expect(thumbnailRate(frames(100_000 + phase - 5000, 60), 100_000, 30_000)).toBe(1);
    }
  });

  it('is not thrown off by jitter at the edges', () => {
    expect(thumbnailRate(frames(100_000 - 5000 + 3, 60, { jitter: 40 }), 100_000, 30_000)).toBe(1);
  });

  it('counts a missing frame, including the first of the window', () => {
    expect(thumbnailRate(frames(90_000, 60, { skip: [20] }), 100_000, 30_000)).toBeCloseTo(29 / 30);
    expect(thumbnailRate(frames(90_200, 60, { skip: [10] }), 100_000, 30_000)).toBeCloseTo(29 / 30);
  });

  it('sees a camera that delivers half the time', () => {
    expect(
      thumbnailRate(
        frames(90_000, 60).filter((_, i) => i % 2 === 0),
        100_000,
        30_000,
      ),
    ).toBeCloseTo(0.5, 1);
  });

  it('is 0 without frames in the window', () => {
    expect(thumbnailRate([], 0, 30_000)).toBe(0);
    expect(thumbnailRate([1, 2, 3], 10_000, 30_000)).toBe(0);
  });
});

describe('sustained', () => {
  it('needs every camera at 0.99/s and fresh thumbnails', () => {
    expect(isSustained(1, 0.5)).toBe(true);
    expect(isSustained(0.989, 0.5)).toBe(false);
    expect(isSustained(1, 12)).toBe(false);
    expect(isSustained(1, null)).toBe(true);
  });

  it('summarises min and mean', () => {
    expect(summariseRates([1, 0.5])).toEqual({ min: 0.5, mean: 0.75 });
    expect(summariseRates([])).toEqual({ min: 0, mean: 0 });
  });
});

describe('spacingText', () => {
  it('names each spacing more than 150 ms off 1 s, from the window start, and says when there is none', () => {
    expect(spacingText(frames(100_000, 10, { jitter: 40 }), 100_000)).toBe('every spacing 1 s ± 150 ms');
    expect(spacingText(frames(100_000, 10, { skip: [4, 7, 8] }), 99_000)).toBe(
      'off 1 s: 4.0–6.0 s (2.00 s), 7.0–10.0 s (3.00 s)',
    );
  });

  it('shows a step of the capture clock, where no thumbnail is lost', () => {
    const times = frames(100_000, 6).map((t, i) => (i >= 3 ? t + 400 : t));
    expect(spacingText(times, 100_000)).toBe('off 1 s: 2.0–3.4 s (1.40 s)');
  });
});

describe('writeDelayText', () => {
  it('gives the median and the longest delay from capture to file, skipping files gone meanwhile', () => {
    const files = [300, 350, 2600, Number.NaN].map((d, i) => ({ capturedAtMs: i * 1000, writtenAtMs: i * 1000 + d }));
    expect(writeDelayText(files)).toBe('written 0.35 s (median), 2.60 s (most) after capture');
    expect(writeDelayText([])).toBe('no thumbnail written');
  });
});
