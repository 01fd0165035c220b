/**
 * One live phase: the real feed-handler (node feed-handler/dist/main.js, a child bound to this
 * process) records every mount of the shared RTSP scene server into the shared influxd, with the
 * detector off or on. After every camera delivers (and, with the detector, its first frame is
 * analysed) and a warm-up, CPU is read from /proc at the start and the end of the window, RSS
 * every 3 s, the detector's counters from /metrics at both ends; meanwhile InfluxDB is polled
 * every 250 ms for the phase's `detections` points (in both phases, so both carry the same load).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../scripts/lib/process.js';
import { type FeedHandlerChild, startFeedHandler } from '../ingest/feed-handler-child.js';
import { makeTempDir, removeDir, thumbnailTimesMs } from '../ingest/files.js';
import { treesTicks } from '../ingest/process-tree.js';
import { clockTicksPerSecond, memoryMiB, readMachineCpu, readProcessTable } from '../ingest/procfs.js';
import { parsePrometheusText } from '../ingest/prometheus.js';
import { thumbnailRate } from '../ingest/rate.js';
import { type InfluxTarget, queryRows } from '../lib/influx.js';
import { ArrivalLog } from './arrivals.js';
import { countsBetween, detectorCounts, framesWith, type PhaseResult, rateSummary } from './figures.js';
import { detectionRows, detectionsFlux, indexedTimesFlux, timedRows, timesByCamera } from './flux.js';

export interface LiveContext {
  /** The scene server's mount URLs (one camera each) and its pid. */
  source: { pid: number; urls: string[] };
  influx: InfluxTarget & { bucket: string; pid: number };
  ffmpegPath: string;
  workDir: string;
  warmupSeconds: number;
  windowSeconds: number;
  graceSeconds: number;
  /** DETECT_MAX_FPS in the detector-on phase. */
  maxFps: number;
  cpuBudget: number;
  log(message: string): void;
}

export interface PhaseSpec {
  name: string;
  /** Camera ids start with it, so the phase's points and files are its own. */
  prefix: string;
  detect: boolean;
}

export const POLL_EVERY_MS = 250;
const SAMPLE_EVERY_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DetectorHealth {
  state: string;
  reason: string | null;
  analysed: number;
  restarts: number;
}

async function detectorHealth(fh: FeedHandlerChild): Promise<DetectorHealth | undefined> {
  return ((await (await fetch(`${fh.url}/healthz`)).json()) as { detector?: DetectorHealth }).detector;
}

interface CpuSnapshot {
  table: ReturnType<typeof readProcessTable>;
  machine: { busy: number; total: number };
  at: number;
}

const snapshot = (): CpuSnapshot => ({ table: readProcessTable(), machine: readMachineCpu(), at: performance.now() });

function cores(a: CpuSnapshot, b: CpuSnapshot, ticks: (t: CpuSnapshot['table']) => number): number {
  return (ticks(b.table) - ticks(a.table)) / clockTicksPerSecond() / ((b.at - a.at) / 1000);
}

/**
 * Polls until `stop()` says so, a poll every POLL_EVERY_MS (back to back when one takes longer).
 * A failed poll is noted and skipped.
 */
async function pollDetections(
  ctx: LiveContext,
  prefix: string,
  fromMs: number,
  toMs: number,
  arrivals: ArrivalLog,
  stop: () => boolean,
): Promise<number> {
  const flux = detectionsFlux(ctx.influx.bucket, prefix, fromMs, toMs);
  let failures = 0;
  while (!stop()) {
    const startMs = Date.now();
    try {
      const rows = detectionRows(await queryRows(ctx.influx, flux));
      arrivals.record(
        { startMs, endMs: Date.now() },
        rows.map((r) => ({ camera: r.camera, capturedAtMs: r.timeMs })),
      );
    } catch (error) {
      if (failures++ === 0) ctx.log(`a detections poll failed: ${String((error as Error).message)}`);
    }
    await sleep(Math.max(0, startMs + POLL_EVERY_MS - Date.now()));
  }
  return failures;
}

