/** The ingest bench's tables and its docs/benchmarks.md section: pure string functions. */
import { markdownTable } from '../lib/markdown.js';
import type { ColdStartResult } from './cold-start.js';
import type { FeedHandlerResult, NaiveResult } from './measure.js';
import { MAX_FRESHNESS_SECONDS, SUSTAINED_RATE } from './rate.js';
import { distribution, distributionText, seconds } from './summary.js';
import { inputText, readsEverySubStream } from './two-stream.js';

/** The issue's cold-start target: every camera's first thumbnail within this long of the process start, at 40 cameras. */
export const COLD_START_TARGET_MS = 15_000;
export const COLD_START_TARGET_CAMERAS = 40;
/** The issue's scale target: cameras sustained at a 1 s GOP on this 2-core machine. */
export const SUSTAINED_TARGET_CAMERAS = 40;
/** The issue's two-stream target: CPU per camera at most this fraction of the single 1080p stream's. */
export const TWO_STREAM_TARGET_RATIO = 0.3;

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

/** The machine around one part of the run: the 1-minute, 5-minute and 15-minute load averages at its start and end. */
export interface PhaseMachine {
  loadAtStart: string;
  loadAtEnd: string;
}

export function phaseLine(machine: PhaseMachine | undefined): string {
  return machine
    ? `Machine during this part: load average ${machine.loadAtStart} at its start, ${machine.loadAtEnd} at its end (1, 5, 15 min).`
    : '';
}

