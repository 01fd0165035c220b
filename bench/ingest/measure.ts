/**
 * One measurement: N simulated cameras served by a fresh RTSP server (the cached clip,
 * relayed without re-encoding), pulled either by the feed-handler or by N naive ffmpegs;
 * after the cameras deliver and a warm-up, CPU of each process tree is read from /proc at
 * the start and the end of a steady-state window, RSS and the feed-handler's metrics are
 * sampled during it, and the thumbnails written are counted afterwards. In two-stream mode a
 * second server relays the sub-stream clip, one mount per camera. A cold start times two
 * starts of the feed-handler against one server: per camera, its first thumbnail file and its
 * handover to keyframes-only decoding, from the spawn.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { startRtspServer } from '../../test/support/rtsp-server.js';
import type { InfluxTarget } from '../lib/influx.js';
import { median } from '../lib/stats.js';
import {
  allOnKeyframes,
  type ColdStartResult,
  type ColdStartRun,
  expectsKeyframes,
  ModeTracker,
  rememberedKeyframes,
} from './cold-start.js';
import { startFanoutRelay } from './fanout-relay.js';
import { type FeedHandlerChild, startFeedHandler } from './feed-handler-child.js';
import { type NaivePull, startNaivePull } from './ffmpeg.js';
import { decodeModesText, jpegMtimesMs, makeTempDir, mtimeMsOrNull, removeDir, thumbnailFiles } from './files.js';
import { indexedCounts } from './index-check.js';
import { descendantsNamed, type ProcessTable, treesTicks } from './process-tree.js';
import { clockTicksPerSecond, memoryMiB, readCommandLine, readMachineCpu, readProcessTable } from './procfs.js';
import { byCamera, parsePrometheusText } from './prometheus.js';
import { isSustained, SUSTAINED_RATE, spacingText, summariseRates, thumbnailRate, writeDelayText } from './rate.js';
import { type BenchCamera, countInputs, type InputCount, twoStreamCameras } from './two-stream.js';

export interface MeasureContext {
  clipPath: string;
  /** Two-stream mode's sub-stream clip (640x360, same GOP): relayed by a second server, one mount per camera. */
  subClipPath?: string | undefined;
  keyframeSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  influx: InfluxTarget & { bucket: string; pid: number };
  /** The feed-handler's ffmpeg. */
  ffmpegPath: string;
  /** Debian's full ffmpeg, for the stand-ins: the fan-out relay's publisher. */
  toolFfmpegPath: string;
  workDir: string;
  cpuProfileDir?: string | undefined;
  decodeMode?: string | undefined;
  /** More of the feed-handler's settings (STALL_SECONDS), for every start. */
  feedHandlerEnv?: Record<string, string> | undefined;
  /**
   * Who serves the cameras: `rtsp-server` (default) is rtsp/server.py with one mount per camera;
   * `fanout` is one MediaMTX path fed by one publisher and read by every camera (bench/ingest/fanout-relay.ts).
   */
  relay?: 'rtsp-server' | 'fanout' | undefined;
  log(message: string): void;
}

/** CPU in cores (1 = one core busy for the whole window). */
export interface SharedFigures {
  cameras: number;
  windowSeconds: number;
  sourceCores: number;
  machineBusyCores: number;
  /** Machine CPU not explained by the measured trees, the source or influxd: the bench itself and other work. */
  otherCores: number;
  rateMin: number;
  rateMean: number;
  sustained: boolean;
  /** Why it was not measured or not sustained, when it says more than the numbers. */
  note: string;
}

