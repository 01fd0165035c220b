/** The export bench's figures, table and docs/benchmarks.md section: pure functions. */
import type { ProcessTable } from '../ingest/process-tree.js';
import { SUSTAINED_RATE } from '../ingest/rate.js';
import { markdownTable } from '../lib/markdown.js';

export const EXPORT_SECTION = { start: '<!-- bench:export:start -->', end: '<!-- bench:export:end -->' };
/** Issue 19: one camera-day exported in at most this long. */
export const TARGET_EXPORT_SECONDS = 300;
/** Under this, a once-a-second rate is too coarse to read (one frame more or less is ±10 %). */
export const MIN_RATE_WINDOW_SECONDS = 10;
/** Other work above this many cores (before the run or during the export) makes the machine "not quiet". */
export const QUIET_OTHER_CORES = 0.2;

/** CPU seconds used in a phase, by process tree. */
export interface PhaseCpu {
  /** node and its ffmpeg children. */
  feedHandler: number;
  /** The backend's node alone. */
  backend: number;
  /** The export's ffmpeg (the backend's children, reaped or alive). */
  ffmpeg: number;
  influxd: number;
  /** The RTSP server relaying the cameras' streams. */
  source: number;
  /** This process: polling, snapshots. */
  bench: number;
}

export interface PhaseFigures {
  phase: string;
  seconds: number;
  /** Stills the phase got through (planned or encoded), null when it handles none. */
  stills: number | null;
  /** Thumbnails per second of each recording camera over the phase. */
  rates: number[];
  /** Age of the newest thumbnail at the phase's end, worst camera; null without cameras. */
  newestAgeSeconds: number | null;
  cpu: PhaseCpu;
  /** Machine-wide busy CPU over the phase, in cores. */
  machineBusyCores: number;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);

/** Machine CPU the measured processes do not explain (other work on a shared machine), in cores. */
export function otherCores(p: PhaseFigures): number {
  if (p.seconds <= 0) return Number.NaN;
  const ours = p.cpu.feedHandler + p.cpu.backend + p.cpu.ffmpeg + p.cpu.influxd + p.cpu.source + p.cpu.bench;
  return Math.max(0, p.machineBusyCores - ours / p.seconds);
}

/** During / baseline: the worst camera's own ratio, and the ratio of the cameras' means. NaN without cameras. */
export function rateRatio(baseline: readonly number[], during: readonly number[]): { worst: number; mean: number } {
  if (baseline.length === 0 || baseline.length !== during.length) return { worst: Number.NaN, mean: Number.NaN };
  const ratios = during.map((rate, i) => rate / (baseline[i] as number));
  return { worst: Math.min(...ratios), mean: sum(during) / sum(baseline) };
}

/** Whether other work disturbed the run, and the words the docs put it in. */
export function contentionLine(figures: {
  loadAtStart: string;
  loadAtEnd: string;
  /** Other processes' cores over a short sample before the run, and the busiest of them. */
  before: { cores: number; busiest: string };
  /** Other work during the baseline window, in cores (machine CPU none of ours explains). */
  baselineCores: number;
  /** The same during the export, and the busiest other processes' CPU seconds. */
  during: { cores: number; busiest: string };
}): string {
  const quiet = Math.max(figures.before.cores, figures.baselineCores, figures.during.cores) < QUIET_OTHER_CORES;
  return `**${quiet ? 'Shared machine, quiet during the run' : 'Shared machine, NOT quiet'}:** load average (1/5/15 min) ${figures.loadAtStart} at the start, ${figures.loadAtEnd} at the end; other work took ${figures.before.cores.toFixed(2)} cores in a 5 s sample before the run${figures.before.busiest ? ` (${figures.before.busiest})` : ''}, ${figures.baselineCores.toFixed(2)} during the baseline and ${figures.during.cores.toFixed(2)} during the export (the busiest others' CPU seconds then: ${figures.during.busiest || 'none'}).`;
}

/** "name 1.2, other 0.4": the busiest others, leaving out the ones that barely ran. */
export function busiestText(busiest: readonly { comm: string; seconds: number }[], per = 1, digits = 1): string {
  return busiest
    .filter((b) => b.seconds / per >= 0.05)
    .map((b) => `${b.comm} ${(b.seconds / per).toFixed(digits)}`)
    .join(', ');
}

