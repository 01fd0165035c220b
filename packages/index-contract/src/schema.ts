/**
 * The index contract: the names the feed-handler writes and the backend reads.
 * Defined once so the writer and the reader can never disagree on a name.
 */

/** Default bucket. Both services read the actual name from their config. */
export const DEFAULT_BUCKET = 'fathom';

export const MEASUREMENT = {
  /** One point per thumbnail JPEG. The name is the seed's, kept for compatibility. */
  thumbnails: 'filepaths',
  /** Camera online/offline transitions, so gaps in footage are data, not guesses. */
  cameraStatus: 'camera_status',
  /** One point per finished video chunk. */
  chunks: 'chunks',
} as const;

export const TAG = {
  camera: 'camera',
  location: 'location',
} as const;

export const THUMBNAIL_FIELD = {
  /** Path of the JPEG relative to THUMBNAIL_DIR, always with forward slashes. */
  filepath: 'filepath',
  bytes: 'bytes',
  width: 'width',
  height: 'height',
} as const;

export const STATUS_FIELD = {
  /** true when the camera delivers frames, false when it stopped. */
  online: 'online',
  /** Why the state changed, e.g. "stalled", "exited", "first-frame". */
  reason: 'reason',
} as const;

export const CHUNK_FIELD = {
  filepath: 'filepath',
  start: 'start',
  end: 'end',
  bytes: 'bytes',
} as const;

/** A thumbnail as indexed: the time of the point is the frame's capture time. */
export interface ThumbnailPoint {
  camera: string;
  location: string;
  /** Capture time, epoch milliseconds (UTC). The point's time. */
  capturedAtMs: number;
  /** Relative to THUMBNAIL_DIR, e.g. "cam1/2026/11/25/15/1795618800123.jpg". */
  filepath: string;
  bytes: number;
  width: number;
  height: number;
}

export interface CameraStatusPoint {
  camera: string;
  location: string;
  atMs: number;
  online: boolean;
  reason: string;
}

/**
 * Camera ids become tag values, directory names and URL segments, so they are
 * restricted to a safe alphabet: no slashes, dots first, spaces or quotes.
 */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isCameraId(value: string): boolean {
  return CAMERA_ID_PATTERN.test(value);
}