export interface GopResults {
  keyframeSeconds: number;
  machine?: PhaseMachine;
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
    'on keyframes after s',
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
    r.settleSeconds === null ? '-' : fixed(r.settleSeconds, 1),
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
  return markdownTable(header, rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']);
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

/** One cold-start row per start: first thumbnails and handovers from the spawn, what the learnt-modes file held. */
export function coldStartTable(results: readonly ColdStartResult[]): string {
  const header = [
    'cameras',
    'start',
    'first thumbnail s min / median / p95 / max',
    `all within ${COLD_START_TARGET_MS / 1000} s`,
    'on keyframes only s min / median / p95 / max',
    'every camera on keyframes s',
    'first /healthz (s: mode/source)',
    'learnt in file',
    'feed-handler CPU s',
    'source %',
    'machine %',
    'load at start → end',
    'note',
  ];
  const rows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs) {
      const first = distribution(run.firstThumbnailMs);
      const keyframes = distribution(run.keyframesMs);
      rows.push([
        String(r.cameras),
        run.label,
        distributionText(first, run.timeoutMs),
        first.count === 0 ? 'n/a' : first.max <= COLD_START_TARGET_MS ? 'yes' : 'NO',
        distributionText(keyframes, run.timeoutMs),
        seconds(keyframes.max, run.timeoutMs),
        run.firstAnswer ? `${seconds(run.firstAnswer.atMs)}: ${run.firstAnswer.sources}` : 'n/a',
        run.rememberedAfter === null ? 'no file' : `${run.rememberedAfter}/${r.cameras} keyframes`,
        Number.isFinite(run.treeCpuSeconds)
          ? `${run.treeCpuSeconds.toFixed(1)} in ${run.spanSeconds.toFixed(1)} s`
          : 'n/a',
        pct(run.sourceCores),
        pct(run.machineBusyCores),
        `${run.loadAtStart.split(' ')[0]} → ${run.loadAtEnd.split(' ')[0]}`,
        run.note || '',
      ]);
    }
  }
  return markdownTable(header, rows, ['r', 'l', 'r', 'l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'l']);
}

/** The same N cameras at the same GOP, measured one after the other: the single 1080p stream, then two streams. */
export interface TwoStreamPair {
  cameras: number;
  single: FeedHandlerResult;
  twoStream: FeedHandlerResult;
}

/** CPU per camera, two streams / single stream; NaN when either is missing. */
export function twoStreamRatio(pair: TwoStreamPair): number {
  const two = pair.twoStream.treeCores / pair.twoStream.cameras;
  const one = pair.single.treeCores / pair.single.cameras;
  return Number.isFinite(two) && Number.isFinite(one) && one > 0 ? two / one : Number.NaN;
}

/** Whether the two-stream figures are two-stream ones: every sub-stream was open in an ffmpeg of the feed-handler. */
export function usedSubStreams(pair: TwoStreamPair): boolean {
  return pair.twoStream.inputs !== null && readsEverySubStream(pair.twoStream.inputs, pair.cameras);
}

export function twoStreamTable(pairs: readonly TwoStreamPair[]): string {
  const header = [
    'cameras',
    'streams',
    'ffmpeg inputs (main / sub)',
    'decode',
    'thumbs/s/cam min',
    'mean',
    'CPU %/cam',
    'node / ffmpeg % (all cams)',
    'RSS node MiB (anon)',
    'RSS ffmpeg MiB (all / per cam)',
    'source %',
    'machine %',
    'sustained',
    'CPU/cam vs single',
  ];
  const row = (r: FeedHandlerResult, ratio: string) => [
    String(r.cameras),
    r.variant === 'two-stream' ? 'two: 1080p recorded + 640x360 thumbnails' : 'single 1080p',
    inputText(r.inputs),
    r.decodeModes,
    fixed(r.rateMin, 3),
    fixed(r.rateMean, 3),
    pct(perCamera(r.treeCores, r.cameras)),
    `${pct(r.nodeCores)} / ${pct(r.ffmpegCores)}`,
    `${fixed(r.rssNodeMiB, 1)} (${fixed(r.anonNodeMiB, 1)})`,
    `${fixed(r.rssFfmpegMiB, 0)} / ${fixed(r.rssFfmpegMiB / r.cameras, 1)}`,
    pct(r.sourceCores),
    pct(r.machineBusyCores),
    (r.sustained ? 'yes' : 'NO') +
      (r.restartsInWindow ? ` (${r.restartsInWindow} restarts)` : '') +
      (r.note ? ` (${r.note})` : ''),
    ratio,
  ];
  const rows: string[][] = [];
  for (const pair of pairs) {
    const ratio = twoStreamRatio(pair);
    const flags = [
      usedSubStreams(pair) ? '' : 'sub-streams not read: thumbnailUrl ignored?',
      pair.single.sustained ? '' : 'single starved',
    ].filter(Boolean);
    rows.push(row(pair.single, '1x'));
    rows.push(
      row(
        pair.twoStream,
        Number.isFinite(ratio) ? `${ratio.toFixed(3)}x${flags.length ? ` (${flags.join('; ')})` : ''}` : 'n/a',
      ),
    );
  }
  return markdownTable(header, rows, ['r', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r']);
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

/** The parts besides the sweep, for the targets and the section; absent when not run. */
export interface OtherResults {
  /** 1 s GOP, every camera reading one MediaMTX path (bench/ingest/fanout-relay.ts). */
  fanout?: { results: FeedHandlerResult[]; machine?: PhaseMachine };
  coldStart?: { results: ColdStartResult[]; machine?: PhaseMachine };
  twoStream?: { keyframeSeconds: number; pairs: TwoStreamPair[]; machine?: PhaseMachine };
}

export function targets(gops: readonly GopResults[], other: OtherResults = {}): Target[] {
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
      name: `cameras sustained at >= ${SUSTAINED_RATE} thumbnails/s each, 1 s keyframes, rtsp/server.py relay (a pipeline per mount) on the same cores`,
      goal: `>= ${SUSTAINED_TARGET_CAMERAS}`,
      measured: `${gop1.largestSustained}${gop1.endedOnFailure ? '' : ' (every N tried passed)'}`,
      met: gop1.largestSustained >= SUSTAINED_TARGET_CAMERAS,
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
  if (other.fanout) list.push(fanoutTarget(other.fanout.results));
  list.push(...coldStartTargets(other.coldStart?.results ?? []));
  if (other.twoStream) {
    const t = twoStreamTarget(other.twoStream.pairs, other.twoStream.keyframeSeconds);
    if (t) list.push(t);
  }
  return list;
}

/** The fan-out runs: the largest N sustained, with Fathom's and the relay's share of the machine there. */
export function fanoutTarget(results: readonly FeedHandlerResult[]): Target {
  const name = `cameras sustained at >= ${SUSTAINED_RATE} thumbnails/s each, 1 s keyframes, one MediaMTX path fanned out (the relay's CPU mostly taken out)`;
  const goal = `>= ${SUSTAINED_TARGET_CAMERAS}`;
  const sustained = results.filter((r) => r.sustained).sort((a, b) => a.cameras - b.cameras);
  const best = sustained.at(-1);
  if (!best) {
    const tried = results.map((r) => r.cameras).join(', ');
    return { name, goal, measured: tried ? `none of ${tried} sustained` : 'not measured', met: tried ? false : null };
  }
  return {
    name,
    goal,
    measured: `${best.cameras} (Fathom ${pct(best.treeCores)} % = ${pct(perCamera(best.treeCores, best.cameras))} %/camera, relay ${pct(best.sourceCores)} %, machine ${pct(best.machineBusyCores)} % of 200)`,
    met: best.cameras >= SUSTAINED_TARGET_CAMERAS,
  };
}

/**
 * Where the machine's CPU went at each N measured with both relays: Fathom (node and its ffmpegs),
 * the relay, influxd and the rest, so the relay's share can be told apart from Fathom's.
 */
export function relaySplitTable(perMount: readonly FeedHandlerResult[], fanout: readonly FeedHandlerResult[]): string {
  const rows: string[][] = [];
  const label = { 'rtsp-server': 'rtsp/server.py, a pipeline per mount', fanout: 'MediaMTX, one path fanned out' };
  for (const n of [...new Set(fanout.map((r) => r.cameras))].sort((a, b) => a - b)) {
    for (const [relay, r] of [
      ['rtsp-server', perMount.find((x) => x.cameras === n)],
      ['fanout', fanout.find((x) => x.cameras === n)],
    ] as const) {
      if (!r) continue;
      rows.push([
        String(n),
        label[relay],
        `${pct(r.treeCores)} (${pct(perCamera(r.treeCores, n))})`,
        `${pct(r.sourceCores)} (${pct(perCamera(r.sourceCores, n))})`,
        pct(r.influxdCores),
        pct(r.otherCores),
        pct(r.machineBusyCores),
        fixed(r.rateMin, 3),
        r.relaySlowReaderWarnings === null ? '' : String(r.relaySlowReaderWarnings),
        r.sustained ? 'yes' : 'NO',
      ]);
    }
  }
  return markdownTable(
    [
      'cameras',
      'relay',
      'Fathom % (per cam)',
      'relay % (per cam)',
      'influxd %',
      'other %',
      'machine %',
      'thumbs/s/cam min',
      'relay dropped for a slow reader (warnings in window)',
      'sustained',
    ],
    rows,
    ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

/** At the largest cold-start N: every first thumbnail within 15 s, for both starts (judged only at >= 40 cameras). */
export function coldStartTargets(results: readonly ColdStartResult[]): Target[] {
  const largest = [...results].sort((a, b) => a.cameras - b.cameras).at(-1);
  if (!largest) return [];
  const atTarget = largest.cameras >= COLD_START_TARGET_CAMERAS;
  return largest.runs.map((run) => {
    const d = distribution(run.firstThumbnailMs);
    return {
      name: `first thumbnail of every camera from process start, ${COLD_START_TARGET_CAMERAS} cameras, ${run.label}`,
      goal: `<= ${COLD_START_TARGET_MS / 1000} s`,
      measured: `max ${seconds(d.max, run.timeoutMs)} s, median ${seconds(d.median, run.timeoutMs)} s (at ${largest.cameras} cameras${atTarget ? '' : `; ${COLD_START_TARGET_CAMERAS} not measured`})`,
      met: atTarget && d.count > 0 ? d.max <= COLD_START_TARGET_MS : null,
    };
  });
}

/**
 * Two-stream CPU per camera against the single stream: at the largest N where both kept up (else the
 * largest N measured, marked); not judged when the feed-handler did not read the sub-streams.
 */
export function twoStreamTarget(pairs: readonly TwoStreamPair[], keyframeSeconds: number): Target | null {
  const measured = pairs.filter((p) => Number.isFinite(twoStreamRatio(p)));
  const both = measured.filter((p) => p.single.sustained && p.twoStream.sustained);
  const pick = both.at(-1) ?? measured.at(-1);
  const name = `CPU per camera, two streams (640x360 thumbnails) / single 1080p stream, ${keyframeSeconds} s keyframes`;
  const goal = `<= ${TWO_STREAM_TARGET_RATIO}x`;
  if (!pick) return { name, goal, measured: 'not measured', met: null };
  const ratio = twoStreamRatio(pick);
  const used = usedSubStreams(pick);
  const caveats = [
    both.includes(pick) ? '' : 'not both sustained',
    used ? '' : `sub-streams not read (${inputText(pick.twoStream.inputs)}): thumbnailUrl ignored?`,
  ].filter(Boolean);
  return {
    name,
    goal,
    measured: `${ratio.toFixed(3)}x (at ${pick.cameras} cameras${caveats.length ? `; ${caveats.join('; ')}` : ''})`,
    met: used ? ratio <= TWO_STREAM_TARGET_RATIO : null,
  };
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

/** One part of the section: its heading, what it measured, the machine around it, then its blocks, each a paragraph. */
function reportPart(
  heading: string,
  about: string | null,
  machine: PhaseMachine | undefined,
  ...blocks: string[]
): string[] {
  return [
    heading,
    '',
    ...(about === null ? [] : [about, '']),
    ...(machine ? [phaseLine(machine), ''] : []),
    ...blocks.flatMap((block) => [block, '']),
  ];
}

export function ingestSection(ctx: ReportContext, gops: readonly GopResults[], other: OtherResults = {}): string {
  const parts = [
    '## Ingest cost: `npm run bench:ingest`',
    '',
    `- **Command:** \`${ctx.command}\` (bench/ingest.ts, helpers in bench/ingest/)`,
    `- **Date:** ${ctx.date}; the run took ${Math.round(ctx.durationSeconds / 60)} min`,
    `- **Machine:** ${ctx.machine}; load average at start ${ctx.loadAtStart}, at end ${ctx.loadAtEnd} (${ctx.quiet})`,
    `- **Cameras:** ${ctx.clips.join('; ')}. \`rtsp/server.py\` (RTSP_SOURCE=file, RTSP_FILE_COPY=1) relays the clip to every mount without re-encoding, one fresh server per measurement; its CPU is the "source" column.`,
    `- **Method:** ${ctx.settings} Fathom = \`node feed-handler/dist/main.js\` with production defaults (LOG_LEVEL=info; DECODE_MODE=auto: a camera with nothing learnt, as in every measurement here (a fresh THUMBNAIL_DIR each), starts decoding every frame, learns its keyframe interval from the stream and hands over to a keyframes-only ffmpeg when keyframes come at most ~1.1 s apart; at a 1 s GOP the warm-up starts once every camera has handed over ("on keyframes after s": how long that took after every camera had delivered); CHUNKS_ENABLED=true: the same ffmpeg also records the stream, copied, into MP4 chunks) writing to a throwaway influxd; its CPU is the process tree (node + every ffmpeg child), utime+stime(+reaped children) from /proc at the window's start and end. Naive = one \`ffmpeg -rtsp_transport tcp -i URL -vf fps=1 out%d.jpg\` per camera (full decode, full-size JPEGs), same clip, same N, same window, run right after Fathom's measurement at that N, never at the same time. CPU columns are % of one core; "machine" is all cores busy (200 % = both) including other work on this shared machine. Thumbnails/s per camera counts thumbnails by capture time (naive: by file time) in the window, which is shifted by at most 0.5 s to sit between two frames. Sustained = every camera >= ${SUSTAINED_RATE}/s and (Fathom) the newest thumbnail at most ${MAX_FRESHNESS_SECONDS} s old at the window's end. Index lag = the feed-handler's \`fathom_feed_index_lag_seconds\` (newest thumbnail minus newest indexed point, capture time) sampled every 3 s; "indexed" = points in InfluxDB / thumbnails on disk in the window. RSS is VmRSS, the maximum of the samples.`,
    '',
  ];
  for (const g of gops) {
    parts.push(
      ...reportPart(
        `### Keyframe every ${g.keyframeSeconds} s: Fathom feed-handler`,
        null,
        g.machine,
        feedHandlerTable(g.feedHandler),
        `Largest N sustained: **${g.largestSustained}**${g.endedOnFailure ? '' : ' (every N tried passed; the sweep did not reach a failure)'}.`,
      ),
    );
    if (g.naive.length > 0) {
      parts.push(
        ...reportPart(
          `### Keyframe every ${g.keyframeSeconds} s: naive full decode vs Fathom`,
          null,
          undefined,
          naiveTable(g.naive, g.feedHandler),
        ),
      );
    }
  }
  if (other.fanout) {
    const f = other.fanout;
    const gop1 = gops.find((g) => g.keyframeSeconds === 1);
    parts.push(
      ...reportPart(
        '### Keyframe every 1 s, one MediaMTX path fanned out to every camera',
        'The same 1 s GOP clip, published once (`ffmpeg -re -stream_loop -1 -c copy -f rtsp`) to one MediaMTX path that every camera reads (bench/ingest/fanout-relay.ts). Each camera still opens its own RTSP session over TCP and gets every packet; Fathom\'s work is the same as in the sweep. What changes is the relay: rtsp/server.py runs a pipeline per mount (file read, demux, RTP payloading), MediaMTX packages the stream once and copies it to each reader. "source" is MediaMTX and its publisher. Real cameras are separate hardware: neither relay runs on a Fathom host.',
        f.machine,
        feedHandlerTable(f.results),
        ...(gop1
          ? [
              "Where the machine's CPU went, at the N measured with both relays (% of one core; 200 % = both cores):",
              relaySplitTable(gop1.feedHandler, f.results),
            ]
          : []),
      ),
    );
  }
  if (other.coldStart) {
    const c = other.coldStart;
    parts.push(
      ...reportPart(
        '### Cold start: first thumbnail of every camera from process start (keyframe every 1 s)',
        `The 1 s GOP clip relayed to N mounts; the feed-handler (production defaults, DECODE_MODE=auto) is spawned with a fresh THUMBNAIL_DIR (nothing learnt), then stopped and started again on the same folder and the same RTSP server (so \`<THUMBNAIL_DIR>/.fathom/decode-modes.json\` and the thumbnails stay; a learnt mode belongs to a camera id and its URL). Times count from the spawn (node's own start included). First thumbnail: the folder is listed every 100 ms and each camera's first new JPEG is timed by its mtime (written aside, then renamed). On keyframes only: /healthz polled every 250 ms, the first answer showing the camera with \`mode\` keyframes and a \`modeSource\` other than learning (so ± 0.25 s). Each start ends when every camera has both, or after the timeout (shown as "> timeout"). "Learnt in file": cameras the file holds as keyframes-only when the start was stopped. Feed-handler CPU: node and its ffmpeg children from the spawn to that end.`,
        c.machine,
        coldStartTable(c.results),
      ),
    );
  }
  if (other.twoStream) {
    const t = other.twoStream;
    parts.push(
      ...reportPart(
        `### Two streams: 1080p recorded, thumbnails from a 640x360 sub-stream (keyframe every ${t.keyframeSeconds} s)`,
        `Each camera names its sub-stream as \`thumbnailUrl\` in CAMERAS: thumbnails and motion come from it, chunks from the 1080p \`url\`. A second \`rtsp/server.py\` relays the sub-stream clip (640x360 30 fps ~1 Mbit/s, same GOP) to one mount per camera, beside the 1080p mounts; "source" is both servers. At each N the single 1080p stream (the sweep's setup) is measured first, then two streams, same clips, same warm-up and window. "ffmpeg inputs" counts the feed-handler's ffmpeg children by the stream they open (from /proc/<pid>/cmdline), so a feed-handler that ignored \`thumbnailUrl\` shows 0 sub. RSS ffmpeg per camera = all its ffmpeg children / N.`,
        t.machine,
        twoStreamTable(t.pairs),
      ),
    );
  }
  parts.push('### Targets', '', targetsTable(targets(gops, other)), '');
  return parts.join('\n');
}
