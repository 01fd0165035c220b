/**
 * The query bench's data: pure definitions and line-protocol generation, shaped
 * exactly like the feed-handler's points (contract names, thumbnailRelativePath, ms precision).
 *
 * Three buckets in one influxd, so "1 day" and "30 days" are measured in the same run
 * against the same server and differ only in how much footage precedes the lookup:
 * - `day1`:       1 camera, 1 day  (86,400 points)
 * - `day30`:      1 camera, 30 days (2,592,000 points)
 * - `cams10day7`: 10 cameras, 7 days each (6,048,000 points)
 * Every set ends at the same fixed instant, so the data (and the cache) never depend on
 * when the bench runs.
 */
import { MEASUREMENT, TAG, THUMBNAIL_FIELD, thumbnailRelativePath } from '@fathom/index-contract';

/** Bump when anything below changes: the cache directory is keyed by it. */
export const DATASET_VERSION = 'v1';

/** 2026-11-01T00:00:00Z: the end (exclusive) of every data set. */
export const DATA_END_MS = Date.UTC(2026, 10, 1);

const DAY_MS = 86_400_000;
export const FRAME_INTERVAL_MS = 1000;

export interface CameraSpec {
  camera: string;
  location: string;
  /** Milliseconds after each whole second: cameras are not in lockstep, as in real life. */
  offsetMs: number;
}

export interface DatasetSpec {
  key: 'day1' | 'day30' | 'cams10day7';
  bucket: string;
  label: string;
  days: number;
  cameras: CameraSpec[];
  startMs: number;
  endMs: number;
}

const camera = (i: number, location: string): CameraSpec => ({
  camera: `cam-${String(i).padStart(2, '0')}`,
  location,
  offsetMs: 37 + i * 97,
});

function dataset(key: DatasetSpec['key'], label: string, days: number, cameras: CameraSpec[]): DatasetSpec {
  return {
    key,
    bucket: `bench-${key}`,
    label,
    days,
    cameras,
    startMs: DATA_END_MS - days * DAY_MS,
    endMs: DATA_END_MS,
  };
}

export const DATASETS: readonly DatasetSpec[] = [
  dataset('day1', '1 day, 1 camera', 1, [camera(0, 'driveway')]),
  dataset('day30', '30 days, 1 camera', 30, [camera(0, 'driveway')]),
  dataset(
    'cams10day7',
    '7 days, 10 cameras',
    7,
    Array.from({ length: 10 }, (_, i) => camera(i, ['driveway', 'porch', 'garage', 'yard', 'gate'][i % 5] as string)),
  ),
];

export function framesPerCamera(spec: DatasetSpec): number {
  return Math.floor((spec.endMs - spec.startMs) / FRAME_INTERVAL_MS);
}

export function pointCount(spec: DatasetSpec): number {
  return framesPerCamera(spec) * spec.cameras.length;
}

/** A plausible JPEG size that varies frame to frame (so the column does not compress to nothing). */
export function frameBytes(cameraIndex: number, frame: number): number {
  let h = Math.imul(frame ^ (cameraIndex * 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return 18_000 + ((h >>> 0) % 14_000);
}

/** One thumbnail point as line protocol at ms precision, as the feed-handler writes it. */
export function thumbnailLine(cam: CameraSpec, cameraIndex: number, frame: number, timeMs: number): string {
  const filepath = thumbnailRelativePath(cam.camera, timeMs);
  // Camera ids and locations are [A-Za-z0-9_-] and paths add only "/" and ".", so nothing needs escaping.
  return `${MEASUREMENT.thumbnails},${TAG.camera}=${cam.camera},${TAG.location}=${cam.location} ${THUMBNAIL_FIELD.filepath}="${filepath}",${THUMBNAIL_FIELD.bytes}=${frameBytes(cameraIndex, frame)}i,${THUMBNAIL_FIELD.width}=320i,${THUMBNAIL_FIELD.height}=180i ${timeMs}`;
}

/** The capture time of a camera's n-th frame. */
export function frameTimeMs(spec: DatasetSpec, cam: CameraSpec, frame: number): number {
  return spec.startMs + frame * FRAME_INTERVAL_MS + cam.offsetMs;
}

/**
 * Batches of line protocol, time-major (every camera's frame n, then n + 1, ...), the order
 * a live system writes in: InfluxDB's cache and TSM files then see the data as in production.
 */
export function* lineBatches(spec: DatasetSpec, linesPerBatch: number): Generator<string[]> {
  const frames = framesPerCamera(spec);
  let batch: string[] = [];
  for (let frame = 0; frame < frames; frame++) {
    for (let c = 0; c < spec.cameras.length; c++) {
      const cam = spec.cameras[c] as CameraSpec;
      batch.push(thumbnailLine(cam, c, frame, frameTimeMs(spec, cam, frame)));
      if (batch.length >= linesPerBatch) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}
