/** The memory bench's tables and its docs/benchmarks.md section: pure string functions over the results. */
import { markdownTable, replaceSection } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import { byCategory, CATEGORY_ORDER, type Part, type Sizes, type SmapsField, topFiles, uss } from './smaps.js';

export const MEMORY_MARKERS = { start: '<!-- bench:memory:start -->', end: '<!-- bench:memory:end -->' };

/** What one process delivered over the window (cpu in cores, delays in ms), as measured. */
export interface ProcessDelivery {
  cpuCores: number;
  jpegsPerSecond: number;
  analysisFramesPerSecond: number;
  chunkBytes: number;
  firstJpegSeconds: number;
  /** k-th JPEG's last byte on stdout minus the k-th showinfo line. */
  encodeDelaysMs: number[];
  /** The same for the analysis frames: k-th gray frame on the socket minus the k-th showinfo line. */
  analysisDelaysMs: number[];
}

/** One process's figures at the end of a window, in KiB, and what it delivered. */
export interface ProcessFigures extends ProcessDelivery {
  vmRss: number;
  vmHwm: number;
  threads: number;
  rollup: Sizes;
  /** Anonymous at the window's start. */
  startAnonymous: number;
}

export interface Row {
  id: string;
  label: string;
  processes: ProcessFigures[];
  windowSeconds: number;
  /** What the command was meant to produce, to flag a variant that silently stopped doing its job. */
  expectsChunks: boolean;
  expectsAnalysis: boolean;
  error?: string | undefined;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
export const mib = (kb: number) => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : 'n/a');
const signedMib = (kb: number) =>
  Number.isFinite(kb) ? `${kb > 0 ? '+' : kb < 0 ? '−' : '±'}${Math.abs(kb / 1024).toFixed(1)}` : 'n/a';
const pct = (cores: number) => (Number.isFinite(cores) ? (cores * 100).toFixed(2) : 'n/a');

/** Mean over the processes of one field of the rollup (KiB). */
export function meanRollup(row: Row, field: SmapsField): number {
  return mean(row.processes.map((p) => p.rollup[field]));
}

export const meanOf = (row: Row, pick: (p: ProcessFigures) => number) => mean(row.processes.map(pick));

/** Median over the row's processes of every JPEG's (or gray frame's) delay after its showinfo line. */
export function medianDelayMs(row: Row, which: 'jpeg' | 'gray' = 'jpeg'): number {
  const all = row.processes.flatMap((p) => (which === 'jpeg' ? p.encodeDelaysMs : p.analysisDelaysMs));
  return all.length ? median(all) : Number.NaN;
}

const delay = (row: Row, which: 'jpeg' | 'gray' = 'jpeg') => {
  const d = medianDelayMs(row, which);
  return Number.isFinite(d) ? d.toFixed(0) : '';
};

