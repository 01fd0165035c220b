/**
 * The feed-handler as a whole: `node feed-handler/dist/main.js` (bench/ingest/feed-handler-child.ts)
 * with N cameras of one RTSP server, production settings but DECODE_MODE=keyframes (what auto picks
 * for a 1 s GOP, without its probe), writing to a throwaway influxd. Once every camera delivered,
 * after the warm-up, memory is sampled over the window: node's VmRSS, RssAnon and RssFile (largest
 * sample), V8's heap and external memory (its /metrics, at the window's end), node's CPU over the
 * window, and each ffmpeg child's VmRSS, Pss and USS at the window's end. Node runs with the settings
 * given (NodeSetting): production's, or others to compare with.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { startRtspServer } from '../../test/support/rtsp-server.js';
import { type FeedHandlerChild, startFeedHandler } from '../ingest/feed-handler-child.js';
import { makeTempDir, removeDir } from '../ingest/files.js';
import { descendantsNamed } from '../ingest/process-tree.js';
import { clockTicksPerSecond, readProcessTable } from '../ingest/procfs.js';
import { parsePrometheusText } from '../ingest/prometheus.js';
import { readMemory } from './procfs.js';
import type { NodeRow } from './report.js';
import { uss } from './smaps.js';

export interface NodeContext {
  clipPath: string;
  ffmpegPath: string;
  influx: { url: string; token: string; org: string; bucket: string };
  workDir: string;
  warmupSeconds: number;
  windowSeconds: number;
  log(message: string): void;
}

/** How node runs: its flags and the environment that tunes it (glibc's malloc). */
export interface NodeSetting {
  label: string;
  flags: readonly string[];
  env: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export async function measureNode(ctx: NodeContext, cameras: number, setting: NodeSetting): Promise<NodeRow> {
  const mounts = Array.from({ length: cameras }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
  const server = await startRtspServer({
    port: await freePort(),
    mounts,
    source: 'file',
    env: { RTSP_FILE: ctx.clipPath, RTSP_FILE_COPY: '1' },
  });
  const thumbnailDir = makeTempDir('memory-thumbnails-', ctx.workDir);
  let handler: FeedHandlerChild | undefined;
  try {
    handler = await startFeedHandler({
      cameras: mounts.map((m) => ({ id: `mem-n${cameras}-${m}`, url: server.url(m) })),
      influx: ctx.influx,
      thumbnailDir,
      logFile: join(ctx.workDir, `feed-handler-n${cameras}.log`),
      ffmpegPath: ctx.ffmpegPath,
      decodeMode: 'keyframes',
      node: { flags: setting.flags, env: setting.env },
    });
    const fh = handler;
    try {
      await waitFor(
        `first thumbnails of ${cameras} cameras`,
        async () => {
          if (fh.exited()) throw new Error('feed-handler exited');
          const health = await fh.health();
          return health.cameras.length === cameras && health.cameras.every((c) => c.frames >= 2) ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    } catch (error) {
      return errorRow(cameras, setting, String((error as Error).message));
    }
    await sleep(ctx.warmupSeconds * 1000);
    let rssKb = 0;
    let anonKb = 0;
    let fileKb = 0;
    const startTicks = readMemory(fh.pid)?.ticks ?? Number.NaN;
    const start = performance.now();
    const deadline = start + ctx.windowSeconds * 1000;
    let endTicks = Number.NaN;
    while (performance.now() < deadline - 50) {
      await sleep(Math.min(3_000, Math.max(0, deadline - performance.now())));
      const node = readMemory(fh.pid);
      if (node) {
        rssKb = Math.max(rssKb, node.status.vmRss);
        anonKb = Math.max(anonKb, node.status.rssAnon);
        fileKb = Math.max(fileKb, node.status.rssFile);
        endTicks = node.ticks;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const samples = parsePrometheusText(await fh.metrics());
    const metricMib = (name: string) =>
      (samples.find((x) => x.name === `fathom_feed_nodejs_${name}`)?.value ?? Number.NaN) / 1024 / 1024;
    const children = descendantsNamed(readProcessTable(), fh.pid, 'ffmpeg')
      .map((pid) => readMemory(pid))
      .filter((m) => m !== null);
    return {
      cameras,
      setting: setting.label,
      rssKb,
      anonKb,
      fileKb,
      heapUsedMib: metricMib('heap_size_used_bytes'),
      heapTotalMib: metricMib('heap_size_total_bytes'),
      externalMib: metricMib('external_memory_bytes'),
      nodeCpuPercent: ((endTicks - startTicks) / clockTicksPerSecond() / seconds) * 100,
      ffmpegCount: children.length,
      ffmpegRssKb: mean(children.map((m) => m.status.vmRss)),
      ffmpegPssKb: mean(children.map((m) => m.rollup.Pss)),
      ffmpegUssKb: mean(children.map((m) => uss(m.rollup))),
    };
  } finally {
    await handler?.stop();
    await server.stop();
    removeDir(thumbnailDir);
  }
}

/** A row with no figures yet (NaN: "n/a" in the table). */
function emptyRow(cameras: number, setting: string): NodeRow {
  return {
    cameras,
    setting,
    rssKb: Number.NaN,
    anonKb: Number.NaN,
    fileKb: Number.NaN,
    heapUsedMib: Number.NaN,
    heapTotalMib: Number.NaN,
    externalMib: Number.NaN,
    nodeCpuPercent: Number.NaN,
    ffmpegCount: 0,
    ffmpegRssKb: Number.NaN,
    ffmpegPssKb: Number.NaN,
    ffmpegUssKb: Number.NaN,
  };
}

function errorRow(cameras: number, setting: NodeSetting, error: string): NodeRow {
  return { ...emptyRow(cameras, setting.label), error };
}

/** Node alone, idle (`node -e`), with the setting's flags and environment: what any node process costs before Fathom's code. */
export async function measureBareNode(setting: NodeSetting): Promise<NodeRow> {
  const child = spawn(process.execPath, [...setting.flags, '-e', 'setInterval(() => {}, 1000)'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...setting.env },
    stdio: 'ignore',
  });
  try {
    await sleep(2_000);
    const m = child.pid === undefined ? null : readMemory(child.pid);
    if (!m) return errorRow(0, setting, 'node -e exited');
    return {
      ...emptyRow(0, `${setting.label}: node alone, idle`),
      rssKb: m.status.vmRss,
      anonKb: m.status.rssAnon,
      fileKb: m.status.rssFile,
    };
  } finally {
    child.kill('SIGKILL');
  }
}