export interface FeedHandlerResult extends SharedFigures {
  kind: 'feed-handler';
  /** single: each camera's one stream gives thumbnails and chunks; two-stream: thumbnails from its sub-stream. */
  variant: 'single' | 'two-stream';
  decodeModes: string;
  /**
   * Seconds from "every camera delivered" until every camera decoded keyframes only (1 s GOP, auto: the
   * window waits for the handovers); null when none was expected; NaN when they did not all come.
   */
  settleSeconds: number | null;
  /** Which stream each ffmpeg child reads (from their command lines, during the window); null when not read. */
  inputs: InputCount | null;
  treeCores: number;
  nodeCores: number;
  ffmpegCores: number;
  influxdCores: number;
  rssNodeMiB: number;
  /** RssAnon: the node process's private memory, without the executable's shared pages. */
  anonNodeMiB: number;
  rssFfmpegMiB: number;
  ffmpegProcesses: number;
  /** Seconds between the end of the window and the newest thumbnail's capture time, worst camera. */
  freshnessMaxSeconds: number | null;
  indexLagP50Seconds: number | null;
  indexLagMaxSeconds: number | null;
  /** Indexed points / thumbnails on disk, capture time in the window. */
  indexedFraction: number | null;
  restartsInWindow: number;
  /** The relay's slow-reader warnings during the window (MediaMTX: it dropped packets); null for rtsp/server.py. */
  relaySlowReaderWarnings: number | null;
}

export interface NaiveResult extends SharedFigures {
  kind: 'naive';
  treeCores: number;
  rssPerFfmpegMiB: number;
  exitedEarly: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SAMPLE_EVERY_MS = 3_000;
const FIRST_FRAMES_TIMEOUT_MS = 90_000;

interface CpuSnapshot {
  table: ProcessTable;
  machine: { busy: number; total: number };
  at: number;
}

function snapshot(): CpuSnapshot {
  return { table: readProcessTable(), machine: readMachineCpu(), at: performance.now() };
}

function cores(before: CpuSnapshot, after: CpuSnapshot, ticksOf: (table: ProcessTable) => number): number {
  const seconds = (after.at - before.at) / 1000;
  return (ticksOf(after.table) - ticksOf(before.table)) / clockTicksPerSecond() / seconds;
}

function machineCores(before: CpuSnapshot, after: CpuSnapshot, coreCount: number): number {
  const total = after.machine.total - before.machine.total;
  return total > 0 ? ((after.machine.busy - before.machine.busy) / total) * coreCount : 0;
}

function mountNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
}

interface Source {
  /** The RTSP servers' pids (two in two-stream mode). */
  pids: number[];
  urls: string[];
  /** The sub-stream mounts, one per camera, in two-stream mode; else empty. */
  subUrls: string[];
  /** The relay's slow-reader warnings so far (the fan-out relay, MediaMTX); absent for rtsp/server.py. */
  slowReaderWarnings?: (() => number) | undefined;
}

async function withSource<T>(
  ctx: MeasureContext,
  n: number,
  body: (source: Source) => Promise<T>,
  withSubStream = false,
): Promise<T> {
  const mounts = mountNames(n);
  if (ctx.relay === 'fanout') {
    if (withSubStream) throw new Error('the fan-out relay serves one stream; two-stream mode needs rtsp-server');
    const fanout = await startFanoutRelay(ctx.clipPath, ctx.toolFfmpegPath);
    try {
      return await body({
        pids: fanout.pids,
        urls: mounts.map(() => fanout.url),
        subUrls: [],
        slowReaderWarnings: fanout.slowReaderWarnings,
      });
    } finally {
      await fanout.stop();
    }
  }
  const relay = async (clip: string) =>
    startRtspServer({
      port: await freePort(),
      mounts,
      source: 'file',
      env: { RTSP_FILE: clip, RTSP_FILE_COPY: '1' },
    });
  const server = await relay(ctx.clipPath);
  let sub: Awaited<ReturnType<typeof relay>> | undefined;
  try {
    if (withSubStream) {
      if (!ctx.subClipPath) throw new Error('two-stream mode needs the sub-stream clip');
      sub = await relay(ctx.subClipPath);
    }
    const subServer = sub;
    return await body({
      pids: [server.pid, ...(subServer ? [subServer.pid] : [])],
      urls: mounts.map((m) => server.url(m)),
      subUrls: subServer ? mounts.map((m) => subServer.url(m)) : [],
    });
  } finally {
    await sub?.stop();
    await server.stop();
  }
}

const coreCount = () => availableParallelism();

/** How long the window waits for every camera to hand over to keyframes-only decoding (1 s GOP, auto). */
const SETTLE_TIMEOUT_MS = 90_000;

export interface FeedHandlerVariant {
  /** Default single. */
  variant?: 'single' | 'two-stream';
  /** Camera ids start with it (default `k<gop>n<N>-`), so each measurement's points are its own. */
  idPrefix?: string;
}

