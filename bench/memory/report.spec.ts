import { describe, expect, it } from 'vitest';
import {
  breakdownTable,
  cpuRatio,
  deliveryNote,
  MEMORY_MARKERS,
  memorySection,
  type ProcessFigures,
  pooled,
  pssAmongOnly,
  type Row,
  replaceMemorySection,
  sharedTable,
  variantsTable,
} from './report.js';
import { emptySizes, type Part } from './smaps.js';

function proc(anonMiB: number, cpu: number, extra: Partial<ProcessFigures> = {}): ProcessFigures {
  const anon = anonMiB * 1024;
  return {
    vmRss: anon + 40 * 1024,
    vmHwm: anon + 41 * 1024,
    threads: 11,
    rollup: {
      ...emptySizes(),
      Rss: anon + 40 * 1024,
      Pss: anon + 5 * 1024,
      Anonymous: anon,
      Private_Dirty: anon,
      Shared_Clean: 40 * 1024,
    },
    startAnonymous: anon,
    cpuCores: cpu,
    jpegsPerSecond: 1,
    analysisFramesPerSecond: 1,
    chunkBytes: 1e6,
    firstJpegSeconds: 2,
    encodeDelaysMs: [1000, 1001],
    analysisDelaysMs: [1000, 1002],
    ...extra,
  };
}

const row = (id: string, processes: ProcessFigures[], extra: Partial<Row> = {}): Row => ({
  id,
  label: id,
  processes,
  windowSeconds: 20,
  expectsChunks: true,
  expectsAnalysis: true,
  ...extra,
});

describe('variantsTable', () => {
  it('shows each variant against the first row (production)', () => {
    const table = variantsTable([row('production', [proc(26, 0.03)]), row('cuts', [proc(24, 0.028)])]);
    const lines = table.split('\n');
    expect(lines[0]).toContain('Δ Anonymous');
    expect(lines[2]).toMatch(/^\| production +\| +66\.0 \|/);
    expect(lines[3]).toContain('−2.0');
    expect(lines[3]).toContain('2.80');
  });

  it('says when a variant failed', () => {
    expect(variantsTable([row('production', [], { error: 'ffmpeg exited: boom\nmore' })])).toContain(
      'failed: ffmpeg exited: boom',
    );
  });
});

describe('deliveryNote', () => {
  it('flags a variant whose chunks or analysis frames stopped', () => {
    expect(deliveryNote(row('x', [proc(1, 0, { chunkBytes: 0, analysisFramesPerSecond: 0 })]))).toBe(
      '1.00 (no analysis frames, no chunk bytes)',
    );
    expect(deliveryNote(row('x', [proc(1, 0, { chunkBytes: 0 })], { expectsChunks: false }))).toBe('1.00');
  });
});

describe('shared processes', () => {
  const rounds = [
    row('production', [proc(26, 0.03), proc(26, 0.03)]),
    row('cuts', [proc(24, 0.02), proc(24, 0.02)]),
    row('cuts', [proc(24, 0.02), proc(24, 0.02)]),
    row('production', [proc(26, 0.03), proc(26, 0.03)]),
  ];

  it('pools the rounds of a variant', () => {
    const p = pooled(rounds);
    expect(p.map((x) => [x.row.id, x.rounds, x.row.processes.length])).toEqual([
      ['production', 2, 4],
      ['cuts', 2, 4],
    ]);
  });

  it('gives the CPU ratio of the pooled rounds', () => {
    expect(cpuRatio(rounds, 'production', 'cuts')).toBeCloseTo(2 / 3, 10);
  });

  it('bounds Pss among N processes by USS plus the shared pages over N', () => {
    expect(pssAmongOnly(8, 26 * 1024, 66 * 1024)).toBe(31 * 1024);
  });

  it('prints per process and for all N', () => {
    const table = sharedTable(rounds);
    expect(table.split('\n')[2]).toMatch(/^\| production \| +2 \| +2 \| +66\.0 \|/);
    // Σ VmRSS over the 2 processes of a round.
    expect(table.split('\n')[2]).toContain('132.0');
  });
});

describe('breakdownTable', () => {
  it('puts the runs side by side with a total', () => {
    const part = (category: Part['category'], rss: number, anon: number): Part => ({
      category,
      file: '',
      kb: { ...emptySizes(), Rss: rss * 1024, Anonymous: anon * 1024 },
    });
    const table = breakdownTable([
      { label: 'production', parts: [part('main heap (brk)', 11, 11), part('thread stacks', 0.2, 0.2)] },
      { label: 'cuts', parts: [part('main heap (brk)', 10, 10)] },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toContain('mappings (production)');
    expect(lines[0]).toContain('production: Rss');
    expect(lines[0]).toContain('cuts: Rss');
    // Categories in CATEGORY_ORDER: the heap before the thread stacks.
    expect(lines[2]).toMatch(/^\| main heap \(brk\) +\| +1 \| +11\.0 \| +11\.0 \| +10\.0 \| +10\.0 \|$/);
    expect(lines[3]).toMatch(/^\| thread stacks +\| +1 \| +0\.2 \| +0\.2 \| +\| +\|$/);
    expect(lines.at(-1)).toMatch(/^\| \*\*total\*\* +\| +2 \| +11\.2 \| +11\.2 \| +10\.0 \| +10\.0 \|$/);
  });
});

describe('the docs section', () => {
  const section = memorySection({
    command: 'npm run bench:memory',
    date: '2026-11-30T05:00:00Z',
    machine: '2 cores',
    durationSeconds: 600,
    clip: '1080p30',
    method: 'm',
    variants: '| v |',
    shared: null,
    sharedNote: '',
    breakdown: '| b |',
    breakdownNote: 'n',
    other: null,
    otherNote: '',
    node: null,
    nodeNote: '',
    findings: ['f1'],
  });

  it('has its title, the tables present, and the findings', () => {
    expect(section).toMatch(/^## ffmpeg memory per camera: `npm run bench:memory`/);
    expect(section).toContain('10 min in all');
    expect(section).not.toContain('N ffmpegs at once');
    expect(section).toContain('- f1');
  });

  it('replaces only its own markers in docs/benchmarks.md', () => {
    const other = '<!-- bench:ingest:start -->\ningest\n<!-- bench:ingest:end -->';
    const doc = `# Benchmarks\n\n${other}\n\n${MEMORY_MARKERS.start}\nold\n${MEMORY_MARKERS.end}\n`;
    const updated = replaceMemorySection(doc, section);
    expect(updated).toContain(other);
    expect(updated).not.toContain('old');
    expect(replaceMemorySection(updated, section)).toBe(updated);
  });
});
