/**
 * `npm run stack` with a user's own cameras: the stack records the CAMERAS of .env and
 * starts no simulated RTSP server. The "real camera" here is a GStreamer server this test
 * starts itself, outside the stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { freePort, waitFor } from './process.js';
import { type StackHandle, startStack } from './stack.js';

describe('the native stack with the cameras of .env', () => {
  let camera: RtspServerHandle;
  let stack: StackHandle;
  const workDir = mkdtempSync(join(tmpdir(), 'fathom-stack-real-'));

  beforeAll(async () => {
    camera = await startRtspServer({ port: await freePort(), mounts: ['front'], source: 'timecode', fps: 10 });
    stack = await startStack({
      workDir,
      cameras: 0,
      realCameras: JSON.stringify([{ id: 'porch', url: camera.url('front'), location: 'house' }]),
      skipBuild: true,
      dashboard: false,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await camera?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('records the named camera and runs no simulated RTSP server', async () => {
    expect(stack.cameras).toEqual(['porch']);
    expect(stack.pids().rtsp).toBeUndefined();
    const frame = await waitFor(
      'a thumbnail of the real camera through the API',
      async () => {
        const res = await fetch(`${stack.urls.backend}/thumbnail?camera=porch&ts=${Date.now() / 1000}`);
        return res.ok ? ((await res.json()) as { camera: string; location: string }) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(frame).toMatchObject({ camera: 'porch', location: 'house' });
  });

  it('refuses a real camera with a simulated camera’s id', async () => {
    await expect(
      startStack({ workDir, cameras: 1, realCameras: '[{"id":"test","url":"rtsp://x/y"}]', skipBuild: true }),
    ).rejects.toThrow(/"test", which is a simulated camera's id/);
  });
});
