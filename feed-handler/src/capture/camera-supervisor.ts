/**
 * capture/ — from a camera's RTSP stream to timed JPEGs. In: a camera (URL,
 * thumbnail width, decode mode) and ffmpeg's stdout and stderr. Out:
 * CapturedFrame (JPEG bytes and capture time), RecordedChunk (a finished MP4
 * under its staging name, with its capture times) and online/offline status.
 * ffmpeg.ts is the only module that starts ffmpeg; everything else here is
 * pure or takes its clock and ffmpeg runner as deps.
 *
 * One camera's ffmpeg, supervised: choose the decode mode (override, learnt
 * or remembered; with `auto` and nothing known, every frame is decoded while
 * the running ffmpeg reports its keyframes), run ffmpeg, turn its output into
 * timed JPEGs, restart it with capped exponential backoff when it exits, stop
 * it when no frame has come for STALL_SECONDS, and report online/offline
 * transitions. When the learnt mode differs from the running one, a second
 * ffmpeg is started in that mode and takes over at its first timed frame (a
 * staged handover: no thumbnail second is lost). Time comes from an injected
 * clock and ffmpeg from an injected runner, so all of this is unit-tested
 * without either.
 */

import { redactCredentials } from '@fathom/service-kit';
import type { Logger } from 'pino';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep, type TimerHandle } from '../shared/clock.js';
import {
  type DecodeModeChoice,
  type DecodeModeSource,
  KEYFRAME_INTERVAL_LIMIT_MS,
  KeyframeIntervalLearner,
  LEARN_INTERVALS,
  type LearntMode,
  type LearntModes,
  type Verdict,
} from './decode-mode.js';
import { describeExit } from './exit-reason.js';
import type { CaptureProcess, ExitResult, FfmpegRunner } from './ffmpeg.js';
import type { CaptureSpec, DecodeMode } from './ffmpeg-args.js';
import { FramePairer, type TimedJpeg } from './frame-pairing.js';
import { GrayFrames } from './gray-frames.js';
import { JpegSplitter } from './jpeg.js';
import { KeyframeWatch, type KeyframeWatchSpec } from './keyframe-watch.js';
import { RingBuffer } from './ring-buffer.js';
import { parseSegmentListLine, type SegmentListEntry, segmentStreamTimesMs } from './segment-list.js';

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
  /** A second ffmpeg started for a mode switch must take over within this long, else it is given up (default 20 s). */
  handoverTimeoutMs?: number;
  /**
   * Switches to keyframe-only decoding in a row that were not confirmed by the keyframe-only run's own
   * thumbnails, at most (default 3): a stream that looks different each way cannot make it flap.
   */
  maxKeyframeSwitches?: number;
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
  ffmpeg: Pick<FfmpegRunner, 'spawnCapture'>;
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
  /** Decode modes learnt per camera, kept across process restarts (DECODE_MODE=auto). None: this process only. */
  learntModes?: LearntModes;
}

export interface CameraSnapshot {
  camera: string;
  state: 'starting' | 'online' | 'offline';
  mode: DecodeMode | null;
  /** How that mode was chosen. */
  modeSource: DecodeModeSource | null;
  lastFrameAtMs: number | null;
  frames: number;
  droppedFrames: number;
  restarts: number;
  startedAtMs: number;
}

type RunRole = 'active' | 'standby' | 'retired';

/**
 * One ffmpeg child and what belongs to it. Usually one run is live; during a
 * mode switch two are: the `active` one, whose frames are handed on, and its
 * `standby` successor, whose timed frames wait (`parked`) until the handover,
 * after which the old run is `retired` (stopped, its frames dropped).
 */
