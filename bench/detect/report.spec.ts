import { describe, expect, it } from 'vitest';
import { compare } from './figures.js';
import { alone, detectorOn, phase } from './fixtures.js';
import {
  aloneTable,
  DETECT_END,
  DETECT_START,
  detectSection,
  latencyLine,
  liveTable,
  replaceDetectSection,
  verdicts,
} from './report.js';

const off = phase();
const on = phase({ name: 'B: detector on', detect: true, nodeCores: 0.65, detector: detectorOn });

describe('tables', () => {
  it('shows the detector alone in one row', () => {
    const table = aloneTable(alone());
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('| 2000 (2500) |');
    expect(table).toContain('0.300');
    // Thread RSS: 280 − 100; after frames: 300 − 100.
    expect(table).toMatch(/\|\s+180 \|\s+200 \|\s+60\/60 \|$/);
  });

  it('leaves the detector columns empty for the phase without it', () => {
    const rows = liveTable([off, on]).split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toMatch(/^\| A: detector off /);
    expect(rows[2]).toContain('|            |');
    expect(rows[3]).toMatch(/\|\s+1\.98 \|/);
    expect(rows[3]).toContain('4.20');
    expect(rows[3]).toContain('5.10');
  });
});

describe('verdicts', () => {
  it('says met or NOT met for each target', () => {
    const lines = verdicts(compare(off, on, alone(), 2, 0.6), 8);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('0.550 cores, budget DETECT_CPU_BUDGET = 0.600 cores: **met**');
    expect(lines[0]).toContain('live, 0.275 CPU s per analysed frame');
    expect(lines[1]).toContain('at 8 cameras');
    expect(lines[1]).toContain('**met**');
    const worse = verdicts(compare(off, { ...on, index: { worst: 0.9, median: 0.9, total: 7 } }, alone(), 2, 0.6), 8);
    expect(worse[2]).toContain('0.875: **NOT met**');
  });

  it('states the latency with its resolution', () => {
    expect(latencyLine(on)).toContain('p50 4.20 s, p95 5.10 s');
    expect(latencyLine(on)).toContain(
      '`fathom_feed_detection_latency_seconds`: 3.90 s; its mean inference live 250 ms',
    );
    expect(latencyLine(off)).toBe('');
  });
});

describe('the docs section', () => {
  const meta = {
    command: 'npm run bench:detect',
    date: '2026-12-01T00:00:00Z',
    durationSeconds: 300.4,
    machine: '2 cores',
    loadAtStart: '0.1 0.2 0.3',
    loadAtEnd: '0.4 0.5 0.6',
    alone: 'sixty frames',
    live: 'eight cameras',
  };

  it('holds both tables, the verdicts and what the columns mean', () => {
    const section = detectSection(meta, alone(), [off, on], compare(off, on, alone(), 2, 0.6));
    expect(section).toContain('`npm run bench:detect`');
    expect(section).toContain('300 s in all');
    expect(section).toContain('| B: detector on');
    expect(section).toContain('Detector CPU within its budget');
    expect(section).toContain('**capture → detection**');
  });

  it('goes between its own markers, or at the end', () => {
    const other = '<!-- bench:export:start -->\nx\n<!-- bench:export:end -->';
    const first = replaceDetectSection(`# Benchmarks\n\n${other}\n`, 'old');
    expect(first).toBe(`# Benchmarks\n\n${other}\n\n${DETECT_START}\nold\n${DETECT_END}\n`);
    expect(replaceDetectSection(first, 'new')).toBe(first.replace('old', 'new'));
  });
});
