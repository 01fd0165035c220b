/**
 * Vitest global setup for integration tests: one throwaway influxd (free port,
 * temp dir, set up through POST /api/v2/setup) and one GStreamer RTSP server
 * (free port), handed to the tests through `inject()`, always torn down; and the
 * feed-handler's own ffmpeg build, which the feed-handlers under test run.
 * Both run under die-with-parent, so even a SIGKILLed test run leaves neither behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type InfluxInit, provideInfluxd, setupInfluxd, startInfluxd } from '../influx/influxd.js';
import { provideFeedHandlerFfmpeg } from '../scripts/lib/feed-handler-ffmpeg.js';
import { freePort } from '../scripts/lib/process.js';
import { startRtspServer } from './support/rtsp-server.js';

export interface InfluxContext {
  url: string;
  token: string;
  org: string;
  bucket: string;
  bin: string;
}
export interface RtspContext {
  port: number;
  mounts: string[];
  /** rtsp://127.0.0.1:PORT (append /<mount>) */
  baseUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    influx: InfluxContext;
    rtsp: RtspContext;
  }
}

export const TEST_INFLUX_INIT: InfluxInit = {
  username: 'fathom-test',
  password: 'fathom-test-password',
  org: 'fathom',
  bucket: 'fathom',
  token: 'fathom-test-token',
  // Tests write fixed historical times; a retention would reject them (HTTP 422).
  retentionSeconds: 0,
};

export default async function setup(project: TestProject) {
  // Built here once (cold: about 1.5 min), before any test starts a feed-handler with it (feed-handler/test/harness.ts).
  await provideFeedHandlerFfmpeg();
  const dataDir = mkdtempSync(join(tmpdir(), 'fathom-influxd-'));
  const bin = await provideInfluxd();
  const influxd = await startInfluxd({ bin, dataDir, port: await freePort() });
  const rtsp = await startRtspServer({ port: await freePort(), mounts: ['test', 'cam2'], source: 'testpattern' }).catch(
    async (error: unknown) => {
      await influxd.stop();
      throw error;
    },
  );
  try {
    await setupInfluxd(influxd.url, TEST_INFLUX_INIT);
  } catch (error) {
    await Promise.all([influxd.stop(), rtsp.stop()]);
    throw error;
  }

  project.provide('influx', {
    url: influxd.url,
    token: TEST_INFLUX_INIT.token,
    org: TEST_INFLUX_INIT.org,
    bucket: TEST_INFLUX_INIT.bucket,
    bin,
  });
  project.provide('rtsp', { port: rtsp.port, mounts: rtsp.mounts, baseUrl: `rtsp://127.0.0.1:${rtsp.port}` });

  return async () => {
    await Promise.all([influxd.stop(), rtsp.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