/** The processes outside ours that used the most CPU between two snapshots, grouped by command name. */
export function busiestOthers(
  before: ProcessTable,
  after: ProcessTable,
  ours: ReadonlySet<number>,
  ticksPerSecond: number,
  limit = 5,
): { comm: string; seconds: number }[] {
  const byComm = new Map<string, number>();
  for (const [pid, stat] of after) {
    if (ours.has(pid)) continue;
    // A process started inside the window used all its ticks in it.
    const used = stat.ownTicks - (before.get(pid)?.ownTicks ?? 0);
    if (used > 0) byComm.set(stat.comm, (byComm.get(stat.comm) ?? 0) + used);
  }
  return [...byComm]
    .map(([comm, ticks]) => ({ comm, seconds: ticks / ticksPerSecond }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, limit);
}

export function phaseTable(phases: readonly PhaseFigures[], cameras: number, cores: number): string {
  return markdownTable(
    [
      'phase',
      'duration s',
      'stills/s',
      `camera thumbnails/s (min of ${cameras})`,
      'newest thumbnail age s',
      'feed-handler CPU s',
      'backend CPU s',
      'ffmpeg CPU s',
      'influxd CPU s',
      `machine busy (of ${cores} cores)`,
      'other work (cores)',
    ],
    phases.map((p) => [
      p.phase,
      fixed(p.seconds, 1),
      p.stills === null || p.seconds <= 0 ? '' : fixed(p.stills / p.seconds, 0),
      p.rates.length === 0
        ? 'n/a'
        : p.seconds < MIN_RATE_WINDOW_SECONDS
          ? `n/a (< ${MIN_RATE_WINDOW_SECONDS} s)`
          : fixed(Math.min(...p.rates), 3),
      fixed(p.newestAgeSeconds, 1),
      fixed(p.cpu.feedHandler, 1),
      fixed(p.cpu.backend, 1),
      fixed(p.cpu.ffmpeg, 1),
      fixed(p.cpu.influxd, 1),
      fixed(p.machineBusyCores, 2),
      fixed(otherCores(p), 2),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

export interface ExportOutcome {
  stills: number;
  /** created → finished, from the job record (the backend's clock). */
  jobSeconds: number;
  frames: number;
  bytes: number;
  videoWidth: number;
  videoHeight: number;
  /** Packets ffprobe counted in the MP4. */
  probedFrames: number;
}

/** The two lines the issue asks for, plus whether each is met. */
export function targetLines(
  outcome: ExportOutcome,
  ratio: { worst: number; mean: number },
  duringMin: number | null,
  /** The export's window, over which the rates were counted. */
  windowSeconds: number,
): string[] {
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  const seconds = outcome.jobSeconds;
  const lines = [
    `export of ${outcome.stills.toLocaleString('en-US')} stills: ${fixed(seconds, 0)} s (target ≤ ${TARGET_EXPORT_SECONDS} s${outcome.stills === 86_400 ? `: ${met(seconds <= TARGET_EXPORT_SECONDS)}` : ', for 86,400'}; ${fixed(outcome.stills / seconds, 0)} stills/s)`,
  ];
  if (Number.isFinite(ratio.worst)) {
    const unchanged = ratio.worst >= SUSTAINED_RATE && (duringMin ?? 0) >= SUSTAINED_RATE;
    lines.push(
      `thumbnail rate during export / baseline = ${fixed(ratio.worst, 2)} (worst camera; all cameras' mean ${fixed(ratio.mean, 3)}; target: unchanged, every camera ≥ ${SUSTAINED_RATE} thumbnails/s: ${windowSeconds < MIN_RATE_WINDOW_SECONDS ? `not judged, over ${windowSeconds.toFixed(1)} s only` : met(unchanged)})`,
    );
  } else lines.push('thumbnail rate during export / baseline: n/a (no camera recorded)');
  return lines;
}

export interface ExportRunInfo {
  command: string;
  date: string;
  machine: string;
  /** What else ran: load averages, busy processes before the run and during the export. */
  contention: string[];
  dataset: string;
  recording: string;
  request: string;
  durationSeconds: number;
}

export function exportSection(
  info: ExportRunInfo,
  phases: readonly PhaseFigures[],
  outcome: ExportOutcome,
  ratio: { worst: number; mean: number },
  cameras: number,
  cores: number,
): string {
  const during = phases.find((p) => p.phase.startsWith('export: whole'));
  const duringMin = during?.rates.length ? Math.min(...during.rates) : null;
  return [
    '## Timelapse export under load: `npm run bench:export`',
    '',
    `- **Command:** \`${info.command}\` (bench/export.ts, helpers in bench/export/); ${info.date}, ${Math.round(info.durationSeconds)} s in all`,
    `- **Machine:** ${info.machine}`,
    ...info.contention.map((line) => `- ${line}`),
    `- **Data:** ${info.dataset}`,
    `- **Recording:** ${info.recording}`,
    `- **Export:** ${info.request}`,
    '',
    phaseTable(phases, cameras, cores),
    '',
    ...targetLines(outcome, ratio, duringMin, during?.seconds ?? 0).map((line) => `- ${line}`),
    `- The video: ${outcome.frames.toLocaleString('en-US')} frames (ffprobe counts ${outcome.probedFrames.toLocaleString('en-US')}), ${outcome.videoWidth}×${outcome.videoHeight}, ${(outcome.bytes / 2 ** 20).toFixed(1)} MiB.`,
    '',
    'CPU columns are CPU seconds used in the phase, from /proc: the feed-handler with its ffmpeg children, the',
    "backend's node alone, and the export's ffmpeg (it runs under `ionice -c 3 nice -n 19`; its time is the",
    "backend's reaped-children time). Thumbnail rates count the recording cameras' JPEGs by capture time",
    '(bench/ingest/rate.ts); "newest thumbnail age" is how old each camera\'s newest thumbnail was at the phase\'s',
    'end (a pipeline that falls behind shows here first). "Other work" is machine CPU that none of the measured',
    'processes (feed-handler, backend, ffmpeg, influxd, RTSP source, this bench) explain.',
  ].join('\n');
}