export async function measureFeedHandler(
  ctx: MeasureContext,
  n: number,
  how: FeedHandlerVariant = {},
  coresOnMachine = coreCount(),
): Promise<FeedHandlerResult> {
  const variant = how.variant ?? 'single';
  return withSource(
    ctx,
    n,
    async (source) => {
      const prefix = how.idPrefix ?? `k${ctx.keyframeSeconds}n${n}-`;
      const ids = source.urls.map((_, i) => `${prefix}c${String(i + 1).padStart(2, '0')}`);
      const cameras: BenchCamera[] =
        variant === 'two-stream'
          ? twoStreamCameras(ids, source.urls, source.subUrls)
          : ids.map((id, i) => ({ id, url: source.urls[i] as string }));
      return measureCameras(ctx, n, cameras, source, variant, prefix, coresOnMachine);
    },
    variant === 'two-stream',
  );
}

async function measureCameras(
  ctx: MeasureContext,
  n: number,
  cameras: BenchCamera[],
  source: Source,
  variant: 'single' | 'two-stream',
  prefix: string,
  coresOnMachine: number,
): Promise<FeedHandlerResult> {
  const thumbnailDir = makeTempDir('thumbnails-', ctx.workDir);
  let handler: FeedHandlerChild | undefined;
  try {
    try {
      handler = await startFeedHandler({
        cameras,
        influx: ctx.influx,
        thumbnailDir,
        logFile: join(ctx.workDir, `feed-handler-${prefix.replace(/-$/, '')}.log`),
        ffmpegPath: ctx.ffmpegPath,
        cpuProfileDir: ctx.cpuProfileDir,
        decodeMode: ctx.decodeMode,
        env: ctx.feedHandlerEnv,
      });
    } catch (error) {
      return failedFeedHandler(n, ctx, variant, `did not start: ${String((error as Error).message).slice(0, 300)}`);
    }
    const fh = handler;
    try {
      await waitFor(
        `first thumbnails of ${n} cameras`,
        async () => {
          if (fh.exited()) throw new Error('feed-handler exited');
          const health = await fh.health();
          return health.cameras.length === n && health.cameras.every((c) => c.frames >= 2) ? true : undefined;
        },
        { timeoutMs: FIRST_FRAMES_TIMEOUT_MS, intervalMs: 500 },
      );
    } catch (error) {
      return failedFeedHandler(n, ctx, variant, `not every camera delivered: ${String((error as Error).message)}`);
    }
    // With a keyframe a second and DECODE_MODE=auto each camera starts decoding every frame and hands over
    // to keyframes only within seconds: the window measures the steady state after that, not the start.
    let settleSeconds: number | null = null;
    if (expectsKeyframes(ctx.keyframeSeconds, ctx.decodeMode)) {
      const settleStart = performance.now();
      const ids = cameras.map((c) => c.id);
      try {
        await waitFor(
          `every camera decoding keyframes only`,
          async () => {
            if (fh.exited()) throw new Error('feed-handler exited');
            return allOnKeyframes((await fh.health()).cameras, ids) ? true : undefined;
          },
          { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 250 },
        );
        settleSeconds = (performance.now() - settleStart) / 1000;
      } catch {
        settleSeconds = Number.NaN;
        ctx.log(`  not every camera decodes keyframes only after ${SETTLE_TIMEOUT_MS / 1000} s; measuring anyway`);
      }
    }
    await sleep(ctx.warmupSeconds * 1000);

    const healthBefore = await fh.health();
    const slowReadersBefore = source.slowReaderWarnings?.() ?? null;
    const windowStartMs = Date.now();
    const before = snapshot();
    const rssNode: number[] = [];
    const anonNode: number[] = [];
    const rssFfmpeg: number[] = [];
    let ffmpegProcesses = 0;
    let inputs: InputCount | null = null;
    const lags: number[] = [];
    const deadline = before.at + ctx.windowSeconds * 1000;
    while (performance.now() < deadline) {
      await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, deadline - performance.now())));
      if (performance.now() >= deadline - 50) break;
      const table = readProcessTable();
      const children = descendantsNamed(table, fh.pid, 'ffmpeg');
      ffmpegProcesses = Math.max(ffmpegProcesses, children.length);
      inputs ??= countInputs(children.map(readCommandLine), source.urls, source.subUrls);
      const node = memoryMiB(fh.pid);
      rssNode.push(node.rss);
      anonNode.push(node.anon);
      rssFfmpeg.push(children.reduce((sum, pid) => sum + memoryMiB(pid).rss, 0));
      for (const lag of byCamera(parsePrometheusText(await fh.metrics()), 'fathom_feed_index_lag_seconds').values()) {
        lags.push(lag);
      }
    }
    const after = snapshot();
    const windowEndMs = Date.now();
    const healthAfter = await fh.health();
    const slowReadersAfter = source.slowReaderWarnings?.() ?? null;

    const treeCores = cores(before, after, (t) => treesTicks(t, [fh.pid]));
    const nodeCores = cores(before, after, (t) => t.get(fh.pid)?.ownTicks ?? 0);
    const sourceCores = cores(before, after, (t) => treesTicks(t, source.pids));
    const influxdCores = cores(before, after, (t) => treesTicks(t, [ctx.influx.pid]));
    const machineBusyCores = machineCores(before, after, coresOnMachine);

    // Thumbnails near the window's end are written a moment after capture; the index flushes every second.
    await sleep(2_500);
    const windowMs = windowEndMs - windowStartMs;
    const rates: number[] = [];
    const freshness: number[] = [];
    const onDisk = new Map<string, number>();
    // Listed once: the worst camera's log below reads its files' times again (write delays).
    const filesByCamera = new Map<string, ReturnType<typeof thumbnailFiles>>();
    for (const camera of cameras) {
      const files = thumbnailFiles(thumbnailDir, camera.id);
      filesByCamera.set(camera.id, files);
      const times = files.map((f) => f.capturedAtMs);
      rates.push(thumbnailRate(times, windowStartMs, windowMs));
      const newestAtEnd = Math.max(...times.filter((t) => t <= windowEndMs), Number.NEGATIVE_INFINITY);
      freshness.push((windowEndMs - newestAtEnd) / 1000);
      onDisk.set(camera.id, times.filter((t) => t >= windowStartMs && t < windowEndMs).length);
    }
    let indexedFraction: number | null = null;
    try {
      const indexed = await indexedCounts(ctx.influx, ctx.influx.bucket, prefix, windowStartMs, windowEndMs);
      const disk = [...onDisk.values()].reduce((a, b) => a + b, 0);
      const points = cameras.reduce((sum, c) => sum + Math.min(indexed.get(c.id) ?? 0, onDisk.get(c.id) ?? 0), 0);
      indexedFraction = disk > 0 ? points / disk : null;
    } catch (error) {
      ctx.log(`index check failed: ${String((error as Error).message)}`);
    }
    const { min, mean } = summariseRates(rates);
    const worst = rates.indexOf(min);
    if (worst >= 0 && min < SUSTAINED_RATE) {
      // Which camera, and where its thumbnails were missing: the report keeps only the rate.
      const id = cameras[worst]?.id ?? '?';
      const files = filesByCamera.get(id) ?? [];
      const times = files.map((f) => f.capturedAtMs).filter((t) => t >= windowStartMs - 1_000 && t < windowEndMs);
      const written = files
        .filter((f) => f.capturedAtMs >= windowStartMs && f.capturedAtMs < windowEndMs)
        .map((f) => ({ capturedAtMs: f.capturedAtMs, writtenAtMs: mtimeMsOrNull(f.path) ?? Number.NaN }));
      ctx.log(
        `  worst camera ${id}: ${onDisk.get(id) ?? 0} thumbnails in the window; ${spacingText(times, windowStartMs)}; ${writeDelayText(written)}`,
      );
    }
    const freshnessMax = Math.max(...freshness);
    const restarts = (h: typeof healthAfter) => h.cameras.reduce((sum, c) => sum + c.restarts, 0);
    const modes = new Set(healthAfter.cameras.map((c) => c.mode ?? 'unknown'));
    const settleNote =
      settleSeconds !== null && Number.isNaN(settleSeconds)
        ? `not every camera on keyframes ${SETTLE_TIMEOUT_MS / 1000} s after delivering`
        : '';
    return {
      kind: 'feed-handler',
      variant,
      cameras: n,
      windowSeconds: windowMs / 1000,
      decodeModes: [...modes].sort().join('+'),
      settleSeconds,
      inputs,
      treeCores,
      nodeCores,
      ffmpegCores: treeCores - nodeCores,
      influxdCores,
      sourceCores,
      machineBusyCores,
      otherCores: Math.max(0, machineBusyCores - treeCores - sourceCores - influxdCores),
      rssNodeMiB: Math.max(0, ...rssNode),
      anonNodeMiB: Math.max(0, ...anonNode),
      rssFfmpegMiB: Math.max(0, ...rssFfmpeg),
      ffmpegProcesses,
      rateMin: min,
      rateMean: mean,
      freshnessMaxSeconds: Number.isFinite(freshnessMax) ? freshnessMax : null,
      indexLagP50Seconds: lags.length ? median(lags) : null,
      indexLagMaxSeconds: lags.length ? Math.max(...lags) : null,
      indexedFraction,
      restartsInWindow: restarts(healthAfter) - restarts(healthBefore),
      relaySlowReaderWarnings:
        slowReadersBefore !== null && slowReadersAfter !== null ? slowReadersAfter - slowReadersBefore : null,
      sustained: isSustained(min, Number.isFinite(freshnessMax) ? freshnessMax : null),
      note: settleNote,
    };
  } finally {
    await handler?.stop();
    removeDir(thumbnailDir);
  }
}