interface Run {
  choice: DecodeModeChoice;
  role: RunRole;
  proc: CaptureProcess | undefined;
  pairer: FramePairer;
  grays: GrayFrames | null;
  /** Hands on the chunks held while frames wait for a settled anchor (force: all of them). */
  releaseChunks(force: boolean): void;
  stderrTail: RingBuffer<string>;
  /** Frames handed on from this run. */
  frames: number;
  /** When this run's newest frame (showinfo line) was seen, held back or not: the watchdog's measure. */
  lastFrameSeenAtMs: number | null;
  startedAtMs: number;
  stallReason: string | undefined;
  watchdog: TimerHandle | undefined;
  stopTimers: TimerHandle[];
  /** auto: learns the interval (all: from the keyframe watch) or checks it (keyframes: from the thumbnails). */
  learner: KeyframeIntervalLearner | null;
  watch: KeyframeWatch | null;
  /** A standby run's timed frames, waiting for the handover. */
  parked: TimedJpeg[];
  /** Frames captured before this are dropped: the run this one took over from had those seconds. */
  acceptFromMs: number;
  /** The run started to take over from this one, until it has. */
  successor: Run | null;
  ended: boolean;
  exited: Promise<ExitResult>;
}

const DEFAULT_HANDOVER_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_KEYFRAME_SWITCHES = 3;

export class CameraSupervisor {
  private state: CameraSnapshot['state'] = 'starting';
  /** The run whose frames are handed on; null between runs. */
  private active: Run | null = null;
  /** The latest active run's mode: what /healthz shows between runs. */
  private shown: DecodeModeChoice | null = null;
  private readonly live = new Set<Run>();
  /** What auto knows of this camera's keyframes: from the file at start, then from its runs. */
  private learnt: LearntMode | null;
  private learntSource: DecodeModeSource;
  private keyframeSwitches = 0;
  private runCount = 0;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  private frameChain: Promise<void> = Promise.resolve();
  private chunkChain: Promise<void> = Promise.resolve();
  private attempt = 0;
  /** Capture time of the newest frame handed on, by any run: where a successor takes over. */
  private lastAcceptedMs: number | null = null;
  private readonly stats = { frames: 0, droppedFrames: 0, restarts: 0, lastFrameAtMs: null as number | null };
  private readonly startedAtMs: number;

  constructor(private readonly deps: SupervisorDeps) {
    this.startedAtMs = deps.clock.now();
    const { settings, camera, learntModes } = deps;
    this.learnt = settings.decodeMode === 'auto' ? (learntModes?.recall(camera.id, camera.url) ?? null) : null;
    this.learntSource = 'remembered';
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch((error: unknown) => {
      this.deps.log.error({ camera: this.deps.camera.id, err: error }, 'camera supervisor failed');
    });
  }

  /** Staged stop of every ffmpeg, then waits for every captured frame to be handed over. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    for (const run of this.live) this.stageStop(run);
    await this.loop;
    await Promise.all([...this.live].map((run) => run.exited));
    await this.frameChain;
    await this.chunkChain;
    this.markOffline('shutdown');
  }

  snapshot(): CameraSnapshot {
    const choice = this.active?.choice ?? this.shown ?? this.nextChoice();
    return {
      camera: this.deps.camera.id,
      state: this.state,
      mode: choice.mode,
      modeSource: choice.source,
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
    const { camera, settings } = this.deps;
    while (!this.stopping) {
      const run = this.active ?? this.spawnRun(this.nextChoice(), 'active');
      const result = await run.exited;
      if (this.stopping) break;
      // Handed over: its successor is the active run now.
      if (run.role === 'retired') continue;
      const reason = run.stallReason ?? describeExit(result, run.stderrTail.toArray());
      const exit = { camera: camera.id, ...result, reason, stderr: run.stderrTail.toArray() };
      const successor = run.successor;
      if (successor && !successor.ended) {
        this.log.warn(exit, 'ffmpeg ended; the ffmpeg started for the mode switch takes over now');
        this.handOver(run, successor);
        continue;
      }
      this.active = null;
      this.log.warn(exit, 'ffmpeg ended, restarting');
      if (run.stallReason && run.choice.mode === 'keyframes' && settings.decodeMode === 'auto') {
        // A GOP that grew past the stall time looks like this: decode everything again, and learn again.
        this.log.warn(
          { camera: camera.id },
          'no keyframe came while decoding keyframes only: decoding all frames again and learning the keyframe interval anew',
        );
        this.remember({ mode: 'all', keyframeIntervalMs: null }, 'fallback');
      }
      this.markOffline(reason);
      this.stats.restarts++;
      this.deps.onRestart?.();
      if (run.frames > 0) this.attempt = 0;
      await this.backoff();
    }
  }

  /** The mode the next (re)start uses. */
  private nextChoice(): DecodeModeChoice {
    const { decodeMode } = this.deps.settings;
    if (decodeMode !== 'auto') return { mode: decodeMode, source: 'override', keyframeIntervalMs: null };
    if (!this.learnt) return { mode: 'all', source: 'learning', keyframeIntervalMs: null };
    return { mode: this.learnt.mode, source: this.learntSource, keyframeIntervalMs: this.learnt.keyframeIntervalMs };
  }

