/**
 * Cold start at scale (issue #17), a measurement rather than a check: skipped unless
 * FATHOM_COLD_START_CAMERAS lists camera counts, e.g.
 *
 *   FATHOM_COLD_START_CAMERAS=16,40 npx vitest run --project integration feed-handler/test/cold-start-scale.int.spec.ts
 *
 * For each count: a fresh footage folder (nothing learnt), DECODE_MODE=auto, one GStreamer mount per camera
 * (FATHOM_COLD_START_MOUNTS caps the mounts; cameras then share them, each with its own RTSP session),
 * timecode source at FATHOM_COLD_START_SIZE (default 640x360), 10 fps, 1 s GOP. Prints, from the spawn of the
 * process: when each camera's first thumbnail appeared (min, median, max), when the cameras had handed over to
 * keyframe-only decoding, then the same first-thumbnail times for a second start that uses the remembered modes.
 * The limit checked is the target: every camera's first thumbnail within 15 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { FeedHandlers, filesOnDisk, quantile, sleep, stopCleanly } from './harness.js';

const COUNTS = (process.env.FATHOM_COLD_START_CAMERAS ?? '')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const MAX_MOUNTS = Number(process.env.FATHOM_COLD_START_MOUNTS ?? 1_000);
const [WIDTH, HEIGHT] = (process.env.FATHOM_COLD_START_SIZE ?? '640x360').split('x').map(Number) as [number, number];
const TARGET_MS = 15_000;

const influx = inject('influx');

/** When each camera's first new thumbnail appeared, ms after the spawn (files from an earlier start do not count). */
function firstThumbnails(dir: string, cameras: string[], spawnedAt: number) {
  const before = new Map(cameras.map((camera) => [camera, filesOnDisk(dir, camera).length]));
  const seen = new Map<string, number>();
  const timer = setInterval(() => {
    for (const camera of cameras) {
      if (!seen.has(camera) && filesOnDisk(dir, camera).length > (before.get(camera) ?? 0)) {
        seen.set(camera, Date.now() - spawnedAt);
      }
    }
  }, 100);
  return {
    seen,
    done: () =>
      waitFor('every first thumbnail', async () => (seen.size === cameras.length ? true : undefined), {
        timeoutMs: 180_000,
        intervalMs: 200,
      }).finally(() => clearInterval(timer)),
  };
}

const summary = (values: number[]) =>
  `min ${Math.min(...values)} ms, median ${quantile(values, 0.5)} ms, max ${Math.max(...values)} ms`;

describe.skipIf(COUNTS.length === 0)('feed-handler cold start at scale (measurement)', () => {
  const handlers = new FeedHandlers();
  const servers: RtspServerHandle[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await handlers.stopAll();
    for (const server of servers) await server.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const count of COUNTS) {
    it(`${count} cameras: first thumbnails from process start`, { timeout: 600_000 }, async () => {
      const mounts = Array.from({ length: Math.min(count, MAX_MOUNTS) }, (_, i) => `m${i}`);
      const rtsp = await startRtspServer({
        port: await freePort(),
        mounts,
        source: 'timecode',
        width: WIDTH,
        height: HEIGHT,
        fps: 10,
        keyframeSeconds: 1,
      });
      servers.push(rtsp);
      const thumbnailDir = mkdtempSync(join(tmpdir(), `fathom-scale-${count}-`));
      dirs.push(thumbnailDir);
      const runId = Date.now().toString(36);
      const ids = Array.from({ length: count }, (_, i) => `scale-${runId}-${i}`);
      const cameras = ids.map((id, i) => ({ id, url: rtsp.url(mounts[i % mounts.length]) }));
      // Let the server's encoders warm up before the clock starts: a real camera is already streaming.
      await sleep(3_000);

      const runs: { label: string; firstMs: number[] }[] = [];
      for (const label of ['nothing learnt', 'remembered modes']) {
        const spawnedAt = Date.now();
        const watch = firstThumbnails(thumbnailDir, ids, spawnedAt);
        const handler = await handlers.start({ influx, thumbnailDir, cameras, env: { DECODE_MODE: 'auto' } });
        await watch.done();
        const firstMs = ids.map((id) => watch.seen.get(id) as number);
        runs.push({ label, firstMs });
        let handovers = 'no switch expected';
        if (label === 'nothing learnt') {
          const handedOver = () => (handler.logs().match(/"msg":"handed over: decoding keyframes only"/g) ?? []).length;
          await waitFor('handovers', async () => (handedOver() >= count ? true : undefined), {
            timeoutMs: 120_000,
            intervalMs: 500,
          }).catch(() => undefined);
          handovers = `${handedOver()}/${count} handed over to keyframes after ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s`;
        }
        await sleep(5_000);
        await stopCleanly(handler);
        // Seconds without a thumbnail (or with two) between each camera's first and last of this start.
        let missing = 0;
        let doubled = 0;
        let thumbnails = 0;
        // And within 3 s either side of each handover (takesFromMs in its log line).
        const takesFrom = new Map<string, number>();
        for (const line of handler.logs().split('\n')) {
          if (!line.includes('"msg":"handed over')) continue;
          const parsed = JSON.parse(line) as { camera: string; takesFromMs: number };
          takesFrom.set(parsed.camera, parsed.takesFromMs);
        }
        let missingAround = 0;
        let doubledAround = 0;
        for (const id of ids) {
          const seconds = new Map<number, number>();
          for (const f of filesOnDisk(thumbnailDir, id).filter((f) => f.capturedAtMs >= spawnedAt)) {
            const s = Math.floor(f.capturedAtMs / 1000);
            seconds.set(s, (seconds.get(s) ?? 0) + 1);
            thumbnails++;
          }
          const keys = [...seconds.keys()];
          for (let s = Math.min(...keys); s <= Math.max(...keys); s++) {
            const n = seconds.get(s) ?? 0;
            if (n === 0) missing++;
            if (n > 1) doubled++;
            const at = takesFrom.get(id);
            if (at !== undefined && Math.abs(s * 1000 - at) <= 3_000) {
              if (n === 0) missingAround++;
              if (n > 1) doubledAround++;
            }
          }
        }
        console.log(
          `${count} cameras (${mounts.length} mounts, ${WIDTH}x${HEIGHT} 10 fps), ${label}: first thumbnail after spawn ${summary(firstMs)}; ${handovers}; ` +
            `${thumbnails} thumbnails, seconds without one: ${missing}, seconds with two: ${doubled}; ` +
            `within 3 s of the ${takesFrom.size} handovers: without one ${missingAround}, with two ${doubledAround}`,
        );
      }
      for (const run of runs) expect(Math.max(...run.firstMs)).toBeLessThan(TARGET_MS);
    });
  }
});
