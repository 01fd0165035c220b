/** The ingest bench's tables and its docs/benchmarks.md section: pure string functions. */
import { markdownTable } from '../lib/markdown.js';
import type { FeedHandlerResult, NaiveResult } from './measure.js';
import { MAX_FRESHNESS_SECONDS, SUSTAINED_RATE } from './rate.js';

export const INGEST_START = '<!-- bench:ingest:start -->';
export const INGEST_END = '<!-- bench:ingest:end -->';

/** Puts `section` between the ingest markers, keeping everything else (other benches' sections). */
export function replaceIngestSection(existing: string | null, section: string): string {
  const block = `${INGEST_START}\n${section.trim()}\n${INGEST_END}`;
  if (existing === null || existing.trim() === '') return `# Benchmarks\n\n${block}\n`;
  const start = existing.indexOf(INGEST_START);
  const end = existing.indexOf(INGEST_END);
  if (start !== -1 && end > start) {
    return `${existing.slice(0, start)}${block}${existing.slice(end + INGEST_END.length)}`;
  }
  return `${existing.trimEnd()}\n\n${block}\n`;
}

const fixed = (value: number | null, digits: number) =>
  value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
/** Cores as a percentage of one core. */
const pct = (cores: number | null) => fixed(cores === null ? null : cores * 100, 1);
const perCamera = (cores: number, n: number) => cores / n;

export interface GopResults {
  keyframeSeconds: number;
  feedHandler: FeedHandlerResult[];
  naive: NaiveResult[];
  largestSustained: number;
  /** The largest N tried, and whether the sweep ended on a failure (false: the list ran out first). */
  endedOnFailure: boolean;
}

