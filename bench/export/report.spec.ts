import { describe, expect, it } from 'vitest';
import type { ProcessStat } from '../ingest/process-tree.js';
import {
  busiestOthers,
  busiestText,
  contentionLine,
  otherCores,
  type PhaseFigures,
  phaseTable,
  rateRatio,
  targetLines,
} from './report.js';

const phase = (over: Partial<PhaseFigures> = {}): PhaseFigures => ({
  phase: 'export: whole job',
  seconds: 100,
  stills: 86_400,
  rates: [1, 1, 0.99, 1],
  newestAgeSeconds: 1.2,
  cpu: { feedHandler: 40, backend: 10, ffmpeg: 90, influxd: 5, source: 3, bench: 2 },
  machineBusyCores: 2,
  ...over,
});

describe('rateRatio', () => {
  it('is the worst camera against its own baseline, and the ratio of the means', () => {
    const r = rateRatio([1, 1, 1, 0.5], [1, 0.98, 1, 0.5]);
    expect(r.worst).toBeCloseTo(0.98);
    expect(r.mean).toBeCloseTo(3.48 / 3.5);
  });

  it('is NaN without cameras', () => {
    expect(rateRatio([], []).worst).toBeNaN();
  });
});

describe('otherCores', () => {
  it('is the machine CPU our processes do not explain, never negative', () => {
    expect(otherCores(phase())).toBeCloseTo(2 - 150 / 100);
    expect(otherCores(phase({ machineBusyCores: 1 }))).toBe(0);
  });
});

describe('busiestOthers', () => {
  const stat = (pid: number, comm: string, ownTicks: number): [number, ProcessStat] => [
    pid,
    { pid, ppid: 1, comm, ownTicks, ticks: ownTicks },
  ];
  it('groups the CPU others used by command, leaving ours out, counting new processes whole', () => {
    const before = new Map([stat(10, 'node', 100), stat(11, 'node', 50), stat(20, 'influxd', 10), stat(30, 'ours', 0)]);
    const after = new Map([
      stat(10, 'node', 300),
      stat(11, 'node', 150),
      stat(20, 'influxd', 20),
      stat(30, 'ours', 999),
      stat(40, 'ffmpeg', 500),
    ]);
    expect(busiestOthers(before, after, new Set([30]), 100)).toEqual([
      { comm: 'ffmpeg', seconds: 5 },
      { comm: 'node', seconds: 3 },
      { comm: 'influxd', seconds: 0.1 },
    ]);
  });
});

describe('the report', () => {
  it('prints a row per phase with stills/s and the slowest camera', () => {
    const table = phaseTable([phase({ phase: 'baseline, no export', stills: null }), phase()], 4, 2);
    expect(table).toMatch(/\| baseline, no export +\| +100\.0 \| +\| +0\.990 \|/);
    expect(table).toMatch(/\| export: whole job +\| +100\.0 \| +864 \| +0\.990 \|/);
  });

  it('states both targets and whether they were met', () => {
    const outcome = {
      stills: 86_400,
      jobSeconds: 250,
      frames: 86_400,
      bytes: 1,
      videoWidth: 320,
      videoHeight: 180,
      probedFrames: 86_400,
    };
    const [time, rate] = targetLines(outcome, { worst: 1, mean: 1 }, 1, 250);
    expect(time).toBe('export of 86,400 stills: 250 s (target ≤ 300 s: met; 346 stills/s)');
    expect(rate).toMatch(/^thumbnail rate during export \/ baseline = 1\.00 .*: met\)$/);
    expect(targetLines({ ...outcome, jobSeconds: 301 }, { worst: 0.9, mean: 0.95 }, 0.9, 301).join('\n')).not.toMatch(
      /: met/,
    );
    expect(targetLines({ ...outcome, stills: 3_600, jobSeconds: 8 }, { worst: 1, mean: 1 }, 1, 8).join('\n')).toMatch(
      /for 86,400;[\s\S]*not judged, over 8\.0 s only\)$/,
    );
  });

  it('leaves a rate over a few seconds out of the table', () => {
    expect(phaseTable([phase({ seconds: 3 })], 4, 2)).toContain('n/a (< 10 s)');
  });

  it('calls the machine quiet only when other work stayed low before and during the run', () => {
    const figures = {
      loadAtStart: '0.5 0.4 0.3',
      loadAtEnd: '1.9 1.0 0.5',
      before: { cores: 0.05, busiest: 'node 0.05' },
      baselineCores: 0.1,
      during: { cores: 0.1, busiest: '' },
    };
    expect(contentionLine(figures)).toMatch(
      /^\*\*Shared machine, quiet during the run:\*\*.*CPU seconds then: none\)\.$/,
    );
    expect(contentionLine({ ...figures, baselineCores: 1.3 })).toMatch(/NOT quiet.*1\.30 during the baseline/);
    expect(contentionLine({ ...figures, during: { cores: 0.6, busiest: 'node 80.0' } })).toMatch(
      /NOT quiet.*node 80\.0/,
    );
    expect(
      busiestText([
        { comm: 'node', seconds: 12.34 },
        { comm: 'kworker', seconds: 0.01 },
      ]),
    ).toBe('node 12.3');
  });
});
