/**
 * `npm run bench:ingest`: what the feed-handler costs per camera on this machine, against the
 * obvious alternative (one full-decode ffmpeg per camera), how fast it starts, and what a
 * sub-stream saves, in one run.
 *
 * 1. Sweep, for each keyframe interval (1, 4 and 10 s by default): a cached 1080p30 ~6 Mbit/s
 *    H.264 clip is relayed to N RTSP mounts without re-encoding; N goes up until the feed-handler
 *    no longer keeps every camera at >= 0.99 thumbnails/s; at each N the naive pulls are measured
 *    right after (until they cannot keep up either).
 * 2. Cold start at 1, 16 and 40 cameras (1 s GOP): from the spawn, each camera's first thumbnail
 *    and its handover to keyframes-only decoding, with nothing learnt, then again with the learnt
 *    modes kept.
 * 3. Two streams at a 4 s GOP: each camera records the 1080p stream and takes thumbnails from a
 *    640x360 sub-stream (`thumbnailUrl`), against the single 1080p stream at the same N.
 *
 * Prints the plan and its time estimate first, then the tables, and writes them to
 * docs/benchmarks.md between the bench:ingest markers. Flags: see bench/ingest/options.ts
 * (`--quick` for a sanity run, `--dry-run` for the plan alone).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { provideFeedHandlerFfmpeg } from '../scripts/lib/feed-handler-ffmpeg.js';
import { REPO_ROOT } from '../scripts/lib/process.js';
import { type ClipSpec, clipFileName, describeClip, mainClipSpec, subClipSpec } from './ingest/clip.js';
import type { ColdStartResult } from './ingest/cold-start.js';
import { buildFeedHandler } from './ingest/feed-handler-child.js';
import { type ClipInfo, provideClip } from './ingest/ffmpeg.js';
import { makeTempDir, readTextOrNull, removeDir, writeText } from './ingest/files.js';
import {
  type FeedHandlerResult,
  type MeasureContext,
  measureColdStart,
  measureFeedHandler,
  measureNaive,
  type NaiveResult,
} from './ingest/measure.js';
import { type IngestOptions, parseOptions, USAGE } from './ingest/options.js';
import { planRun, planText } from './ingest/plan.js';
import {
  coldStartTable,
  feedHandlerTable,
  type GopResults,
  ingestSection,
  naiveTable,
  type OtherResults,
  type PhaseMachine,
  phaseLine,
  relaySplitTable,
  replaceIngestSection,
  type TwoStreamPair,
  targets,
  targetsTable,
  twoStreamRatio,
  twoStreamTable,
} from './ingest/report.js';
import { distribution, distributionText } from './ingest/summary.js';
import { largestSustained, nextCameraCount } from './ingest/sweep.js';
import { inputText, twoStreamCameras } from './ingest/two-stream.js';
import { runBench } from './lib/entry.js';
import { startThrowawayInfluxd } from './lib/influx.js';
import { machineInfo } from './lib/machine.js';
import { benchLog, loadAverages } from './lib/run-log.js';

const log = benchLog('ingest');
const load = loadAverages;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A throwaway influxd on 127.0.0.1 that holds only bench points; the token guards nothing else. */
const TOKEN = 'fathom-bench-ingest-token-not-a-secret';
const CACHE_DIR = join(process.env.FATHOM_CACHE_DIR ?? join(homedir(), '.cache/fathom'), 'bench');
const DOCS = join(REPO_ROOT, 'docs/benchmarks.md');

let options: IngestOptions;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

/** The shared machine: wait (bounded) for a quiet moment, so other work distorts the figures less. */
async function waitForQuiet(): Promise<string> {
  const started = performance.now();
  if ((loadavg()[0] as number) < options.maxLoad) return `quiet at start: 1-min load < ${options.maxLoad}`;
  log(`load average ${load()}; waiting up to ${options.waitQuietSeconds} s for < ${options.maxLoad} ...`);
  while ((performance.now() - started) / 1000 < options.waitQuietSeconds) {
    await sleep(15_000);
    if ((loadavg()[0] as number) < options.maxLoad) {
      return `waited ${Math.round((performance.now() - started) / 1000)} s for 1-min load < ${options.maxLoad}`;
    }
  }
  return options.waitQuietSeconds > 0
    ? `NOT quiet: 1-min load stayed >= ${options.maxLoad} for ${options.waitQuietSeconds} s, measured anyway`
    : `no wait for quiet (1-min load ${loadavg()[0]?.toFixed(2)})`;
}

