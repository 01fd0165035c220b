import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full run: sweep at 1, 4 and 10 s, fan-out at 32, 40 and 48, cold start at 1, 16 and 40, two streams at 2 and 4', () => {
    const o = parseOptions([]);
    expect(o.phases).toEqual(['sweep', 'fan-out', 'cold-start', 'two-stream']);
    expect(o.fanoutCounts).toEqual([32, 40, 48]);
    expect(o.keyframeSeconds).toEqual([1, 4, 10]);
    expect(o.cameraCounts.get(1)).toEqual([1, 4, 8, 16, 24, 32, 40, 48]);
    expect(o.cameraCounts.get(4)).toEqual([1, 4, 8]);
    expect(o.cameraCounts.get(10)).toEqual([1, 4, 8]);
    expect(o.naiveCounts.get(1)).toEqual([1, 4, 8]);
    expect(o.naiveCounts.get(10)).toEqual([1, 4]);
    expect(o.coldStartCounts).toEqual([1, 16, 40]);
    expect(o.twoStreamCounts).toEqual([2, 4]);
    expect(o).toMatchObject({
      warmupSeconds: 5,
      windowSeconds: 30,
      refineSteps: 1,
      naive: true,
      docs: true,
      build: true,
      dryRun: false,
      twoStreamGopSeconds: 4,
      coldStartTimeoutSeconds: 120,
    });
    expect(o.waitQuietSeconds).toBe(600);
  });

  it('--quick is short and does not wait', () => {
    const o = parseOptions(['--quick']);
    expect(o.keyframeSeconds).toEqual([1, 4]);
    expect(o.cameraCounts.get(1)).toEqual([1, 2]);
    expect(o.cameraCounts.get(4)).toEqual([1]);
    expect(o.coldStartCounts).toEqual([2]);
    expect(o.fanoutCounts).toEqual([2]);
    expect(o.twoStreamCounts).toEqual([1]);
    expect(o).toMatchObject({ windowSeconds: 10, refineSteps: 0, waitQuietSeconds: 0 });
  });

  it('takes lists and values, with or without =', () => {
    const o = parseOptions(['--cameras', '8,2,2', '--gops=1', '--window=20', '--no-naive', '--cpu-prof', '/tmp/p']);
    expect(o.keyframeSeconds).toEqual([1]);
    expect(o.cameraCounts.get(1)).toEqual([2, 8]);
    expect(o.naiveCounts.get(1)).toEqual([2, 8]);
    expect(o).toMatchObject({ windowSeconds: 20, naive: false, cpuProfileDir: '/tmp/p', decodeMode: undefined });
    expect(parseOptions(['--decode-mode=keyframes']).decodeMode).toBe('keyframes');
    expect(parseOptions([]).stallSeconds).toBeUndefined();
    expect(parseOptions(['--stall-seconds', '25']).stallSeconds).toBe(25);
    const cold = parseOptions([
      '--cold-start',
      '40,1',
      '--cold-timeout',
      '60',
      '--two-stream=3',
      '--two-stream-gop',
      '10',
      '--fan-out=48,40',
    ]);
    expect(cold).toMatchObject({
      fanoutCounts: [40, 48],
      coldStartCounts: [1, 40],
      coldStartTimeoutSeconds: 60,
      twoStreamCounts: [3],
      twoStreamGopSeconds: 10,
    });
  });

  it('caps every list with --max-cameras and the naive pulls with --naive-max', () => {
    const o = parseOptions(['--max-cameras', '16', '--naive-max', '4']);
    expect(o.cameraCounts.get(1)).toEqual([1, 4, 8, 16]);
    expect(o.cameraCounts.get(10)).toEqual([1, 4, 8]);
    expect(o.naiveCounts.get(1)).toEqual([1, 4]);
    expect(o.coldStartCounts).toEqual([1, 16]);
    expect(o.twoStreamCounts).toEqual([2, 4]);
    // The fan-out's default counts (32, 40) are above the cap: the part is left out unless asked for.
    expect(o.phases).toEqual(['sweep', 'cold-start', 'two-stream']);
    expect(() => parseOptions(['--max-cameras', '16', '--fan-out', '32'])).toThrow(/fan-out relay without/);
    expect(() => parseOptions(['--max-cameras', '16', '--only', 'fan-out'])).toThrow(/fan-out relay without/);
    expect(() => parseOptions(['--max-cameras', '0'])).toThrow(/--max-cameras/);
    expect(() => parseOptions(['--max-cameras', '1', '--cameras', '2,4'])).toThrow(/without a camera count/);
  });

  it('runs the parts --only names, without those --skip names, always in run order', () => {
    expect(parseOptions(['--only', 'two-stream,sweep']).phases).toEqual(['sweep', 'two-stream']);
    expect(parseOptions(['--skip=sweep']).phases).toEqual(['fan-out', 'cold-start', 'two-stream']);
    expect(() => parseOptions(['--only', 'sweep', '--skip', 'sweep'])).toThrow(/nothing to run/);
    expect(() => parseOptions(['--only', 'warp'])).toThrow(/--only/);
    // A part not run does not need its counts.
    expect(parseOptions(['--only', 'sweep', '--max-cameras', '1', '--cold-start', '16']).phases).toEqual(['sweep']);
  });

  it('leaves the docs alone with --no-docs, BENCH_NO_DOCS=1 or --dry-run', () => {
    expect(parseOptions(['--no-docs']).docs).toBe(false);
    expect(parseOptions([], { BENCH_NO_DOCS: '1' }).docs).toBe(false);
    expect(parseOptions([], { BENCH_NO_DOCS: '0' }).docs).toBe(true);
    expect(parseOptions(['--dry-run'])).toMatchObject({ dryRun: true, docs: false });
  });

  it('rejects what it does not know, naming it', () => {
    expect(() => parseOptions(['--frobnicate'])).toThrow(/--frobnicate/);
    expect(() => parseOptions(['--cameras', '1,x'])).toThrow(/--cameras/);
    expect(() => parseOptions(['--window', '2'])).toThrow(/--window/);
    expect(() => parseOptions(['--window'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--decode-mode', 'some'])).toThrow(/--decode-mode/);
    expect(() => parseOptions(['--cold-timeout', '5'])).toThrow(/--cold-timeout/);
    expect(() => parseOptions(['--naive-max', '1.5'])).toThrow(/--naive-max/);
    expect(() => parseOptions(['--stall-seconds', '0'])).toThrow(/--stall-seconds/);
  });
});
