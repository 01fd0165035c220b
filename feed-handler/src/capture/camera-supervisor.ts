/**
 * capture/ — from a camera's RTSP stream to timed JPEGs. In: a camera (URL,
 * thumbnail width, decode mode) and ffmpeg's stdout and stderr. Out:
 * CapturedFrame (JPEG bytes and capture time), RecordedChunk (a finished MP4
 * under its staging name, with its capture times) and online/offline status.
 * ffmpeg.ts is the only module that starts ffmpeg; everything else here is
 * pure or takes its clock and ffmpeg runner as deps.
 *
 * One camera's ffmpeg, supervised: choose the decode mode (probe or override),
 * run ffmpeg, turn its output into timed JPEGs, restart it with capped
 * exponential backoff when it exits, stop it when no frame has come for
 * STALL_SECONDS, and report online/offline transitions. Time comes from an
 * injected clock and ffmpeg from an injected runner, so all of this is
 * unit-tested without either.
 */

import { redactCredentials } from '@fathom/service-kit';
import type { Logger } from 'pino';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep, type TimerHandle } from '../shared/clock.js';
import { chooseDecodeMode, type DecodeModeChoice } from './decode-mode.js';
import { describeExit, describeUnreachable } from './exit-reason.js';
import type { CaptureProcess, ExitResult, FfmpegRunner } from './ffmpeg.js';
import type { CaptureSpec, DecodeMode } from './ffmpeg-args.js';
import { FramePairer, type TimedJpeg } from './frame-pairing.js';
import { GrayFrames } from './gray-frames.js';
import { JpegSplitter } from './jpeg.js';
import { RingBuffer } from './ring-buffer.js';
import { parseSegmentListLine, type SegmentListEntry, segmentStreamTimesMs } from './segment-list.js';
import type { Semaphore } from './semaphore.js';

export interface CameraIdentity {
  id: string;
  url: string;
  location: string;
}

/** List times are printed to the microsecond from two roundings: a start this close to the previous end is that end. */
const CONTIGUOUS_MS = 5;

export interface SupervisorSettings {
  width: number;
  quality: number;
  decodeMode: 'auto' | DecodeMode;
  probeMs: number;
  stallMs: number;
  socketTimeoutSeconds: number;
  backoff: BackoffPolicy;
  /** After "q", wait this long before SIGTERM, and as long again before SIGKILL. */
  stopGraceMs: number;
  /** A frame whose capture time is further than this from now is dropped: it cannot be a live frame. */
  maxClockSkewMs: number;
  /** ffmpeg stderr lines kept for the exit report. */
  stderrLines: number;
  /** Frames after each start are held until the stream clock's anchor rests on this many (default 3). */
  anchorSamples?: number;
  /** Size of the gray frame handed beside each JPEG to the motion analysis; absent: no analysis. */
  analysis?: { width: number; height: number };
}

export interface CapturedFrame {
  camera: string;
  location: string;
  capturedAtMs: number;
  jpeg: Buffer;
  /** The same frame as a small gray picture for the motion analysis (null if it did not come); absent when off. */
  gray?: Promise<Uint8Array | null>;
}

/** A chunk ffmpeg has finished, still under its staging name. */
export interface RecordedChunk {
  camera: string;
  location: string;
  stagingPath: string;
  /** Capture times (epoch ms) of its first frame and of where it ends. */
  startMs: number;
  endMs: number;
}

export interface SupervisorDeps {
  camera: CameraIdentity;
  settings: SupervisorSettings;
  ffmpeg: Pick<FfmpegRunner, 'spawnCapture' | 'probeKeyframeTimes'>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Called in capture order, one at a time: the next frame waits for the previous call. */
  onFrame(frame: CapturedFrame): Promise<void>;
  onStatus(status: { online: boolean; reason: string; atMs: number }): void;
  onRestart?(): void;
  /** Record chunks from the same RTSP session: staging folder (exists) and chunk length; asked at each run, null: none. */
  chunks?: () => { stagingDir: string; seconds: number } | null;
  /** Called in order, one at a time, for each chunk ffmpeg finishes. */
  onChunk?(chunk: RecordedChunk): Promise<void>;
  random?: () => number;
  /** Shared by all cameras: limits how many keyframe probes run at once. None: no limit. */
  probeSlots?: Semaphore;
}

export interface CameraSnapshot {
  camera: string;
  state: 'starting' | 'online' | 'offline';
  mode: DecodeMode | null;
  lastFrameAtMs: number | null;
  frames: number;
  droppedFrames: number;
  restarts: number;
  startedAtMs: number;
}

