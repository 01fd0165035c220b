/**
 * The service core: one CameraSupervisor per camera, each frame written to
 * disk and then offered to the IndexWriter; camera status transitions become
 * points too. All outside systems come in as deps.
 */
import { thumbnailRelativePath } from '@fathom/index-contract';
import type { Logger } from 'pino';
import { DetectionScheduler } from './analysis/detection/detection-scheduler.js';
import type { DetectorPort } from './analysis/detection/detector-thread.js';
import { ANALYSIS_HEIGHT, ANALYSIS_WIDTH } from './analysis/motion-score.js';
import { MotionTracker } from './analysis/motion-tracker.js';
import {
  type CameraSnapshot,
  CameraSupervisor,
  type CapturedFrame,
  type RecordedChunk,
} from './capture/camera-supervisor.js';
import type { LearntModes, StreamCodecs } from './capture/decode-mode.js';
import type { FfmpegRunner } from './capture/ffmpeg.js';
import { jpegDimensions } from './capture/jpeg.js';
import type { CameraConfig, Config } from './config.js';
import type { FootageStore } from './footage/footage-store.js';
import { Retention, type RetentionIndexPort } from './footage/retention.js';
import { notStoredReason, StoreFaults } from './footage/store-faults.js';
import type { ThumbnailStore } from './footage/thumbnail-store.js';
import type { CameraHealth, HealthReport } from './http/health.js';
import type { FeedMetrics } from './http/metrics.js';
import type { RestreamControl } from './http/restream-routes.js';
import { ActivityKeeper, type ActivityPort } from './index/activity-keeper.js';
import { ChunkIndexer } from './index/chunk-indexer.js';
import { DetectionWriter } from './index/detection-writer.js';
import { IndexWriter } from './index/index-writer.js';
import type { ChunkIndexPort, DetectionIndexPort, IndexPort } from './index/influx.js';
import { keyRedactor } from './restream/redaction.js';
import type { RestreamRunner } from './restream/restream-process.js';
import { RestreamSupervisor } from './restream/restream-supervisor.js';
import type { Clock } from './shared/clock.js';

export interface FeedHandlerDeps {
  config: Pick<
    Config,
    | 'cameras'
    | 'thumbnail'
    | 'decodeMode'
    | 'stallSeconds'
    | 'rtspTimeoutSeconds'
    | 'restartBackoff'
    | 'healthMaxFrameAgeSeconds'
    | 'index'
    | 'shutdownFlushSeconds'
    | 'chunks'
    | 'retention'
  > &
    Partial<Pick<Config, 'motion' | 'restream' | 'detect'>>;
  clock: Clock;
  log: Logger;
  ffmpeg: Pick<FfmpegRunner, 'spawnCapture'>;
  /** Decode modes learnt per camera, kept across restarts (footage/decode-mode-file.ts); absent: this process only. */
  learntModes?: LearntModes;
  store: ThumbnailStore;
  index: IndexPort & ChunkIndexPort & RetentionIndexPort;
  /** Chunks and retention (thumbnails are written through `store`). */
  footage: FootageStore;
  metrics: FeedMetrics;
  random?: () => number;
  /** Keeps the per-minute activity bucket and its task (with config.motion); absent: nobody does. */
  activity?: ActivityPort;
  /** The index bucket, which the activity task reads. */
  bucket?: string;
  /** Starts the restream children (cameras' `restream` targets); absent: no restreams run. */
  restreamer?: RestreamRunner;
  /** The object detector (with config.detect.enabled): a fresh worker thread per call, and where its points go. */
  detection?: { detector: () => DetectorPort; index: DetectionIndexPort };
}

export interface FeedHandler {
  start(): void;
  /** Stops every ffmpeg (staged), then flushes pending points for up to SHUTDOWN_FLUSH_SECONDS. */
  stop(): Promise<{ pendingPoints: number }>;
  health(): HealthReport;
  /** Runs a retention sweep now (also used by tests and the retention benchmark). */
  sweepRetention(): ReturnType<Retention['sweep']>;
  /** The restream targets' status and their on/off switch. */
  restreams: RestreamControl;
}

