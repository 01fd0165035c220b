import { describe, expect, it } from 'vitest';
import type { ColdStartResult, ColdStartRun } from './cold-start.js';
import type { FeedHandlerResult, NaiveResult } from './measure.js';
import {
  coldStartTable,
  coldStartTargets,
  fanoutTarget,
  type GopResults,
  headlineRatio,
  INGEST_END,
  INGEST_START,
  ingestSection,
  phaseLine,
  type ReportContext,
  relaySplitTable,
  replaceIngestSection,
  type TwoStreamPair,
  targets,
  twoStreamRatio,
  twoStreamTable,
  twoStreamTarget,
} from './report.js';

const QUERY = '<!-- bench:query:start -->\nquery tables\n<!-- bench:query:end -->';

describe('replaceIngestSection', () => {
  it('creates the file with a title', () => {
    expect(replaceIngestSection(null, 'x')).toBe(`# Benchmarks\n\n${INGEST_START}\nx\n${INGEST_END}\n`);
  });

  it('replaces only its own section and leaves the query bench alone', () => {
    const first = replaceIngestSection(`# Benchmarks\n\n${QUERY}\n`, 'old');
    expect(first).toBe(`# Benchmarks\n\n${QUERY}\n\n${INGEST_START}\nold\n${INGEST_END}\n`);
    const second = replaceIngestSection(first, 'new');
    expect(second).toBe(first.replace('old', 'new'));
    expect(replaceIngestSection(second, 'new')).toBe(second);
  });
});

const fathom = (cameras: number, treeCores: number, sustained = true, rssNodeMiB = 50) =>
  ({
    kind: 'feed-handler',
    variant: 'single',
    cameras,
    treeCores,
    nodeCores: 0.01 * cameras,
    ffmpegCores: treeCores - 0.01 * cameras,
    sustained,
    rssNodeMiB,
    anonNodeMiB: 20,
    rssFfmpegMiB: cameras * 60,
    ffmpegProcesses: cameras,
    decodeModes: 'keyframes',
    settleSeconds: null,
    inputs: null,
    rateMin: 1,
    rateMean: 1,
    sourceCores: 0.02,
    machineBusyCores: 0.5,
    restartsInWindow: 0,
    relaySlowReaderWarnings: null,
    note: '',
  }) as FeedHandlerResult;
const naive = (cameras: number, treeCores: number, sustained = true) =>
  ({ kind: 'naive', cameras, treeCores, sustained }) as NaiveResult;

const gop1: GopResults = {
  keyframeSeconds: 1,
  feedHandler: [fathom(1, 0.04), fathom(4, 0.14), fathom(8, 0.3), fathom(16, 0.6), fathom(24, 1.9, false)],
  naive: [naive(1, 0.16), naive(4, 0.64), naive(8, 1.4, false)],
  largestSustained: 16,
  endedOnFailure: true,
};

