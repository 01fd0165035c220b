/**
 * The InfluxDB adapter: the only module that talks to InfluxDB. Writes are
 * synchronous from the caller's view: write() resolves when InfluxDB has
 * accepted the batch and rejects otherwise, so the caller's queue always knows
 * what is indexed. (The client's own background retry is off for that reason:
 * with it, a failed flush rejects while the lines are retried later behind our
 * back; our IndexWriter retries the same batch with backoff instead.)
 */
import {
  type CameraStatusPoint,
  MEASUREMENT,
  rfc3339ToMs,
  STATUS_FIELD,
  TAG,
  THUMBNAIL_FIELD,
  type ThumbnailPoint,
} from '@fathom/index-contract';
import { InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { lastThumbnailQuery } from './flux.js';

export interface IndexPort {
  write(thumbnails: readonly ThumbnailPoint[], statuses: readonly CameraStatusPoint[]): Promise<void>;
  /** Capture time of the newest indexed thumbnail of `camera`, or null when it has none. */
  lastIndexedMs(camera: string): Promise<number | null>;
}

export function thumbnailToPoint(p: ThumbnailPoint): Point {
  return new Point(MEASUREMENT.thumbnails)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .stringField(THUMBNAIL_FIELD.filepath, p.filepath)
    .intField(THUMBNAIL_FIELD.bytes, p.bytes)
    .intField(THUMBNAIL_FIELD.width, p.width)
    .intField(THUMBNAIL_FIELD.height, p.height)
    .timestamp(new Date(p.capturedAtMs));
}

export function statusToPoint(p: CameraStatusPoint): Point {
  return new Point(MEASUREMENT.cameraStatus)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .booleanField(STATUS_FIELD.online, p.online)
    .stringField(STATUS_FIELD.reason, p.reason)
    .timestamp(new Date(p.atMs));
}

export function createInfluxIndex(
  options: { url: string; token: string; org: string; bucket: string; timeoutMs?: number },
  log: Pick<Logger, 'warn' | 'error'>,
): IndexPort {
  // The client logs through console by default; services log through pino only.
  setLogger({
    error: (message, error) => log.error({ err: error }, `influxdb-client: ${message}`),
    warn: (message, error) => log.warn({ err: error }, `influxdb-client: ${message}`),
  });
  const client = new InfluxDB({ url: options.url, token: options.token, timeout: options.timeoutMs ?? 5_000 });
  const writeApi = client.getWriteApi(options.org, options.bucket, 'ms', {
    batchSize: 1_000_000,
    flushInterval: 0,
    maxRetries: 0,
    maxBufferLines: 1_000_000,
  });
  const queryApi = client.getQueryApi(options.org);

  return {
    async write(thumbnails, statuses) {
      if (thumbnails.length === 0 && statuses.length === 0) return;
      writeApi.writePoints([...statuses.map(statusToPoint), ...thumbnails.map(thumbnailToPoint)]);
      await writeApi.flush();
    },

    async lastIndexedMs(camera) {
      const rows = await queryApi.collectRows<{ _time: string }>(lastThumbnailQuery(options.bucket, camera));
      let newest: number | null = null;
      // One row per series: a camera whose location changed has two.
      for (const row of rows) {
        const ms = rfc3339ToMs(row._time);
        if (newest === null || ms > newest) newest = ms;
      }
      return newest;
    },
  };
}