/** Frames further than this from the clock are not real capture times (ffmpeg's first frame says pts 0). */
const MAX_CLOCK_SKEW_MS = 10_000;
const STOP_GRACE_MS = 2_000;
/** A main-stream recorder sees keyframes only: up to 10 s apart on "smart codec" cameras. */
const RECORDER_MIN_STALL_MS = 30_000;
/** How long a chunk ffmpeg reported finished may take to become a whole MP4 (its last bytes flushed). */
const CHUNK_PUBLISH_TIMEOUT_MS = 10_000;
/** Retention never deletes files that ended less than this ago. */
const RETENTION_PROTECT_MS = 60_000;
/** Restream defaults when the config leaves them out (tests that build the core by hand). */
const RESTREAM_DEFAULTS = { backoff: { baseMs: 1_000, maxMs: 60_000 }, stallSeconds: 15 };
/** A restream live this long was a success: its next failure is retried after the base delay again. */
const RESTREAM_STABLE_LIVE_MS = 10_000;
/** Retry delays of the thumbnail and chunk index writers while InfluxDB refuses writes. */
const INDEX_WRITE_BACKOFF = { baseMs: 500, maxMs: 10_000, jitter: 0.2 };
/** A detector frame that takes longer than this (normal: 0.2–0.35 s) means a stuck thread: it is replaced. */
const DETECTOR_TIMEOUT_MS = 30_000;
/** Delays before a failed detector thread is replaced. */
const DETECTOR_BACKOFF = { baseMs: 2_000, maxMs: 60_000, jitter: 0.2 };