describe('targets', () => {
  it('takes the headline ratio where the naive pulls still kept up', () => {
    expect(headlineRatio(gop1)).toEqual({ cameras: 4, ratio: 0.035 / 0.16 });
  });

  it('checks every target', () => {
    const list = targets([gop1, { ...gop1, keyframeSeconds: 4, largestSustained: 3 }]);
    // 16 sustained: the 40-camera scale target is not met.
    expect(list.map((t) => t.met)).toEqual([true, false, true, true]);
    const forty = { ...gop1, feedHandler: [...gop1.feedHandler, fathom(40, 1.4)], largestSustained: 40 };
    expect(targets([forty]).map((t) => t.met)).toEqual([true, true, true]);
    const heavy = targets([{ ...gop1, largestSustained: 8, feedHandler: [fathom(4, 0.4), fathom(8, 0.8, true, 80)] }]);
    expect(heavy.map((t) => t.met)).toEqual([false, false, false]);
  });

  it('judges the fan-out relay by its largest sustained N, with Fathom and the relay apart', () => {
    const fan = [
      { ...fathom(32, 1.1), sourceCores: 0.2, machineBusyCores: 1.4 },
      { ...fathom(40, 1.4), sourceCores: 0.25, machineBusyCores: 1.7 },
    ];
    const t = fanoutTarget(fan);
    expect(t.met).toBe(true);
    expect(t.measured).toBe('40 (Fathom 140.0 % = 3.5 %/camera, relay 25.0 %, machine 170.0 % of 200)');
    expect(
      fanoutTarget([fan[0] as FeedHandlerResult, { ...(fan[1] as FeedHandlerResult), sustained: false }]).met,
    ).toBe(false);
    expect(fanoutTarget([{ ...(fan[1] as FeedHandlerResult), sustained: false }]).measured).toBe(
      'none of 40 sustained',
    );
    expect(fanoutTarget([]).met).toBeNull();
    expect(targets([gop1], { fanout: { results: fan } }).at(-1)?.name).toMatch(/fanned out/);
  });

  it('sets the two relays side by side at the N both measured', () => {
    const fan = [
      {
        ...fathom(16, 0.5),
        sourceCores: 0.1,
        otherCores: 0.05,
        influxdCores: 0.01,
        machineBusyCores: 0.66,
        relaySlowReaderWarnings: 2,
      },
    ];
    const table = relaySplitTable(gop1.feedHandler, fan);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(
      /^\| +16 \| rtsp\/server\.py, a pipeline per mount \| +60\.0 \(3\.8\) \| +2\.0 \(0\.1\) \|/,
    );
    expect(lines[3]).toMatch(
      /^\| +16 \| MediaMTX, one path fanned out +\| +50\.0 \(3\.1\) \| +10\.0 \(0\.6\) \| +1\.0 \| +5\.0 \| +66\.0 \| +1\.000 \| +2 \| yes/,
    );
  });

  it('has a fallback row for every GOP but 1 s (4 and 10 s)', () => {
    const list = targets([
      gop1,
      { ...gop1, keyframeSeconds: 4 },
      { ...gop1, keyframeSeconds: 10, largestSustained: 0 },
    ]);
    expect(list.slice(3).map((t) => [t.name.slice(0, 17), t.met])).toEqual([
      ['4 s keyframes: fa', true],
      ['10 s keyframes: f', false],
    ]);
  });
});

const run = (label: ColdStartRun['label'], firstSeconds: number[], keyframesSeconds: number[]): ColdStartRun => ({
  label,
  firstThumbnailMs: firstSeconds.map((s) => s * 1000),
  keyframesMs: keyframesSeconds.map((s) => s * 1000),
  firstAnswer: { atMs: 600, onKeyframes: 0, sources: 'all/learning 3' },
  rememberedAfter: 3,
  treeCpuSeconds: 5.7,
  spanSeconds: 10.3,
  sourceCores: 0.055,
  machineBusyCores: 1.51,
  loadAtStart: '3.07 1.87 1.79',
  loadAtEnd: '2.75 1.84 1.79',
  timeoutMs: 120_000,
  note: '',
});

describe('cold start report', () => {
  const forty = (first: number[]): ColdStartResult => ({
    cameras: 40,
    runs: [run('nothing learnt', first, [18, 18.5]), run('learnt modes kept', [8, 9], [0.6, 0.6])],
  });

  it('prints one row per start with min / median / p95 / max from the spawn', () => {
    const table = coldStartTable([{ cameras: 3, runs: [run('nothing learnt', [4.1, 4.3, 4.2], [10.3, 10.3, 10.2])] }]);
    const row = table.split('\n')[2] as string;
    expect(row).toMatch(/^\| +3 \| nothing learnt +\| +4\.1 \/ 4\.2 \/ 4\.3 \/ 4\.3 \| yes /);
    expect(row).toContain('10.2 / 10.3 / 10.3 / 10.3 |');
    expect(row).toContain('0.6: all/learning 3');
    expect(row).toContain('3/3 keyframes');
    expect(row).toContain('5.7 in 10.3 s');
    expect(row).toContain('3.07 → 2.75');
  });

  it('shows a camera that never delivered as over the timeout, and fails the 15 s column', () => {
    const table = coldStartTable([
      { cameras: 2, runs: [run('nothing learnt', [4, Number.POSITIVE_INFINITY], [9, 9])] },
    ]);
    // Nearest rank: the median of two is the smaller.
    expect(table).toContain('4.0 / 4.0 / > 120 / > 120 | NO');
  });

  it('judges the 15 s target at 40 cameras only, for both starts', () => {
    expect(coldStartTargets([forty([9, 14.9])]).map((t) => t.met)).toEqual([true, true]);
    expect(coldStartTargets([forty([9, 15.2])]).map((t) => t.met)).toEqual([false, true]);
    const small = coldStartTargets([{ ...forty([3, 4]), cameras: 3 }]);
    expect(small.map((t) => t.met)).toEqual([null, null]);
    expect(small[0]?.measured).toBe('max 4.0 s, median 3.0 s (at 3 cameras; 40 not measured)');
    expect(coldStartTargets([])).toEqual([]);
  });
});

