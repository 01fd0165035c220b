/**
 * Integration-test fixture: a bucket of its own per test file in the shared throwaway
 * influxd (so "any camera" queries see only this file's points), points written with
 * the real client exactly as the feed-handler writes them (ms precision, Date times),
 * and the real backend served on port 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ACTIVITY_BUCKET_SUFFIX,
  ACTIVITY_FIELD,
  type DetectionPoint,
  type FrameMetrics,
  MEASUREMENT,
  STATUS_FIELD,
  TAG,
  thumbnailRelativePath,
} from '@fathom/index-contract';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { pino } from 'pino';
import { inject } from 'vitest';
import { detectionToPoint, thumbnailToPoint } from '../../feed-handler/src/index/influx.js';
import { createActivityIndex } from '../src/activity-reader.js';
import { systemClock } from '../src/adapters/clock.js';
import { createFeedHandlerClient } from '../src/adapters/feed-handler.js';
import { createThumbnailStore } from '../src/adapters/files.js';
import { createInfluxReader } from '../src/adapters/influx.js';
import { type AppSettings, createApp } from '../src/app.js';
import { createDetectionIndex } from '../src/detection-reader.js';
import type { ExportQueue } from '../src/exports/export-jobs.js';
import { createExportService } from '../src/exports/export-service.js';
import { createThumbnailIndex } from '../src/index-reader.js';
import { createMetrics } from '../src/metrics.js';
import { createSettledAnswers, type GenerationPoller, pollIndexGeneration } from '../src/settled-answers.js';
import { SettledCache } from '../src/settled-cache.js';
import { serve } from './http.js';

export const TEST_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';

export const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);

export interface FramePoint {
  camera: string;
  location?: string;
  ms: number;
  /** Written as the thumbnail's motion fields, as the feed-handler's analysis does. */
  metrics?: FrameMetrics;
  /** The JPEG written with { files: true } (default: a 12-byte stand-in) and its size in the index. */
  jpeg?: { bytes: Buffer; width: number; height: number };
}

/** One camera-minute of the activity bucket, as the InfluxDB task writes it. */
export interface MinutePoint {
  camera: string;
  location?: string;
  /** The minute's start. */
  ms: number;
  motionMax: number;
  motionSum: number;
  frames: number;
}

export interface Fixture {
  bucket: string;
  url: string;
  thumbnailDir: string;
  client: InfluxDB;
  writeFrames(frames: FramePoint[], options?: { files?: boolean }): Promise<void>;
  writeStatus(status: { camera: string; location: string; ms: number; online: boolean; reason: string }): Promise<void>;
  /** Object detections, one point per frame and label, with the contract's names (as the feed-handler's detector writes them). */
  writeDetections(detections: DetectionPoint[]): Promise<void>;
  /** Into the activity bucket (startFixture with { activity: true }). */
  writeMinutes(minutes: MinutePoint[]): Promise<void>;
  /** Every point in the bucket, to prove a request changed nothing. */
  countPoints(): Promise<number>;
  /** The index generation poller (startFixture with { settled }): refresh() reads it now. */
  generation?: GenerationPoller;
  /** The export queue (startFixture with { exports }): to stop and restart it as a backend restart would. */
  exports?: ExportQueue;
  close(): Promise<void>;
}

