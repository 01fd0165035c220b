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
import { type ChunkAudio, chunkAudioFor } from './chunk-audio.js';
import {
  type DecodeModeChoice,
  type DecodeModeSource,
  KEYFRAME_INTERVAL_LIMIT_MS,
  KeyframeIntervalLearner,
  LEARN_INTERVALS,
  type LearntMode,
  type LearntModes,
  type StreamCodecs,
  type Verdict,
} from './decode-mode.js';
import { describeExit } from './exit-reason.js';
import type { CaptureProcess, ExitResult, FfmpegRunner } from './ffmpeg.js';
import { type CaptureSpec, CLOCK_ALL_FRAMES_S, type DecodeMode } from './ffmpeg-args.js';
import { FramePairer, type TimedJpeg } from './frame-pairing.js';
import { GrayFrames } from './gray-frames.js';
import { JpegSplitter } from './jpeg.js';
import { parseKeyframeListLine } from './keyframe-list.js';
import { KeyframeWatch, type KeyframeWatchSpec } from './keyframe-watch.js';
import { RingBuffer } from './ring-buffer.js';
import { parseSegmentListLine, type SegmentListEntry, segmentStreamTimesMs } from './segment-list.js';
import { InputDescriptionParser, isInputDescriptionLine, type StreamInfo } from './stream-info.js';

export interface CameraIdentity {
  id: string;
  url: string;
  location: string;
  transport?: 'tcp' | 'udp';
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
  /** Frames after each start are held until the stream clock's anchor rests on this many (default 8, or 3 s). */
  anchorSamples?: number;
  /** ...spread over this much arrival time (default: the clock's all-frames start, 2 s; or 3 s). */
  anchorSpanMs?: number;
  /** Size of the gray frame handed beside each JPEG to the motion analysis; absent: no analysis. */
  analysis?: { width: number; height: number };
  /**
   * `recorder`: this supervisor records chunks only (the main stream of a camera whose thumbnails come from its
   * sub-stream): no JPEGs, the decoded keyframes only time the stream. Default `camera`: thumbnails (+ chunks).
   */
  role?: 'camera' | 'recorder';
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
  /**
   * A chunk finished that another run of this camera recorded already (around a mode switch): its staging
   * file is to be removed, never published. Called in the same order as onChunk.
   */
  onChunkDiscarded?(chunk: RecordedChunk, reason: string): Promise<void>;
  /**
   * Where the video starts in a finished staged chunk (ms into the file), null when unreadable. With sound,
   * a chunk output's time 0 is its first packet, which may be sound from before the first keyframe.
   */
  chunkVideoStartMs?(stagingPath: string): Promise<number | null>;
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
  /** Resolves when this run has handed its thumbnails over to a successor. */
  handedOver: Promise<void>;
  markHandedOver(): void;
  /** Chunk length of this run (0: no chunks). */
  chunkSeconds: number;
  /** Chunks this run has finished (a run's first chunk starts at its first packet, the later ones on a boundary). */
  chunksFinished: number;
  /** Capture time where this run's newest published chunk ends. */
  lastChunkEndMs: number | null;
  /** Handed over, still recording: stops after the chunk it is writing (a whole one) is finished. */
  finishChunkThenStop: boolean;
  /** Chunks of this (old) run that start at or after this capture time are the successor's: discarded. */
  discardFromMs: number | null;
  /** The staged stop has begun ("q" sent). */
  stopRequested: boolean;
  /** That chunk is done: what this run finishes after it (a part the successor has) is discarded. */
  chunksClosed: boolean;
  /** The predecessor still finishing its chunk: this run's chunk lines wait for it to end. */
  waitingFor: Run | null;
  /** This run's chunks that end by here (the predecessor's last one) are discarded: the predecessor has them whole. */
  coveredUntilMs: number | null;
  /** What this run does with the camera's sound in its chunks. */
  chunkAudio: ChunkAudio;
  /** Its input description showed sound that wants other chunk options: switch once the mode is decided. */
  codecSwitchPending: boolean;
  /** A learning run has given its verdict on the mode. */
  decided: boolean;
  /**
   * How long before this run's first decoded frame its chunk output's time 0 lies (the sound that came
   * before the first keyframe), read from its first chunk; null until then. Without sound 0.
   */
  leadMs: number | null;
  leadAsked: boolean;
  /** The first chunk held sound only (the run's first keyframe came at its end): not published. */
  firstChunkSoundOnly: boolean;
}