  private remember(learnt: LearntMode, source: DecodeModeSource): void {
    // The same mode again (a run confirming what was known) changes nothing and writes nothing.
    if (this.learnt?.mode === learnt.mode) return;
    this.learnt = learnt;
    this.learntSource = source;
    const { camera, learntModes } = this.deps;
    learntModes?.remember(camera.id, camera.url, learnt).catch((error: unknown) => {
      this.log.warn({ camera: camera.id, err: error }, 'could not keep the learnt decode mode');
    });
  }

  private logChoice(choice: DecodeModeChoice, learning: boolean): void {
    const fields = {
      camera: this.deps.camera.id,
      mode: choice.mode,
      source: choice.source,
      keyframeIntervalMs: choice.keyframeIntervalMs,
    };
    if (choice.mode === 'keyframes') this.log.info(fields, 'decoding keyframes only');
    else if (learning)
      this.log.info(fields, 'decoding all frames, one kept a second, while the keyframe interval is learnt');
    else this.log.info(fields, 'decoding all frames, one kept a second');
  }

  private async backoff(): Promise<void> {
    const delay = backoffDelayMs(this.attempt++, this.deps.settings.backoff, this.deps.random);
    this.log.debug({ camera: this.deps.camera.id, delayMs: delay }, 'waiting before restart');
    await sleep(this.deps.clock, delay, this.stopSignal.signal);
  }