async function createBucket(url: string, token: string, org: string, name: string): Promise<string> {
  const headers = { authorization: `Token ${token}`, 'content-type': 'application/json' };
  const orgs = (await (await fetch(`${url}/api/v2/orgs?org=${encodeURIComponent(org)}`, { headers })).json()) as {
    orgs: { id: string }[];
  };
  const orgID = orgs.orgs[0]?.id;
  const res = await fetch(`${url}/api/v2/buckets`, {
    method: 'POST',
    headers,
    // No retention rule: tests write fixed historical times.
    body: JSON.stringify({ orgID, name, retentionRules: [] }),
  });
  if (res.status !== 201) throw new Error(`bucket create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function startFixture(
  settings: Partial<AppSettings> = {},
  options: {
    activity?: boolean;
    exports?: { dir: string; maxRangeHours?: number; retentionHours?: number };
    /** Settled answers cached and sent with ETags, as main.ts wires them (the poller is refreshed by hand in tests). */
    settled?: { settleSeconds: number };
    /** A real feed-handler's HTTP API (FEED_HANDLER_URL): /cameras carries its restream status. */
    feedHandler?: { url: string; apiToken?: string; cacheMs?: number };
    /**
     * Read this existing bucket (one a real feed-handler writes) instead of a new one of the fixture's own;
     * it is left in place on close.
     */
    indexBucket?: string;
  } = {},
): Promise<Fixture> {
  const influx = inject('influx');
  const bucket = options.indexBucket ?? `backend-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const activityBucket = `${bucket}${ACTIVITY_BUCKET_SUFFIX}`;
  const bucketId = options.indexBucket ? null : await createBucket(influx.url, influx.token, influx.org, bucket);
  const activityBucketId = options.activity
    ? await createBucket(influx.url, influx.token, influx.org, activityBucket)
    : null;
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-backend-int-'));
  const client = new InfluxDB({ url: influx.url, token: influx.token });
  const metrics = createMetrics({ defaultMetrics: false });
  const reader = createInfluxReader({ url: influx.url, token: influx.token, org: influx.org }, metrics.observeQuery);
  const files = createThumbnailStore(thumbnailDir);
  const exports = options.exports
    ? createExportService(
        {
          dir: options.exports.dir,
          maxRangeHours: options.exports.maxRangeHours ?? 168,
          retentionHours: options.exports.retentionHours ?? 72,
          niceness: 19,
          font: { file: TEST_FONT },
        },
        { influx: reader, bucket, footage: files, clock: systemClock, logger: pino({ level: 'silent' }) },
      )
    : undefined;
  if (exports) await exports.queue.start();
  const generation = options.settled
    ? pollIndexGeneration(reader, bucket, { intervalMs: 3_600_000, logger: pino({ level: 'silent' }) })
    : undefined;
  if (generation) await generation.refresh();
  const answers =
    options.settled && generation
      ? createSettledAnswers({
          cache: new SettledCache(8 * 1024 * 1024, 3_600_000),
          generation,
          clock: systemClock,
          settleNs: BigInt(options.settled.settleSeconds) * 1_000_000_000n,
        })
      : undefined;
  const app = createApp({
    index: createThumbnailIndex(reader, bucket),
    ...(exports ? { exports } : {}),
    ...(answers ? { answers } : {}),
    ...(options.activity ? { activity: createActivityIndex(reader, { index: bucket, activity: activityBucket }) } : {}),
    ...(options.feedHandler
      ? {
          feedHandler: createFeedHandlerClient({
            url: options.feedHandler.url,
            apiToken: options.feedHandler.apiToken,
            cacheMs: options.feedHandler.cacheMs,
            clock: systemClock,
            logger: pino({ level: 'silent' }),
          }),
        }
      : {}),
    detections: createDetectionIndex(reader, bucket),
    files,
    clock: { nowNs: () => BigInt(Date.now()) * 1_000_000n },
    logger: pino({ level: 'silent' }),
    metrics,
    settings: { groupMinutes: { default: 10, max: 60 }, corsOrigins: [], ...settings },
  });
  const server = await serve(app);

  /**
   * Writes and waits until InfluxDB has every point. A write API sends a full batch on its
   * own and close() does not await those in-flight batches, so each chunk gets its own API
   * with a batch size above the chunk: close() then sends and awaits all of it. A failed
   * write throws (the client would only log it).
   */
  async function writePoints(org: string, bucketName: string, points: Point[]) {
    const CHUNK = 5_000;
    for (let i = 0; i < points.length; i += CHUNK) {
      const failures: Error[] = [];
      const writeApi = client.getWriteApi(org, bucketName, 'ms', {
        batchSize: CHUNK + 1,
        maxRetries: 0,
        writeFailed: (error) => {
          failures.push(error);
        },
      });
      writeApi.writePoints(points.slice(i, i + CHUNK));
      await writeApi.close();
      if (failures.length) throw failures[0];
    }
  }

  return {
    bucket,
    url: server.url,
    thumbnailDir,
    client,
    ...(exports ? { exports: exports.queue } : {}),
    ...(generation ? { generation } : {}),
    async writeFrames(frames, options = {}) {
      const points = frames.map((frame) => {
        const filepath = thumbnailRelativePath(frame.camera, frame.ms);
        if (options.files) {
          const file = join(thumbnailDir, filepath);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, frame.jpeg?.bytes ?? JPEG);
        }
        // Exactly as the feed-handler writes a thumbnail: its own point builder.
        return thumbnailToPoint({
          camera: frame.camera,
          location: frame.location ?? 'lab',
          capturedAtMs: frame.ms,
          filepath,
          bytes: frame.jpeg?.bytes.length ?? JPEG.length,
          width: frame.jpeg?.width ?? 64,
          height: frame.jpeg?.height ?? 36,
          ...(frame.metrics ? { metrics: frame.metrics } : {}),
        });
      });
      await writePoints(influx.org, bucket, points);
    },
    async writeStatus(status) {
      await writePoints(influx.org, bucket, [
        new Point(MEASUREMENT.cameraStatus)
          .tag(TAG.camera, status.camera)
          .tag(TAG.location, status.location)
          .booleanField(STATUS_FIELD.online, status.online)
          .stringField(STATUS_FIELD.reason, status.reason)
          .timestamp(new Date(status.ms)),
      ]);
    },
    async writeDetections(detections) {
      await writePoints(
        influx.org,
        bucket,
        // Exactly as the feed-handler's detector writes them: its own point builder.
        detections.map(detectionToPoint),
      );
    },
    async writeMinutes(minutes) {
      await writePoints(
        influx.org,
        activityBucket,
        minutes.map((m) =>
          new Point(MEASUREMENT.activity)
            .tag(TAG.camera, m.camera)
            .tag(TAG.location, m.location ?? 'lab')
            .floatField(ACTIVITY_FIELD.motionMax, m.motionMax)
            .floatField(ACTIVITY_FIELD.motionSum, m.motionSum)
            .intField(ACTIVITY_FIELD.frames, m.frames)
            .timestamp(new Date(m.ms)),
        ),
      );
    },
    async countPoints() {
      // count() per series and field (fields differ in type, so they cannot share one table), summed here.
      const rows = await client
        .getQueryApi(influx.org)
        .collectRows<{ _value: number }>(
          `from(bucket: "${bucket}") |> range(start: 1970-01-01T00:00:00Z, stop: 2200-01-01T00:00:00Z) |> count()`,
        );
      return rows.reduce((sum, row) => sum + row._value, 0);
    },
    async close() {
      generation?.stop();
      await exports?.queue.stop();
      await server.close();
      rmSync(thumbnailDir, { recursive: true, force: true });
      for (const id of [bucketId, activityBucketId]) {
        if (!id) continue;
        await fetch(`${influx.url}/api/v2/buckets/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Token ${influx.token}` },
        });
      }
    },
  };
}