function failedFeedHandler(
  n: number,
  ctx: MeasureContext,
  variant: 'single' | 'two-stream',
  note: string,
): FeedHandlerResult {
  return {
    kind: 'feed-handler',
    variant,
    cameras: n,
    windowSeconds: ctx.windowSeconds,
    decodeModes: 'n/a',
    settleSeconds: null,
    inputs: null,
    treeCores: Number.NaN,
    nodeCores: Number.NaN,
    ffmpegCores: Number.NaN,
    influxdCores: Number.NaN,
    sourceCores: Number.NaN,
    machineBusyCores: Number.NaN,
    otherCores: Number.NaN,
    rssNodeMiB: Number.NaN,
    anonNodeMiB: Number.NaN,
    rssFfmpegMiB: Number.NaN,
    ffmpegProcesses: 0,
    rateMin: 0,
    rateMean: 0,
    freshnessMaxSeconds: null,
    indexLagP50Seconds: null,
    indexLagMaxSeconds: null,
    indexedFraction: null,
    restartsInWindow: 0,
    relaySlowReaderWarnings: null,
    sustained: false,
    note,
  };
}

export async function measureNaive(ctx: MeasureContext, n: number, coresOnMachine = coreCount()): Promise<NaiveResult> {
  return withSource(ctx, n, async (source) => {
    const root = makeTempDir('naive-', ctx.workDir);
    const dirs = source.urls.map((_, i) => join(root, `cam${i + 1}`));
    const pulls: NaivePull[] = [];
    try {
      source.urls.forEach((url, i) => {
        pulls.push(startNaivePull(url, dirs[i] as string));
      });
      try {
        await waitFor(
          `first JPEGs of ${n} naive pulls`,
          async () => {
            const dead = pulls.find((p) => p.exited());
            if (dead) throw new Error(`a naive ffmpeg exited: ${dead.output()}`);
            return dirs.every((d) => jpegMtimesMs(d).length >= 2) ? true : undefined;
          },
          { timeoutMs: FIRST_FRAMES_TIMEOUT_MS, intervalMs: 500 },
        );
      } catch (error) {
        return failedNaive(n, ctx, `not every pull delivered: ${String((error as Error).message).slice(0, 300)}`);
      }
      await sleep(ctx.warmupSeconds * 1000);

      const roots = pulls.map((p) => p.pid);
      const windowStartMs = Date.now();
      const before = snapshot();
      const rss: number[] = [];
      const deadline = before.at + ctx.windowSeconds * 1000;
      while (performance.now() < deadline) {
        await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, deadline - performance.now())));
        if (performance.now() >= deadline - 50) break;
        rss.push(roots.reduce((sum, pid) => sum + memoryMiB(pid).rss, 0) / n);
      }
      const after = snapshot();
      const windowEndMs = Date.now();
      const treeCores = cores(before, after, (t) => treesTicks(t, roots));
      const sourceCores = cores(before, after, (t) => treesTicks(t, source.pids));
      const influxdCores = cores(before, after, (t) => treesTicks(t, [ctx.influx.pid]));
      const machineBusyCores = machineCores(before, after, coresOnMachine);
      // A JPEG is stamped when written; give the last ones of the window time to land.
      await sleep(1_500);
      const rates = dirs.map((d) => thumbnailRate(jpegMtimesMs(d), windowStartMs, windowEndMs - windowStartMs));
      const { min, mean } = summariseRates(rates);
      const exitedEarly = pulls.filter((p) => p.exited()).length;
      return {
        kind: 'naive',
        cameras: n,
        windowSeconds: (windowEndMs - windowStartMs) / 1000,
        treeCores,
        sourceCores,
        machineBusyCores,
        otherCores: Math.max(0, machineBusyCores - treeCores - sourceCores - influxdCores),
        rssPerFfmpegMiB: Math.max(0, ...rss),
        rateMin: min,
        rateMean: mean,
        exitedEarly,
        sustained: isSustained(min, null) && exitedEarly === 0,
        note: exitedEarly ? `${exitedEarly} ffmpeg exited during the window` : '',
      };
    } finally {
      await Promise.all(pulls.map((p) => p.stop()));
      removeDir(root);
    }
  });
}