export class CameraSupervisor {
  private state: CameraSnapshot['state'] = 'starting';
  /** The current (or last) run's decode mode. */
  private modeChoice: DecodeModeChoice | null = null;
  /** A choice worth keeping across restarts (override or measured); an inconclusive probe is made again. */
  private keptChoice: DecodeModeChoice | null = null;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  private frameChain: Promise<void> = Promise.resolve();
  private chunkChain: Promise<void> = Promise.resolve();
  private proc: CaptureProcess | undefined;
  private attempt = 0;
  private framesThisRun = 0;
  /** When this run's newest frame (showinfo line) was seen, held back or not: the watchdog's measure. */
  private lastFrameThisRunAtMs: number | null = null;
  /** The running ffmpeg's pairer, and what hands on chunks held with its frames. */
  private current: { pairer: FramePairer; releaseChunks(force: boolean): void } | null = null;
  /** The running ffmpeg's analysis frames, when the analysis is on. */
  private grays: GrayFrames | null = null;
  private runStartedAtMs = 0;
  private stallReason: string | undefined;
  private watchdog: TimerHandle | undefined;
  private stopTimers: TimerHandle[] = [];
  private readonly stderrTail: RingBuffer<string>;
  private readonly stats = { frames: 0, droppedFrames: 0, restarts: 0, lastFrameAtMs: null as number | null };
  private readonly startedAtMs: number;

  constructor(private readonly deps: SupervisorDeps) {
    this.stderrTail = new RingBuffer(deps.settings.stderrLines);
    this.startedAtMs = deps.clock.now();
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch((error: unknown) => {
      this.deps.log.error({ camera: this.deps.camera.id, err: error }, 'camera supervisor failed');
    });
  }