  private spawnRun(choice: DecodeModeChoice, role: 'active' | 'standby'): Run {
    const { camera, settings, clock } = this.deps;
    const auto = settings.decodeMode === 'auto';
    const maxSwitches = settings.maxKeyframeSwitches ?? DEFAULT_MAX_KEYFRAME_SWITCHES;
    // All frames: learn whether keyframes would do (unless this camera has switched enough). Keyframes: check it.
    const learning = auto && (choice.mode === 'keyframes' || this.keyframeSwitches < maxSwitches);
    const watchKeyframes = learning && choice.mode === 'all';
    const chunks = this.deps.chunks?.() ?? null;
    // A name per run: a restarted ffmpeg counts its chunks from 0 again, and two may run during a switch.
    const runId = `${clock.now().toString(36)}${(this.runCount++).toString(36)}`;
    const spec: CaptureSpec & KeyframeWatchSpec = {
      url: camera.url,
      mode: choice.mode,
      width: settings.width,
      quality: settings.quality,
      socketTimeoutSeconds: settings.socketTimeoutSeconds,
      ...(chunks
        ? { chunks: { stagingPattern: `${chunks.stagingDir}/${runId}-%06d.mp4`, seconds: chunks.seconds } }
        : {}),
      ...(settings.analysis ? { analysis: { ...settings.analysis } } : {}),
      ...(watchKeyframes ? { watchKeyframes: true } : {}),
    };
    const splitter = new JpegSplitter();
    const grays = settings.analysis ? new GrayFrames(settings.analysis.width * settings.analysis.height, clock) : null;
    // A chunk starts where the previous one ended: the same instant gets the same capture time.
    const previousChunkEnd = { streamMs: Number.NaN, captureMs: 0 };
    const pairer = new FramePairer({ anchorSamples: settings.anchorSamples ?? 3 });
    // Chunk lines wait while frames are held back, so both are timed by the same (settled) anchor.
    const heldChunks: SegmentListEntry[] = [];
    let resolveExit: (result: ExitResult) => void = () => undefined;
    const run: Run = {
      choice,
      role,
      proc: undefined,
      pairer,
      grays,
      releaseChunks: (force) => {
        if (!chunks || (pairer.holding && !force)) return;
        for (const entry of heldChunks.splice(0)) this.acceptChunk(entry, pairer, chunks.stagingDir, previousChunkEnd);
      },
      stderrTail: new RingBuffer(settings.stderrLines),
      frames: 0,
      lastFrameSeenAtMs: null,
      startedAtMs: clock.now(),
      stallReason: undefined,
      watchdog: undefined,
      stopTimers: [],
      // Checking keyframes-only decoding rests on the median alone: a hiccup of a few seconds is no reason to
      // switch back (a keyframe that stops coming altogether is the stall watchdog's).
      learner: learning
        ? new KeyframeIntervalLearner(
            choice.mode === 'keyframes'
              ? { intervals: LEARN_INTERVALS, limitMs: KEYFRAME_INTERVAL_LIMIT_MS, windowMs: Number.POSITIVE_INFINITY }
              : undefined,
          )
        : null,
      watch: watchKeyframes ? new KeyframeWatch() : null,
      parked: [],
      acceptFromMs: Number.NEGATIVE_INFINITY,
      successor: null,
      ended: false,
      exited: new Promise<ExitResult>((resolve) => {
        resolveExit = resolve;
      }),
    };
    this.live.add(run);
    if (role === 'active') {
      this.active = run;
      this.shown = choice;
      this.logChoice(choice, learning);
    }
    const proc = this.deps.ffmpeg.spawnCapture(spec, {
      onStdout: (chunk) => {
        for (const jpeg of splitter.push(chunk)) this.route(run, pairer.addJpeg(jpeg));
      },
      ...(grays ? { onAnalysis: (chunk: Buffer) => grays.push(chunk) } : {}),
      onStderrLine: (line) => {
        if (KeyframeWatch.owns(line)) {
          const keyframeMs = run.watch?.add(line) ?? null;
          if (keyframeMs !== null) this.learnFromKeyframe(run, keyframeMs);
          return;
        }
        if (line.includes('Parsed_showinfo')) {
          const before = pairer.framesSeen;
          this.route(run, pairer.addStderrLine(line, clock.now()));
          // A frame held back for its anchor is still a frame: the watchdog counts it.
          if (pairer.framesSeen > before) run.lastFrameSeenAtMs = clock.now();
          run.releaseChunks(false);
          return;
        }
        const entry = chunks ? parseSegmentListLine(line) : null;
        if (entry) {
          heldChunks.push(entry);
          run.releaseChunks(false);
        } else if (line.trim()) run.stderrTail.push(redactCredentials(line));
      },
      onExit: (result) => {
        run.proc = undefined;
        run.ended = true;
        // No better anchor will come: what is still held goes out with the one there is.
        this.route(run, pairer.flush());
        grays?.close();
        run.releaseChunks(true);
        if (run.watchdog) clock.clearTimeout(run.watchdog);
        for (const timer of run.stopTimers) clock.clearTimeout(timer);
        run.stopTimers = [];
        this.live.delete(run);
        if (pairer.sequenceErrors > 0 || splitter.discardedBytes > 0) {
          this.log.warn(
            { camera: camera.id, sequenceErrors: pairer.sequenceErrors, discardedBytes: splitter.discardedBytes },
            'ffmpeg output was not in step',
          );
        }
        if (run.role === 'standby') this.abandonSwitch(run, result);
        resolveExit(result);
      },
    });
    if (!run.ended) run.proc = proc;
    this.scheduleWatchdog(run);
    return run;
  }

