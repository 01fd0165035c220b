import { isCameraId } from './schema.js';

/**
 * Thumbnail file naming: <camera>/<YYYY>/<MM>/<DD>/<HH>/<epoch-ms>.jpg, in UTC.
 * The name carries the capture time, so the files on disk can always rebuild
 * the index (reconciliation after an outage or a crash).
 */

const pad2 = (n: number) => String(n).padStart(2, '0');

export function thumbnailDir(camera: string, capturedAtMs: number): string {
  const d = new Date(capturedAtMs);
  return [
    camera,
    String(d.getUTCFullYear()),
    pad2(d.getUTCMonth() + 1),
    pad2(d.getUTCDate()),
    pad2(d.getUTCHours()),
  ].join('/');
}

export function thumbnailRelativePath(camera: string, capturedAtMs: number): string {
  if (!isCameraId(camera)) throw new RangeError(`invalid camera id: ${camera}`);
  if (!Number.isSafeInteger(capturedAtMs) || capturedAtMs < 0) {
    throw new RangeError(`invalid capture time: ${capturedAtMs}`);
  }
  return `${thumbnailDir(camera, capturedAtMs)}/${capturedAtMs}.jpg`;
}

const THUMBNAIL_PATH = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(\d{1,15})\.jpg$/;

/** The inverse of thumbnailRelativePath; null for anything that is not exactly such a path. */
export function parseThumbnailPath(relative: string): { camera: string; capturedAtMs: number } | null {
  const m = THUMBNAIL_PATH.exec(relative);
  if (!m) return null;
  const camera = m[1] as string;
  const capturedAtMs = Number(m[6]);
  // The folders must agree with the time in the name, or it is not one of ours.
  if (thumbnailRelativePath(camera, capturedAtMs) !== relative) return null;
  return { camera, capturedAtMs };
}

/**
 * Video chunk naming, relative to CHUNK_DIR:
 * <camera>/<YYYY>/<MM>/<DD>/<HH>/<start-epoch-ms>-<end-epoch-ms>.mp4, UTC, the hour folder of
 * the start. Both capture times are in the name, so the files alone can rebuild the chunk
 * index and retention can date a chunk without opening it.
 */
export function chunkRelativePath(camera: string, startMs: number, endMs: number): string {
  if (!isCameraId(camera)) throw new RangeError(`invalid camera id: ${camera}`);
  for (const ms of [startMs, endMs]) {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`invalid chunk time: ${ms}`);
  }
  if (endMs < startMs) throw new RangeError(`chunk ends before it starts: ${startMs} > ${endMs}`);
  return `${thumbnailDir(camera, startMs)}/${startMs}-${endMs}.mp4`;
}

const CHUNK_PATH = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(\d{1,15})-(\d{1,15})\.mp4$/;

/** The inverse of chunkRelativePath; null for anything that is not exactly such a path. */
export function parseChunkPath(relative: string): { camera: string; startMs: number; endMs: number } | null {
  const m = CHUNK_PATH.exec(relative);
  if (!m) return null;
  const camera = m[1] as string;
  const startMs = Number(m[6]);
  const endMs = Number(m[7]);
  if (endMs < startMs) return null;
  if (chunkRelativePath(camera, startMs, endMs) !== relative) return null;
  return { camera, startMs, endMs };
}