  /** Staged stop of ffmpeg, then waits for every captured frame to be handed over. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    if (this.proc) this.stageStop(this.proc);
    await this.loop;
    await this.frameChain;
    await this.chunkChain;
    this.markOffline('shutdown');
  }

  snapshot(): CameraSnapshot {
    return {
      camera: this.deps.camera.id,
      state: this.state,
      mode: this.modeChoice?.mode ?? null,
      lastFrameAtMs: this.stats.lastFrameAtMs,
      frames: this.stats.frames,
      droppedFrames: this.stats.droppedFrames,
      restarts: this.stats.restarts,
      startedAtMs: this.startedAtMs,
    };
  }

  private get log() {
    return this.deps.log;
  }

  private async run(): Promise<void> {
    const { camera } = this.deps;
    while (!this.stopping) {
      if (this.keptChoice) this.modeChoice = this.keptChoice;
      else {
        try {
          const choice = await this.chooseMode();
          this.modeChoice = choice;
          if (choice.keep) this.keptChoice = choice;
          const measured = choice.source === 'probe';
          const fields = {
            camera: camera.id,
            mode: choice.mode,
            source: choice.source,
            measured,
            keyframeIntervalMs: choice.keyframeIntervalMs,
          };
          if (choice.source === 'inconclusive') {
            this.log.warn(
              fields,
              'probe inconclusive: decoding all frames for this run, probing again at the next start',
            );
          } else {
            this.log.info(
              fields,
              choice.mode === 'keyframes' ? 'decoding keyframes only' : 'decoding all frames, one kept a second',
            );
          }
        } catch (error) {
          // stop() while waiting for a probe slot or probing: not a camera failure.
          if (this.stopping) break;
          this.log.warn(
            { camera: camera.id, error: redactCredentials(String((error as Error).message ?? error)) },
            'could not probe the stream',
          );
          this.markOffline(describeUnreachable(error));
          await this.backoff();
          continue;
        }
      }
      // stop() may have come while the probe or the backoff was running.
      if (this.stopping) break;
      const result = await this.runOnce(this.modeChoice.mode);
      if (this.stopping) break;
      const reason = this.stallReason ?? describeExit(result, this.stderrTail.toArray());
      this.log.warn(
        { camera: camera.id, ...result, reason, stderr: this.stderrTail.toArray() },
        'ffmpeg ended, restarting',
      );
      this.markOffline(reason);
      this.stats.restarts++;
      this.deps.onRestart?.();
      if (this.framesThisRun > 0) this.attempt = 0;
      await this.backoff();
    }
  }

  private async chooseMode(): Promise<DecodeModeChoice> {
    const { settings, camera } = this.deps;
    if (settings.decodeMode !== 'auto') return chooseDecodeMode(settings.decodeMode, []);
    // Many probes at once on a loaded machine see too few keyframes: only a few run at a time.
    const release = await this.deps.probeSlots?.acquire(this.stopSignal.signal);
    try {
      const times = await this.deps.ffmpeg.probeKeyframeTimes(
        { url: camera.url, socketTimeoutSeconds: settings.socketTimeoutSeconds },
        { durationMs: settings.probeMs, maxKeyframes: 4 },
      );
      return chooseDecodeMode('auto', times);
    } finally {
      release?.();
    }
  }

  private async backoff(): Promise<void> {
    const delay = backoffDelayMs(this.attempt++, this.deps.settings.backoff, this.deps.random);
    this.log.debug({ camera: this.deps.camera.id, delayMs: delay }, 'waiting before restart');
    await sleep(this.deps.clock, delay, this.stopSignal.signal);
  }

  private runOnce(mode: DecodeMode): Promise<ExitResult> {
    const { camera, settings, clock } = this.deps;
    const chunks = this.deps.chunks?.() ?? null;
    // A name per run: a restarted ffmpeg counts its chunks from 0 again.
    const runId = `${clock.now().toString(36)}${this.stats.restarts.toString(36)}`;
    const spec: CaptureSpec = {
      url: camera.url,
      mode,
      width: settings.width,
      quality: settings.quality,
      socketTimeoutSeconds: settings.socketTimeoutSeconds,
      ...(chunks
        ? { chunks: { stagingPattern: `${chunks.stagingDir}/${runId}-%06d.mp4`, seconds: chunks.seconds } }
        : {}),
      ...(settings.analysis ? { analysis: { ...settings.analysis } } : {}),
    };
    const splitter = new JpegSplitter();
    const grays = settings.analysis ? new GrayFrames(settings.analysis.width * settings.analysis.height, clock) : null;
    this.grays = grays;
    // A chunk starts where the previous one ended: the same instant gets the same capture time.
    const previousChunkEnd = { streamMs: Number.NaN, captureMs: 0 };
    const pairer = new FramePairer({ anchorSamples: settings.anchorSamples ?? 3 });
    // Chunk lines wait while frames are held back, so both are timed by the same (settled) anchor.
    const heldChunks: SegmentListEntry[] = [];
    const releaseChunks = (force: boolean) => {
      if (!chunks || (pairer.holding && !force)) return;
      for (const entry of heldChunks.splice(0)) this.acceptChunk(entry, pairer, chunks.stagingDir, previousChunkEnd);
    };
    this.current = { pairer, releaseChunks };
    this.stderrTail.clear();
    this.framesThisRun = 0;
    this.lastFrameThisRunAtMs = null;
    this.runStartedAtMs = clock.now();
    this.stallReason = undefined;
    return new Promise((resolve) => {
      this.proc = this.deps.ffmpeg.spawnCapture(spec, {
        onStdout: (chunk) => {
          for (const jpeg of splitter.push(chunk)) this.accept(pairer.addJpeg(jpeg));
        },
        ...(grays ? { onAnalysis: (chunk: Buffer) => grays.push(chunk) } : {}),
        onStderrLine: (line) => {
          if (line.includes('Parsed_showinfo')) {
            const before = pairer.framesSeen;
            this.accept(pairer.addStderrLine(line, clock.now()));
            // A frame held back for its anchor is still a frame: the watchdog counts it.
            if (pairer.framesSeen > before) this.lastFrameThisRunAtMs = clock.now();
            releaseChunks(false);
            return;
          }
          const entry = chunks ? parseSegmentListLine(line) : null;
          if (entry) {
            heldChunks.push(entry);
            releaseChunks(false);
          } else if (line.trim()) this.stderrTail.push(redactCredentials(line));
        },
        onExit: (result) => {
          this.proc = undefined;
          this.current = null;
          // No better anchor will come: what is still held goes out with the one there is.
          this.accept(pairer.flush());
          grays?.close();
          this.grays = null;
          releaseChunks(true);
          if (this.watchdog) clock.clearTimeout(this.watchdog);
          for (const timer of this.stopTimers) clock.clearTimeout(timer);
          this.stopTimers = [];
          if (pairer.sequenceErrors > 0 || splitter.discardedBytes > 0) {
            this.log.warn(
              { camera: camera.id, sequenceErrors: pairer.sequenceErrors, discardedBytes: splitter.discardedBytes },
              'ffmpeg output was not in step',
            );
          }
          resolve(result);
        },
      });
      this.scheduleWatchdog();
    });
  }

  private accept(frames: TimedJpeg[]): void {
    const { camera, settings, clock } = this.deps;
    for (const frame of frames) {
      const now = clock.now();
      if (Math.abs(frame.capturedAtMs - now) > settings.maxClockSkewMs) {
        this.stats.droppedFrames++;
        this.log.debug(
          { camera: camera.id, n: frame.n, capturedAtMs: frame.capturedAtMs },
          'frame time not near now, dropped',
        );
        continue;
      }
      this.framesThisRun++;
      this.stats.frames++;
      this.stats.lastFrameAtMs = now;
      if (this.state !== 'online') {
        this.state = 'online';
        this.log.info({ camera: camera.id }, 'camera online');
        this.deps.onStatus({ online: true, reason: 'first-frame', atMs: frame.capturedAtMs });
      }
      const captured: CapturedFrame = {
        camera: camera.id,
        location: camera.location,
        capturedAtMs: frame.capturedAtMs,
        jpeg: frame.jpeg,
        ...(this.grays ? { gray: this.grays.get(frame.n) } : {}),
      };
      this.frameChain = this.frameChain.then(() =>
        this.deps.onFrame(captured).catch((error: unknown) => {
          this.log.error({ camera: camera.id, err: error }, 'could not store a frame');
        }),
      );
    }
  }

  /** A finished chunk (segment-list entry): its capture times, then onChunk. */
  private acceptChunk(
    entry: SegmentListEntry,
    pairer: FramePairer,
    stagingDir: string,
    previousEnd: { streamMs: number; captureMs: number },
  ): void {
    const { camera, clock } = this.deps;
    const first = pairer.firstStreamMs;
    const stream = first === null ? null : segmentStreamTimesMs(entry, first);
    let startMs = stream
      ? Math.abs(stream.startStreamMs - previousEnd.streamMs) <= CONTIGUOUS_MS
        ? previousEnd.captureMs
        : pairer.captureTimeOf(stream.startStreamMs)
      : null;
    let endMs = stream ? pairer.captureTimeOf(stream.endStreamMs) : null;
    if (stream && endMs !== null) {
      previousEnd.streamMs = stream.endStreamMs;
      previousEnd.captureMs = endMs;
    }
    if (startMs === null || endMs === null) {
      // No frame yet to anchor the stream clock (never seen in practice): date it by arrival.
      endMs = clock.now();
      startMs = endMs - Math.round((entry.endSeconds - entry.startSeconds) * 1000);
      this.log.warn({ camera: camera.id, file: entry.file }, 'chunk finished before the first frame; dated by arrival');
    }
    const chunk: RecordedChunk = {
      camera: camera.id,
      location: camera.location,
      stagingPath: `${stagingDir}/${entry.file}`,
      startMs,
      endMs,
    };
    const onChunk = this.deps.onChunk;
    if (onChunk) {
      this.chunkChain = this.chunkChain.then(() =>
        onChunk(chunk).catch((error: unknown) => {
          this.log.error({ camera: camera.id, err: error, file: entry.file }, 'could not store a chunk');
        }),
      );
    }
  }

