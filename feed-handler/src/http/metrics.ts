/** Prometheus metrics of the feed-handler, on a registry of its own (no global state). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RestreamState } from '../restream/restream-state.js';

export interface CameraGaugeState {
  camera: string;
  online: boolean;
  newestFrameAgeSeconds: number | null;
  indexLagSeconds: number | null;
}

/** Disk use as the last retention sweep saw it (retention.ts StorageState, reduced to what metrics show). */
export interface StorageGaugeState {
  cameras: { camera: string; thumbnailBytes: number; chunkBytes: number; oldestMs: number | null }[];
  volumes: { id: string; freeBytes: number }[];
  usedBytes: number;
  daysLeft: number | null;
  lastSweepSeconds: number | null;
}

/** One restream target as the metrics show it: never its URL or key, only the camera and the target's name. */
export interface RestreamGaugeState {
  camera: string;
  target: string;
  state: RestreamState;
  uptimeSeconds: number;
  bytesSent: number;
  restarts: number;
}

/** The detector as the metrics show it (analysis/detection's DetectorSnapshot, reduced). */
export interface DetectorGaugeState {
  state: 'loading' | 'ready' | 'failing' | 'stopped';
  queued: number;
  restarts: number;
}

const RESTREAM_STATES: readonly RestreamState[] = ['off', 'starting', 'live', 'failing'];

export interface FeedMetrics {
  registry: Registry;
  frames: Counter<'camera'>;
  droppedFrames: Counter<'camera'>;
  restarts: Counter<'camera'>;
  writeFailures: Counter;
  pointsWritten: Counter<'camera' | 'source'>;
  chunks: Counter<'camera'>;
  chunkFailures: Counter<'camera'>;
  /** Frames decoded but not written to disk (permissions, full disk). */
  storeFailures: Counter<'camera'>;
  /** Thumbnails whose analysis frame did not come (indexed without motion fields). */
  analysisMissing: Counter<'camera'>;
  retentionDeletedFiles: Counter<'kind' | 'reason'>;
  retentionDeletedBytes: Counter<'kind' | 'reason'>;
  /** Supplies the values that are read at scrape time. */
  bindState(read: () => { cameras: CameraGaugeState[]; bufferDepth: number }): void;
  bindStorage(read: () => StorageGaugeState | null): void;
  bindRestreams(read: () => RestreamGaugeState[]): void;
  /** Frames the detector looked at, by camera and outcome (analysed, dropped from a full queue, failed). */
  detectorFrames: Counter<'camera' | 'outcome'>;
  /** Labels stored, by camera and label (one per frame and label). */
  detections: Counter<'camera' | 'label'>;
  /** Inference time per frame in the worker. */
  detectorInference: Histogram;
  /** From a frame's capture to its detection point accepted by InfluxDB. */
  detectionLatency: Histogram;
  /** Detection points dropped while InfluxDB refused writes for too long. */
  detectionPointsDropped: Counter;
  bindDetector(read: () => DetectorGaugeState | null): void;
}

