/** Prometheus metrics of the feed-handler, on a registry of its own (no global state). */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface CameraGaugeState {
  camera: string;
  online: boolean;
  newestFrameAgeSeconds: number | null;
  indexLagSeconds: number | null;
}

export interface FeedMetrics {
  registry: Registry;
  frames: Counter<'camera'>;
  droppedFrames: Counter<'camera'>;
  restarts: Counter<'camera'>;
  writeFailures: Counter;
  pointsWritten: Counter<'camera' | 'source'>;
  /** Supplies the values that are read at scrape time. */
  bindState(read: () => { cameras: CameraGaugeState[]; bufferDepth: number }): void;
}

export function createFeedMetrics(): FeedMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fathom_feed_' });
  let read: () => { cameras: CameraGaugeState[]; bufferDepth: number } = () => ({ cameras: [], bufferDepth: 0 });

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

  return {
    registry,
    frames,
    droppedFrames,
    restarts,
    writeFailures,
    pointsWritten,
    bindState(fn) {
      read = fn;
    },
  };
}
