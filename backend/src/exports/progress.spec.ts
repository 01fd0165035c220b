import { describe, expect, it } from 'vitest';
import { expectedEndMs, lastFrameCount } from './progress.js';

describe('lastFrameCount', () => {
  it('reads the last frame= of a -progress chunk', () => {
    expect(lastFrameCount('frame=10\nfps=0.0\nprogress=continue\nframe=25\nfps=30\n')).toBe(25);
    expect(lastFrameCount('fps=1\nprogress=continue\n')).toBeUndefined();
  });
});

describe('expectedEndMs', () => {
  it('extrapolates the rate so far', () => {
    expect(expectedEndMs(0, 10_000, 100, 400)).toBe(40_000);
  });
  it('is unknown before the first still and now when all are done', () => {
    expect(expectedEndMs(0, 10_000, 0, 400)).toBeUndefined();
    expect(expectedEndMs(0, 10_000, 400, 400)).toBe(10_000);
  });
});