export async function measurePhase(ctx: LiveContext, spec: PhaseSpec): Promise<PhaseResult> {
  const n = ctx.source.urls.length;
  const cameras = ctx.source.urls.map((url, i) => ({ id: `${spec.prefix}c${String(i + 1).padStart(2, '0')}`, url }));
  const thumbnailDir = makeTempDir(`thumbnails-${spec.prefix}`, ctx.workDir);
  let fh: FeedHandlerChild | undefined;
  let polling = false;
  try {
    fh = await startFeedHandler({
      cameras,
      influx: ctx.influx,
      thumbnailDir,
      logFile: join(ctx.workDir, `feed-handler-${spec.prefix.replace(/-$/, '')}.log`),
      ffmpegPath: ctx.ffmpegPath,
      // Every frame decoded: the Python scene server skips a frame now and then when it paints 8 mounts, and a
      // skipped keyframe would cost a thumbnail in keyframes mode, in both phases alike.
      decodeMode: 'all',
      env: {
        CHUNKS_ENABLED: 'false',
        DETECT_ENABLED: String(spec.detect),
        ...(spec.detect
          ? { DETECT_MAX_FPS: String(ctx.maxFps), DETECT_CPU_BUDGET: String(ctx.cpuBudget), DETECT_MOTION_MIN: '0' }
          : {}),
      },
    });
    const handler = fh;
    await waitFor(
      `first thumbnails of ${n} cameras`,
      async () => {
        if (handler.exited()) throw new Error(`feed-handler exited; see ${ctx.workDir}`);
        const health = await handler.health();
        return health.cameras.length === n && health.cameras.every((c) => c.frames >= 2) ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    if (spec.detect) {
      ctx.log('waiting for the detector to load and analyse a frame ...');
      await waitFor(
        'the detector ready with a frame analysed',
        async () => {
          const d = await detectorHealth(handler);
          if (d?.state === 'failing') throw new Error(`detector failing: ${d.reason}`);
          return d?.state === 'ready' && d.analysed >= 1 ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    }
    ctx.log(`${n} cameras recording; ${ctx.warmupSeconds} s warm-up ...`);
    await sleep(ctx.warmupSeconds * 1000);

    ctx.log(`window: ${ctx.windowSeconds} s ...`);
    const metricsBefore = detectorCounts(parsePrometheusText(await handler.metrics()));
    const detectorBefore = spec.detect ? await detectorHealth(handler) : undefined;
    const restarts = async () => (await handler.health()).cameras.reduce((sum, c) => sum + c.restarts, 0);
    const restartsBefore = await restarts();
    const windowStartMs = Date.now();
    const arrivals = new ArrivalLog(windowStartMs);
    polling = true;
    // Captured up to the window's end (plus slack for a late clock): the summary keeps the window's.
    const poller = pollDetections(
      ctx,
      spec.prefix,
      windowStartMs,
      windowStartMs + (ctx.windowSeconds + 10) * 1000,
      arrivals,
      () => !polling,
    );
    const before = snapshot();
    const benchCpu0 = process.cpuUsage();
    const rss: number[] = [];
    const anon: number[] = [];
    const deadline = before.at + ctx.windowSeconds * 1000;
    while (performance.now() < deadline) {
      await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, deadline - performance.now())));
      if (performance.now() >= deadline - 50) break;
      const m = memoryMiB(handler.pid);
      rss.push(m.rss);
      anon.push(m.anon);
    }
    const after = snapshot();
    const benchCpu = process.cpuUsage(benchCpu0);
    const windowEndMs = Date.now();
    const windowSeconds = (windowEndMs - windowStartMs) / 1000;
    const metricsAfter = detectorCounts(parsePrometheusText(await handler.metrics()));
    const detectorAfter = spec.detect ? await detectorHealth(handler) : undefined;
    const restartsInWindow = (await restarts()) - restartsBefore;

    // The last thumbnails and index points of the window land a moment later; detections later still.
    ctx.log(spec.detect ? `${ctx.graceSeconds} s more polling for the window's detections ...` : 'settling ...');
    await sleep(spec.detect ? ctx.graceSeconds * 1000 : 3_000);
    polling = false;
    const pollFailures = await poller;
    if (pollFailures > 0) ctx.log(`${pollFailures} detections polls failed`);

    const windowMs = windowEndMs - windowStartMs;
    const thumbRates = cameras.map((c) => thumbnailRate(thumbnailTimesMs(thumbnailDir, c.id), windowStartMs, windowMs));
    const indexed = timesByCamera(
      timedRows(
        await queryRows(
          ctx.influx,
          indexedTimesFlux(ctx.influx.bucket, spec.prefix, windowStartMs - 2_000, windowEndMs + 2_000),
        ),
      ),
    );
    const indexRates = cameras.map((c) => thumbnailRate(indexed.get(c.id) ?? [], windowStartMs, windowMs));

    const treeCores = cores(before, after, (t) => treesTicks(t, [handler.pid]));
    const nodeCores = cores(before, after, (t) => t.get(handler.pid)?.ownTicks ?? 0);
    const influxdCores = cores(before, after, (t) => treesTicks(t, [ctx.influx.pid]));
    const sourceCores = cores(before, after, (t) => treesTicks(t, [ctx.source.pid]));
    const benchCores = (benchCpu.user + benchCpu.system) / 1e6 / ((after.at - before.at) / 1000);
    const total = after.machine.total - before.machine.total;
    const machineBusyCores =
      total > 0 ? ((after.machine.busy - before.machine.busy) / total) * availableParallelism() : Number.NaN;

    let detector: PhaseResult['detector'] = null;
    if (spec.detect) {
      const counts = countsBetween(metricsBefore, metricsAfter);
      const rows = detectionRows(
        await queryRows(ctx.influx, detectionsFlux(ctx.influx.bucket, spec.prefix, windowStartMs, windowEndMs)),
      );
      const frames = framesWith(rows, 'person');
      detector = {
        analysedPerSecond: counts.analysed / windowSeconds,
        droppedPerSecond: counts.dropped / windowSeconds,
        failedPerSecond: counts.failed / windowSeconds,
        analysed: counts.analysed,
        framesWithPoints: frames.frames,
        framesWithPerson: frames.withLabel,
        restartsInWindow: (detectorAfter?.restarts ?? 0) - (detectorBefore?.restarts ?? 0),
        latency: arrivals.summary(windowStartMs, windowEndMs),
        ownLatencyMeanMs: counts.latencyCount > 0 ? (counts.latencySum / counts.latencyCount) * 1000 : Number.NaN,
        inferenceMeanMs: counts.inferenceCount > 0 ? (counts.inferenceSum / counts.inferenceCount) * 1000 : Number.NaN,
      };
    }
    return {
      name: spec.name,
      detect: spec.detect,
      cameras: n,
      windowSeconds,
      thumbnails: rateSummary(thumbRates),
      index: rateSummary(indexRates),
      treeCores,
      nodeCores,
      ffmpegCores: treeCores - nodeCores,
      influxdCores,
      sourceCores,
      benchCores,
      machineBusyCores,
      otherCores: Math.max(0, machineBusyCores - treeCores - influxdCores - sourceCores - benchCores),
      rssNodeMiB: Math.max(0, ...rss),
      anonNodeMiB: Math.max(0, ...anon),
      restartsInWindow,
      detector,
    };
  } finally {
    polling = false;
    await fh?.stop();
    removeDir(thumbnailDir);
  }
}
