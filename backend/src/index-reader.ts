/**
 * Reads the thumbnail index: turns the Flux builders' results (flux/queries.ts, every
 * query parameterised) into frames and camera summaries. Knows the index's shape
 * (contract names, yields, row columns); knows nothing about HTTP.
 */
import { rfc3339ToNs, STATUS_FIELD, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { type FluxRow, InfluxQueryError, type InfluxReader } from './adapters/influx.js';
import { frameKey, type LabelHit, labelsByFrame } from './detection-math.js';
import { rowToLabelHit } from './detection-reader.js';
import {
  batchedSidesQuery,
  bucketExistsQuery,
  cameraIdsQuery,
  camerasAndStatusQuery,
  framesWithMetricsQuery,
  newestFramesQuery,
  wallSidesQuery,
  YIELD,
} from './flux/queries.js';
import { type BatcherStats, createSidesBatcher } from './lookup-batcher.js';
import {
  type Frame,
  findNearest,
  findNearestMany,
  type NearestFrame,
  type NsRange,
  SEARCH_RADII_NS,
  type SidesRequest,
  type SidesResult,
} from './nearest.js';
import { influxTime } from './time-input.js';

export interface CameraStatus {
  online: boolean;
  reason: string;
  sinceNs: bigint;
}

export interface CameraSummary {
  camera: string;
  location: string | null;
  newestFrame: Frame | null;
  status: CameraStatus | null;
}

export interface ThumbnailIndex {
  nearest(tNs: bigint, options: { camera?: string; withinNs?: bigint }): Promise<NearestFrame | null>;
  /** Each camera's frame closest to tNs (a camera wall), in the cameras' order; ring by ring, all cameras in one script. */
  nearestMany(
    tNs: bigint,
    cameras: readonly string[],
    withinNs?: bigint,
    /** `cameras` is every camera in the index: the first ring needs no camera filter. */
    all?: boolean,
  ): Promise<(NearestFrame | null)[]>;
  /** Ids of cameras with frames, sorted (from the tag index; remembered for CAMERA_IDS_TTL_MS). */
  cameraIds(): Promise<string[]>;
  /** Flux requests and lookups so far (metrics: lookups per request). */
  lookupStats(): BatcherStats;
  /** Frames in [startNs, stopNs), oldest first (ties by camera). */
  framesIn(range: NsRange, camera?: string): Promise<Frame[]>;
  cameras(nowNs: bigint): Promise<CameraSummary[]>;
  /** Resolves when InfluxDB answers with our token and the bucket exists; throws otherwise. */
  checkReady(): Promise<void>;
}

const text = (row: FluxRow, column: string): string | undefined => {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
};

/** A thumbnail row as a frame; null for a row that is not one (wrong types, missing columns). */
export function rowToFrame(row: FluxRow): Frame | null {
  const time = text(row, '_time');
  const filepath = text(row, '_value');
  const camera = text(row, TAG.camera);
  if (!time || filepath === undefined || !camera) return null;
  const { ns, iso } = influxTime(time);
  return { camera, location: text(row, TAG.location) ?? '', timeNs: ns, filepath, iso };
}

export function byTimeThenCamera(a: Frame, b: Frame): number {
  if (a.timeNs !== b.timeNs) return a.timeNs < b.timeNs ? -1 : 1;
  return a.camera < b.camera ? -1 : a.camera > b.camera ? 1 : 0;
}

/** Collects one metric row (motion, luma or lighting) under its frame's camera and time. */
function addMetric(metrics: Map<string, NonNullable<Frame['metrics']>>, row: FluxRow): void {
  const time = text(row, '_time');
  const camera = text(row, TAG.camera);
  if (!time || !camera) return;
  const key = `${camera}|${rfc3339ToNs(time)}`;
  const entry = metrics.get(key) ?? {};
  if (row._field === THUMBNAIL_FIELD.motion && typeof row._value === 'number') entry.motion = row._value;
  else if (row._field === THUMBNAIL_FIELD.luma && typeof row._value === 'number') entry.luma = row._value;
  else if (row._field === THUMBNAIL_FIELD.lighting && typeof row._value === 'boolean') entry.lighting = row._value;
  metrics.set(key, entry);
}

/** Of two frames for the same side, the one nearer the instant; equal times go to the smaller camera id (any fixed rule would do). */
function nearerOf(side: 'before' | 'after', current: Frame | null, candidate: Frame): Frame {
  if (!current) return candidate;
  if (candidate.timeNs !== current.timeNs) {
    const later = candidate.timeNs > current.timeNs;
    return side === 'before' ? (later ? candidate : current) : later ? current : candidate;
  }
  return candidate.camera < current.camera ? candidate : current;
}

/** A frame of a whole-ring read goes to the side it lies on: before the after range's start, or after. */
function addToSide(result: SidesResult, frame: Frame, splitNs: bigint | undefined, side?: 'before' | 'after') {
  const which = side ?? (splitNs !== undefined && frame.timeNs < splitNs ? 'before' : 'after');
  result[which] = nearerOf(which, result[which], frame);
}

/**
 * Splits a batched response into each lookup's sides, in order: yields b<i> and a<i> (one row per
 * series), or w<i> (every frame of a whole ring, split at the after range's start).
 */
export function rowsToBatchedSides(rows: FluxRow[], requests: readonly SidesRequest[]): SidesResult[] {
  const results: SidesResult[] = requests.map(() => ({ before: null, after: null }));
  for (const row of rows) {
    const name = typeof row.result === 'string' ? row.result : '';
    if (!/^[abw]\d+$/.test(name)) continue;
    const index = Number(name.slice(1));
    const result = results[index];
    const frame = rowToFrame(row);
    if (!result || !frame) continue;
    const side = name[0] === 'b' ? 'before' : name[0] === 'a' ? 'after' : undefined;
    addToSide(result, frame, requests[index]?.after?.startNs, side);
  }
  return results;
}

/** Splits a wall response (yields before/after, one row per series, or `whole`) into each camera's sides. */
export function rowsToWallSides(rows: FluxRow[], cameras: readonly string[], request: SidesRequest): SidesResult[] {
  const byCamera = new Map<string, SidesResult>(cameras.map((camera) => [camera, { before: null, after: null }]));
  for (const row of rows) {
    const frame = rowToFrame(row);
    const result = frame && byCamera.get(frame.camera);
    if (!frame || !result) continue;
    const side = row.result === YIELD.before ? 'before' : row.result === YIELD.after ? 'after' : undefined;
    addToSide(result, frame, request.after?.startNs, side);
  }
  return cameras.map((camera) => byCamera.get(camera) as SidesResult);
}

interface StatusParts {
  online?: { value: boolean; timeNs: bigint; location: string | undefined };
  reason?: string;
}

/** Combines the camera-id, status and newest-frame rows into one summary per camera, sorted by id. */
export function summariseCameras(
  idRows: FluxRow[],
  statusRows: FluxRow[],
  newest: Map<string, Frame>,
): CameraSummary[] {
  const ids = new Set<string>();
  for (const row of idRows) {
    const id = text(row, '_value') ?? text(row, TAG.camera);
    if (id) ids.add(id);
  }
  const statusByCamera = new Map<string, StatusParts>();
  for (const row of statusRows) {
    const camera = text(row, TAG.camera);
    const time = text(row, '_time');
    if (!camera || !time) continue;
    ids.add(camera);
    const parts = statusByCamera.get(camera) ?? {};
    if (row._field === STATUS_FIELD.online && typeof row._value === 'boolean') {
      parts.online = { value: row._value, timeNs: rfc3339ToNs(time), location: text(row, TAG.location) };
    } else if (row._field === STATUS_FIELD.reason && typeof row._value === 'string') {
      parts.reason = row._value;
    }
    statusByCamera.set(camera, parts);
  }
  return [...ids].sort().map((camera) => {
    const parts = statusByCamera.get(camera);
    const newestFrame = newest.get(camera) ?? null;
    const status: CameraStatus | null = parts?.online
      ? { online: parts.online.value, reason: parts.reason ?? '', sinceNs: parts.online.timeNs }
      : null;
    // The newer of the two points knows the camera's current location.
    const location =
      newestFrame && (!parts?.online || newestFrame.timeNs >= parts.online.timeNs)
        ? newestFrame.location
        : (parts?.online?.location ?? newestFrame?.location ?? null);
    return { camera, location, newestFrame, status };
  });
}

/** How nearest lookups share Flux requests (lookup-batcher.ts); maxBatch 1 is one request per lookup. */
export interface LookupBatching {
  maxInFlight: number;
  maxBatch: number;
}

export const CAMERA_IDS_TTL_MS = 10_000;

export const DEFAULT_LOOKUP_BATCHING: LookupBatching = { maxInFlight: 2, maxBatch: 16 };

export function createThumbnailIndex(
  influx: InfluxReader,
  bucket: string,
  batching: LookupBatching = DEFAULT_LOOKUP_BATCHING,
): ThumbnailIndex {
  let cameraIdsCache: { atMs: number; ids: string[] } | undefined;
  const batcher = createSidesBatcher(
    async (lookups) => {
      const label = lookups.length === 1 ? 'nearest' : 'nearest_batch';
      const rows = await influx.query(batchedSidesQuery(bucket, lookups), label);
      return rowsToBatchedSides(
        rows,
        lookups.map((lookup) => lookup.request),
      );
    },
    {
      ...batching,
      // A query InfluxDB refused (our bug, or one odd lookup) is retried alone so the rest still answer.
      isolate: (error) => error instanceof InfluxQueryError && error.kind === 'rejected',
    },
  );
  return {
    nearest(tNs, { camera, withinNs }) {
      const findSides = (request: SidesRequest) => batcher.find({ camera, request });
      return findNearest(findSides, tNs, withinNs);
    },

    nearestMany(tNs, cameras, withinNs, all = false) {
      // Every step asks one ring of all cameras still open: two chains, however many cameras.
      return findNearestMany(
        async (open: string[], requests: SidesRequest[]) => {
          const ring = requests[0] as SidesRequest;
          const everyCamera = all && open.length === cameras.length;
          const rows = await influx.query(wallSidesQuery(bucket, everyCamera ? undefined : open, ring), 'wall');
          return rowsToWallSides(rows, open, ring);
        },
        cameras,
        tNs,
        withinNs,
      );
    },

    lookupStats: () => batcher.stats(),

    async cameraIds() {
      // A wall asks for every camera on each scrub step; a new camera may take this long to appear.
      if (!cameraIdsCache || Date.now() - cameraIdsCache.atMs > CAMERA_IDS_TTL_MS) {
        const rows = await influx.query(cameraIdsQuery(bucket), 'camera_ids');
        const ids = [
          ...new Set(rows.map((row) => text(row, '_value')).filter((id): id is string => Boolean(id))),
        ].sort();
        cameraIdsCache = { atMs: Date.now(), ids };
      }
      return [...cameraIdsCache.ids];
    },

    async framesIn(range, camera) {
      const rows = await influx.query(framesWithMetricsQuery(bucket, camera, range), 'frames_in_range');
      const frames: Frame[] = [];
      const metrics = new Map<string, NonNullable<Frame['metrics']>>();
      const hits: LabelHit[] = [];
      for (const row of rows) {
        if (row.result === YIELD.metrics) addMetric(metrics, row);
        else if (row.result === YIELD.labels) {
          const hit = rowToLabelHit(row);
          if (hit) hits.push(hit);
        } else {
          const frame = rowToFrame(row);
          if (frame) frames.push(frame);
        }
      }
      if (metrics.size > 0) {
        for (const frame of frames) {
          const found = metrics.get(`${frame.camera}|${frame.timeNs}`);
          if (found) frame.metrics = found;
        }
      }
      if (hits.length > 0) {
        const labels = labelsByFrame(hits);
        for (const frame of frames) {
          const found = labels.get(frameKey(frame.camera, frame.timeNs));
          if (found) frame.labels = found;
        }
      }
      // One table per series, each in time order: the sort merges them (ties by camera).
      return frames.sort(byTimeThenCamera);
    },

    async cameras(nowNs) {
      const rows = await influx.query(camerasAndStatusQuery(bucket), 'cameras');
      const idRows = rows.filter((row) => row.result === YIELD.cameras);
      const statusRows = rows.filter((row) => row.result === YIELD.status);
      const withFrames = new Set(idRows.map((row) => text(row, '_value')).filter(Boolean));
      // Newest frame per camera, widening back from now like the nearest search, so a
      // live system answers from the last minute and an idle one still finds old frames.
      const newest = new Map<string, Frame>();
      for (const radiusNs of SEARCH_RADII_NS) {
        if (newest.size >= withFrames.size) break;
        for (const row of await influx.query(newestFramesQuery(bucket, nowNs - radiusNs), 'newest_frames')) {
          const frame = rowToFrame(row);
          if (frame) newest.set(frame.camera, frame);
        }
      }
      return summariseCameras(idRows, statusRows, newest);
    },

    async checkReady() {
      const rows = await influx.query(bucketExistsQuery(bucket), 'readiness');
      if (rows.length === 0) throw new Error(`bucket "${bucket}" does not exist or the token cannot read it`);
    },
  };
}