  /** Timed frames of a run go where its role says. */
  private route(run: Run, frames: TimedJpeg[]): void {
    if (frames.length === 0) return;
    // Retired: its successor has these seconds.
    if (run.role === 'retired') return;
    if (run.role === 'standby') {
      if (run.ended) return;
      run.parked.push(...frames);
      const from = this.active;
      if (from?.successor === run) this.handOver(from, run);
      return;
    }
    this.accept(run, frames);
  }

  /** The keyframe watch (all frames decoded) saw a keyframe. */
  private learnFromKeyframe(run: Run, streamMs: number): void {
    if (run.role !== 'active' || !run.learner || run.choice.mode !== 'all') return;
    const verdict = run.learner.addKeyframe(streamMs);
    if (verdict) this.onVerdict(run, verdict);
  }

  private onVerdict(run: Run, verdict: Verdict): void {
    const { camera, settings } = this.deps;
    const keyframeIntervalMs = verdict.keyframeIntervalMs === null ? null : Math.round(verdict.keyframeIntervalMs);
    const fields = {
      camera: camera.id,
      running: run.choice.mode,
      mode: verdict.mode,
      keyframeIntervalMs,
      why: verdict.why,
    };
    const fallingBack = run.choice.mode === 'keyframes' && verdict.mode === 'all';
    this.remember({ mode: verdict.mode, keyframeIntervalMs }, fallingBack ? 'fallback' : 'learnt');
    if (verdict.mode === run.choice.mode) {
      // Keyframes-only decoding proved right: the switch that led here was no flap (an outage may cause the next).
      if (verdict.mode === 'keyframes') this.keyframeSwitches = 0;
      this.log.info(
        fields,
        verdict.mode === 'keyframes'
          ? 'keyframes come once a second: decoding keyframes only stays right'
          : 'keyframes come less often than once a second: decoding all frames stays, one kept a second',
      );
      return;
    }
    if (verdict.mode === 'keyframes') {
      const maxSwitches = settings.maxKeyframeSwitches ?? DEFAULT_MAX_KEYFRAME_SWITCHES;
      if (this.keyframeSwitches >= maxSwitches) {
        this.log.warn({ ...fields, switches: this.keyframeSwitches }, 'not switching again in this process');
        return;
      }
      this.keyframeSwitches++;
      this.log.info(
        fields,
        'keyframes come once a second: switching to decoding keyframes only (a second ffmpeg takes over at its first timed frame)',
      );
    } else {
      this.log.warn(
        fields,
        'keyframes come less often than once a second while decoding keyframes only: switching to decoding all frames (a second ffmpeg takes over at its first timed frame)',
      );
    }
    if (run.successor || this.stopping) return;
    run.successor = this.spawnRun(
      { mode: verdict.mode, source: fallingBack ? 'fallback' : 'learnt', keyframeIntervalMs },
      'standby',
    );
  }

  /**
   * `to` takes over from `from`: its frames are handed on from the wall-clock second after the newest frame
   * handed on so far (every second keeps its thumbnail, none gets two from the switch), `from` is stopped.
   */
  private handOver(from: Run, to: Run): void {
    from.role = 'retired';
    from.successor = null;
    to.role = 'active';
    this.active = to;
    this.shown = to.choice;
    const last = this.lastAcceptedMs;
    to.acceptFromMs = last === null ? Number.NEGATIVE_INFINITY : (Math.floor(last / 1000) + 1) * 1000;
    this.log.info(
      {
        camera: this.deps.camera.id,
        from: from.choice.mode,
        mode: to.choice.mode,
        source: to.choice.source,
        keyframeIntervalMs: to.choice.keyframeIntervalMs,
        lastFrameAtMs: last,
        takesFromMs: last === null ? null : to.acceptFromMs,
      },
      to.choice.mode === 'keyframes' ? 'handed over: decoding keyframes only' : 'handed over: decoding all frames',
    );
    this.accept(to, to.parked.splice(0));
    if (!from.ended) this.stageStop(from);
  }