const DEFAULT_HANDOVER_TIMEOUT_MS = 20_000;
/**
 * Arrivals the anchor rests on before frames are stamped. The least delayed of 3 arrivals over a link with
 * 10–70 ms of jitter is still 50 ms late one time in three; of 8, a few times in a hundred (test/jitter).
 * Decoding every frame, 8 arrivals come within a second (the stream clock's showinfo); decoding keyframes
 * only, one a second, so the 3 s hold of FramePairer lets the first frames go with 3 or 4.
 */
const DEFAULT_ANCHOR_SAMPLES = 8;
/**
 * ...and the arrivals of a run's first 2 s, all of whose decoded frames reach the stream clock (ffmpeg-args.ts
 * CLOCK_ALL_FRAMES_S). Over a link that holds TCP segments 10–70 ms in order, the arrivals of one second are
 * late together: 8 of them (0.8 s at 10 fps) left a run's first thumbnails 52 ms off in 1 of 12 runs of
 * test/jitter, where its 2nd second had an arrival 15 ms less delayed. Costs a camera's first thumbnail up to
 * 2 s at start, never at a switch (whose run takes the old run's anchor, FramePairer.seedFromDonor).
 */
const DEFAULT_ANCHOR_SPAN_MS = CLOCK_ALL_FRAMES_S * 1000;
/**
 * A standby run (a mode switch) holds its frames until its anchor is the old run's (a keyframe both saw, about
 * 2 s) or rests on 8 arrivals of its own (a keyframe a second: 8 s), at most this long: the old run covers.
 */
const STANDBY_MAX_HOLD_MS = 10_000;
/** A reader joins a stream anywhere in its GOP; "smart codec" cameras send a keyframe every 10 s or less. */
const FIRST_KEYFRAME_GRACE_MS = 10_000;
/**
 * At a mode switch the old ffmpeg records on until its whole chunk is finished when chunks are at most this long:
 * two ffmpegs decoding for that while is cheap, and every chunk stays whole. Longer chunks (the default is 10 min)
 * are cut at the switch instead, into two that overlap by the few seconds both ran: nothing is lost.
 */