function failedNaive(n: number, ctx: MeasureContext, note: string): NaiveResult {
  return {
    kind: 'naive',
    cameras: n,
    windowSeconds: ctx.windowSeconds,
    treeCores: Number.NaN,
    sourceCores: Number.NaN,
    machineBusyCores: Number.NaN,
    otherCores: Number.NaN,
    rssPerFfmpegMiB: Number.NaN,
    rateMin: 0,
    rateMean: 0,
    exitedEarly: 0,
    sustained: false,
    note,
  };
}

const loadText = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/**
 * Per camera, when its first new thumbnail file (one not there when the watch began) was written:
 * the folder is listed every 100 ms, and the time is the file's mtime (written aside, then renamed,
 * so the mtime is when it was made), exact whatever the polling interval.
 */
function watchFirstThumbnails(thumbnailDir: string, ids: readonly string[]) {
  const known = new Map(ids.map((id) => [id, new Set(thumbnailFiles(thumbnailDir, id).map((f) => f.path))]));
  const firstAt = new Map<string, number>();
  const poll = () => {
    for (const id of ids) {
      if (firstAt.has(id)) continue;
      const fresh = thumbnailFiles(thumbnailDir, id).filter((f) => !known.get(id)?.has(f.path));
      if (fresh.length === 0) continue;
      const seenAt = Date.now();
      firstAt.set(id, Math.min(...fresh.map((f) => mtimeMsOrNull(f.path) ?? seenAt)));
    }
  };
  const timer = setInterval(poll, 100);
  return {
    firstAt,
    all: () => firstAt.size === ids.length,
    stop: () => {
      clearInterval(timer);
      poll();
    },
  };
}

