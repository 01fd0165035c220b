/**
 * The service core: one CameraSupervisor per camera, each frame written to
 * disk and then offered to the IndexWriter; camera status transitions become
 * points too. All outside systems come in as deps.
 */
import { thumbnailRelativePath } from '@fathom/index-contract';
import type { Logger } from 'pino';
import { type CameraSnapshot, CameraSupervisor, type CapturedFrame } from './camera-supervisor.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { FfmpegRunner } from './ffmpeg.js';
import { IndexWriter } from './index-writer.js';
import type { IndexPort } from './influx.js';
import { jpegDimensions } from './jpeg.js';
import type { FeedMetrics } from './metrics.js';
import type { ThumbnailStore } from './thumbnail-store.js';

export interface FeedHandlerDeps {
  config: Pick<
    Config,
    | 'cameras'
    | 'thumbnail'
    | 'decodeMode'
    | 'probeSeconds'
    | 'stallSeconds'
    | 'rtspTimeoutSeconds'
    | 'restartBackoff'
    | 'healthMaxFrameAgeSeconds'
    | 'index'
    | 'shutdownFlushSeconds'
  >;
  clock: Clock;
  log: Logger;
  ffmpeg: Pick<FfmpegRunner, 'spawnCapture' | 'probeKeyframeTimes'>;
  store: ThumbnailStore;
  index: IndexPort;
  metrics: FeedMetrics;
  random?: () => number;
}

export interface CameraHealth {
  camera: string;
  ok: boolean;
  state: CameraSnapshot['state'];
  mode: CameraSnapshot['mode'];
  /** Seconds since the newest frame (or since start, before the first one). */
  frameAgeSeconds: number;
  frames: number;
  restarts: number;
}

export interface HealthReport {
  ok: boolean;
  maxFrameAgeSeconds: number;
  cameras: CameraHealth[];
  index: { pendingPoints: number; writing: boolean; lastError: string | null };
}

export interface FeedHandler {
  start(): void;
  /** Stops every ffmpeg (staged), then flushes pending points for up to SHUTDOWN_FLUSH_SECONDS. */
  stop(): Promise<{ pendingPoints: number }>;
  health(): HealthReport;
}

/** Frames further than this from the clock are not real capture times (ffmpeg's first frame says pts 0). */
const MAX_CLOCK_SKEW_MS = 10_000;
const STOP_GRACE_MS = 2_000;

export function createFeedHandler(deps: FeedHandlerDeps): FeedHandler {
  const { config, clock, log, metrics } = deps;
  const indexWriter = new IndexWriter({
    index: deps.index,
    store: deps.store,
    clock,
    log: log.child({ component: 'index' }),
    cameras: config.cameras,
    settings: {
      batchSize: config.index.batchSize,
      flushMs: config.index.flushMs,
      bufferMax: config.index.bufferMax,
      statusBufferMax: 1_000,
      backoff: { baseMs: 500, maxMs: 10_000, jitter: 0.2 },
    },
    metrics: {
      writeFailed: () => metrics.writeFailures.inc(),
      pointsWritten: (camera, count, source) => metrics.pointsWritten.inc({ camera, source }, count),
    },
    ...(deps.random ? { random: deps.random } : {}),
  });

  const storeFrame = async (frame: CapturedFrame) => {
    const filepath = thumbnailRelativePath(frame.camera, frame.capturedAtMs);
    const size = jpegDimensions(frame.jpeg);
    if (!size) throw new Error(`ffmpeg produced an unreadable JPEG for ${filepath}`);
    await deps.store.write(filepath, frame.jpeg);
    metrics.frames.inc({ camera: frame.camera });
    indexWriter.offer({
      camera: frame.camera,
      location: frame.location,
      capturedAtMs: frame.capturedAtMs,
      filepath,
      bytes: frame.jpeg.length,
      ...size,
    });
  };

  const supervisors = config.cameras.map(
    (camera) =>
      new CameraSupervisor({
        camera,
        settings: {
          width: camera.width ?? config.thumbnail.width,
          quality: config.thumbnail.quality,
          decodeMode: config.decodeMode,
          probeMs: config.probeSeconds * 1000,
          stallMs: config.stallSeconds * 1000,
          socketTimeoutSeconds: config.rtspTimeoutSeconds,
          backoff: { ...config.restartBackoff, jitter: 0.2 },
          stopGraceMs: STOP_GRACE_MS,
          maxClockSkewMs: MAX_CLOCK_SKEW_MS,
          stderrLines: 40,
        },
        ffmpeg: deps.ffmpeg,
        clock,
        log: log.child({ component: 'camera' }),
        onFrame: storeFrame,
        onStatus: (status) => indexWriter.offerStatus({ camera: camera.id, location: camera.location, ...status }),
        onRestart: () => metrics.restarts.inc({ camera: camera.id }),
        ...(deps.random ? { random: deps.random } : {}),
      }),
  );

  const health = (): HealthReport => {
    const now = clock.now();
    const cameras = supervisors.map((supervisor): CameraHealth => {
      const s = supervisor.snapshot();
      const frameAgeSeconds = (now - (s.lastFrameAtMs ?? s.startedAtMs)) / 1000;
      return {
        camera: s.camera,
        ok: frameAgeSeconds <= config.healthMaxFrameAgeSeconds,
        state: s.state,
        mode: s.mode,
        frameAgeSeconds,
        frames: s.frames,
        restarts: s.restarts,
      };
    });
    return {
      ok: cameras.every((c) => c.ok),
      maxFrameAgeSeconds: config.healthMaxFrameAgeSeconds,
      cameras,
      index: {
        pendingPoints: indexWriter.pendingPoints(),
        writing: indexWriter.healthy,
        lastError: indexWriter.lastWriteError,
      },
    };
  };

  metrics.bindState(() => {
    const now = clock.now();
    const indexStates = new Map(indexWriter.cameraStates().map((s) => [s.camera, s]));
    return {
      bufferDepth: indexWriter.pendingPoints(),
      cameras: supervisors.map((supervisor) => {
        const s = supervisor.snapshot();
        const index = indexStates.get(s.camera);
        const lag =
          index?.newestOfferedMs != null && typeof index.cursorMs === 'number'
            ? Math.max(0, index.newestOfferedMs - index.cursorMs) / 1000
            : null;
        return {
          camera: s.camera,
          online: s.state === 'online',
          newestFrameAgeSeconds: s.lastFrameAtMs === null ? null : (now - s.lastFrameAtMs) / 1000,
          indexLagSeconds: lag,
        };
      }),
    };
  });

  return {
    start() {
      indexWriter.start();
      for (const supervisor of supervisors) supervisor.start();
    },
    async stop() {
      await Promise.all(supervisors.map((s) => s.stop()));
      const { pending } = await indexWriter.stop(config.shutdownFlushSeconds * 1000);
      if (pending > 0) log.warn({ pending }, 'points left unwritten; their files are reconciled at next start');
      return { pendingPoints: pending };
    },
    health,
  };
}