describe('two-stream report', () => {
  const two = (cameras: number, treeCores: number, sub = cameras, sustained = true): FeedHandlerResult => ({
    ...fathom(cameras, treeCores, sustained),
    variant: 'two-stream',
    decodeModes: 'all',
    ffmpegProcesses: 2 * cameras,
    inputs: { main: cameras, sub, other: 0, subCovered: sub },
  });
  const pair = (
    cameras: number,
    single: number,
    twoStream: FeedHandlerResult,
    singleSustained = true,
  ): TwoStreamPair => ({
    cameras,
    single: { ...fathom(cameras, single, singleSustained), decodeModes: 'all' },
    twoStream,
  });

  it('puts the single stream and two streams side by side, with the ratio per camera', () => {
    const p = pair(4, 0.6, two(4, 0.12));
    expect(twoStreamRatio(p)).toBeCloseTo(0.2);
    const lines = twoStreamTable([p]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/single 1080p .*15\.0 .*1x \|$/);
    expect(lines[3]).toMatch(/two: 1080p recorded \+ 640x360 thumbnails .*4 main \/ 4 sub .*3\.0 .*0\.200x \|$/);
    // RSS of the ffmpeg children per camera, not per process.
    expect(lines[3]).toContain('240 / 60.0');
  });

  it('flags a feed-handler that read no sub-stream, and a starved single stream', () => {
    const ignored = pair(2, 0.3, two(2, 0.3, 0));
    expect(twoStreamTable([ignored])).toContain('1.000x (sub-streams not read: thumbnailUrl ignored?)');
    expect(twoStreamTarget([ignored], 4)).toMatchObject({ met: null });
    expect(twoStreamTable([pair(8, 1.9, two(8, 0.4), false)])).toContain('(single starved)');
  });

  it('judges the 0.3x target at the largest N where both kept up', () => {
    const t = twoStreamTarget(
      [pair(2, 0.3, two(2, 0.08)), pair(4, 0.6, two(4, 0.16)), pair(8, 1.9, two(8, 0.4), false)],
      4,
    );
    expect(t).toMatchObject({ measured: '0.267x (at 4 cameras)', met: true });
    expect(twoStreamTarget([pair(2, 0.3, two(2, 0.12))], 4)).toMatchObject({ met: false });
    expect(twoStreamTarget([], 4)).toMatchObject({ measured: 'not measured', met: null });
  });
});

describe('ingestSection', () => {
  const ctx: ReportContext = {
    command: 'npm run bench:ingest',
    date: '2026-11-30T00:00:00Z',
    machine: '2 cores',
    loadAtStart: '0.5 0.5 0.5',
    loadAtEnd: '1 1 1',
    quiet: 'quiet',
    clips: ['1 s GOP: clip'],
    settings: 'Settings.',
    durationSeconds: 1800,
  };

  it('has the sweep, cold start and two-stream parts, each with its machine line, then the targets', () => {
    const machine = { loadAtStart: '0.50 0.40 0.30', loadAtEnd: '1.20 0.90 0.60' };
    const text = ingestSection(ctx, [{ ...gop1, machine }], {
      coldStart: { results: [{ cameras: 3, runs: [run('nothing learnt', [4], [10])] }], machine },
      twoStream: { keyframeSeconds: 4, pairs: [], machine },
    });
    const headings = text.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '## Ingest cost: `npm run bench:ingest`',
      '### Keyframe every 1 s: Fathom feed-handler',
      '### Keyframe every 1 s: naive full decode vs Fathom',
      '### Cold start: first thumbnail of every camera from process start (keyframe every 1 s)',
      '### Two streams: 1080p recorded, thumbnails from a 640x360 sub-stream (keyframe every 4 s)',
      '### Targets',
    ]);
    expect(text.split(phaseLine(machine)).length - 1).toBe(3);
    expect(phaseLine(machine)).toBe(
      'Machine during this part: load average 0.50 0.40 0.30 at its start, 1.20 0.90 0.60 at its end (1, 5, 15 min).',
    );
    expect(ingestSection(ctx, [gop1])).not.toContain('Cold start');
  });
});
