/**
 * The export bench's camera-day, as pure data: capture times, file names, the index points
 * (built by the feed-handler's own thumbnailToPoint), the ffmpeg arguments that make the
 * distinct stills, and the POST /exports body.
 *
 * One camera, one still a second from 2026-10-01T00:00Z (37 ms past each second, as a live
 * camera is never on the second), 640×360 JPEGs at the feed-handler's MJPEG quality (q 5).
 * Only `distinct` JPEGs are encoded; still i is a hard link to JPEG i mod distinct, under the
 * name the feed-handler would have given it (thumbnailRelativePath).
 */
import { thumbnailRelativePath } from '@fathom/index-contract';
import { thumbnailToPoint } from '../../feed-handler/src/index/influx.js';

/** Bump when anything below changes what is on disk, so an old cache is never measured as a new one. */
export const DATASET_VERSION = 1;
export const EXPORT_CAMERA = 'bench-export';
export const EXPORT_LOCATION = 'bench';
export const DAY_START_MS = Date.UTC(2026, 9, 1);
/** Capture time past each whole second. */
export const OFFSET_MS = 37;
export const STILL_SIZE = { width: 640, height: 360 } as const;
/** The feed-handler's default THUMBNAIL_QUALITY (ffmpeg -q:v). */
export const STILL_QUALITY = 5;

export function stillTimeMs(index: number): number {
  return DAY_START_MS + index * 1000 + OFFSET_MS;
}

/** The distinct JPEG behind still `index`. */
export function sourceIndex(index: number, distinct: number): number {
  return index % distinct;
}

export function distinctFileName(index: number): string {
  return `${String(index).padStart(6, '0')}.jpg`;
}

/** Where still `index` lives under THUMBNAIL_DIR. */
export function stillRelativePath(index: number): string {
  return thumbnailRelativePath(EXPORT_CAMERA, stillTimeMs(index));
}

/** The folder (cache key) of the distinct JPEGs: every parameter that shapes them is in the name. */
export function distinctDirName(distinct: number): string {
  return `stills-v${DATASET_VERSION}-${STILL_SIZE.width}x${STILL_SIZE.height}-q${STILL_QUALITY}-n${distinct}`;
}

/**
 * testsrc2 (moving shapes and a counter, different every second) under light temporal noise,
 * so the JPEGs are as large and as costly to decode as camera thumbnails (about 17 KB each).
 */
export function distinctStillsArgs(distinct: number, outputDir: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${STILL_SIZE.width}x${STILL_SIZE.height}:rate=1,noise=alls=10:allf=t+u`,
    '-frames:v',
    String(distinct),
    '-q:v',
    String(STILL_QUALITY),
    '-start_number',
    '0',
    `${outputDir}/%06d.jpg`,
  ];
}

/** Still `index`'s index point, as line protocol at ms precision, exactly as the feed-handler builds it. */
export function stillLine(index: number, bytes: number): string {
  const point = thumbnailToPoint({
    camera: EXPORT_CAMERA,
    location: EXPORT_LOCATION,
    capturedAtMs: stillTimeMs(index),
    filepath: stillRelativePath(index),
    bytes,
    width: STILL_SIZE.width,
    height: STILL_SIZE.height,
  });
  const line = point.toLineProtocol({
    convertTime: (value) => (value instanceof Date ? String(value.getTime()) : undefined),
  });
  if (!line) throw new Error(`still ${index} has no line protocol`);
  return line;
}

/** The POST /exports body for the first `stills` seconds of the day: from/to in unix seconds, [from, to). */
export function exportRequestBody(options: { stills: number; fps: number; width: number; burnIn: boolean }) {
  return {
    camera: EXPORT_CAMERA,
    from: DAY_START_MS / 1000,
    to: DAY_START_MS / 1000 + options.stills,
    fps: options.fps,
    width: options.width,
    burnIn: options.burnIn,
  };
}
