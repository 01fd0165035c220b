/**
 * Two cameras for 30 s on real services (GStreamer RTSP server painting the
 * capture time into each frame, ffmpeg, influxd): at least 29 thumbnails per
 * camera, exactly one point per thumbnail, and each point's time equals the
 * capture time painted in its picture (p99 <= 50 ms, max <= 100 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { decodeTimecodeFromJpeg } from '../../test/support/timecode.js';
import {
  compareIndexWithDisk,
  FeedHandlers,
  filesOnDisk,
  indexedThumbnails,
  quantile,
  sleep,
  statusPoints,
  stopCleanly,
} from './harness.js';

const influx = inject('influx');
const RUN_ID = Date.now().toString(36);
const CAMERAS = [`cap-a-${RUN_ID}`, `cap-b-${RUN_ID}`];

describe('feed-handler capture (2 cameras, 30 s)', () => {
  let rtsp: RtspServerHandle;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-capture-'));

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
    rmSync(thumbnailDir, { recursive: true, force: true });
  });

  it('indexes every thumbnail once, at the capture time painted in it', async () => {
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [
        { id: CAMERAS[0] as string, url: rtsp.url('a') },
        { id: CAMERAS[1] as string, url: rtsp.url('b') },
      ],
      env: { DECODE_MODE: 'auto' },
    });
    // 30 s counted from the first thumbnail of both cameras (auto: the switch to keyframes falls inside them).
    await waitFor(
      'first thumbnails',
      async () => (CAMERAS.every((c) => filesOnDisk(thumbnailDir, c).length > 0) ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );
    const started = Date.now();
    await sleep(15_000);
    const health = await fetch(`${handler.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${handler.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`fathom_feed_frames_total\\{camera="${CAMERAS[0]}"\\} \\d+`));
    await sleep(30_000 - (Date.now() - started));

    await stopCleanly(handler);
    expect(handler.logs()).toContain('decoding keyframes only');

    const errors: number[] = [];
    const signed: string[] = [];
    for (const camera of CAMERAS) {
      const files = filesOnDisk(thumbnailDir, camera);
      const points = await indexedThumbnails(influx, camera);
      expect(files.length).toBeGreaterThanOrEqual(29);
      expect(points).toHaveLength(files.length);
      expect(compareIndexWithDisk(files, points)).toEqual({ unindexed: [], orphans: [], timeMismatches: [] });
      for (const file of files) {
        const painted = await decodeTimecodeFromJpeg(join(thumbnailDir, file.filepath));
        expect(painted, `timecode in ${file.filepath}`).not.toBeNull();
        errors.push(Math.abs(file.capturedAtMs - (painted as number)));
        signed.push(`${camera.slice(0, 5)}#${files.indexOf(file)}:${file.capturedAtMs - (painted as number)}`);
      }
      const statuses = await statusPoints(influx, camera);
      expect(statuses.at(0)).toMatchObject({ online: true, reason: 'first-frame' });
      expect(statuses.at(-1)).toMatchObject({ online: false, reason: 'shutdown' });
    }
    const summary = {
      frames: errors.length,
      maxMs: Math.max(...errors),
      p99Ms: quantile(errors, 0.99),
      p50Ms: quantile(errors, 0.5),
    };
    console.log(`capture-time error vs painted timecode: ${JSON.stringify(summary)}`);
    console.log(`signed errors (indexed minus painted, ms): ${signed.join(' ')}`);
    expect(summary.p99Ms).toBeLessThanOrEqual(50);
    expect(summary.maxMs).toBeLessThanOrEqual(100);
  });
});