const FINISH_CHUNK_MAX_SECONDS = 30;
/** Two runs cut the same stream at the same keyframe; their capture times for it differ by their anchors' error. */
const SAME_CUT_MS = 250;
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
  /** What the camera sends, from the file at start, then from each run's own description of its input. */
  private codecs: StreamCodecs | null;
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
    this.codecs = learntModes?.recallCodecs?.(camera.id, camera.url) ?? null;
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
      // Handed over: its successor is the active run now (the old one may still finish a chunk).
      const result = await Promise.race([run.exited, run.handedOver.then(() => null)]);
      if (this.stopping) break;
      if (result === null || run.role === 'retired') continue;
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

  /** `predecessor`: the run a standby takes over from, whose settled anchor times the standby's first frames. */
  private spawnRun(choice: DecodeModeChoice, role: 'active' | 'standby', predecessor?: Run): Run {
    const { camera, settings, clock } = this.deps;
    const auto = settings.decodeMode === 'auto';
    const recorder = settings.role === 'recorder';
    const maxSwitches = settings.maxKeyframeSwitches ?? DEFAULT_MAX_KEYFRAME_SWITCHES;
    // All frames: learn whether keyframes would do (unless this camera has switched enough). Keyframes: check it.
    const learning = auto && (choice.mode === 'keyframes' || this.keyframeSwitches < maxSwitches);
    const watchKeyframes = learning && choice.mode === 'all';
    const chunks = this.deps.chunks?.() ?? null;
    // A name per run: a restarted ffmpeg counts its chunks from 0 again, and two may run during a switch.
    const runId = `${clock.now().toString(36)}${(this.runCount++).toString(36)}`;
    // Unknown sound (a camera never seen): any sound is converted; the description then tells what it is.
    const chunkAudio = chunkAudioFor(this.codecs ? this.codecs.audio : undefined).audio;
    const videoCodec = this.codecs?.video;
    const spec: CaptureSpec & KeyframeWatchSpec = {
      url: camera.url,
      ...(camera.transport ? { transport: camera.transport } : {}),
      mode: choice.mode,
      width: settings.width,
      quality: settings.quality,
      socketTimeoutSeconds: settings.socketTimeoutSeconds,
      ...(chunks
        ? {
            chunks: {
              stagingPattern: `${chunks.stagingDir}/${runId}-%06d.mp4`,
              seconds: chunks.seconds,
              audio: chunkAudio,
              ...(videoCodec ? { videoCodec } : {}),
            },
          }
        : {}),
      ...(recorder ? { thumbnails: false } : settings.analysis ? { analysis: { ...settings.analysis } } : {}),
      ...(watchKeyframes ? { watchKeyframes: true } : {}),
    };
    const splitter = new JpegSplitter();
    const grays = settings.analysis ? new GrayFrames(settings.analysis.width * settings.analysis.height, clock) : null;
    // A chunk starts where the previous one ended: the same instant gets the same capture time.
    const previousChunkEnd = { streamMs: Number.NaN, captureMs: 0 };
    const pairer = new FramePairer({
      anchorSamples: settings.anchorSamples ?? DEFAULT_ANCHOR_SAMPLES,
      anchorSpanMs: settings.anchorSpanMs ?? DEFAULT_ANCHOR_SPAN_MS,
      // A standby's frames wait for the handover anyway: they may wait for a well-rested anchor too.
      ...(role === 'standby' ? { maxHoldMs: STANDBY_MAX_HOLD_MS } : {}),
      ...(predecessor ? { anchorDonor: predecessor.pairer } : {}),
      withoutJpegs: recorder,
    });
    // Chunk lines wait while frames are held back, so both are timed by the same (settled) anchor.
    const heldChunks: SegmentListEntry[] = [];
    const description = new InputDescriptionParser();
    let resolveExit: (result: ExitResult) => void = () => undefined;
    let resolveHandedOver: () => void = () => undefined;
    const run: Run = {
      choice,
      role,
      proc: undefined,
      pairer,
      grays,
      releaseChunks: (force) => {
        // Held until a frame has started the run's timeline (a recorder's first keyframe-list line may follow
        // the chunk line the same keyframe printed) and while frames wait for their anchor.
        if (!chunks || ((pairer.holding || pairer.firstStreamMs === null) && !force)) return;
        // Until the predecessor has finished its chunk, it is unknown which of these it recorded whole.
        if (run.waitingFor && !run.waitingFor.ended) return;
        if (run.leadMs === null) {
          this.measureLead(run, heldChunks[0], chunks.stagingDir);
          return;
        }
        for (const entry of heldChunks.splice(0))
          this.acceptChunk(run, entry, pairer, chunks.stagingDir, previousChunkEnd);
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
      handedOver: new Promise<void>((resolve) => {
        resolveHandedOver = resolve;
      }),
      markHandedOver: () => resolveHandedOver(),
      chunkSeconds: chunks?.seconds ?? 0,
      chunksFinished: 0,
      lastChunkEndMs: null,
      finishChunkThenStop: false,
      discardFromMs: null,
      stopRequested: false,
      chunksClosed: false,
      waitingFor: null,
      coveredUntilMs: null,
      chunkAudio,
      codecSwitchPending: false,
      decided: false,
      leadMs: chunkAudio === 'none' || !this.deps.chunkVideoStartMs ? 0 : null,
      leadAsked: false,
      firstChunkSoundOnly: false,
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
        if (!description.done) {
          const info = description.push(line);
          // A recorder's parser delay is one frame interval: the average rate, or the guessed one (tbr) if none.
          const rate = info?.video?.fps ?? info?.video?.tbr;
          if (recorder && rate) pairer.setInputFrameRate(rate);
          if (info) this.learnCodecs(run, info);
          if (isInputDescriptionLine(line)) return;
        }
        if (KeyframeWatch.owns(line)) {
          const keyframeMs = run.watch?.add(line) ?? null;
          if (keyframeMs !== null) this.learnFromKeyframe(run, keyframeMs);
          return;
        }
        if (FramePairer.ownsClockLine(line)) {
          this.route(run, pairer.addClockLine(line, clock.now()));
          run.releaseChunks(false);
          return;
        }
        // A recorder's keyframe list (nothing decoded) times its stream as showinfo's lines time a decoded one.
        const listed = recorder ? parseKeyframeListLine(line) : null;
        if (listed || line.includes('Parsed_showinfo')) {
          const before = pairer.framesSeen;
          this.route(
            run,
            listed ? pairer.addKeyframeListEntry(listed, clock.now()) : pairer.addStderrLine(line, clock.now()),
          );
          // A frame held back for its anchor is still a frame: the watchdog counts it.
          if (pairer.framesSeen > before) {
            run.lastFrameSeenAtMs = clock.now();
            if (recorder) this.recorderFrame(run);
          }
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
        // A successor waiting for this run's last whole chunk: now it knows what this run recorded.
        for (const other of this.live) {
          if (other.waitingFor !== run) continue;
          other.waitingFor = null;
          other.coveredUntilMs = run.lastChunkEndMs;
          other.releaseChunks(other.ended);
        }
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
    run.decided = true;
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
      // The mode stays; the sound in the chunks waited for this verdict to change with it in one switch.
      if (run.codecSwitchPending) this.switchForCodecs(run);
      return;
    }
    if (verdict.mode === 'keyframes') {
      const maxSwitches = settings.maxKeyframeSwitches ?? DEFAULT_MAX_KEYFRAME_SWITCHES;
      if (this.keyframeSwitches >= maxSwitches) {
        this.log.warn({ ...fields, switches: this.keyframeSwitches }, 'not switching again in this process');
        if (run.codecSwitchPending) this.switchForCodecs(run);
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
      run,
    );
  }

  /**
   * A run's own description of its input: what the camera sends. Kept (and written) when it is news; when
   * this run's chunks treat the sound otherwise than the codec wants (a camera never seen converts any sound;
   * AAC is then copied instead), a second ffmpeg takes over the same staged way, once the mode is decided.
   */
  private learnCodecs(run: Run, info: StreamInfo): void {
    const { camera, learntModes } = this.deps;
    // Only what is recorded needs its codecs (a camera whose sub-stream gives the thumbnails has no chunks here).
    if (run.chunkSeconds === 0) return;
    const codecs: StreamCodecs = { video: info.video?.codec ?? null, audio: info.audio?.codec ?? null };
    const known = this.codecs;
    const wanted = chunkAudioFor(codecs.audio);
    if (known?.video !== codecs.video || known?.audio !== codecs.audio) {
      this.codecs = codecs;
      this.log.info(
        { camera: camera.id, video: codecs.video, audio: codecs.audio, chunkAudio: wanted.audio, why: wanted.reason },
        'the camera sends these codecs',
      );
      learntModes?.rememberCodecs?.(camera.id, camera.url, codecs).catch((error: unknown) => {
        this.log.warn({ camera: camera.id, err: error }, 'could not keep the codecs the camera sends');
      });
    }
    // Converting "whatever sound" when there is none records the same as leaving it out: nothing to switch for.
    const same = wanted.audio === run.chunkAudio || (run.chunkAudio === 'aac' && codecs.audio === null);
    if (same || run.chunkSeconds === 0 || run.role !== 'active') return;
    // A run still learning the keyframe interval switches once, for both, when its verdict comes.
    if (run.watch && run.learner && !run.decided) {
      run.codecSwitchPending = true;
      return;
    }
    this.switchForCodecs(run);
  }

  private switchForCodecs(run: Run): void {
    run.codecSwitchPending = false;
    if (run.successor || this.stopping || run.role !== 'active') return;
    const audio = chunkAudioFor(this.codecs ? this.codecs.audio : undefined);
    this.log.info(
      {
        camera: this.deps.camera.id,
        mode: run.choice.mode,
        chunkAudio: audio.audio,
        was: run.chunkAudio,
        why: audio.reason,
      },
      "switching for the camera's sound in the chunks (a second ffmpeg takes over at its first timed frame)",
    );
    run.successor = this.spawnRun({ ...run.choice }, 'standby', run);
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
    // The old ffmpeg finishes the chunk it is writing when that is short, and the successor's first chunk (from
    // its first packet to the same boundary) is then dropped. Its first chunk too (from its own first packet, a
    // handover at the new run's 2nd keyframe comes inside it): cut at the switch, it and the successor's first
    // would be two partial chunks overlapping by seconds where finishing it leaves one.
    const finishChunk =
      !from.ended && from.chunkSeconds > 0 && from.chunkSeconds <= FINISH_CHUNK_MAX_SECONDS && !this.stopping;
    this.log.info(
      {
        camera: this.deps.camera.id,
        from: from.choice.mode,
        mode: to.choice.mode,
        source: to.choice.source,
        keyframeIntervalMs: to.choice.keyframeIntervalMs,
        lastFrameAtMs: last,
        takesFromMs: last === null ? null : to.acceptFromMs,
        oldStops: from.ended ? 'ended' : finishChunk ? 'after its chunk' : 'now',
        // The new run's anchor taken from the old one's (a keyframe both saw), and how far its own was from it.
        anchorFromOldRun: to.pairer.seededFrom !== null,
        ownAnchorLateMs: to.pairer.seededFrom
          ? to.pairer.seededFrom.ownOffsetMs - to.pairer.seededFrom.donorOffsetMs
          : null,
      },
      to.choice.mode === 'keyframes' ? 'handed over: decoding keyframes only' : 'handed over: decoding all frames',
    );
    const takeoverFromMs = to.parked[0]?.capturedAtMs ?? null;
    this.accept(to, to.parked.splice(0));
    from.markHandedOver();
    // The new run's chunks that the old one recorded whole are dropped once the old one's last is known.
    if (from.ended) to.coveredUntilMs = from.lastChunkEndMs;
    else to.waitingFor = from;
    if (from.ended) return;
    if (!finishChunk) {
      // What the old one starts after the new one's first frame (a sliver past a boundary) the new one has.
      from.discardFromMs = takeoverFromMs;
      this.stageStop(from);
      return;
    }
    from.finishChunkThenStop = true;
    // A chunk line that never comes (a stream that stopped) must not keep two ffmpegs for ever.
    from.stopTimers.push(this.deps.clock.setTimeout(() => this.stageStop(from), (from.chunkSeconds + 10) * 1_000));
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
      this.markOnline(frame.capturedAtMs);
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

  /** Reads the lead from the run's first chunk (once), then lets its held chunks go. */
  private measureLead(run: Run, entry: SegmentListEntry | undefined, stagingDir: string): void {
    const measure = this.deps.chunkVideoStartMs;
    if (!entry || !measure || run.leadAsked) return;
    run.leadAsked = true;
    const path = `${stagingDir}/${entry.file}`;
    measure(path)
      .catch((error: unknown) => {
        this.log.warn({ camera: this.deps.camera.id, err: error, file: entry.file }, 'could not read a chunk index');
        return 0;
      })
      .then((leadMs) => {
        // Only the first chunk can start before its first keyframe; a later one starts at a cut.
        if (entry.startSeconds !== 0) run.leadMs = 0;
        else if (leadMs === null) {
          // No video at all: the chunk ended where the first keyframe came (a long GOP joined mid-way).
          run.leadMs = Math.round(entry.endSeconds * 1000);
          run.firstChunkSoundOnly = true;
        } else run.leadMs = leadMs;
        if (run.leadMs > 0) {
          this.log.debug({ camera: this.deps.camera.id, leadMs: run.leadMs }, 'sound came before the first keyframe');
        }
        run.releaseChunks(run.ended);
      });
  }

  /** A finished chunk (segment-list entry): its capture times, then onChunk. */
  private acceptChunk(
    run: Run,
    entry: SegmentListEntry,
    pairer: FramePairer,
    stagingDir: string,
    previousEnd: { streamMs: number; captureMs: number },
  ): void {
    const { camera, clock } = this.deps;
    const first = pairer.firstStreamMs;
    const stream = first === null ? null : segmentStreamTimesMs(entry, first - (run.leadMs ?? 0));
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
    run.chunksFinished++;
    const discard =
      run.firstChunkSoundOnly && entry.startSeconds === 0
        ? 'sound only, from before the first keyframe: no picture to show'
        : run.discardFromMs !== null && startMs >= run.discardFromMs
          ? 'recorded by the old ffmpeg after the new one had started: the new one has this part'
          : run.chunksClosed
            ? 'recorded after the mode switch by the old ffmpeg: the new one has this part'
            : run.coveredUntilMs !== null && endMs <= run.coveredUntilMs + SAME_CUT_MS
              ? 'recorded whole by the old ffmpeg before the mode switch'
              : null;
    if (discard) {
      this.log.info({ camera: camera.id, file: entry.file, startMs, endMs, why: discard }, 'chunk discarded');
      const onDiscarded = this.deps.onChunkDiscarded;
      if (onDiscarded) {
        this.chunkChain = this.chunkChain.then(() =>
          onDiscarded(chunk, discard).catch((error: unknown) => {
            this.log.warn({ camera: camera.id, err: error, file: entry.file }, 'could not remove a discarded chunk');
          }),
        );
      }
      return;
    }
    run.lastChunkEndMs = endMs;
    if (run.finishChunkThenStop) {
      // The whole chunk the old ffmpeg was writing at the switch: published, and the old ffmpeg stops.
      run.chunksClosed = true;
      this.stageStop(run);
    }
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
        // Before its first frame a run waits for the stream's first keyframe too: up to a long GOP more.
        const since = run.lastFrameSeenAtMs ?? run.startedAtMs;
        const limitMs = settings.stallMs + (run.lastFrameSeenAtMs === null ? FIRST_KEYFRAME_GRACE_MS : 0);
        if (clock.now() - since > limitMs) {
          run.stallReason = `stalled: no frame for ${Math.round(limitMs / 1000)} s`;
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
    if (!proc || run.stopRequested) return;
    run.stopRequested = true;
    const { clock, settings } = this.deps;
    proc.requestQuit();
    run.stopTimers.push(
      clock.setTimeout(() => proc.kill('SIGTERM'), settings.stopGraceMs),
      clock.setTimeout(() => proc.kill('SIGKILL'), settings.stopGraceMs * 2),
    );
  }

  private markOnline(atMs: number): void {
    if (this.state === 'online') return;
    this.state = 'online';
    this.log.info({ camera: this.deps.camera.id, role: this.deps.settings.role ?? 'camera' }, 'camera online');
    this.deps.onStatus({ online: true, reason: 'first-frame', atMs });
  }

  /**
   * A line of a recorder's keyframe list (a keyframe arrived): it has no thumbnails to hand on, so its first line
   * is what says it is online, and what lets a standby recorder take over.
   */
  private recorderFrame(run: Run): void {
    if (run.role === 'standby') {
      if (!run.ended && this.active?.successor === run) this.handOver(this.active, run);
      return;
    }
    if (run.role !== 'active') return;
    run.frames++;
    this.stats.frames++;
    this.stats.lastFrameAtMs = this.deps.clock.now();
    this.markOnline(this.deps.clock.now());
  }

  private markOffline(reason: string): void {
    if (this.state === 'offline') return;
    this.state = 'offline';
    this.log.warn({ camera: this.deps.camera.id, reason }, 'camera offline');
    this.deps.onStatus({ online: false, reason, atMs: this.deps.clock.now() });
  }
}

export { describeExit } from './exit-reason.js';