export function feedHandlerTable(results: readonly FeedHandlerResult[]): string {
  const header = [
    'cameras',
    'decode',
    'thumbs/s/cam min',
    'mean',
    'newest age s',
    'index lag p50 / max s',
    'indexed',
    'CPU %/cam',
    'node / ffmpeg % (all cams)',
    'RSS node MiB (anon)',
    'RSS ffmpeg MiB (all / per cam)',
    'source %',
    'influxd %',
    'machine %',
    'sustained',
  ];
  const rows = results.map((r) => [
    String(r.cameras),
    r.decodeModes,
    fixed(r.rateMin, 3),
    fixed(r.rateMean, 3),
    fixed(r.freshnessMaxSeconds, 1),
    `${fixed(r.indexLagP50Seconds, 2)} / ${fixed(r.indexLagMaxSeconds, 2)}`,
    r.indexedFraction === null ? 'n/a' : `${(r.indexedFraction * 100).toFixed(1)} %`,
    pct(perCamera(r.treeCores, r.cameras)),
    `${pct(r.nodeCores)} / ${pct(r.ffmpegCores)}`,
    `${fixed(r.rssNodeMiB, 1)} (${fixed(r.anonNodeMiB, 1)})`,
    `${fixed(r.rssFfmpegMiB, 0)} / ${fixed(r.rssFfmpegMiB / Math.max(1, r.ffmpegProcesses), 1)}`,
    pct(r.sourceCores),
    pct(r.influxdCores),
    pct(r.machineBusyCores),
    (r.sustained ? 'yes' : 'NO') +
      (r.restartsInWindow ? ` (${r.restartsInWindow} restarts)` : '') +
      (r.note ? ` (${r.note})` : ''),
  ]);
  return markdownTable(header, rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']);
}

export function naiveTable(naive: readonly NaiveResult[], fathom: readonly FeedHandlerResult[]): string {
  const header = [
    'cameras',
    'naive CPU %/cam',
    'naive thumbs/s/cam min',
    'naive RSS MiB/cam',
    'source %',
    'machine %',
    'naive sustained',
    'Fathom CPU %/cam',
    'Fathom / naive CPU',
  ];
  const rows = naive.map((r) => {
    const f = fathom.find((x) => x.cameras === r.cameras);
    const fathomPerCam = f ? perCamera(f.treeCores, f.cameras) : Number.NaN;
    const naivePerCam = perCamera(r.treeCores, r.cameras);
    const ratio = fathomPerCam / naivePerCam;
    return [
      String(r.cameras),
      pct(naivePerCam),
      fixed(r.rateMin, 3),
      fixed(r.rssPerFfmpegMiB, 1),
      pct(r.sourceCores),
      pct(r.machineBusyCores),
      (r.sustained ? 'yes' : 'NO') + (r.note ? ` (${r.note})` : ''),
      pct(fathomPerCam),
      // When the naive pulls cannot keep up they are starved, and their CPU per camera is
      // capped by the machine: the ratio then flatters the naive pull.
      Number.isFinite(ratio) ? `${ratio.toFixed(3)}x${r.sustained ? '' : ' (naive starved)'}` : 'n/a',
    ];
  });
  return markdownTable(header, rows, ['r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r']);
}

/** The headline ratio: at the largest N where the naive pulls still kept up (else the smallest N measured). */
export function headlineRatio(gop: GopResults): { cameras: number; ratio: number } | null {
  const candidates = gop.naive.filter((r) => r.sustained && Number.isFinite(r.treeCores));
  const pick = candidates.at(-1) ?? gop.naive.find((r) => Number.isFinite(r.treeCores));
  if (!pick) return null;
  const f = gop.feedHandler.find((x) => x.cameras === pick.cameras && Number.isFinite(x.treeCores));
  if (!f) return null;
  return { cameras: pick.cameras, ratio: f.treeCores / f.cameras / (pick.treeCores / pick.cameras) };
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export function targets(gops: readonly GopResults[]): Target[] {
  const list: Target[] = [];
  const gop1 = gops.find((g) => g.keyframeSeconds === 1);
  if (gop1) {
    const headline = headlineRatio(gop1);
    list.push({
      name: 'Fathom CPU / naive CPU per camera, 1 s keyframes',
      goal: '<= 0.35x',
      measured: headline ? `${headline.ratio.toFixed(3)}x (at ${headline.cameras} cameras)` : 'not measured',
      met: headline ? headline.ratio <= 0.35 : null,
    });
    list.push({
      name: `cameras sustained at >= ${SUSTAINED_RATE} thumbnails/s each, 1 s keyframes`,
      goal: '>= 16',
      measured: `${gop1.largestSustained}${gop1.endedOnFailure ? '' : ' (every N tried passed)'}`,
      met: gop1.largestSustained >= 16,
    });
    const atLargest = gop1.feedHandler.find((r) => r.cameras === gop1.largestSustained);
    const rssMax = Math.max(...gop1.feedHandler.filter((r) => r.sustained).map((r) => r.rssNodeMiB));
    list.push({
      name: 'feed-handler node RSS (ffmpeg children apart), largest sustained N',
      goal: '<= 60 MB',
      measured: atLargest
        ? `${atLargest.rssNodeMiB.toFixed(1)} MiB = ${((atLargest.rssNodeMiB * 2 ** 20) / 1e6).toFixed(1)} MB at ${atLargest.cameras} cameras (max over sustained runs ${rssMax.toFixed(1)} MiB); ffmpeg ${(atLargest.rssFfmpegMiB / Math.max(1, atLargest.ffmpegProcesses)).toFixed(1)} MiB each`
        : 'not measured',
      met: atLargest ? (atLargest.rssNodeMiB * 2 ** 20) / 1e6 <= 60 : null,
    });
  }
  for (const g of gops.filter((x) => x.keyframeSeconds !== 1)) {
    const modes = [...new Set(g.feedHandler.map((r) => r.decodeModes))].join(', ');
    list.push({
      name: `${g.keyframeSeconds} s keyframes: fallback (decode all, keep one a second) holds`,
      goal: `>= 1 camera at >= ${SUSTAINED_RATE}/s`,
      measured: `${g.largestSustained} cameras sustained; decode mode ${modes}`,
      met: g.largestSustained >= 1,
    });
  }
  return list;
}

export function targetsTable(list: readonly Target[]): string {
  return markdownTable(
    ['target', 'goal', 'measured', 'met'],
    list.map((t) => [t.name, t.goal, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']),
  );
}

export interface ReportContext {
  command: string;
  date: string;
  machine: string;
  loadAtStart: string;
  loadAtEnd: string;
  quiet: string;
  clips: string[];
  settings: string;
  durationSeconds: number;
}

export function ingestSection(ctx: ReportContext, gops: readonly GopResults[]): string {
  const parts = [
    '## Ingest cost: `npm run bench:ingest`',
    '',
    `- **Command:** \`${ctx.command}\` (bench/ingest.ts, helpers in bench/ingest/)`,
    `- **Date:** ${ctx.date}; the run took ${Math.round(ctx.durationSeconds / 60)} min`,
    `- **Machine:** ${ctx.machine}; load average at start ${ctx.loadAtStart}, at end ${ctx.loadAtEnd} (${ctx.quiet})`,
    `- **Cameras:** ${ctx.clips.join('; ')}. \`rtsp/server.py\` (RTSP_SOURCE=file, RTSP_FILE_COPY=1) relays the clip to every mount without re-encoding, one fresh server per measurement; its CPU is the "source" column.`,
    `- **Method:** ${ctx.settings} Fathom = \`node feed-handler/dist/main.js\` with production defaults (LOG_LEVEL=info; DECODE_MODE=auto: it probes each stream and decodes keyframes only when they come at most ~1.1 s apart; CHUNKS_ENABLED=true: the same ffmpeg also records the stream, copied, into MP4 chunks) writing to a throwaway influxd; its CPU is the process tree (node + every ffmpeg child), utime+stime(+reaped children) from /proc at the window's start and end. Naive = one \`ffmpeg -rtsp_transport tcp -i URL -vf fps=1 out%d.jpg\` per camera (full decode, full-size JPEGs), same clip, same N, same window, run right after Fathom's measurement at that N, never at the same time. CPU columns are % of one core; "machine" is all cores busy (200 % = both) including other work on this shared machine. Thumbnails/s per camera counts thumbnails by capture time (naive: by file time) in the window, which is shifted by at most 0.5 s to sit between two frames. Sustained = every camera >= ${SUSTAINED_RATE}/s and (Fathom) the newest thumbnail at most ${MAX_FRESHNESS_SECONDS} s old at the window's end. Index lag = the feed-handler's \`fathom_feed_index_lag_seconds\` (newest thumbnail minus newest indexed point, capture time) sampled every 3 s; "indexed" = points in InfluxDB / thumbnails on disk in the window. RSS is VmRSS, the maximum of the samples.`,
    '',
  ];
  for (const g of gops) {
    parts.push(
      `### Keyframe every ${g.keyframeSeconds} s: Fathom feed-handler`,
      '',
      feedHandlerTable(g.feedHandler),
      '',
    );
    parts.push(
      `Largest N sustained: **${g.largestSustained}**${g.endedOnFailure ? '' : ' (every N tried passed; the sweep did not reach a failure)'}.`,
      '',
    );
    if (g.naive.length > 0) {
      parts.push(
        `### Keyframe every ${g.keyframeSeconds} s: naive full decode vs Fathom`,
        '',
        naiveTable(g.naive, g.feedHandler),
        '',
      );
    }
  }
  parts.push('### Targets', '', targetsTable(targets(gops)), '');
  return parts.join('\n');
}