/** What the variant still delivers: JPEGs/s, and a note when chunks or analysis frames that should flow do not. */
export function deliveryNote(row: Row): string {
  const notes: string[] = [];
  const jpegs = meanOf(row, (p) => p.jpegsPerSecond);
  if (row.expectsAnalysis && meanOf(row, (p) => p.analysisFramesPerSecond) < 0.5) notes.push('no analysis frames');
  if (row.expectsChunks && meanOf(row, (p) => p.chunkBytes) <= 0) notes.push('no chunk bytes');
  return `${Number.isFinite(jpegs) ? jpegs.toFixed(2) : 'n/a'}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/**
 * One ffmpeg per variant: memory at the window's end (MiB), the change against the first row
 * (production) in anonymous memory, the peak RSS, threads, CPU and the JPEG delay.
 */
export function variantsTable(rows: readonly Row[]): string {
  const base = rows[0];
  const baseAnon = base && !base.error ? meanRollup(base, 'Anonymous') : Number.NaN;
  return markdownTable(
    [
      'variant',
      'VmRSS',
      'Pss',
      'USS',
      'Private_Dirty',
      'Anonymous',
      'Shared_Clean',
      'Δ Anonymous',
      'peak VmHWM',
      'growth MiB/min',
      'threads',
      'CPU % of a core',
      'JPEGs/s',
      'JPEG delay ms',
      'gray delay ms',
    ],
    rows.map((r) => {
      if (r.error) return [r.label, ...Array(13).fill('n/a'), `failed: ${r.error.split('\n')[0]?.slice(0, 80)}`];
      const anon = meanRollup(r, 'Anonymous');
      const growth = meanOf(r, (p) => p.rollup.Anonymous - p.startAnonymous) / (r.windowSeconds / 60);
      return [
        r.label,
        mib(meanOf(r, (p) => p.vmRss)),
        mib(meanRollup(r, 'Pss')),
        mib(meanOf(r, (p) => uss(p.rollup))),
        mib(meanRollup(r, 'Private_Dirty')),
        mib(anon),
        mib(meanRollup(r, 'Shared_Clean')),
        r === base ? '' : signedMib(anon - baseAnon),
        mib(meanOf(r, (p) => p.vmHwm)),
        signedMib(growth),
        meanOf(r, (p) => p.threads).toFixed(0),
        pct(meanOf(r, (p) => p.cpuCores)),
        deliveryNote(r),
        delay(r),
        delay(r, 'gray'),
      ];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r'],
  );
}

/**
 * Pss counts a shared page once over every process mapping it. With N of these ffmpegs and nothing
 * else mapping the libraries, a process's Pss is its USS plus its shared pages over N (an upper
 * bound: the page cache and other ffmpegs on the machine share them further).
 */
export function pssAmongOnly(processes: number, ussKb: number, rssKb: number): number {
  return ussKb + (rssKb - ussKb) / processes;
}

/** N processes at once, per variant (rounds of the same variant pooled), per process unless it says "all". */
export function sharedTable(rows: readonly Row[]): string {
  return markdownTable(
    [
      'variant',
      'processes',
      'rounds',
      'VmRSS',
      'Pss (measured)',
      'Pss if only these N',
      'USS',
      'Shared_Clean',
      'all N: Σ VmRSS',
      'all N: Σ Pss',
      'CPU % of a core',
      'JPEG delay ms',
      'gray delay ms',
    ],
    pooled(rows).map(({ row, rounds }) => {
      const n = row.processes.length / rounds;
      const rss = meanOf(row, (p) => p.vmRss);
      const u = meanOf(row, (p) => uss(p.rollup));
      return [
        row.label,
        String(n),
        String(rounds),
        mib(rss),
        mib(meanRollup(row, 'Pss')),
        mib(
          pssAmongOnly(
            n,
            u,
            meanOf(row, (p) => p.rollup.Rss),
          ),
        ),
        mib(u),
        mib(meanRollup(row, 'Shared_Clean')),
        mib(rss * n),
        mib(meanRollup(row, 'Pss') * n),
        pct(meanOf(row, (p) => p.cpuCores)),
        delay(row),
        delay(row, 'gray'),
      ];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

/** Rows of the same variant (rounds A B B A) as one row holding every round's processes, first-seen order. */
export function pooled(rows: readonly Row[]): { row: Row; rounds: number }[] {
  const out = new Map<string, { row: Row; rounds: number }>();
  for (const r of rows) {
    if (r.error) continue;
    const seen = out.get(r.id);
    if (seen) {
      seen.row = { ...seen.row, processes: [...seen.row.processes, ...r.processes] };
      seen.rounds += 1;
    } else out.set(r.id, { row: r, rounds: 1 });
  }
  return [...out.values()];
}

/** CPU of `b` over `a`, each the mean over its rounds (the A B B A order spreads a drifting load over both). */
export function cpuRatio(rows: readonly Row[], a: string, b: string): number {
  const pool = pooled(rows);
  const cpu = (id: string) => {
    const p = pool.find((x) => x.row.id === id);
    return p ? meanOf(p.row, (x) => x.cpuCores) : Number.NaN;
  };
  return cpu(b) / cpu(a);
}

/** Where the memory of one process is, by category, for each of the given runs side by side (MiB). */
export function breakdownTable(runs: readonly { label: string; parts: Part[] }[]): string {
  const perRun = runs.map((run) => new Map(byCategory(run.parts).map((c) => [c.category, c])));
  const categories = CATEGORY_ORDER.filter((c) => perRun.some((m) => m.has(c)));
  const header = [
    'what',
    `mappings (${runs[0]?.label ?? ''})`,
    ...runs.flatMap((r) => [`${r.label}: Rss`, 'Anonymous']),
  ];
  const rows = categories.map((category) => [
    category,
    String(perRun[0]?.get(category)?.mappings ?? ''),
    ...perRun.flatMap((m) => {
      const c = m.get(category);
      return c ? [mib(c.kb.Rss), mib(c.kb.Anonymous)] : ['', ''];
    }),
  ]);
  const totals = perRun.flatMap((m) => {
    const sum = (f: SmapsField) => [...m.values()].reduce((s, c) => s + c.kb[f], 0);
    return [mib(sum('Rss')), mib(sum('Anonymous'))];
  });
  const mappings = [...(perRun[0]?.values() ?? [])].reduce((s, c) => s + c.mappings, 0);
  return markdownTable(
    header,
    [...rows, ['**total**', String(mappings), ...totals]],
    ['l', 'r', ...runs.flatMap(() => ['r', 'r'] as const)],
  );
}

/** The files whose relocated (written at load) pages, and whose file pages, weigh most in one process. */
export function librariesLine(parts: readonly Part[], count = 8): { relocated: string; filePages: string } {
  const list = (category: Part['category'], field: SmapsField) =>
    topFiles(parts, category, field, count)
      .map((f) => `${f.file.replace(/\.so[.\d]*$/, '')} ${mib(f.kb)}`)
      .join(', ');
  return {
    relocated: list('library pages written at load (relocations)', 'Anonymous'),
    filePages: list('library code and data (file pages)', 'Rss'),
  };
}

export interface NodeRow {
  cameras: number;
  /** How node ran (NodeSetting's label). */
  setting: string;
  rssKb: number;
  anonKb: number;
  fileKb: number;
  heapUsedMib: number;
  heapTotalMib: number;
  externalMib: number;
  /** Node's own CPU over the window (its threads, not the ffmpeg children), % of one core. */
  nodeCpuPercent: number;
  ffmpegCount: number;
  ffmpegRssKb: number;
  ffmpegPssKb: number;
  ffmpegUssKb: number;
  error?: string | undefined;
}

export function nodeTable(rows: readonly NodeRow[]): string {
  const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  return markdownTable(
    [
      'cameras',
      'node settings',
      'node VmRSS',
      'RssAnon',
      'RssFile',
      'V8 heap used / total',
      'external',
      'node CPU % of a core',
      'ffmpeg children',
      'ffmpeg VmRSS per camera',
      'ffmpeg Pss per camera',
      'ffmpeg USS per camera',
      'node + ffmpeg Σ Pss',
    ],
    rows.map((r) =>
      r.error
        ? [String(r.cameras), r.setting, ...Array<string>(10).fill('n/a'), `failed: ${r.error.slice(0, 80)}`]
        : [
            String(r.cameras),
            r.setting,
            mib(r.rssKb),
            mib(r.anonKb),
            mib(r.fileKb),
            `${fixed(r.heapUsedMib)} / ${fixed(r.heapTotalMib)}`,
            fixed(r.externalMib),
            fixed(r.nodeCpuPercent),
            String(r.ffmpegCount),
            mib(r.ffmpegRssKb),
            mib(r.ffmpegPssKb),
            mib(r.ffmpegUssKb),
            mib(r.rssKb + r.ffmpegPssKb * r.ffmpegCount),
          ],
    ),
    ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

export interface SectionInput {
  command: string;
  date: string;
  machine: string;
  durationSeconds: number;
  clip: string;
  method: string;
  variants: string;
  shared: string | null;
  sharedNote: string;
  breakdown: string;
  breakdownNote: string;
  other: string | null;
  otherNote: string;
  node: string | null;
  nodeNote: string;
  findings: string[];
}

export function memorySection(s: SectionInput): string {
  return [
    '## ffmpeg memory per camera: `npm run bench:memory`',
    '',
    `- **Command:** \`${s.command}\` (bench/ffmpeg-memory.ts, helpers in bench/memory/); ${s.date}, ${Math.round(s.durationSeconds / 60)} min in all`,
    `- **Machine:** ${s.machine}`,
    `- **Camera:** ${s.clip}`,
    `- **Method:** ${s.method}`,
    '',
    '### One ffmpeg, each change alone (MiB)',
    '',
    s.variants,
    ...(s.shared
      ? ['', '### N ffmpegs at once: what a camera really costs (MiB, per process)', '', s.shared, '', s.sharedNote]
      : []),
    '',
    '### Where one ffmpeg\u2019s memory is (MiB, /proc/PID/smaps)',
    '',
    s.breakdown,
    '',
    s.breakdownNote,
    ...(s.other ? ['', '### Another ffmpeg binary (MiB)', '', s.other, '', s.otherNote] : []),
    ...(s.node ? ['', '### The feed-handler as a whole (MiB)', '', s.node, '', s.nodeNote] : []),
    ...(s.findings.length ? ['', '### Findings', '', ...s.findings.map((f) => `- ${f}`)] : []),
  ].join('\n');
}

export function replaceMemorySection(existing: string | null, section: string): string {
  return replaceSection(existing, section, MEMORY_MARKERS);
}