export function createFeedHandler(deps: FeedHandlerDeps): FeedHandler {
  const { config, clock, log, metrics } = deps;
  const activityKeeper =
    config.motion?.enabled && deps.activity && deps.bucket
      ? new ActivityKeeper({
          port: deps.activity,
          clock,
          log: log.child({ component: 'activity' }),
          bucket: deps.bucket,
          activityBucket: config.motion.activityBucket,
          retentionDays: config.motion.activityRetentionDays,
          backoff: INDEX_WRITE_BACKOFF,
          ...(deps.random ? { random: deps.random } : {}),
        })
      : null;
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
      backoff: INDEX_WRITE_BACKOFF,
    },
    metrics: {
      writeFailed: () => metrics.writeFailures.inc(),
      pointsWritten: (camera, count, source) => metrics.pointsWritten.inc({ camera, source }, count),
    },
    ...(activityKeeper ? { onIndexed: (points) => activityKeeper.noteIndexed(points) } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });

  const chunkIndexer = new ChunkIndexer({
    index: deps.index,
    store: deps.footage,
    clock,
    log: log.child({ component: 'chunk-index' }),
    cameras: config.cameras,
    flushMs: config.index.flushMs,
    backoff: INDEX_WRITE_BACKOFF,
    ...(deps.random ? { random: deps.random } : {}),
  });

  // The detector looks at stored frames in its own thread; nothing above waits for it.
  const detect = config.detect?.enabled && deps.detection ? { ...config.detect, ...deps.detection } : null;
  const detectionWriter = detect
    ? new DetectionWriter({
        index: detect.index,
        clock,
        log: log.child({ component: 'detection-index' }),
        flushMs: config.index.flushMs,
        backoff: INDEX_WRITE_BACKOFF,
        onWritten: (points) => {
          const now = clock.now();
          for (const p of points) {
            metrics.detections.inc({ camera: p.camera, label: p.label });
            metrics.detectionLatency.observe((now - p.capturedAtMs) / 1000);
          }
        },
        onDropped: (count) => metrics.detectionPointsDropped.inc(count),
        ...(deps.random ? { random: deps.random } : {}),
      })
    : null;
  const detector = detect
    ? new DetectionScheduler({
        detector: detect.detector,
        settings: {
          motionMin: detect.motionMin,
          sampleMs: detect.sampleSeconds > 0 ? detect.sampleSeconds * 1000 : Number.POSITIVE_INFINITY,
          maxFps: detect.maxFps,
          cpuBudget: detect.cpuBudget,
          queuePerCamera: detect.queuePerCamera,
          timeoutMs: DETECTOR_TIMEOUT_MS,
          backoff: DETECTOR_BACKOFF,
        },
        cameras: config.cameras.map((c) => c.id),
        clock,
        log: log.child({ component: 'detector' }),
        onResult: ({ frame, labels, inferenceMs }) => {
          metrics.detectorFrames.inc({ camera: frame.camera, outcome: 'analysed' });
          metrics.detectorInference.observe(inferenceMs / 1000);
          detectionWriter?.offer(
            labels.map((l) => ({
              camera: frame.camera,
              location: frame.location,
              capturedAtMs: frame.capturedAtMs,
              filepath: frame.filepath,
              ...l,
            })),
          );
        },
        onDropped: (camera) => metrics.detectorFrames.inc({ camera, outcome: 'dropped' }),
        onFailed: (camera) => metrics.detectorFrames.inc({ camera, outcome: 'failed' }),
        ...(deps.random ? { random: deps.random } : {}),
      })
    : null;

  const retention = new Retention({
    store: deps.footage,
    index: deps.index,
    clock,
    log: log.child({ component: 'retention' }),
    cameras: config.cameras,
    limits: {
      maxAgeMs: config.retention.maxAgeDays === null ? null : Math.round(config.retention.maxAgeDays * 86_400_000),
      maxBytes: config.retention.maxBytes,
      minFreeBytes: config.retention.minFreeBytes,
      protectMs: RETENTION_PROTECT_MS,
    },
    intervalMs: config.retention.intervalSeconds * 1000,
    freeCheckMs: config.retention.freeCheckSeconds * 1000,
    onDeleted: (kind, reason, files, bytes) => {
      metrics.retentionDeletedFiles.inc({ kind, reason }, files);
      metrics.retentionDeletedBytes.inc({ kind, reason }, bytes);
    },
  });

  const stagingDirs = new Map<string, string>();
  const storeChunk = async (chunk: RecordedChunk) => {
    const published = await deps.footage.publishChunk(chunk.stagingPath, chunk, CHUNK_PUBLISH_TIMEOUT_MS);
    if (!published) {
      metrics.chunkFailures.inc({ camera: chunk.camera });
      log.error(
        { camera: chunk.camera, stagingPath: chunk.stagingPath },
        'chunk never became a whole MP4; left in staging',
      );
      return;
    }
    metrics.chunks.inc({ camera: chunk.camera });
    log.info({ camera: chunk.camera, filepath: published.filepath, bytes: published.bytes }, 'chunk recorded');
    chunkIndexer.offer({
      camera: chunk.camera,
      location: chunk.location,
      startMs: chunk.startMs,
      endMs: chunk.endMs,
      filepath: published.filepath,
      bytes: published.bytes,
    });
  };

  // A frame decoded but not stored is footage lost: health, status and logs all say so.
  const storeFaults = new StoreFaults();
  const cameraState = new Map<string, () => CameraSnapshot['state']>();
  const noteStoreFailure = (frame: CapturedFrame, error: unknown) => {
    const outcome = storeFaults.failed(frame.camera, error, clock.now());
    metrics.storeFailures.inc({ camera: frame.camera });
    if (outcome.log) {
      log.error(
        { camera: frame.camera, err: error, failures: outcome.fault.failures, uid: process.getuid?.() },
        `frames are decoded but not stored (${outcome.fault.kind}); check the footage volume`,
      );
    }
    if (outcome.began) {
      indexWriter.offerStatus({
        camera: frame.camera,
        location: frame.location,
        online: false,
        reason: notStoredReason(outcome.fault.kind),
        atMs: frame.capturedAtMs,
      });
    }
  };
  const noteStored = (frame: CapturedFrame) => {
    const ended = storeFaults.stored(frame.camera);
    if (!ended) return;
    log.info({ camera: frame.camera, failures: ended.failures }, 'frames are stored again');
    if (cameraState.get(frame.camera)?.() === 'online') {
      indexWriter.offerStatus({
        camera: frame.camera,
        location: frame.location,
        online: true,
        reason: 'stored again',
        atMs: frame.capturedAtMs,
      });
    }
  };

  // Motion is scored against each camera's previous thumbnail, in capture order (frames come one at a time).
  const motion = config.motion?.enabled ? new MotionTracker() : null;
  const analyse = async (frame: CapturedFrame) => {
    if (!motion || !frame.gray) return undefined;
    const gray = await frame.gray;
    if (!gray) {
      metrics.analysisMissing.inc({ camera: frame.camera });
      motion.forget(frame.camera);
      return undefined;
    }
    return motion.next(frame.camera, frame.capturedAtMs, gray);
  };

  const storeFrame = async (frame: CapturedFrame) => {
    const filepath = thumbnailRelativePath(frame.camera, frame.capturedAtMs);
    const size = jpegDimensions(frame.jpeg);
    if (!size) throw new Error(`ffmpeg produced an unreadable JPEG for ${filepath}`);
    // Before the write: the series of previous frames must not break when one cannot be stored.
    const frameMetrics = await analyse(frame);
    try {
      await deps.store.write(filepath, frame.jpeg);
    } catch (error) {
      noteStoreFailure(frame, error);
      return;
    }
    noteStored(frame);
    metrics.frames.inc({ camera: frame.camera });
    indexWriter.offer({
      camera: frame.camera,
      location: frame.location,
      capturedAtMs: frame.capturedAtMs,
      filepath,
      bytes: frame.jpeg.length,
      ...size,
      ...(frameMetrics ? { metrics: frameMetrics } : {}),
    });
    detector?.offer({
      camera: frame.camera,
      location: frame.location,
      capturedAtMs: frame.capturedAtMs,
      filepath,
      jpeg: frame.jpeg,
      // A lighting change is not motion (its motion is 0 already): the minute's sample still comes.
      ...(frameMetrics ? { motion: frameMetrics.motion } : {}),
    });
  };

  const chunkHandlers = (camera: CameraConfig) => ({
    chunks: () => {
      const stagingDir = stagingDirs.get(camera.id);
      return stagingDir ? { stagingDir, seconds: config.chunks.seconds } : null;
    },
    onChunk: storeChunk,
    onChunkDiscarded: (chunk: RecordedChunk) => deps.footage.discardStagedChunk(chunk.stagingPath),
    chunkVideoStartMs: (stagingPath: string) => deps.footage.stagedChunkVideoStartMs(stagingPath),
  });
  const supervisors = config.cameras.map(
    (camera) =>
      new CameraSupervisor({
        // With a sub-stream, thumbnails (and what is learnt of their stream) come from it; chunks do not.
        camera: camera.thumbnailUrl ? { ...camera, url: camera.thumbnailUrl } : camera,
        settings: {
          width: camera.width ?? config.thumbnail.width,
          quality: config.thumbnail.quality,
          decodeMode: config.decodeMode,
          stallMs: config.stallSeconds * 1000,
          socketTimeoutSeconds: config.rtspTimeoutSeconds,
          backoff: { ...config.restartBackoff, jitter: 0.2 },
          stopGraceMs: STOP_GRACE_MS,
          maxClockSkewMs: MAX_CLOCK_SKEW_MS,
          stderrLines: 40,
          ...(motion ? { analysis: { width: ANALYSIS_WIDTH, height: ANALYSIS_HEIGHT } } : {}),
        },
        ffmpeg: deps.ffmpeg,
        ...(deps.learntModes ? { learntModes: deps.learntModes } : {}),
        clock,
        log: log.child({ component: 'camera' }),
        onFrame: storeFrame,
        onStatus: (status) => {
          // "online" while nothing can be stored would be a lie: keep saying why.
          const fault = status.online ? storeFaults.fault(camera.id) : null;
          const honest = fault ? { ...status, online: false, reason: notStoredReason(fault.kind) } : status;
          indexWriter.offerStatus({ camera: camera.id, location: camera.location, ...honest });
        },
        onRestart: () => {
          metrics.restarts.inc({ camera: camera.id });
          // A missing staging folder would make every ffmpeg run fail (thumbnails included): make it again.
          if (stagingDirs.has(camera.id)) {
            deps.footage.ensureStaging(camera.id).catch((error: unknown) => {
              log.error({ camera: camera.id, err: error }, 'could not make the chunk staging folder');
            });
          }
        },
        ...(camera.thumbnailUrl ? {} : chunkHandlers(camera)),
        ...(deps.random ? { random: deps.random } : {}),
      }),
  );

  /**
   * A camera with a sub-stream records its main stream (`url`) with a second supervised ffmpeg: chunks only,
   * keyframes decoded just to time them on the same clock (our wall clock, as each stream's RTP time is
   * anchored to it). Its codecs are kept under `<id>.main` (no camera id has a dot), apart from the
   * sub-stream's learnt mode.
   */
  const recorders = new Map(
    config.cameras
      .filter((camera) => camera.thumbnailUrl && config.chunks.enabled)
      .map((camera) => {
        const learnt = deps.learntModes;
        const key = `${camera.id}.main`;
        const recorder = new CameraSupervisor({
          camera,
          settings: {
            width: 16,
            quality: config.thumbnail.quality,
            decodeMode: 'keyframes',
            role: 'recorder',
            // Keyframes are all it sees: a 10 s GOP must not look like a stall.
            stallMs: Math.max(config.stallSeconds * 1000, RECORDER_MIN_STALL_MS),
            socketTimeoutSeconds: config.rtspTimeoutSeconds,
            backoff: { ...config.restartBackoff, jitter: 0.2 },
            stopGraceMs: STOP_GRACE_MS,
            maxClockSkewMs: MAX_CLOCK_SKEW_MS,
            stderrLines: 40,
          },
          ffmpeg: deps.ffmpeg,
          ...(learnt
            ? {
                learntModes: {
                  recall: () => null,
                  remember: async () => undefined,
                  recallCodecs: (_id: string, url: string) => learnt.recallCodecs?.(key, url) ?? null,
                  rememberCodecs: (_id: string, url: string, codecs: StreamCodecs) =>
                    learnt.rememberCodecs?.(key, url, codecs) ?? Promise.resolve(),
                },
              }
            : {}),
          clock,
          log: log.child({ component: 'recorder' }),
          onFrame: async () => undefined,
          // The camera's status points are the thumbnails' (the sub-stream); the recorder's state is in /healthz.
          onStatus: () => undefined,
          onRestart: () => {
            metrics.restarts.inc({ camera: camera.id });
            deps.footage.ensureStaging(camera.id).catch((error: unknown) => {
              log.error({ camera: camera.id, err: error }, 'could not make the chunk staging folder');
            });
          },
          ...chunkHandlers(camera),
          ...(deps.random ? { random: deps.random } : {}),
        });
        return [camera.id, recorder] as const;
      }),
  );

  for (const supervisor of supervisors) {
    cameraState.set(supervisor.snapshot().camera, () => supervisor.snapshot().state);
  }

  // Each restream target has its own ffmpeg and its own RTSP session: nothing it does reaches the capture above.
  const restreamSettings = config.restream ?? RESTREAM_DEFAULTS;
  const targets = config.cameras.flatMap((camera) => (camera.restream ?? []).map((target) => ({ camera, target })));
  // Every key is masked in every restream's text: a line never names another camera's key either.
  const redactKeys = keyRedactor(targets.map(({ target }) => target.key));
  const restreamer = deps.restreamer;
  const restreams = restreamer
    ? targets.map(
        ({ camera, target }) =>
          new RestreamSupervisor({
            camera: camera.id,
            input: {
              kind: 'rtsp',
              url: camera.url,
              socketTimeoutSeconds: config.rtspTimeoutSeconds,
              transport: camera.transport,
            },
            target,
            settings: {
              stallMs: restreamSettings.stallSeconds * 1000,
              backoff: { ...restreamSettings.backoff, jitter: 0.2 },
              stopGraceMs: STOP_GRACE_MS,
              stderrLines: 40,
              probeTimeoutMs: config.rtspTimeoutSeconds * 1000 + 10_000,
              audioBitrateKbps: 128,
              stableLiveMs: RESTREAM_STABLE_LIVE_MS,
            },
            runner: restreamer,
            clock,
            log: log.child({ component: 'restream' }),
            redact: redactKeys,
            ...(deps.random ? { random: deps.random } : {}),
          }),
      )
    : [];
  const restreamControl: RestreamControl = {
    list: () => restreams.map((r) => r.snapshot()),
    setEnabled: (camera, target, enabled) =>
      restreams.find((r) => r.camera === camera && r.target === target)?.setEnabled(enabled) ?? null,
  };

  // Staging folders are made (and cleared of a dead process's leftovers) before ffmpeg may write there.
  const prepareChunks = async () => {
    if (!config.chunks.enabled) return;
    for (const camera of config.cameras) {
      const prepared = await deps.footage.prepareStaging(camera.id);
      stagingDirs.set(camera.id, prepared.stagingDir);
      if (prepared.removedFiles > 0) {
        // An MP4 without its trailer (the process died) has no index and cannot be played.
        log.warn(
          { camera: camera.id, files: prepared.removedFiles, bytes: prepared.removedBytes },
          'removed unfinished chunks left by a previous run',
        );
      }
    }
  };

  const health = (): HealthReport => {
    const now = clock.now();
    const cameras = supervisors.map((supervisor): CameraHealth => {
      const s = supervisor.snapshot();
      const frameAgeSeconds = (now - (s.lastFrameAtMs ?? s.startedAtMs)) / 1000;
      const fault = storeFaults.fault(s.camera);
      const recorder = recorders.get(s.camera)?.snapshot();
      // Thumbnails from the sub-stream while the main stream records nothing is no healthy camera.
      const recording = recorder
        ? {
            state: recorder.state,
            keyframeAgeSeconds: (now - (recorder.lastFrameAtMs ?? recorder.startedAtMs)) / 1000,
            restarts: recorder.restarts,
          }
        : undefined;
      const recordingOk =
        !recording || recording.keyframeAgeSeconds <= config.healthMaxFrameAgeSeconds + RECORDER_MIN_STALL_MS / 1000;
      return {
        camera: s.camera,
        ok: frameAgeSeconds <= config.healthMaxFrameAgeSeconds && !fault && recordingOk,
        state: s.state,
        mode: s.mode,
        modeSource: s.modeSource,
        frameAgeSeconds,
        storing: !fault,
        storeError: fault?.kind ?? null,
        frames: s.frames,
        restarts: s.restarts,
        ...(recording ? { recording } : {}),
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
      storage: retention.storage(),
      ...(activityKeeper ? { activity: activityKeeper.state() } : {}),
      ...(restreams.length > 0 ? { restreams: restreamControl.list() } : {}),
      ...(detector && detectionWriter ? { detector: detectorHealth(detector, detectionWriter) } : {}),
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

  metrics.bindStorage(() => {
    const state = retention.storage();
    if (!state) return null;
    return {
      cameras: state.cameras,
      volumes: state.volumes,
      usedBytes: state.usedBytes,
      daysLeft: state.daysLeft,
      lastSweepSeconds: state.lastSweep ? state.lastSweep.durationMs / 1000 : null,
    };
  });

  metrics.bindRestreams(() =>
    restreams.map((r) => {
      const s = r.snapshot();
      return {
        camera: s.camera,
        target: s.target,
        state: s.state,
        uptimeSeconds: s.uptimeSeconds,
        bytesSent: s.bytesSent,
        restarts: s.restarts,
      };
    }),
  );

  metrics.bindDetector(() => detector?.snapshot() ?? null);

  let started: Promise<void> | null = null;
  return {
    start() {
      indexWriter.start();
      activityKeeper?.start();
      chunkIndexer.start();
      retention.start();
      detectionWriter?.start();
      detector?.start();
      for (const restream of restreams) restream.start();
      started = prepareChunks()
        .catch((error: unknown) => {
          log.error({ err: error }, 'could not prepare the chunk folders; recording thumbnails only');
          stagingDirs.clear();
        })
        .then(() => {
          for (const supervisor of supervisors) supervisor.start();
          for (const recorder of recorders.values()) recorder.start();
        });
    },
    async stop() {
      await started;
      await Promise.all([
        ...supervisors.map((s) => s.stop()),
        ...[...recorders.values()].map((r) => r.stop()),
        ...restreams.map((r) => r.stop()),
      ]);
      await retention.stop();
      await activityKeeper?.stop();
      await detector?.stop();
      const deadline = config.shutdownFlushSeconds * 1000;
      const [{ pending }, chunks, detections] = await Promise.all([
        indexWriter.stop(deadline),
        chunkIndexer.stop(deadline),
        detectionWriter?.stop(deadline) ?? { pending: 0 },
      ]);
      if (detections.pending > 0) log.warn({ pending: detections.pending }, 'detection points left unwritten');
      if (pending > 0) log.warn({ pending }, 'points left unwritten; their files are reconciled at next start');
      if (chunks.pending > 0)
        log.warn({ pending: chunks.pending }, 'chunk points left unwritten; reconciled at next start');
      return { pendingPoints: pending + chunks.pending };
    },
    health,
    sweepRetention: () => retention.sweep('manual'),
    restreams: restreamControl,
  };
}

function detectorHealth(detector: DetectionScheduler, writer: DetectionWriter): NonNullable<HealthReport['detector']> {
  const s = detector.snapshot();
  return {
    ok: s.state === 'ready' && writer.lastError === null,
    state: s.state,
    reason: s.reason,
    analysed: s.analysed,
    dropped: s.dropped,
    failed: s.failed,
    queued: s.queued,
    restarts: s.restarts,
    pendingPoints: writer.pending(),
    lastWriteError: writer.lastError,
    lastAnalysedAt: s.lastAnalysedAtMs === null ? null : new Date(s.lastAnalysedAtMs).toISOString(),
  };
}
