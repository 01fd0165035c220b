/**
 * A fast cold start (issue #17) on real services (GStreamer RTSP server painting the capture time into each
 * frame, ffmpeg, influxd), DECODE_MODE=auto:
 *
 * 1. 1 s GOP, nothing learnt yet: the first thumbnail comes within seconds of the process start (no probe in
 *    front), every frame is decoded while the keyframe watch learns the interval, then a second ffmpeg
 *    decoding keyframes only takes over: no wall-clock second around the handover is without its thumbnail,
 *    each thumbnail is indexed once and timed by its painted timecode, the learnt mode is in the file.
 * 2. The next start with the same footage folder uses the remembered mode at once: `keyframes` in the first
 *    /healthz, no second learning, no switch.
 * 3. A 4 s GOP stays `all` (and the keyframe watch, with its sparse keyframes, holds nothing up).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { decodeTimecodeFromJpeg } from '../../test/support/timecode.js';
import {
  compareIndexWithDisk,
  type FeedHandlerChild,
  FeedHandlers,
  filesOnDisk,
  indexedThumbnails,
  quantile,
  sleep,
  stopCleanly,
} from './harness.js';

const influx = inject('influx');
const RUN_ID = Date.now().toString(36);
const CAMERAS = [`cold-a-${RUN_ID}`, `cold-b-${RUN_ID}`];
const LONG_GOP_CAMERA = `cold-gop4-${RUN_ID}`;

interface LogLine {
  msg: string;
  time: number;
  camera?: string;
  [key: string]: unknown;
}

function logLines(handler: FeedHandlerChild): LogLine[] {
  const out: LogLine[] = [];
  for (const line of handler.logs().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut by the tail buffer
    }
  }
  return out;
}

/** Polls the footage folder from before the spawn: when each camera's first thumbnail appeared (epoch ms). */
function watchFirstThumbnails(dir: string, cameras: string[]): { seen: Map<string, number>; stop(): void } {
  const seen = new Map<string, number>();
  const timer = setInterval(() => {
    for (const camera of cameras) {
      if (!seen.has(camera) && filesOnDisk(dir, camera).length > 0) seen.set(camera, Date.now());
    }
  }, 50);
  return { seen, stop: () => clearInterval(timer) };
}

/** Thumbnails per wall-clock second from the first to the last: which seconds have none, which have two. */
function perSecond(files: { capturedAtMs: number }[], fromMs = -Infinity, toMs = Infinity) {
  const inRange = files.filter((f) => f.capturedAtMs >= fromMs && f.capturedAtMs < toMs);
  const counts = new Map<number, number>();
  for (const f of inRange)
    counts.set(Math.floor(f.capturedAtMs / 1000), (counts.get(Math.floor(f.capturedAtMs / 1000)) ?? 0) + 1);
  const seconds = [...counts.keys()];
  const first = Math.min(...seconds);
  const last = Math.max(...seconds);
  const missing: number[] = [];
  const doubled: number[] = [];
  for (let s = first; s <= last; s++) {
    const n = counts.get(s) ?? 0;
    if (n === 0) missing.push(s * 1000);
    if (n > 1) doubled.push(s * 1000);
  }
  return { thumbnails: inRange.length, seconds: last - first + 1, missing, doubled };
}

async function health(handler: FeedHandlerChild) {
  const response = await fetch(`${handler.httpUrl}/healthz`);
  return (await response.json()) as { cameras: { camera: string; mode: string; modeSource: string }[] };
}