/**
 * One start of the feed-handler (production defaults, DECODE_MODE=auto) on `cameras`, timed from its
 * spawn: until every camera has written a thumbnail and decodes keyframes only, or the timeout.
 */
async function coldStart(
  ctx: MeasureContext,
  label: ColdStartRun['label'],
  cameras: BenchCamera[],
  sourcePids: number[],
  thumbnailDir: string,
  timeoutMs: number,
  coresOnMachine: number,
): Promise<ColdStartRun> {
  const ids = cameras.map((c) => c.id);
  const loadAtStart = loadText();
  const watch = watchFirstThumbnails(thumbnailDir, ids);
  const before = snapshot();
  let handler: FeedHandlerChild | undefined;
  const notes: string[] = [];
  try {
    handler = await startFeedHandler({
      cameras,
      influx: ctx.influx,
      thumbnailDir,
      logFile: join(ctx.workDir, `feed-handler-cold-n${cameras.length}-${label.replace(/ /g, '-')}.log`),
      ffmpegPath: ctx.ffmpegPath,
      decodeMode: undefined,
      env: ctx.feedHandlerEnv,
    });
    const fh = handler;
    const tracker = new ModeTracker(ids, fh.spawnedAtMs);
    const deadline = fh.spawnedAtMs + timeoutMs;
    for (;;) {
      if (fh.exited()) {
        notes.push('the feed-handler exited');
        break;
      }
      try {
        tracker.observe((await fh.health()).cameras, Date.now());
      } catch {
        // an answer missed under load: the next poll catches up
      }
      if (watch.all() && tracker.allOnKeyframes()) break;
      if (Date.now() >= deadline) {
        notes.push(`timed out after ${Math.round(timeoutMs / 1000)} s`);
        break;
      }
      await sleep(250);
    }
    if (label === 'nothing learnt') {
      // Each verdict is written to the file as it comes: give the last write a moment.
      await waitFor(
        'learnt modes on disk',
        async () => (rememberedKeyframes(decodeModesText(thumbnailDir), ids) === ids.length ? true : undefined),
        { timeoutMs: 5_000, intervalMs: 250 },
      ).catch(() => undefined);
    }
    const rememberedAfter = rememberedKeyframes(decodeModesText(thumbnailDir), ids);
    const after = snapshot();
    watch.stop();
    const spanSeconds = (after.at - before.at) / 1000;
    return {
      label,
      firstThumbnailMs: ids.map((id) => {
        const at = watch.firstAt.get(id);
        return at === undefined ? Number.POSITIVE_INFINITY : at - fh.spawnedAtMs;
      }),
      keyframesMs: tracker.keyframesMs(),
      firstAnswer: tracker.firstAnswer(),
      rememberedAfter,
      treeCpuSeconds: treesTicks(after.table, [fh.pid]) / clockTicksPerSecond(),
      spanSeconds,
      sourceCores: cores(before, after, (t) => treesTicks(t, sourcePids)),
      machineBusyCores: machineCores(before, after, coresOnMachine),
      loadAtStart,
      loadAtEnd: loadText(),
      timeoutMs,
      note: notes.join('; '),
    };
  } catch (error) {
    const message = String((error as Error).message).slice(0, 300);
    return {
      label,
      firstThumbnailMs: ids.map(() => Number.POSITIVE_INFINITY),
      keyframesMs: ids.map(() => Number.POSITIVE_INFINITY),
      firstAnswer: null,
      rememberedAfter: null,
      treeCpuSeconds: Number.NaN,
      spanSeconds: Number.NaN,
      sourceCores: Number.NaN,
      machineBusyCores: Number.NaN,
      loadAtStart,
      loadAtEnd: loadText(),
      timeoutMs,
      note: `failed: ${message}`,
    };
  } finally {
    watch.stop();
    await handler?.stop();
  }
}

