import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full run', () => {
    const o = parseOptions([]);
    expect(o.keyframeSeconds).toEqual([1, 4]);
    expect(o.cameraCounts.get(1)).toEqual([1, 4, 8, 16, 24, 32, 40, 48]);
    expect(o.naiveCounts.get(4)).toEqual([1, 4]);
    expect(o).toMatchObject({
      warmupSeconds: 5,
      windowSeconds: 30,
      refineSteps: 1,
      naive: true,
      docs: true,
      build: true,
    });
    expect(o.waitQuietSeconds).toBe(600);
  });

  it('--quick is short and does not wait', () => {
    const o = parseOptions(['--quick']);
    expect(o.cameraCounts.get(1)).toEqual([1, 2]);
    expect(o.cameraCounts.get(4)).toEqual([1]);
    expect(o).toMatchObject({ windowSeconds: 10, refineSteps: 0, waitQuietSeconds: 0 });
  });

  it('takes lists and values, with or without =', () => {
    const o = parseOptions(['--cameras', '8,2,2', '--gops=1', '--window=20', '--no-naive', '--cpu-prof', '/tmp/p']);
    expect(o.keyframeSeconds).toEqual([1]);
    expect(o.cameraCounts.get(1)).toEqual([2, 8]);
    expect(o.naiveCounts.get(1)).toEqual([2, 8]);
    expect(o).toMatchObject({ windowSeconds: 20, naive: false, cpuProfileDir: '/tmp/p', decodeMode: undefined });
    expect(parseOptions(['--decode-mode=keyframes']).decodeMode).toBe('keyframes');
  });

  it('rejects what it does not know, naming it', () => {
    expect(() => parseOptions(['--frobnicate'])).toThrow(/--frobnicate/);
    expect(() => parseOptions(['--cameras', '1,x'])).toThrow(/--cameras/);
    expect(() => parseOptions(['--window', '2'])).toThrow(/--window/);
    expect(() => parseOptions(['--window'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--decode-mode', 'some'])).toThrow(/--decode-mode/);
  });
});