describe('feed-handler cold start (auto decode mode, no probe)', () => {
  let rtsp: RtspServerHandle;
  let longGop: RtspServerHandle;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-cold-'));
  const modesFile = join(thumbnailDir, '.fathom', 'decode-modes.json');

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['a', 'b'],
      source: 'timecode',
      fps: 10,
      keyframeSeconds: 1,
    });
  });
  afterAll(async () => {
    await handlers.stopAll();
    await rtsp?.stop();
    await longGop?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
  });

  it('makes the first thumbnail at once, learns the 1 s GOP and hands over to keyframes without losing a second', async () => {
    const cameras = CAMERAS.map((id, i) => ({ id, url: rtsp.url(i === 0 ? 'a' : 'b') }));
    const first = watchFirstThumbnails(thumbnailDir, CAMERAS);
    const spawnedAt = Date.now();
    const handler = await handlers.start({ influx, thumbnailDir, cameras, env: { DECODE_MODE: 'auto' } });
    // The first /healthz: every frame decoded while learning.
    const early = await health(handler);
    expect(early.cameras.map((c) => [c.mode, c.modeSource])).toEqual([
      ['all', 'learning'],
      ['all', 'learning'],
    ]);
    await waitFor('first thumbnails', async () => (first.seen.size === CAMERAS.length ? true : undefined), {
      timeoutMs: 30_000,
    });
    first.stop();
    const startedLog = logLines(handler).find((l) => l.msg === 'feed-handler starting');
    const firstMs = CAMERAS.map((c) => (first.seen.get(c) as number) - spawnedAt);
    const fromLogMs = CAMERAS.map((c) => (first.seen.get(c) as number) - (startedLog?.time ?? spawnedAt));
    console.log(
      `first thumbnail after spawn: ${firstMs.join(', ')} ms; after the 'feed-handler starting' log line: ${fromLogMs.join(', ')} ms`,
    );
    for (const ms of firstMs) expect(ms).toBeLessThan(10_000);

    await waitFor(
      'both handovers',
      async () =>
        logLines(handler).filter((l) => l.msg === 'handed over: decoding keyframes only').length === CAMERAS.length
          ? true
          : undefined,
      { timeoutMs: 30_000 },
    );
    const late = await health(handler);
    expect(late.cameras.map((c) => [c.mode, c.modeSource])).toEqual([
      ['keyframes', 'learnt'],
      ['keyframes', 'learnt'],
    ]);
    // Some seconds in keyframes mode after the switch.
    await sleep(8_000);
    await stopCleanly(handler);

    const logs = logLines(handler);
    expect(logs.filter((l) => /probe/i.test(l.msg))).toEqual([]);
    const errors: number[] = [];
    for (const camera of CAMERAS) {
      const switched = logs.find((l) => l.camera === camera && l.msg.startsWith('keyframes come once a second'));
      const handedOver = logs.find((l) => l.camera === camera && l.msg === 'handed over: decoding keyframes only');
      expect(switched).toMatchObject({ mode: 'keyframes' });
      expect(handedOver).toBeDefined();
      const takesFromMs = handedOver?.takesFromMs as number;
      const files = filesOnDisk(thumbnailDir, camera);
      const around = perSecond(files, takesFromMs - 5_000, takesFromMs + 5_000);
      const all = perSecond(files);
      console.log(
        `${camera}: learnt ${String(switched?.keyframeIntervalMs)} ms after ${(((switched?.time as number) - spawnedAt) / 1000).toFixed(1)} s, ` +
          `handed over ${(((handedOver?.time as number) - spawnedAt) / 1000).toFixed(1)} s after spawn; ` +
          `±5 s around the handover: ${around.thumbnails} thumbnails in ${around.seconds} s, missing ${JSON.stringify(around.missing)}, doubled ${JSON.stringify(around.doubled)}; ` +
          `whole run: ${all.thumbnails} in ${all.seconds} s, missing ${all.missing.length}, doubled ${all.doubled.length}`,
      );
      expect(around.missing).toEqual([]);
      expect(around.doubled).toEqual([]);
      expect(all.missing.length).toBeLessThanOrEqual(1);
      const points = await indexedThumbnails(influx, camera);
      expect(compareIndexWithDisk(files, points)).toEqual({ unindexed: [], orphans: [], timeMismatches: [] });
      for (const file of files) {
        const painted = await decodeTimecodeFromJpeg(join(thumbnailDir, file.filepath));
        if (painted !== null) errors.push(Math.abs(file.capturedAtMs - painted));
      }
    }
    const summary = {
      frames: errors.length,
      p50Ms: quantile(errors, 0.5),
      p99Ms: quantile(errors, 0.99),
      maxMs: Math.max(...errors),
    };
    console.log(`capture-time error vs painted timecode across the switch: ${JSON.stringify(summary)}`);
    expect(summary.p99Ms).toBeLessThanOrEqual(50);
    const saved = JSON.parse(readFileSync(modesFile, 'utf8'));
    for (const camera of CAMERAS) expect(saved.cameras[camera]).toMatchObject({ mode: 'keyframes' });
  });

  it('uses the remembered mode at the next start: keyframes in the first /healthz, no learning, no switch', async () => {
    expect(existsSync(modesFile)).toBe(true);
    const cameras = CAMERAS.map((id, i) => ({ id, url: rtsp.url(i === 0 ? 'a' : 'b') }));
    const before = new Map(CAMERAS.map((c) => [c, filesOnDisk(thumbnailDir, c).length]));
    const spawnedAt = Date.now();
    const handler = await handlers.start({ influx, thumbnailDir, cameras, env: { DECODE_MODE: 'auto' } });
    const early = await health(handler);
    expect(early.cameras.map((c) => [c.mode, c.modeSource])).toEqual([
      ['keyframes', 'remembered'],
      ['keyframes', 'remembered'],
    ]);
    const firstAt = await waitFor(
      'first thumbnails of the second start',
      async () =>
        CAMERAS.every((c) => filesOnDisk(thumbnailDir, c).length > (before.get(c) ?? 0)) ? Date.now() : undefined,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    console.log(`second start (remembered keyframes): first thumbnails ${firstAt - spawnedAt} ms after spawn`);
    expect(firstAt - spawnedAt).toBeLessThan(10_000);
    await sleep(10_000);
    await stopCleanly(handler);
    const logs = logLines(handler);
    expect(logs.filter((l) => l.msg === 'decoding keyframes only' && l.source === 'remembered')).toHaveLength(2);
    expect(logs.filter((l) => l.msg.startsWith('handed over') || l.msg.includes('switching'))).toEqual([]);
  });

  it('keeps decoding all frames for a 4 s GOP, one thumbnail every second', async () => {
    longGop = await startRtspServer({
      port: await freePort(),
      mounts: ['long'],
      source: 'timecode',
      fps: 10,
      keyframeSeconds: 4,
    });
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [{ id: LONG_GOP_CAMERA, url: longGop.url('long') }],
      env: { DECODE_MODE: 'auto' },
    });
    await waitFor(
      'the verdict on the 4 s GOP',
      async () =>
        logLines(handler).some((l) => l.camera === LONG_GOP_CAMERA && l.msg.startsWith('keyframes come less often'))
          ? true
          : undefined,
      { timeoutMs: 40_000 },
    );
    await sleep(4_000);
    const report = await health(handler);
    expect(report.cameras[0]).toMatchObject({ mode: 'all' });
    await stopCleanly(handler);
    const logs = logLines(handler);
    const verdict = logs.find((l) => l.camera === LONG_GOP_CAMERA && l.msg.startsWith('keyframes come less often'));
    console.log(`4 s GOP: ${verdict?.msg} (${String(verdict?.keyframeIntervalMs)} ms, ${String(verdict?.why)})`);
    expect(verdict?.keyframeIntervalMs).toBeGreaterThan(3_500);
    expect(logs.filter((l) => l.msg.startsWith('handed over'))).toEqual([]);
    const files = filesOnDisk(thumbnailDir, LONG_GOP_CAMERA);
    const seconds = perSecond(files);
    console.log(`4 s GOP: ${seconds.thumbnails} thumbnails in ${seconds.seconds} s, missing ${seconds.missing.length}`);
    expect(seconds.missing).toEqual([]);
    const saved = JSON.parse(readFileSync(modesFile, 'utf8'));
    expect(saved.cameras[LONG_GOP_CAMERA]).toMatchObject({ mode: 'all' });
  });
});
