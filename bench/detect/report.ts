/** The bench:detect tables, verdicts and its docs/benchmarks.md section (pure). */
import { markdownTable, replaceSection } from '../lib/markdown.js';
import { type Comparison, type DetectorAlone, type PhaseResult, UNCHANGED_RATIO } from './figures.js';

export const DETECT_START = '<!-- bench:detect:start -->';
export const DETECT_END = '<!-- bench:detect:end -->';

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function aloneTable(a: DetectorAlone): string {
  return markdownTable(
    [
      'frames',
      'load ms',
      'first frame ms',
      'frames/s',
      'inference p50 ms',
      'inference p95 ms',
      'round trip p50 ms',
      'CPU s per frame',
      'thread RSS MiB',
      'RSS after frames MiB',
      'person found',
    ],
    [
      [
        String(a.frames),
        `${fixed(a.loadMs, 0)} (${fixed(a.openMs, 0)})`,
        fixed(a.firstFrameMs, 0),
        fixed(a.framesPerSecond, 2),
        fixed(a.inferenceP50Ms, 0),
        fixed(a.inferenceP95Ms, 0),
        fixed(a.roundTripP50Ms, 0),
        fixed(a.cpuSecondsPerFrame, 3),
        fixed(a.rssAfterLoadMiB - a.rssBeforeMiB, 0),
        fixed(a.rssAfterFramesMiB - a.rssBeforeMiB, 0),
        `${a.withPerson}/${a.frames}`,
      ],
    ],
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

export function liveTable(phases: readonly PhaseResult[]): string {
  return markdownTable(
    [
      'phase',
      'window s',
      'thumbnails/s per camera, worst',
      'median',
      'index points/s',
      'feed-handler cores',
      'node cores',
      'ffmpeg cores',
      'node RSS MiB',
      'analysed/s',
      'dropped/s',
      'person frames/s',
      'capture → detection p50 s',
      'p95 s',
      'bench cores',
      'machine busy cores',
      'other work cores',
    ],
    phases.map((p) => {
      const d = p.detector;
      return [
        p.name,
        fixed(p.windowSeconds, 1),
        fixed(p.thumbnails.worst, 3),
        fixed(p.thumbnails.median, 3),
        fixed(p.index.total, 2),
        fixed(p.treeCores, 3),
        fixed(p.nodeCores, 3),
        fixed(p.ffmpegCores, 3),
        fixed(p.rssNodeMiB, 0),
        d ? fixed(d.analysedPerSecond, 2) : '',
        d ? fixed(d.droppedPerSecond, 2) : '',
        d ? fixed(d.framesWithPerson / p.windowSeconds, 2) : '',
        d ? fixed(d.latency.p50Ms / 1000, 2) : '',
        d ? fixed(d.latency.p95Ms / 1000, 2) : '',
        fixed(p.benchCores, 2),
        fixed(p.machineBusyCores, 2),
        fixed(p.otherCores, 2),
      ];
    }),
    ['l', ...Array<'r'>(16).fill('r')],
  );
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** One line per target. */
export function verdicts(c: Comparison, cameras: number): string[] {
  return [
    `- Detector CPU within its budget: node CPU with the detector on minus off = ${fixed(c.detectorCores, 3)} cores, budget DETECT_CPU_BUDGET = ${fixed(c.budgetCores, 3)} cores: **${met(c.withinBudget)}** (live, ${fixed(c.liveCpuSecondsPerFrame, 3)} CPU s per analysed frame; the ${c.maxFps} fps cap alone would allow ${c.maxFps} × ${fixed(c.cpuSecondsPerFrame, 3)} = ${fixed(c.fpsCapCores, 3)} cores)`,
    `- Thumbnails unchanged with the detector on at ${cameras} cameras (rate on/off ≥ ${UNCHANGED_RATIO}): ${fixed(c.thumbnailRatio, 3)} (all cameras together; worst camera ${fixed(c.thumbnailWorstRatio, 3)}): **${met(c.thumbnailsUnchanged)}**`,
    `- Index unchanged with the detector on at ${cameras} cameras (points/s on/off ≥ ${UNCHANGED_RATIO}): ${fixed(c.indexRatio, 3)}: **${met(c.indexUnchanged)}**`,
  ];
}

export function latencyLine(on: PhaseResult): string {
  const d = on.detector;
  if (!d) return '';
  const l = d.latency;
  return `Capture → stored detection: ${l.frames} frames captured in the window were seen in InfluxDB (of ${d.framesWithPoints} with points there at the end, ${d.analysed} analysed in the window); p50 ${fixed(l.p50Ms / 1000, 2)} s, p95 ${fixed(l.p95Ms / 1000, 2)} s, max ${fixed(l.maxMs / 1000, 2)} s (the feed-handler's own mean, capture → accepted by InfluxDB, from \`fathom_feed_detection_latency_seconds\`: ${fixed(d.ownLatencyMeanMs / 1000, 2)} s; its mean inference live ${fixed(d.inferenceMeanMs, 0)} ms). ${l.polls} polls, one every ${fixed(l.pollEveryMs, 0)} ms on average; resolution (how much later than the point's arrival a poll may have seen it) ${fixed(l.resolutionMs, 0)} ms on average, ${fixed(l.resolutionMaxMs, 0)} ms at worst: the latencies are upper bounds by that much. Frames dropped or failed in the window: ${fixed(d.droppedPerSecond * on.windowSeconds, 0)} dropped, ${fixed(d.failedPerSecond * on.windowSeconds, 0)} failed; detector restarts in the window: ${d.restartsInWindow}.`;
}

export interface SectionMeta {
  command: string;
  date: string;
  durationSeconds: number;
  machine: string;
  loadAtStart: string;
  loadAtEnd: string;
  alone: string;
  live: string;
}

export const COLUMNS = `Detector alone: **load ms** is the worker's own model load (in brackets, from \`new Worker\` to ready as the
bench saw it, with tsx compiling the worker); **first frame** is the untimed first inference (WASM warm-up);
**frames/s** is timed frames over their wall time, back to back; **inference** is the worker's time per frame
(JPEG decode, letterbox, model), **round trip** adds the message passing; **CPU s per frame** is the bench
process's CPU time (process.cpuUsage, all its threads) over the timed frames divided by them; **thread RSS** is
the process's RSS after the model loaded minus before the thread started, **RSS after frames** the same after
the timed frames. Live: **thumbnails/s per camera** count each camera's JPEGs by capture time over the window
(bench/ingest/rate.ts), **index points/s** the \`filepaths\` points of all cameras together by capture time, read
back from InfluxDB (the same per-camera rate, summed); **feed-handler cores** is node and its ffmpeg children
from /proc, **node cores** node alone (all its threads, the detector's included), **node RSS** the highest of
samples every 3 s; **analysed/s** and **dropped/s** come from \`fathom_feed_detector_frames_total\`; **person
frames/s** is distinct frames with a \`person\` point whose capture time is in the window, per second (equal to
analysed/s, up to the frames at the window's edges, when every analysed frame shows the person);
**capture → detection** is poll arrival − point time for the window's frames; **bench cores** is this bench
process (polling InfluxDB, sampling /proc); **machine busy** is all CPU on the machine from /proc/stat,
**other work** what the feed-handler, influxd, the RTSP source and the bench do not explain (other tenants).`;

export function detectSection(
  meta: SectionMeta,
  alone: DetectorAlone,
  phases: readonly PhaseResult[],
  comparison: Comparison | null,
): string {
  const on = phases.find((p) => p.detect);
  const lines = [
    '## Object detector cost: `npm run bench:detect`',
    '',
    `- **Command:** \`${meta.command}\` (bench/detect.ts, helpers in bench/detect/); ${meta.date}, ${Math.round(meta.durationSeconds)} s in all`,
    `- **Machine:** ${meta.machine}; load average (1/5/15 min) ${meta.loadAtStart} at the start, ${meta.loadAtEnd} at the end`,
    `- **Detector alone:** ${meta.alone}`,
    `- **Live:** ${meta.live}`,
    '',
    aloneTable(alone),
    '',
    liveTable(phases),
    '',
  ];
  if (comparison) {
    lines.push(...verdicts(comparison, phases[0]?.cameras ?? 0), '');
  }
  if (on) lines.push(latencyLine(on), '');
  lines.push(COLUMNS);
  return lines.join('\n');
}

export function replaceDetectSection(existing: string | null, section: string): string {
  return replaceSection(existing, section, { start: DETECT_START, end: DETECT_END });
}