export function createFeedMetrics(): FeedMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fathom_feed_' });
  let read: () => { cameras: CameraGaugeState[]; bufferDepth: number } = () => ({ cameras: [], bufferDepth: 0 });
  let readStorage: () => StorageGaugeState | null = () => null;
  let readRestreams: () => RestreamGaugeState[] = () => [];

  const chunks = new Counter({
    name: 'fathom_feed_chunks_total',
    help: 'Video chunks published (renamed to their final name)',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const chunkFailures = new Counter({
    name: 'fathom_feed_chunk_failures_total',
    help: 'Chunks ffmpeg finished that never became a whole MP4 (left in staging)',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const storeFailures = new Counter({
    name: 'fathom_feed_store_failures_total',
    help: 'Thumbnails decoded but not written to disk (a volume it may not write, a full disk)',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const analysisMissing = new Counter({
    name: 'fathom_feed_analysis_missing_total',
    help: 'Thumbnails indexed without motion fields because their analysis frame did not come',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const retentionDeletedFiles = new Counter({
    name: 'fathom_feed_retention_deleted_files_total',
    help: 'Files deleted by retention, by kind (thumbnail, chunk) and reason (age, budget, free-space)',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
  });
  const retentionDeletedBytes = new Counter({
    name: 'fathom_feed_retention_deleted_bytes_total',
    help: 'Bytes deleted by retention, by kind and reason',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'fathom_feed_storage_bytes',
    help: 'Bytes of footage on disk per camera and kind, at the last retention sweep',
    labelNames: ['camera', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of readStorage()?.cameras ?? []) {
        this.set({ camera: c.camera, kind: 'thumbnail' }, c.thumbnailBytes);
        this.set({ camera: c.camera, kind: 'chunk' }, c.chunkBytes);
      }
    },
  });
  new Gauge({
    name: 'fathom_feed_oldest_footage_timestamp_seconds',
    help: 'Capture time (unix seconds) of the oldest file on disk per camera',
    labelNames: ['camera'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of readStorage()?.cameras ?? [])
        if (c.oldestMs !== null) this.set({ camera: c.camera }, c.oldestMs / 1000);
    },
  });
  new Gauge({
    name: 'fathom_feed_storage_forecast_days_left',
    help: 'Days until the disk budget or the free-space floor starts deleting footage, at the recent growth rate',
    registers: [registry],
    collect() {
      this.reset();
      const days = readStorage()?.daysLeft;
      if (days !== null && days !== undefined && Number.isFinite(days)) this.set(days);
    },
  });
  new Gauge({
    name: 'fathom_feed_storage_used_bytes',
    help: 'Bytes of footage on disk, all cameras',
    registers: [registry],
    collect() {
      this.reset();
      const state = readStorage();
      if (state) this.set(state.usedBytes);
    },
  });
  new Gauge({
    name: 'fathom_feed_volume_free_bytes',
    help: 'Free bytes on each footage filesystem (by device id)',
    labelNames: ['volume'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const v of readStorage()?.volumes ?? []) this.set({ volume: v.id }, v.freeBytes);
    },
  });
  new Gauge({
    name: 'fathom_feed_retention_last_sweep_seconds',
    help: 'How long the last retention sweep took',
    registers: [registry],
    collect() {
      this.reset();
      const seconds = readStorage()?.lastSweepSeconds;
      if (seconds !== null && seconds !== undefined) this.set(seconds);
    },
  });

  const frames = new Counter({
    name: 'fathom_feed_frames_total',
    help: 'Thumbnails written to disk',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const droppedFrames = new Counter({
    name: 'fathom_feed_frames_dropped_total',
    help: 'Frames dropped because their time was not close to now',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'fathom_feed_ffmpeg_restarts_total',
    help: 'ffmpeg restarts after an exit or a stall',
    labelNames: ['camera'] as const,
    registers: [registry],
  });
  const writeFailures = new Counter({
    name: 'fathom_feed_index_write_failures_total',
    help: 'Failed InfluxDB writes or queries (each is retried)',
    registers: [registry],
  });
  const pointsWritten = new Counter({
    name: 'fathom_feed_index_points_written_total',
    help: 'Thumbnail points accepted by InfluxDB, live or reconciled from disk',
    labelNames: ['camera', 'source'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'fathom_feed_newest_frame_age_seconds',
    help: 'Seconds since the newest frame of each camera arrived',
    labelNames: ['camera'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of read().cameras) {
        if (c.newestFrameAgeSeconds !== null) this.set({ camera: c.camera }, c.newestFrameAgeSeconds);
      }
    },
  });
  new Gauge({
    name: 'fathom_feed_index_lag_seconds',
    help: 'Capture time of the newest thumbnail minus that of the newest indexed point',
    labelNames: ['camera'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of read().cameras) {
        if (c.indexLagSeconds !== null) this.set({ camera: c.camera }, c.indexLagSeconds);
      }
    },
  });
  new Gauge({
    name: 'fathom_feed_camera_online',
    help: '1 while the camera delivers frames',
    labelNames: ['camera'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of read().cameras) this.set({ camera: c.camera }, c.online ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fathom_feed_index_buffer_depth',
    help: 'Points waiting in memory for InfluxDB',
    registers: [registry],
    collect() {
      this.set(read().bufferDepth);
    },
  });

  new Gauge({
    name: 'fathom_feed_restream_state',
    help: 'Restream target state: 1 for the current one of off, starting, live, failing',
    labelNames: ['camera', 'target', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of readRestreams()) {
        for (const state of RESTREAM_STATES)
          this.set({ camera: r.camera, target: r.target, state }, r.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'fathom_feed_restream_uptime_seconds',
    help: 'Seconds the restream target has been live without a break (0 unless live)',
    labelNames: ['camera', 'target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of readRestreams()) this.set({ camera: r.camera, target: r.target }, r.uptimeSeconds);
    },
  });
  // Read from the supervisors at scrape time; they only grow while the process runs.
  new Counter({
    name: 'fathom_feed_restream_sent_bytes_total',
    help: 'Bytes sent to the restream target (FLV, all runs of its ffmpeg)',
    labelNames: ['camera', 'target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of readRestreams()) this.inc({ camera: r.camera, target: r.target }, r.bytesSent);
    },
  });
  new Counter({
    name: 'fathom_feed_restream_restarts_total',
    help: 'Restream attempts that failed and were retried (after a backoff)',
    labelNames: ['camera', 'target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of readRestreams()) this.inc({ camera: r.camera, target: r.target }, r.restarts);
    },
  });

  let readDetector: () => DetectorGaugeState | null = () => null;
  const detectorFrames = new Counter({
    name: 'fathom_feed_detector_frames_total',
    help: 'Frames offered to the object detector, by outcome: analysed, dropped (queue full), failed',
    labelNames: ['camera', 'outcome'] as const,
    registers: [registry],
  });
  const detections = new Counter({
    name: 'fathom_feed_detections_total',
    help: 'Detection points stored (one per frame and label)',
    labelNames: ['camera', 'label'] as const,
    registers: [registry],
  });
  const detectorInference = new Histogram({
    name: 'fathom_feed_detector_inference_seconds',
    help: 'Time the detector thread took per frame (decode, letterbox, model)',
    buckets: [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5],
    registers: [registry],
  });
  const detectionLatency = new Histogram({
    name: 'fathom_feed_detection_latency_seconds',
    help: 'From a frame’s capture to its detection point accepted by InfluxDB',
    buckets: [0.5, 1, 1.5, 2, 3, 5, 10, 30, 60],
    registers: [registry],
  });
  const detectionPointsDropped = new Counter({
    name: 'fathom_feed_detection_points_dropped_total',
    help: 'Detection points dropped because InfluxDB refused writes for longer than the queue holds',
    registers: [registry],
  });
  new Gauge({
    name: 'fathom_feed_detector_up',
    help: '1 when the detector is enabled and ready, 0 while it loads or fails (absent when disabled)',
    registers: [registry],
    collect() {
      this.reset();
      const d = readDetector();
      if (d) this.set(d.state === 'ready' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fathom_feed_detector_queue_depth',
    help: 'Frames waiting for the detector, all cameras',
    registers: [registry],
    collect() {
      this.reset();
      const d = readDetector();
      if (d) this.set(d.queued);
    },
  });
  new Gauge({
    name: 'fathom_feed_detector_restarts',
    help: 'Times the detector thread was replaced (load failure, crash, stall) since start',
    registers: [registry],
    collect() {
      this.reset();
      const d = readDetector();
      if (d) this.set(d.restarts);
    },
  });

  return {
    registry,
    detectorFrames,
    detections,
    detectorInference,
    detectionLatency,
    detectionPointsDropped,
    bindDetector(fn) {
      readDetector = fn;
    },
    frames,
    droppedFrames,
    restarts,
    writeFailures,
    pointsWritten,
    chunks,
    chunkFailures,
    storeFailures,
    analysisMissing,
    retentionDeletedFiles,
    retentionDeletedBytes,
    bindState(fn) {
      read = fn;
    },
    bindStorage(fn) {
      readStorage = fn;
    },
    bindRestreams(fn) {
      readRestreams = fn;
    },
  };
}