  /** A successor ended before taking over: the running ffmpeg stays; the learnt mode applies at its next start. */
  private abandonSwitch(run: Run, result: ExitResult): void {
    for (const other of this.live) if (other.successor === run) other.successor = null;
    if (this.active?.successor === run) this.active.successor = null;
    if (this.stopping) return;
    this.log.warn(
      { camera: this.deps.camera.id, mode: run.choice.mode, ...result, stderr: run.stderrTail.toArray() },
      'the ffmpeg started for the mode switch ended before taking over: the running one stays until its next start',
    );
  }

  private accept(run: Run, frames: TimedJpeg[]): void {
    const { camera, settings, clock } = this.deps;
    for (const frame of frames) {
      if (frame.capturedAtMs < run.acceptFromMs) continue;
      const now = clock.now();
      if (Math.abs(frame.capturedAtMs - now) > settings.maxClockSkewMs) {
        this.stats.droppedFrames++;
        this.log.debug(
          { camera: camera.id, n: frame.n, capturedAtMs: frame.capturedAtMs },
          'frame time not near now, dropped',
        );
        continue;
      }
      run.frames++;
      this.stats.frames++;
      this.stats.lastFrameAtMs = now;
      this.lastAcceptedMs = Math.max(this.lastAcceptedMs ?? frame.capturedAtMs, frame.capturedAtMs);
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
        ...(run.grays ? { gray: run.grays.get(frame.n) } : {}),
      };
      this.frameChain = this.frameChain.then(() =>
        this.deps.onFrame(captured).catch((error: unknown) => {
          this.log.error({ camera: camera.id, err: error }, 'could not store a frame');
        }),
      );
      // Keyframes only: every thumbnail is a keyframe, so their spacing checks the learnt mode.
      if (run.learner && run.choice.mode === 'keyframes' && run.role === 'active') {
        const verdict = run.learner.addKeyframe(frame.capturedAtMs);
        if (verdict) this.onVerdict(run, verdict);
      }
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

  private scheduleWatchdog(run: Run): void {
    const { clock, settings, camera } = this.deps;
    const period = Math.min(1_000, settings.stallMs);
    const check = () => {
      run.watchdog = undefined;
      if (run.ended || this.stopping) return;
      // Frames held back for a settled anchor are not held for ever (a camera slower than 1 fps).
      this.route(run, run.pairer.releaseStale(clock.now()));
      run.releaseChunks(false);
      if (run.role === 'standby') {
        const timeoutMs = settings.handoverTimeoutMs ?? DEFAULT_HANDOVER_TIMEOUT_MS;
        if (clock.now() - run.startedAtMs > timeoutMs) {
          this.log.warn(
            { camera: camera.id, mode: run.choice.mode },
            `the ffmpeg started for the mode switch gave no timed frame in ${Math.round(timeoutMs / 1000)} s: given up`,
          );
          this.stageStop(run);
          return;
        }
      } else if (run.role === 'active') {
        const since = run.lastFrameSeenAtMs ?? run.startedAtMs;
        if (clock.now() - since > settings.stallMs) {
          run.stallReason = `stalled: no frame for ${Math.round(settings.stallMs / 1000)} s`;
          this.log.warn({ camera: camera.id }, run.stallReason);
          this.stageStop(run);
          return;
        }
      }
      run.watchdog = clock.setTimeout(check, period);
    };
    run.watchdog = clock.setTimeout(check, period);
  }

  /** "q" on stdin, then SIGTERM, then SIGKILL, each after stopGraceMs. */
  private stageStop(run: Run): void {
    const proc = run.proc;
    if (!proc || run.stopTimers.length > 0) return;
    const { clock, settings } = this.deps;
    proc.requestQuit();
    run.stopTimers.push(
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