/**
 * Cold start at N cameras (1 s GOP clip): a fresh THUMBNAIL_DIR (nothing learnt), then a second start on
 * the same folder and the same RTSP server (same URLs: a learnt mode is kept per camera id and URL), so the
 * learnt modes in `<THUMBNAIL_DIR>/.fathom/decode-modes.json` are used from its first run.
 */
export async function measureColdStart(
  ctx: MeasureContext,
  n: number,
  timeoutMs: number,
  coresOnMachine = coreCount(),
): Promise<ColdStartResult> {
  return withSource(ctx, n, async (source) => {
    const cameras = source.urls.map((url, i) => ({ id: `cold-n${n}-c${String(i + 1).padStart(2, '0')}`, url }));
    const thumbnailDir = makeTempDir('cold-start-', ctx.workDir);
    // A real camera is already streaming when the service starts: let the relay settle first.
    await sleep(2_000);
    const runs: ColdStartRun[] = [];
    try {
      for (const label of ['nothing learnt', 'learnt modes kept'] as const) {
        ctx.log(`  cold start, ${n} cameras, ${label} (load ${loadText()}) ...`);
        runs.push(await coldStart(ctx, label, cameras, source.pids, thumbnailDir, timeoutMs, coresOnMachine));
      }
    } finally {
      removeDir(thumbnailDir);
    }
    return { cameras: n, runs };
  });
}
