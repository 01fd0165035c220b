/**
 * The feed-handler as a whole: `node feed-handler/dist/main.js` (bench/ingest/feed-handler-child.ts)
 * with N cameras of one RTSP server, production settings but DECODE_MODE=keyframes (what auto picks
 * for a 1 s GOP, without its probe), writing to a throwaway influxd. Once every camera delivered,
 * after the warm-up, memory is sampled over the window: node's VmRSS and RssAnon (largest sample),
 * and each ffmpeg child's VmRSS, Pss and USS at the window's end.
 */
import { join } from 'node:path';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { startRtspServer } from '../../test/support/rtsp-server.js';
import { type FeedHandlerChild, startFeedHandler } from '../ingest/feed-handler-child.js';
import { makeTempDir, removeDir } from '../ingest/files.js';
import { descendantsNamed } from '../ingest/process-tree.js';
import { readProcessTable } from '../ingest/procfs.js';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export async function measureNode(ctx: NodeContext, cameras: number): Promise<NodeRow> {
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
      return errorRow(cameras, String((error as Error).message));
    }
    await sleep(ctx.warmupSeconds * 1000);
    let rssKb = 0;
    let anonKb = 0;
    const deadline = performance.now() + ctx.windowSeconds * 1000;
    while (performance.now() < deadline - 50) {
      await sleep(Math.min(3_000, Math.max(0, deadline - performance.now())));
      const node = readMemory(fh.pid);
      if (node) {
        rssKb = Math.max(rssKb, node.status.vmRss);
        anonKb = Math.max(anonKb, node.status.rssAnon);
      }
    }
    const children = descendantsNamed(readProcessTable(), fh.pid, 'ffmpeg')
      .map((pid) => readMemory(pid))
      .filter((m) => m !== null);
    return {
      cameras,
      rssKb,
      anonKb,
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

function errorRow(cameras: number, error: string): NodeRow {
  return {
    cameras,
    rssKb: Number.NaN,
    anonKb: Number.NaN,
    ffmpegCount: 0,
    ffmpegRssKb: Number.NaN,
    ffmpegPssKb: Number.NaN,
    ffmpegUssKb: Number.NaN,
    error,
  };
}
