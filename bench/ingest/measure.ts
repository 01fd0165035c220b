/**
 * One measurement: N simulated cameras served by a fresh RTSP server (the cached clip,
 * relayed without re-encoding), pulled either by the feed-handler or by N naive ffmpegs;
 * after the cameras deliver and a warm-up, CPU of each process tree is read from /proc at
 * the start and the end of a steady-state window, RSS and the feed-handler's metrics are
 * sampled during it, and the thumbnails written are counted afterwards.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { startRtspServer } from '../../test/support/rtsp-server.js';
import type { InfluxTarget } from '../lib/influx.js';
import { median } from '../lib/stats.js';
import { type FeedHandlerChild, startFeedHandler } from './feed-handler-child.js';
import { type NaivePull, startNaivePull } from './ffmpeg.js';
import { jpegMtimesMs, makeTempDir, removeDir, thumbnailTimesMs } from './files.js';
import { indexedCounts } from './index-check.js';
import { descendantsNamed, type ProcessTable, treesTicks } from './process-tree.js';
import { clockTicksPerSecond, memoryMiB, readMachineCpu, readProcessTable } from './procfs.js';
import { byCamera, parsePrometheusText } from './prometheus.js';
import { isSustained, summariseRates, thumbnailRate } from './rate.js';

export interface MeasureContext {
  clipPath: string;
  keyframeSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  influx: InfluxTarget & { bucket: string; pid: number };
  ffmpegPath: string;
  workDir: string;
  cpuProfileDir?: string | undefined;
  decodeMode?: string | undefined;
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
  decodeModes: string;
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

async function withSource<T>(
  ctx: MeasureContext,
  n: number,
  body: (source: { pid: number; urls: string[] }) => Promise<T>,
): Promise<T> {
  const mounts = mountNames(n);
  const server = await startRtspServer({
    port: await freePort(),
    mounts,
    source: 'file',
    env: { RTSP_FILE: ctx.clipPath, RTSP_FILE_COPY: '1' },
  });
  try {
    return await body({ pid: server.pid, urls: mounts.map((m) => server.url(m)) });
  } finally {
    await server.stop();
  }
}

const coreCount = () => availableParallelism();

export async function measureFeedHandler(
  ctx: MeasureContext,
  n: number,
  coresOnMachine = coreCount(),
): Promise<FeedHandlerResult> {
  return withSource(ctx, n, async (source) => {
    const prefix = `k${ctx.keyframeSeconds}n${n}-`;
    const cameras = source.urls.map((url, i) => ({ id: `${prefix}c${String(i + 1).padStart(2, '0')}`, url }));
    const thumbnailDir = makeTempDir('thumbnails-', ctx.workDir);
    let handler: FeedHandlerChild | undefined;
    try {
      handler = await startFeedHandler({
        cameras,
        influx: ctx.influx,
        thumbnailDir,
        logFile: join(ctx.workDir, `feed-handler-gop${ctx.keyframeSeconds}s-n${n}.log`),
        ffmpegPath: ctx.ffmpegPath,
        cpuProfileDir: ctx.cpuProfileDir,
        decodeMode: ctx.decodeMode,
      });
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
        return failedFeedHandler(n, ctx, `not every camera delivered: ${String((error as Error).message)}`);
      }
      await sleep(ctx.warmupSeconds * 1000);

      const healthBefore = await fh.health();
      const windowStartMs = Date.now();
      const before = snapshot();
      const rssNode: number[] = [];
      const anonNode: number[] = [];
      const rssFfmpeg: number[] = [];
      let ffmpegProcesses = 0;
      const lags: number[] = [];
      const deadline = before.at + ctx.windowSeconds * 1000;
      while (performance.now() < deadline) {
        await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, deadline - performance.now())));
        if (performance.now() >= deadline - 50) break;
        const table = readProcessTable();
        const children = descendantsNamed(table, fh.pid, 'ffmpeg');
        ffmpegProcesses = Math.max(ffmpegProcesses, children.length);
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

      const treeCores = cores(before, after, (t) => treesTicks(t, [fh.pid]));
      const nodeCores = cores(before, after, (t) => t.get(fh.pid)?.ownTicks ?? 0);
      const sourceCores = cores(before, after, (t) => treesTicks(t, [source.pid]));
      const influxdCores = cores(before, after, (t) => treesTicks(t, [ctx.influx.pid]));
      const machineBusyCores = machineCores(before, after, coresOnMachine);

      // Thumbnails near the window's end are written a moment after capture; the index flushes every second.
      await sleep(2_500);
      const windowMs = windowEndMs - windowStartMs;
      const rates: number[] = [];
      const freshness: number[] = [];
      const onDisk = new Map<string, number>();
      for (const camera of cameras) {
        const times = thumbnailTimesMs(thumbnailDir, camera.id);
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
      const freshnessMax = Math.max(...freshness);
      const restarts = (h: typeof healthAfter) => h.cameras.reduce((sum, c) => sum + c.restarts, 0);
      const modes = new Set(healthAfter.cameras.map((c) => c.mode ?? 'unknown'));
      return {
        kind: 'feed-handler',
        cameras: n,
        windowSeconds: windowMs / 1000,
        decodeModes: [...modes].sort().join('+'),
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
        sustained: isSustained(min, Number.isFinite(freshnessMax) ? freshnessMax : null),
        note: '',
      };
    } finally {
      await handler?.stop();
      removeDir(thumbnailDir);
    }
  });
}

function failedFeedHandler(n: number, ctx: MeasureContext, note: string): FeedHandlerResult {
  return {
    kind: 'feed-handler',
    cameras: n,
    windowSeconds: ctx.windowSeconds,
    decodeModes: 'n/a',
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
      const sourceCores = cores(before, after, (t) => treesTicks(t, [source.pid]));
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
