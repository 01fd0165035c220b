/**
 * The InfluxDB adapter: the only module that talks to InfluxDB. Writes are
 * synchronous from the caller's view: write() resolves when InfluxDB has
 * accepted the batch and rejects otherwise, so the caller's queue always knows
 * what is indexed. (The client's own background retry is off for that reason:
 * with it, a failed flush rejects while the lines are retried later behind our
 * back; our IndexWriter retries the same batch with backoff instead.)
 *
 * The client allocates its write buffer (`batchSize` slots) up front and, when
 * that buffer fills, flushes on its own and swallows that flush's error. So the
 * batch size is modest, and writeInBatches never hands it more than
 * batchSize - 1 points before an explicit flush: every send is one whose
 * promise we await, and no failure goes unseen.
 */
import {
  type CameraStatusPoint,
  CHUNK_FIELD,
  type ChunkPoint,
  DETECTION_FIELD,
  DETECTION_TAG,
  type DetectionPoint,
  formatDetectionBox,
  INDEX_CHANGE_FIELD,
  MEASUREMENT,
  rfc3339ToMs,
  STATUS_FIELD,
  STORAGE_FIELD,
  type StoragePoint,
  TAG,
  THUMBNAIL_FIELD,
  type ThumbnailPoint,
} from '@fathom/index-contract';
import { InfluxDB, Point, setLogger, type Transport, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { RetentionIndexPort } from '../footage/retention.js';
import type { ActivityPort } from './activity-keeper.js';
import { deleteRequestBody, lastChunkQuery, lastStatusQuery, lastThumbnailQuery } from './flux.js';

export interface IndexPort {
  write(thumbnails: readonly ThumbnailPoint[], statuses: readonly CameraStatusPoint[]): Promise<void>;
  /** Capture time of the newest indexed thumbnail of `camera`, or null when it has none. */
  lastIndexedMs(camera: string): Promise<number | null>;
  /** The newest `camera_status` point of `camera` (whether it said online, and when), or null when it has none. */
  lastStatus(camera: string): Promise<{ online: boolean; atMs: number } | null>;
  /** Records that past thumbnails changed (indexed late), so readers drop answers cached before. */
  markChanged?(reason: 'backfill'): Promise<void>;
}

/** At most one change marker per this interval: a catch-up writes many batches in a row. */
export const CHANGE_MARK_INTERVAL_MS = 5_000;

/** Chunk points and their reconciliation. */
export interface ChunkIndexPort {
  writeChunks(chunks: readonly ChunkPoint[]): Promise<void>;
  /** Start of the newest indexed chunk of `camera`, or null. */
  lastChunkStartMs(camera: string): Promise<number | null>;
}

/** The detector's points (one per frame and label). */
export interface DetectionIndexPort {
  writeDetections(points: readonly DetectionPoint[]): Promise<void>;
}

export function detectionToPoint(p: DetectionPoint): Point {
  return new Point(MEASUREMENT.detections)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .tag(DETECTION_TAG.label, p.label)
    .floatField(DETECTION_FIELD.score, p.score)
    .stringField(DETECTION_FIELD.box, formatDetectionBox(p.box))
    .intField(DETECTION_FIELD.count, p.count)
    .stringField(DETECTION_FIELD.filepath, p.filepath)
    .timestamp(new Date(p.capturedAtMs));
}

export function chunkToPoint(p: ChunkPoint): Point {
  return new Point(MEASUREMENT.chunks)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .stringField(CHUNK_FIELD.filepath, p.filepath)
    .intField(CHUNK_FIELD.start, p.startMs)
    .intField(CHUNK_FIELD.end, p.endMs)
    .intField(CHUNK_FIELD.bytes, p.bytes)
    .timestamp(new Date(p.startMs));
}

export function storageToPoint(p: StoragePoint): Point {
  const point = new Point(MEASUREMENT.storage)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .intField(STORAGE_FIELD.thumbnailBytes, p.thumbnailBytes)
    .intField(STORAGE_FIELD.chunkBytes, p.chunkBytes)
    .timestamp(new Date(p.atMs));
  if (p.oldestMs !== null) point.intField(STORAGE_FIELD.oldestMs, p.oldestMs);
  if (p.daysLeft !== null) point.floatField(STORAGE_FIELD.daysLeft, p.daysLeft);
  return point;
}

export function thumbnailToPoint(p: ThumbnailPoint): Point {
  const point = new Point(MEASUREMENT.thumbnails)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .stringField(THUMBNAIL_FIELD.filepath, p.filepath)
    .intField(THUMBNAIL_FIELD.bytes, p.bytes)
    .intField(THUMBNAIL_FIELD.width, p.width)
    .intField(THUMBNAIL_FIELD.height, p.height)
    .timestamp(new Date(p.capturedAtMs));
  // The analysis, when the frame had one: fields of the thumbnail's own point, never a point of their own.
  if (p.metrics) {
    point
      .floatField(THUMBNAIL_FIELD.motion, p.metrics.motion)
      .stringField(THUMBNAIL_FIELD.grid, p.metrics.grid)
      .floatField(THUMBNAIL_FIELD.luma, p.metrics.luma)
      .booleanField(THUMBNAIL_FIELD.lighting, p.metrics.lighting);
  }
  return point;
}

export function statusToPoint(p: CameraStatusPoint): Point {
  return new Point(MEASUREMENT.cameraStatus)
    .tag(TAG.camera, p.camera)
    .tag(TAG.location, p.location)
    .booleanField(STATUS_FIELD.online, p.online)
    .stringField(STATUS_FIELD.reason, p.reason)
    .timestamp(new Date(p.atMs));
}

/** The client's buffer size per write API (it allocates this many slots at creation: 8 bytes each). */
export const WRITE_BATCH_SIZE = 10_000;

/**
 * Writes `items` in slices of at most batchSize - 1 points, each slice handed to the client and flushed
 * before the next: the client's buffer never fills, so it never flushes (and swallows an error) by itself.
 * Rejects with the first failed flush; the slices before it are written, the caller retries all
 * (InfluxDB overwrites a point with the same series and time, so a retry cannot duplicate).
 * writePoints and flush are called in the same tick, so concurrent calls cannot mix in one buffer.
 */
export async function writeInBatches<T>(
  api: Pick<WriteApi, 'writePoints' | 'flush'>,
  items: readonly T[],
  toPoint: (item: T) => Point,
  batchSize: number = WRITE_BATCH_SIZE,
): Promise<void> {
  const slice = Math.max(1, batchSize - 1);
  for (let start = 0; start < items.length; start += slice) {
    api.writePoints(items.slice(start, start + slice).map(toPoint));
    await api.flush();
  }
}

export function createInfluxIndex(
  options: {
    url: string;
    token: string;
    org: string;
    bucket: string;
    timeoutMs?: number;
    /** Tests only: the client's HTTP layer. */
    transport?: Transport;
  },
  log: Pick<Logger, 'warn' | 'error'>,
): IndexPort & ChunkIndexPort & DetectionIndexPort & RetentionIndexPort & ActivityPort {
  // The client logs through console by default; services log through pino only.
  setLogger({
    error: (message, error) => log.error({ err: error }, `influxdb-client: ${message}`),
    warn: (message, error) => log.warn({ err: error }, `influxdb-client: ${message}`),
  });
  const client = new InfluxDB({
    url: options.url,
    token: options.token,
    timeout: options.timeoutMs ?? 5_000,
    ...(options.transport ? { transport: options.transport } : {}),
  });
  // One write API per caller (thumbnails, chunks, storage): a flush sends everything buffered in
  // its API, so a shared one could report another caller's failed lines as this caller's success.
  // maxRetries 0: a failed flush rejects and nothing is retried behind our back (see the top).
  // The byte limit is left at the client's 50 MB default: a slice of 9,999 points is ~2.5 MB.
  const separateWriteApi = () =>
    client.getWriteApi(options.org, options.bucket, 'ms', {
      batchSize: WRITE_BATCH_SIZE,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: WRITE_BATCH_SIZE,
    });
  const writeApi = separateWriteApi();
  const chunkWriteApi = separateWriteApi();
  const detectionWriteApi = separateWriteApi();
  const storageWriteApi = separateWriteApi();
  const queryApi = client.getQueryApi(options.org);
  const timeoutMs = options.timeoutMs ?? 5_000;

  /** The management API (buckets, tasks): not in the client library (it lives in the separate -apis package). */
  const api = async <T>(method: string, path: string, body?: unknown, notFound?: T): Promise<T> => {
    const res = await fetch(new URL(path, options.url), {
      method,
      headers: { authorization: `Token ${options.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs * 2),
    });
    // A lookup by name answers 404 when there is none.
    if (res.status === 404 && notFound !== undefined) return notFound;
    if (!res.ok)
      throw new Error(
        `InfluxDB ${method} ${path.split('?')[0]}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
      );
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  let orgId: string | null = null;
  const orgID = async () => {
    orgId ??=
      (await api<{ orgs?: { id: string }[] }>('GET', `/api/v2/orgs?org=${encodeURIComponent(options.org)}`)).orgs?.[0]
        ?.id ?? null;
    if (!orgId) throw new Error(`InfluxDB has no organisation "${options.org}"`);
    return orgId;
  };

  const newestTime = async (query: string) => {
    const rows = await queryApi.collectRows<{ _time: string }>(query);
    let newest: number | null = null;
    // One row per series: a camera whose location changed has two.
    for (const row of rows) {
      const ms = rfc3339ToMs(row._time);
      if (newest === null || ms > newest) newest = ms;
    }
    return newest;
  };

  let lastChangeMarkMs = Number.NEGATIVE_INFINITY;
  let trailingMark: NodeJS.Timeout | undefined;
  const writeChangeMark = async (reason: 'backfill' | 'retention') => {
    const nowMs = Date.now();
    lastChangeMarkMs = nowMs;
    await writeInBatches(storageWriteApi, [reason], (why) =>
      new Point(MEASUREMENT.indexChanges).stringField(INDEX_CHANGE_FIELD.reason, why).timestamp(new Date(nowMs)),
    );
  };
  const markChanged = async (reason: 'backfill' | 'retention') => {
    const waitMs = lastChangeMarkMs + CHANGE_MARK_INTERVAL_MS - Date.now();
    if (waitMs <= 0) return writeChangeMark(reason);
    // Within the interval: one more mark at its end, so a change right after a mark is never left unmarked.
    trailingMark ??= setTimeout(() => {
      trailingMark = undefined;
      writeChangeMark(reason).catch(() => {}); // the next change marks again
    }, waitMs);
    trailingMark.unref();
  };

  return {
    markChanged,

    async write(thumbnails, statuses) {
      if (thumbnails.length === 0 && statuses.length === 0) return;
      const records: Array<{ status: CameraStatusPoint } | { thumbnail: ThumbnailPoint }> = [
        ...statuses.map((status) => ({ status })),
        ...thumbnails.map((thumbnail) => ({ thumbnail })),
      ];
      await writeInBatches(writeApi, records, (record) =>
        'status' in record ? statusToPoint(record.status) : thumbnailToPoint(record.thumbnail),
      );
    },

    lastIndexedMs: (camera) => newestTime(lastThumbnailQuery(options.bucket, camera)),

    async lastStatus(camera) {
      const rows = await queryApi.collectRows<{ _time: string; _value: boolean | string }>(
        lastStatusQuery(options.bucket, camera),
      );
      let newest: { online: boolean; atMs: number } | null = null;
      // One row per series: a camera whose location changed has two.
      for (const row of rows) {
        const atMs = rfc3339ToMs(row._time);
        if (newest === null || atMs > newest.atMs)
          newest = { atMs, online: row._value === true || row._value === 'true' };
      }
      return newest;
    },

    async writeChunks(chunks) {
      if (chunks.length === 0) return;
      await writeInBatches(chunkWriteApi, chunks, chunkToPoint);
    },

    async writeDetections(points) {
      if (points.length === 0) return;
      await writeInBatches(detectionWriteApi, points, detectionToPoint);
    },

    lastChunkStartMs: (camera) => newestTime(lastChunkQuery(options.bucket, camera)),

    async deleteUpTo(measurement, camera, cutoffMs) {
      // The client library has no delete call (it lives in the separate -apis package): plain HTTP.
      const url = new URL('/api/v2/delete', options.url);
      url.searchParams.set('org', options.org);
      url.searchParams.set('bucket', options.bucket);
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Token ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(deleteRequestBody(measurement, camera, cutoffMs)),
        signal: AbortSignal.timeout(timeoutMs * 6),
      });
      if (!res.ok) throw new Error(`InfluxDB delete failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
      if (measurement === MEASUREMENT.thumbnails) await markChanged('retention');
    },

    async writeStorage(points) {
      if (points.length === 0) return;
      await writeInBatches(storageWriteApi, points, storageToPoint);
    },

    async ensureBucket(name, retentionSeconds) {
      const id = await orgID();
      const found = await api<{ buckets?: unknown[] }>(
        'GET',
        `/api/v2/buckets?orgID=${id}&name=${encodeURIComponent(name)}`,
        undefined,
        { buckets: [] },
      );
      if ((found.buckets?.length ?? 0) > 0) return 'exists';
      await api('POST', '/api/v2/buckets', {
        orgID: id,
        name,
        retentionRules: retentionSeconds > 0 ? [{ type: 'expire', everySeconds: retentionSeconds }] : [],
      });
      return 'created';
    },

    async ensureTask(name, flux) {
      const id = await orgID();
      const found = await api<{ tasks?: { id: string; name: string; flux: string; status: string }[] }>(
        'GET',
        `/api/v2/tasks?orgID=${id}&name=${encodeURIComponent(name)}`,
        undefined,
        { tasks: [] },
      );
      const task = found.tasks?.find((t) => t.name === name);
      if (!task) {
        await api('POST', '/api/v2/tasks', {
          orgID: id,
          flux,
          status: 'active',
          description: 'Fathom: activity per minute',
        });
        return 'created';
      }
      if (task.flux === flux && task.status === 'active') return 'unchanged';
      await api('PATCH', `/api/v2/tasks/${task.id}`, { flux, status: 'active' });
      return 'updated';
    },

    async runScript(flux) {
      // Rows are the written points echoed back: read and dropped.
      await queryApi.collectRows(flux);
    },
  };
}
