import { describe, expect, it } from 'vitest';
import type { FeedHandlerResult, NaiveResult } from './measure.js';
import { type GopResults, headlineRatio, INGEST_END, INGEST_START, replaceIngestSection, targets } from './report.js';

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
    cameras,
    treeCores,
    sustained,
    rssNodeMiB,
    anonNodeMiB: 20,
    rssFfmpegMiB: cameras * 60,
    ffmpegProcesses: cameras,
    decodeModes: 'keyframes',
  }) as FeedHandlerResult;
const naive = (cameras: number, treeCores: number, sustained = true) =>
  ({ kind: 'naive', cameras, treeCores, sustained }) as NaiveResult;

describe('targets', () => {
  const gop1: GopResults = {
    keyframeSeconds: 1,
    feedHandler: [fathom(1, 0.04), fathom(4, 0.14), fathom(8, 0.3), fathom(16, 0.6), fathom(24, 1.9, false)],
    naive: [naive(1, 0.16), naive(4, 0.64), naive(8, 1.4, false)],
    largestSustained: 16,
    endedOnFailure: true,
  };

  it('takes the headline ratio where the naive pulls still kept up', () => {
    expect(headlineRatio(gop1)).toEqual({ cameras: 4, ratio: 0.035 / 0.16 });
  });

  it('checks every target', () => {
    const list = targets([gop1, { ...gop1, keyframeSeconds: 4, largestSustained: 3 }]);
    expect(list.map((t) => t.met)).toEqual([true, true, true, true]);
    const heavy = targets([{ ...gop1, largestSustained: 8, feedHandler: [fathom(4, 0.4), fathom(8, 0.8, true, 80)] }]);
    expect(heavy.map((t) => t.met)).toEqual([false, false, false]);
  });
});
