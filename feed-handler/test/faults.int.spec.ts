/**
 * Faults lose nothing, on real services: the RTSP server gone for 20 s,
 * InfluxDB gone for 30 s, and the feed-handler SIGKILLed. Counts and gaps are
 * checked, never durations, except the functional "thumbnails resume within
 * 5 s of the RTSP server's return".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type InfluxdHandle, setupInfluxd, startInfluxd } from '../../influx/influxd.js';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import {
  compareIndexWithDisk,
  FeedHandlers,
  filesOnDisk,
  type InfluxTarget,
  indexedThumbnails,
  sleep,
  statusPoints,
  stopCleanly,
} from './harness.js';

const sharedInflux = inject('influx');
const RUN_ID = Date.now().toString(36);
const cleanups: (() => Promise<void> | void)[] = [];
// Restarts within a second once the server is back; a probe per restart is not needed (the mode is kept).
const handlers = new FeedHandlers(
  { RESTART_BACKOFF_BASE_MS: '250', RESTART_BACKOFF_MAX_MS: '1000', STALL_SECONDS: '5', RTSP_TIMEOUT_SECONDS: '5' },
  10_000,
);

afterEach(() => handlers.stopAll());
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function rtspServer(port: number, mounts: string[]): Promise<RtspServerHandle> {
  const server = await startRtspServer({ port, mounts, source: 'testpattern', fps: 10, keyframeSeconds: 1 });
  cleanups.push(() => server.stop());
  return server;
}

describe('feed-handler faults', () => {
  it('RTSP server gone for 20 s: thumbnails resume within 5 s of its return and the gap is recorded', async () => {
    const camera = `rtsp-out-${RUN_ID}`;
    const dir = tempDir('fathom-rtsp-out-');
    const port = await freePort();
    let server = await rtspServer(port, ['cam']);
    const handler = await handlers.start({
      influx: sharedInflux,
      thumbnailDir: dir,
      cameras: [{ id: camera, url: server.url('cam') }],
    });
    await waitFor('thumbnails', async () => (filesOnDisk(dir, camera).length >= 5 ? true : undefined), {
      timeoutMs: 60_000,
    });

    // Taken before stop(): the server drops its sessions at once but takes ~1 s to exit, and
    // ffmpeg notices (offline point) within ~20 ms of the drop.
    const goneAt = Date.now();
    await server.stop();
    await sleep(20_000);
    server = await rtspServer(port, ['cam']);
    const backAt = Date.now();
    const resumed = await waitFor(
      'thumbnails after the RTSP server returned',
      async () => filesOnDisk(dir, camera).find((f) => f.capturedAtMs > backAt),
      { timeoutMs: 60_000 },
    );
    console.log(`RTSP outage: first thumbnail ${resumed.capturedAtMs - backAt} ms after the server was back`);
    expect(resumed.capturedAtMs - backAt).toBeLessThanOrEqual(5_000);
    await sleep(3_000);
    const metrics = await (await fetch(`${handler.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`fathom_feed_ffmpeg_restarts_total\\{camera="${camera}"\\} [1-9]`));
    await stopCleanly(handler);

    const files = filesOnDisk(dir, camera);
    expect(files.filter((f) => f.capturedAtMs > goneAt + 1_000 && f.capturedAtMs < backAt)).toEqual([]);
    expect(compareIndexWithDisk(files, await indexedThumbnails(sharedInflux, camera))).toEqual({
      unindexed: [],
      orphans: [],
      timeMismatches: [],
    });
    // The gap is data: offline (with a reason) inside it, online again after it.
    const statuses = await statusPoints(sharedInflux, camera);
    const offline = statuses.find((s) => !s.online && s.timeMs >= goneAt && s.timeMs < backAt);
    expect(offline?.reason).toMatch(/exited|stalled|unreachable/);
    expect(statuses.find((s) => s.online && s.timeMs > backAt)).toMatchObject({ reason: 'first-frame' });
  });

  it('InfluxDB gone for 30 s: thumbnails keep coming and every one is indexed after it returns', async () => {
    const bin = sharedInflux.bin;
    const dataDir = tempDir('fathom-influx-out-');
    const port = await freePort();
    const init = {
      username: 'fh',
      password: 'fh-password-123',
      org: 'fathom',
      bucket: 'fathom',
      token: 'fh-token',
      retentionSeconds: 0,
    };
    let influxd: InfluxdHandle = await startInfluxd({ bin, dataDir, port });
    cleanups.push(() => influxd.stop());
    await setupInfluxd(influxd.url, init);
    const influx: InfluxTarget = { url: influxd.url, token: init.token, org: init.org, bucket: init.bucket };

    const cameras = [`influx-out-a-${RUN_ID}`, `influx-out-b-${RUN_ID}`];
    const dir = tempDir('fathom-influx-out-thumbs-');
    const server = await rtspServer(await freePort(), ['a', 'b']);
    const handler = await handlers.start({
      influx,
      thumbnailDir: dir,
      cameras: [
        { id: cameras[0] as string, url: server.url('a') },
        { id: cameras[1] as string, url: server.url('b') },
      ],
      // A small buffer, so the outage overflows it and the rest comes back from disk.
      env: { INDEX_BUFFER_MAX: '20' },
    });
    await waitFor(
      'indexed thumbnails',
      async () => ((await indexedThumbnails(influx, cameras[0] as string)).length >= 3 ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );

    await influxd.stop();
    const before = cameras.map((c) => filesOnDisk(dir, c).length);
    await sleep(30_000);
    const during = cameras.map((c, i) => filesOnDisk(dir, c).length - (before[i] as number));
    expect(Math.min(...during)).toBeGreaterThanOrEqual(25);
    const health = (await (await fetch(`${handler.httpUrl}/healthz`)).json()) as { index: { writing: boolean } };
    expect(health.index.writing).toBe(false);

    influxd = await startInfluxd({ bin, dataDir, port });
    await waitFor(
      'every thumbnail indexed after InfluxDB returned',
      async () => {
        for (const camera of cameras) {
          const diff = compareIndexWithDisk(filesOnDisk(dir, camera), await indexedThumbnails(influx, camera));
          if (diff.unindexed.length > 1) return undefined; // the newest file may be a moment ahead of its point
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await stopCleanly(handler);
    for (const camera of cameras) {
      const files = filesOnDisk(dir, camera);
      const points = await indexedThumbnails(influx, camera);
      expect(compareIndexWithDisk(files, points)).toEqual({ unindexed: [], orphans: [], timeMismatches: [] });
      expect(points).toHaveLength(files.length);
    }
    console.log(`InfluxDB outage: ${during.join(' and ')} thumbnails written while it was down, all indexed after`);
  });

  it('feed-handler SIGKILLed and restarted: 0 files unindexed, the gap recorded offline', async () => {
    const cameras = [`kill-a-${RUN_ID}`, `kill-b-${RUN_ID}`];
    const dir = tempDir('fathom-kill-');
    const server = await rtspServer(await freePort(), ['a', 'b']);
    const setup = {
      influx: sharedInflux,
      thumbnailDir: dir,
      cameras: [
        { id: cameras[0] as string, url: server.url('a') },
        { id: cameras[1] as string, url: server.url('b') },
      ],
      // Flush rarely, so the kill always finds thumbnails on disk that are not indexed yet.
      env: { INDEX_FLUSH_MS: '15000' },
    };
    const first = await handlers.start(setup);
    await waitFor('thumbnails', async () => (filesOnDisk(dir, cameras[1] as string).length >= 8 ? true : undefined), {
      timeoutMs: 60_000,
    });
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await sleep(1_500); // the orphaned ffmpeg dies on its next write to the closed pipe
    let unindexedAfterKill = 0;
    for (const camera of cameras) {
      unindexedAfterKill += compareIndexWithDisk(
        filesOnDisk(dir, camera),
        await indexedThumbnails(sharedInflux, camera),
      ).unindexed.length;
    }
    expect(unindexedAfterKill).toBeGreaterThan(0);

    const restartedAt = Date.now();
    const second = await handlers.start({ ...setup, env: { INDEX_FLUSH_MS: '1000' } });
    await waitFor('thumbnails after the restart', async () =>
      cameras.every((c) => filesOnDisk(dir, c).some((f) => f.capturedAtMs > restartedAt)) ? true : undefined,
    );
    await stopCleanly(second);
    const gaps: string[] = [];
    for (const camera of cameras) {
      const files = filesOnDisk(dir, camera);
      expect(compareIndexWithDisk(files, await indexedThumbnails(sharedInflux, camera))).toEqual({
        unindexed: [],
        orphans: [],
        timeMismatches: [],
      });
      // The killed run wrote no offline point: the restart writes one 1 ms after its last thumbnail,
      // inside the gap, and the camera is online again at the new run's first frame.
      const lastBefore = files.filter((f) => f.capturedAtMs < restartedAt).at(-1)?.capturedAtMs as number;
      const firstAfter = files.find((f) => f.capturedAtMs > restartedAt)?.capturedAtMs as number;
      const statuses = await statusPoints(sharedInflux, camera);
      const offline = statuses.find((s) => !s.online && s.timeMs > lastBefore && s.timeMs < firstAfter);
      expect(offline).toEqual({ timeMs: lastBefore + 1, online: false, reason: 'feed-handler restarted' });
      const afterOffline = statuses.filter((s) => s.timeMs > (offline?.timeMs ?? 0));
      expect(afterOffline.at(0)).toMatchObject({ online: true, reason: 'first-frame' });
      expect(afterOffline.at(0)?.timeMs).toBeLessThanOrEqual(firstAfter);
      gaps.push(
        `${camera}: offline ${lastBefore + 1}, online ${afterOffline.at(0)?.timeMs} (gap ${firstAfter - lastBefore} ms)`,
      );
    }
    console.log(`SIGKILL status gap: ${gaps.join('; ')}`);
    console.log(`SIGKILL: ${unindexedAfterKill} thumbnails were unindexed at the kill; 0 after the restart`);
  });
});