  private scheduleWatchdog(): void {
    const { clock, settings, camera } = this.deps;
    const check = () => {
      const proc = this.proc;
      if (!proc || this.stopping) return;
      // Frames held back for a settled anchor are not held for ever (a camera slower than 1 fps).
      if (this.current) {
        this.accept(this.current.pairer.releaseStale(clock.now()));
        this.current.releaseChunks(false);
      }
      const since = this.lastFrameThisRunAtMs ?? this.runStartedAtMs;
      if (clock.now() - since > settings.stallMs) {
        this.stallReason = `stalled: no frame for ${Math.round(settings.stallMs / 1000)} s`;
        this.log.warn({ camera: camera.id }, this.stallReason);
        this.stageStop(proc);
        return;
      }
      this.watchdog = clock.setTimeout(check, Math.min(1_000, settings.stallMs));
    };
    this.watchdog = clock.setTimeout(check, Math.min(1_000, settings.stallMs));
  }

  /** "q" on stdin, then SIGTERM, then SIGKILL, each after stopGraceMs. */
  private stageStop(proc: CaptureProcess): void {
    if (this.stopTimers.length > 0) return;
    const { clock, settings } = this.deps;
    proc.requestQuit();
    this.stopTimers.push(
      clock.setTimeout(() => proc.kill('SIGTERM'), settings.stopGraceMs),
      clock.setTimeout(() => proc.kill('SIGKILL'), settings.stopGraceMs * 2),
    );
  }

  private markOffline(reason: string): void {
    if (this.state === 'offline') return;
    this.state = 'offline';
    this.log.warn({ camera: this.deps.camera.id, reason }, 'camera offline');
    this.deps.onStatus({ online: false, reason, atMs: this.deps.clock.now() });
  }
}

export { describeExit } from './exit-reason.js';