/** Every clip the planned parts relay: the 1080p main clip per GOP, the 640x360 sub-stream clip for two streams. */
function clipsNeeded(o: IngestOptions): ClipSpec[] {
  const specs: ClipSpec[] = [];
  if (o.phases.includes('sweep')) specs.push(...o.keyframeSeconds.map(mainClipSpec));
  if (o.phases.includes('cold-start')) specs.push(mainClipSpec(1));
  if (o.phases.includes('two-stream'))
    specs.push(mainClipSpec(o.twoStreamGopSeconds), subClipSpec(o.twoStreamGopSeconds));
  const byName = new Map(specs.map((spec) => [clipFileName(spec), spec]));
  return [...byName.values()];
}

/** What --dry-run shows of two-stream mode: the CAMERAS a 2-camera measurement hands the feed-handler. */
function twoStreamDryRun(o: IngestOptions): string {
  const n = Math.min(2, o.twoStreamCounts[0] ?? 2);
  const mounts = Array.from({ length: n }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
  const gop = o.twoStreamGopSeconds;
  const cameras = twoStreamCameras(
    mounts.map((_, i) => `two-k${gop}n${n}-c${String(i + 1).padStart(2, '0')}`),
    mounts.map((m) => `rtsp://127.0.0.1:<main port>/${m}`),
    mounts.map((m) => `rtsp://127.0.0.1:<sub port>/${m}`),
  );
  const config = readTextOrNull(join(REPO_ROOT, 'feed-handler/src/config.ts')) ?? '';
  return [
    `two streams at ${n} cameras: main clip ${clipFileName(mainClipSpec(gop))} and sub-stream clip ${clipFileName(subClipSpec(gop))}, each relayed by its own rtsp/server.py (RTSP_SOURCE=file RTSP_FILE_COPY=1 RTSP_MOUNTS=${mounts.join(',')})`,
    `CAMERAS=${JSON.stringify(cameras.map((c) => ({ ...c, location: 'bench' })))}`,
    `feed-handler/src/config.ts ${config.includes('thumbnailUrl') ? 'knows' : 'does NOT know yet'} thumbnailUrl`,
  ].join('\n');
}

const machineNow = (): PhaseMachine => ({ loadAtStart: load(), loadAtEnd: '' });

async function main(): Promise<void> {
  const startedAt = performance.now();
  const specs = clipsNeeded(options);
  const uncached = specs.filter((spec) => !existsSync(join(CACHE_DIR, clipFileName(spec)))).length;
  log(`\n${planText(planRun(options, uncached))}`);
  if (options.dryRun) {
    if (options.phases.includes('two-stream')) process.stdout.write(`${twoStreamDryRun(options)}\n`);
    return;
  }
  const quiet = await waitForQuiet();
  const loadAtStart = load();
  if (options.build) {
    log('building the contract and the feed-handler (tsc -b) ...');
    buildFeedHandler();
  }
  // The feed-handler runs its own build, as its image does; the fan-out relay's publisher needs Debian's (an RTSP muxer).
  const ffmpegPath = await provideFeedHandlerFfmpeg();
  const toolFfmpegPath = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  const workDir = makeTempDir('fathom-bench-ingest-');
  removeBulkyOutput = () => {
    for (const name of readdirSync(workDir)) if (!name.endsWith('.log')) removeDir(join(workDir, name));
  };
  const cpuProfileDir = options.cpuProfileDir ? resolve(options.cpuProfileDir) : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const { influxd, bin: influxBin } = await startThrowawayInfluxd(workDir, TOKEN);
  const influx = { url: influxd.url, token: TOKEN, org: 'fathom', bucket: 'fathom', pid: influxd.pid };
  log(`influxd ${influxd.url}; logs in ${workDir}`);

  const gops: GopResults[] = [];
  const other: OtherResults = {};
  const clipLines = new Map<string, string>();
  const clip = async (spec: ClipSpec, what: string): Promise<ClipInfo> => {
    const info = await provideClip(spec, CACHE_DIR, log);
    const key = clipFileName(spec);
    if (!clipLines.has(key)) clipLines.set(key, `${what}: ${describeClip(spec, info, homedir())}`);
    return info;
  };
  const context = (clipPath: string, keyframeSeconds: number, extra: Partial<MeasureContext> = {}): MeasureContext => ({
    clipPath,
    keyframeSeconds,
    warmupSeconds: options.warmupSeconds,
    windowSeconds: options.windowSeconds,
    influx,
    ffmpegPath,
    toolFfmpegPath,
    workDir,
    cpuProfileDir: cpuProfileDir ? join(cpuProfileDir, `gop${keyframeSeconds}s`) : undefined,
    decodeMode: undefined,
    feedHandlerEnv: options.stallSeconds ? { STALL_SECONDS: String(options.stallSeconds) } : undefined,
    log,
    ...extra,
  });
  try {
    if (options.phases.includes('sweep')) {
      for (const keyframeSeconds of options.keyframeSeconds) {
        const machine = machineNow();
        const main = await clip(mainClipSpec(keyframeSeconds), `${keyframeSeconds} s GOP`);
        const ctx = context(main.path, keyframeSeconds, { decodeMode: options.decodeMode });
        gops.push({ ...(await sweep(ctx, keyframeSeconds)), machine });
        machine.loadAtEnd = load();
      }
    }
    if (options.phases.includes('fan-out')) {
      const machine = machineNow();
      const main = await clip(mainClipSpec(1), '1 s GOP');
      const ctx = context(main.path, 1, { relay: 'fanout', decodeMode: options.decodeMode, cpuProfileDir: undefined });
      const results: FeedHandlerResult[] = [];
      for (const n of options.fanoutCounts) {
        log(`fan-out relay, 1 s GOP, ${n} cameras: feed-handler (load ${load()}) ...`);
        const f = await measureFeedHandler(ctx, n, { idPrefix: `fan-k1n${n}-` });
        logFeedHandler(f);
        results.push(f);
      }
      machine.loadAtEnd = load();
      other.fanout = { results, machine };
    }
    if (options.phases.includes('cold-start')) {
      const machine = machineNow();
      const main = await clip(mainClipSpec(1), '1 s GOP');
      const ctx = context(main.path, 1, { cpuProfileDir: undefined });
      const results: ColdStartResult[] = [];
      for (const n of options.coldStartCounts) {
        log(`cold start, ${n} cameras, 1 s GOP (load ${load()}) ...`);
        const r = await measureColdStart(ctx, n, options.coldStartTimeoutSeconds * 1000);
        results.push(r);
        for (const run of r.runs) {
          log(
            `  ${run.label}: first thumbnail s min/median/p95/max ${distributionText(distribution(run.firstThumbnailMs), run.timeoutMs)}; on keyframes ${distributionText(distribution(run.keyframesMs), run.timeoutMs)}; first /healthz ${run.firstAnswer?.sources ?? 'n/a'}; learnt in file ${run.rememberedAfter ?? 'none'}${run.note ? `; ${run.note}` : ''}`,
          );
        }
      }
      machine.loadAtEnd = load();
      other.coldStart = { results, machine };
    }
    if (options.phases.includes('two-stream')) {
      const machine = machineNow();
      const gop = options.twoStreamGopSeconds;
      const main = await clip(mainClipSpec(gop), `${gop} s GOP`);
      const sub = await clip(subClipSpec(gop), `${gop} s GOP sub-stream`);
      const ctx = context(main.path, gop, { subClipPath: sub.path, cpuProfileDir: undefined });
      const pairs: TwoStreamPair[] = [];
      for (const n of options.twoStreamCounts) {
        log(`two streams, ${gop} s GOP, ${n} cameras: single 1080p stream (load ${load()}) ...`);
        const single = await measureFeedHandler(ctx, n, { idPrefix: `one-k${gop}n${n}-` });
        logFeedHandler(single);
        log(`two streams, ${gop} s GOP, ${n} cameras: 1080p recorded + 640x360 thumbnails (load ${load()}) ...`);
        const twoStream = await measureFeedHandler(ctx, n, { variant: 'two-stream', idPrefix: `two-k${gop}n${n}-` });
        logFeedHandler(twoStream);
        const pair = { cameras: n, single, twoStream };
        log(
          `  ffmpeg inputs ${inputText(twoStream.inputs)}; CPU per camera two / single = ${twoStreamRatio(pair).toFixed(3)}x`,
        );
        pairs.push(pair);
      }
      machine.loadAtEnd = load();
      other.twoStream = { keyframeSeconds: gop, pairs, machine };
    }
  } finally {
    await influxd.stop();
    removeDir(influxd.dataDir);
  }

  const machine = machineInfo(influxBin);
  const command = `npm run bench:ingest${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const section = ingestSection(
    {
      command,
      date: machine.date,
      machine: `${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM (shared with other work); Node ${machine.node}; ${machine.influxd}; ${execFileSync(ffmpegPath, ['-version'], { encoding: 'utf8' }).split('\n')[0]?.split(' Copyright')[0]}`,
      loadAtStart,
      loadAtEnd: load(),
      quiet,
      clips: [...clipLines.values()],
      settings: settingsText(),
      durationSeconds: (performance.now() - startedAt) / 1000,
    },
    gops,
    other,
  );
  for (const g of gops) {
    process.stdout.write(
      `\nKeyframe every ${g.keyframeSeconds} s: Fathom feed-handler\n${phaseLine(g.machine)}\n\n${feedHandlerTable(g.feedHandler)}\n`,
    );
    process.stdout.write(`\nLargest N sustained: ${g.largestSustained}\n`);
    if (g.naive.length)
      process.stdout.write(
        `\nKeyframe every ${g.keyframeSeconds} s: naive vs Fathom\n\n${naiveTable(g.naive, g.feedHandler)}\n`,
      );
  }
  if (other.fanout) {
    process.stdout.write(
      `\nKeyframe every 1 s, one MediaMTX path fanned out\n${phaseLine(other.fanout.machine)}\n\n${feedHandlerTable(other.fanout.results)}\n`,
    );
    const gop1 = gops.find((g) => g.keyframeSeconds === 1);
    if (gop1) process.stdout.write(`\nCPU by relay\n\n${relaySplitTable(gop1.feedHandler, other.fanout.results)}\n`);
  }
  if (other.coldStart) {
    process.stdout.write(
      `\nCold start, 1 s GOP\n${phaseLine(other.coldStart.machine)}\n\n${coldStartTable(other.coldStart.results)}\n`,
    );
  }
  if (other.twoStream) {
    process.stdout.write(
      `\nTwo streams, ${other.twoStream.keyframeSeconds} s GOP\n${phaseLine(other.twoStream.machine)}\n\n${twoStreamTable(other.twoStream.pairs)}\n`,
    );
  }
  process.stdout.write(`\nTargets\n\n${targetsTable(targets(gops, other))}\n`);
  if (options.docs) {
    writeText(DOCS, replaceIngestSection(readTextOrNull(DOCS), section));
    log(`wrote ${DOCS}`);
  } else log('docs/benchmarks.md left alone (--no-docs, BENCH_NO_DOCS=1 or --dry-run)');
  log(
    `done in ${Math.round((performance.now() - startedAt) / 1000)} s; feed-handler logs in ${workDir}${cpuProfileDir ? `; CPU profiles in ${cpuProfileDir}` : ''}`,
  );
}

function logFeedHandler(f: FeedHandlerResult): void {
  log(
    `  feed-handler: ${(f.treeCores * 100).toFixed(1)} % of a core (${((f.treeCores / f.cameras) * 100).toFixed(1)} %/camera), min ${f.rateMin.toFixed(3)} thumbnails/s, node RSS ${f.rssNodeMiB.toFixed(1)} MiB, mode ${f.decodeModes}${f.settleSeconds === null ? '' : `, on keyframes ${f.settleSeconds.toFixed(1)} s after delivering`}, machine ${(f.machineBusyCores * 100).toFixed(0)} %: ${f.sustained ? 'sustained' : `NOT sustained ${f.note}`}`,
  );
}

/** One GOP's sweep: N up the list until the feed-handler falls behind, the naive pulls at their N until they do. */
async function sweep(ctx: MeasureContext, keyframeSeconds: number): Promise<Omit<GopResults, 'machine'>> {
  const list = options.cameraCounts.get(keyframeSeconds) ?? [1];
  const naiveList = options.naiveCounts.get(keyframeSeconds) ?? [];
  const tested = new Map<number, boolean>();
  const feedHandler: FeedHandlerResult[] = [];
  const naive: NaiveResult[] = [];
  let naiveKeepsUp = options.naive;
  for (
    let n = nextCameraCount(list, tested, options.refineSteps);
    n !== null;
    n = nextCameraCount(list, tested, options.refineSteps)
  ) {
    log(`GOP ${keyframeSeconds} s, ${n} cameras: feed-handler (load ${load()}) ...`);
    const f = await measureFeedHandler(ctx, n);
    feedHandler.push(f);
    tested.set(n, f.sustained);
    logFeedHandler(f);
    // The naive pulls are measured at their own (shorter) list of N, until they fall behind.
    if (naiveKeepsUp && naiveList.includes(n)) {
      log(`GOP ${keyframeSeconds} s, ${n} cameras: naive ffmpeg pulls ...`);
      const r = await measureNaive(ctx, n);
      naive.push(r);
      log(
        `  naive: ${(r.treeCores * 100).toFixed(1)} % of a core (${((r.treeCores / n) * 100).toFixed(1)} %/camera), min ${r.rateMin.toFixed(3)} thumbnails/s, machine ${(r.machineBusyCores * 100).toFixed(0)} %: ${r.sustained ? 'sustained' : `NOT sustained ${r.note}`}`,
      );
      naiveKeepsUp = r.sustained;
    }
  }
  feedHandler.sort((a, b) => a.cameras - b.cameras);
  return {
    keyframeSeconds,
    feedHandler,
    naive,
    largestSustained: largestSustained(tested),
    endedOnFailure: [...tested.values()].includes(false),
  };
}

function settingsText(): string {
  const o = options;
  const parts = [
    `${o.warmupSeconds} s warm-up after every camera has delivered, then a ${o.windowSeconds} s window, per measurement.`,
  ];
  if (o.stallSeconds) parts.push(`**STALL_SECONDS=${o.stallSeconds}** in every feed-handler (not the default 10).`);
  if (o.phases.includes('sweep')) {
    parts.push(
      `${o.decodeMode ? `**DECODE_MODE=${o.decodeMode} forced in the sweep** (not the default auto). ` : ''}Sweep: N over ${[...o.cameraCounts].map(([g, l]) => `${l.join(',')} (${g} s GOP)`).join(', ')} until the first failure${o.refineSteps ? `, then ${o.refineSteps} bisection step(s)` : ''}; naive pulls at ${[...o.naiveCounts].map(([g, l]) => `${l.join(',') || 'none'} (${g} s)`).join(', ')}${o.naive ? '' : ' (skipped: --no-naive)'} until they fall behind.`,
    );
  }
  if (o.phases.includes('fan-out')) {
    parts.push(
      `Fan-out relay at ${o.fanoutCounts.join(', ')} cameras, 1 s GOP (every N measured, not stopped at a failure).`,
    );
  }
  if (o.phases.includes('cold-start')) {
    parts.push(
      `Cold start at ${o.coldStartCounts.join(', ')} cameras, at most ${o.coldStartTimeoutSeconds} s per start.`,
    );
  }
  if (o.phases.includes('two-stream')) {
    parts.push(`Two streams at ${o.twoStreamCounts.join(', ')} cameras, ${o.twoStreamGopSeconds} s GOP.`);
  }
  return parts.join(' ');
}

/** Set once the work dir exists: an interrupted run leaves only the logs behind, not gigabytes of footage. */
let removeBulkyOutput: () => void = () => {};

runBench('ingest', USAGE, main, () => removeBulkyOutput());
