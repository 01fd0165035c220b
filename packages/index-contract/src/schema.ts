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
  /** Disk use per camera, written by the feed-handler after each retention sweep. */
  storage: 'storage',
  /** Motion per camera and minute, in the activity bucket (see ACTIVITY_FIELD). */
  activity: 'activity',
  /**
   * A point each time the past changed: thumbnails indexed late (backfill after an outage) or
   * deleted (retention). The newest one's time is the index's generation: the backend's cache of
   * settled answers keys on it, so an answer cached before the change is not served after it.
   */
  indexChanges: 'index_changes',
  /**
   * What the object detector saw on a thumbnail: one point per frame and label (tags camera,
   * location, label), at the frame's capture time. See DETECTION_FIELD.
   */
  detections: 'detections',
} as const;

/** Tag of a detections point besides camera and location: the COCO class name, e.g. "person". */
export const DETECTION_TAG = {
  label: 'label',
} as const;

export const DETECTION_FIELD = {
  /** The best score of the label's objects on the frame, 0..1. */
  score: 'score',
  /** The best object's box as "x1,y1,x2,y2", fractions 0..1 of the frame's width and height. */
  box: 'box',
  /** How many objects of the label the frame showed (at or above the detector's minimum score). */
  count: 'count',
  /** The thumbnail's path relative to THUMBNAIL_DIR (the same as its `filepaths` point's). */
  filepath: 'filepath',
} as const;

/** One point of the detections measurement: the best object of one label on one frame. */
export interface DetectionPoint {
  camera: string;
  location: string;
  /** The frame's capture time, epoch ms: the point's time, equal to its thumbnail point's. */
  capturedAtMs: number;
  label: string;
  score: number;
  /** [x1, y1, x2, y2], fractions of the frame. */
  box: readonly [number, number, number, number];
  count: number;
  filepath: string;
}

/** "x1,y1,x2,y2" with 4 decimals: the box field's text. */
export function formatDetectionBox(box: readonly [number, number, number, number]): string {
  return box.map((v) => Math.min(1, Math.max(0, v)).toFixed(4)).join(',');
}

/** The box field back as numbers; null when it is not four fractions. */
export function parseDetectionBox(text: string): [number, number, number, number] | null {
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v) || v < 0 || v > 1)) return null;
  return [parts[0] as number, parts[1] as number, parts[2] as number, parts[3] as number];
}

export const INDEX_CHANGE_FIELD = {
  /** "backfill" or "retention". */
  reason: 'reason',
} as const;

/** The activity bucket's name when none is configured: the index bucket's plus this suffix. */
export const ACTIVITY_BUCKET_SUFFIX = '_activity';

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
  /**
   * Motion since the previous thumbnail of the camera: the share of the picture that changed,
   * 0..1, after a global brightness change is taken out. Absent on points written before
   * motion was measured, and on a camera's first frame after a start (nothing to compare).
   */
  motion: 'motion',
  /** Where it changed: a 16 × 9 grid of levels 0..3 (see motion-grid.ts), 48 characters. */
  grid: 'grid',
  /** Mean brightness of the frame, 0..255. */
  luma: 'luma',
  /** true when the change was global (lights, IR switching): then `motion` is 0, not counted as motion. */
  lighting: 'lighting',
} as const;

/** Per camera and minute in the activity bucket; the point's time is the minute's start. */
export const ACTIVITY_FIELD = {
  /** Highest `motion` of the minute's thumbnails. */
  motionMax: 'motion_max',
  /** Sum of `motion` over the minute (mean = sum / frames). */
  motionSum: 'motion_sum',
  /** Thumbnails with a motion value in the minute: coverage. */
  frames: 'frames',
} as const;

/** The per-thumbnail analysis, written as fields of the thumbnail's own point. */
export interface FrameMetrics {
  motion: number;
  grid: string;
  luma: number;
  lighting: boolean;
}

export const STATUS_FIELD = {
  /** true when the camera delivers frames, false when it stopped. */
  online: 'online',
  /** Why the state changed, e.g. "stalled", "exited", "first-frame". */
  reason: 'reason',
} as const;

export const CHUNK_FIELD = {
  /** Path of the MP4 relative to CHUNK_DIR, forward slashes (see chunkRelativePath). */
  filepath: 'filepath',
  /** Capture time of the first frame, epoch ms (also the point's time). */
  start: 'start',
  /** Capture time where the chunk ends (the next chunk's first frame), epoch ms. */
  end: 'end',
  bytes: 'bytes',
} as const;

export const STORAGE_FIELD = {
  thumbnailBytes: 'thumbnail_bytes',
  chunkBytes: 'chunk_bytes',
  /** Capture time of the camera's oldest file on disk, epoch ms; absent when it has none. */
  oldestMs: 'oldest_ms',
  /** Forecast days until the disk budget starts deleting footage (same for every camera); absent when unknown. */
  daysLeft: 'days_left',
} as const;

/** A finished video chunk as indexed: the point's time is its start. */
export interface ChunkPoint {
  camera: string;
  location: string;
  startMs: number;
  endMs: number;
  /** Relative to CHUNK_DIR, e.g. "cam1/2026/11/25/15/1795618800123-1795619400000.mp4". */
  filepath: string;
  bytes: number;
}

export interface StoragePoint {
  camera: string;
  location: string;
  atMs: number;
  thumbnailBytes: number;
  chunkBytes: number;
  oldestMs: number | null;
  daysLeft: number | null;
}

/** Where chunks go when CHUNK_DIR is not set: a folder in THUMBNAIL_DIR no camera id can name. */
export const DEFAULT_CHUNK_SUBDIR = '_chunks';

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
  /** Absent when the frame was not analysed (the first after a start, or an old point). */
  metrics?: FrameMetrics;
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
