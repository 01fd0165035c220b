import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('has the defaults of a full run', () => {
    expect(parseOptions([])).toEqual({
      seconds: 60,
      cameras: 8,
      warmupSeconds: 15,
      frames: 60,
      graceSeconds: 15,
      docs: true,
      build: true,
    });
  });

  it('reads flags, with a space or an equals sign', () => {
    const o = parseOptions(['--seconds', '15', '--cameras=2', '--no-build', '--warmup', '5']);
    expect(o).toMatchObject({ seconds: 15, cameras: 2, warmupSeconds: 5, build: false });
  });

  it('leaves the docs alone with BENCH_NO_DOCS=1 only', () => {
    expect(parseOptions([], { BENCH_NO_DOCS: '1' }).docs).toBe(false);
    expect(parseOptions([], { BENCH_NO_DOCS: '0' }).docs).toBe(true);
  });

  it('refuses what it cannot measure', () => {
    expect(() => parseOptions(['--seconds', '5'])).toThrow(/--seconds takes a whole number from 10/);
    expect(() => parseOptions(['--cameras', '0'])).toThrow(/--cameras/);
    expect(() => parseOptions(['--cameras', '2.5'])).toThrow(/--cameras/);
    expect(() => parseOptions(['--seconds'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--smoke'])).toThrow(/unknown flag --smoke/);
  });
});
