/**
 * Chooses the frames the detector looks at and feeds them to it one at a time:
 *
 * - a frame is a candidate when its motion passes `motionMin`, or when the camera sent none
 *   for `sampleMs` (one frame a minute, so a parked car is seen even if nothing moves);
 * - each camera has a small queue; when the detector falls behind, a camera's oldest frame
 *   is dropped (and counted), never the capture or the index: those do not wait on this;
 * - cameras take turns, and at most `maxFps` frames a second start in all: the CPU budget;
 * - the detector (a worker thread) is supervised: a load failure, a dead thread or a frame
 *   that takes longer than `timeoutMs` (the stall watchdog) closes it and opens a new one
 *   after a backoff with jitter, while frames keep queueing (and dropping) meanwhile.
 */
import type { Logger } from 'pino';
import { type BackoffPolicy, backoffDelayMs } from '../../shared/backoff.js';
import { type Clock, sleep } from '../../shared/clock.js';
import { type LabelSummary, summariseByLabel } from './detections.js';
import type { DetectionResult, DetectorPort } from './detector-thread.js';

export interface DetectionCandidate {
  camera: string;
  location: string;
  capturedAtMs: number;
  /** The stored thumbnail, relative to THUMBNAIL_DIR. */
  filepath: string;
  jpeg: Uint8Array;
  /** Motion since the previous thumbnail (0..1); absent when it was not measured. */
  motion?: number;
}

export interface DetectionSettings {
  /** Motion (share of the picture changed) at which a frame is looked at. */
  motionMin: number;
  /** A camera's frame is looked at at least this often, motion or not. */
  sampleMs: number;
  /** Frames a second started in all cameras, at most. */
  maxFps: number;
  /**
   * The CPU budget, in cores: after a frame that kept the thread busy for t, the next waits
   * t × (1/budget − 1), so the thread is busy at most this share of the time however slow
   * the machine (or a loaded moment) makes a frame.
   */
  cpuBudget: number;
  /** Frames waiting per camera; the oldest is dropped beyond it. */
  queuePerCamera: number;
  /** A frame that takes longer than this restarts the detector (stall watchdog). */
  timeoutMs: number;
  backoff: BackoffPolicy;
}

export interface DetectionOutcome {
  frame: DetectionCandidate;
  /** One per label seen, best score first; empty when nothing wanted was seen. */
  labels: LabelSummary[];
  inferenceMs: number;
}

export type DetectorState = 'loading' | 'ready' | 'failing' | 'stopped';

export interface DetectorSnapshot {
  state: DetectorState;
  /** Why it is failing; null otherwise. */
  reason: string | null;
  /** Frames looked at, dropped from a full queue, and failed, since start. */
  analysed: number;
  dropped: number;
  failed: number;
  queued: number;
  restarts: number;
  loadMs: number | null;
  lastAnalysedAtMs: number | null;
}

export interface DetectionSchedulerDeps {
  /** Makes a fresh detector (a new worker thread) each time one is needed. */
  detector: () => DetectorPort;
  settings: DetectionSettings;
  cameras: readonly string[];
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  onResult(outcome: DetectionOutcome): void;
  onDropped?(camera: string): void;
  onFailed?(camera: string): void;
  random?: () => number;
}

/** Frame failures in a row (the thread still alive) after which the detector is restarted anyway. */
const FAILURES_BEFORE_RESTART = 3;

export class DetectionScheduler {
  private readonly queues = new Map<string, DetectionCandidate[]>();
  private readonly lastTakenMs = new Map<string, number>();
  private readonly order: string[];
  private turn = 0;
  private state: DetectorState = 'loading';
  private reason: string | null = null;
  private counts = { analysed: 0, dropped: 0, failed: 0, restarts: 0 };
  private loadMs: number | null = null;
  private lastAnalysedAtMs: number | null = null;
  private lastStartMs = Number.NEGATIVE_INFINITY;
  /** When the CPU budget lets the next frame start. */
  private nextAllowedMs = Number.NEGATIVE_INFINITY;
  private stopping = false;
  private wake = new AbortController();
  private loop: Promise<void> | null = null;
  private current: DetectorPort | null = null;

  constructor(private readonly deps: DetectionSchedulerDeps) {
    this.order = [...deps.cameras];
    for (const camera of this.order) this.queues.set(camera, []);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Offers a stored frame; true when it was queued for the detector. */
  offer(frame: DetectionCandidate): boolean {
    if (this.stopping) return false;
    const queue = this.queues.get(frame.camera);
    if (!queue) return false;
    const last = this.lastTakenMs.get(frame.camera);
    const moved = frame.motion !== undefined && frame.motion >= this.deps.settings.motionMin;
    const due = last === undefined || frame.capturedAtMs - last >= this.deps.settings.sampleMs;
    if (!moved && !due) return false;
    this.lastTakenMs.set(frame.camera, frame.capturedAtMs);
    queue.push(frame);
    if (queue.length > this.deps.settings.queuePerCamera) {
      queue.shift();
      this.counts.dropped++;
      this.deps.onDropped?.(frame.camera);
    }
    this.wake.abort();
    return true;
  }

  snapshot(): DetectorSnapshot {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.length;
    return {
      state: this.state,
      reason: this.reason,
      ...this.counts,
      queued,
      loadMs: this.loadMs,
      lastAnalysedAtMs: this.lastAnalysedAtMs,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    this.stopController.abort();
    // A frame in the detector is abandoned: closing the thread rejects it.
    await this.current?.close();
    await this.loop;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    const { clock, log, settings } = this.deps;
    let failures = 0;
    let frameFailures = 0;
    while (!this.stopping) {
      if (!this.current) {
        const detector = this.deps.detector();
        this.current = detector;
        try {
          const { loadMs } = await detector.open();
          if (this.stopping) break;
          this.loadMs = loadMs;
          this.state = 'ready';
          this.reason = null;
          log.info({ loadMs: Math.round(loadMs) }, 'detector ready');
        } catch (error) {
          failures++;
          await this.fail(detector, error, failures);
          continue;
        }
      }
      const frame = this.takeNext();
      if (!frame) {
        await sleep(clock, 60_000, this.wakeSignal());
        continue;
      }
      // The budgets: frames start at least 1/maxFps apart, and the thread rests in proportion to its work.
      const wait = Math.max(this.lastStartMs + 1000 / settings.maxFps, this.nextAllowedMs) - clock.now();
      if (wait > 0) await sleep(clock, wait);
      if (this.stopping) break;
      this.lastStartMs = clock.now();
      const detector = this.current;
      try {
        const result = await this.withWatchdog(detector.detect(frame.jpeg));
        const busyMs = Math.max(result.inferenceMs, 0);
        this.nextAllowedMs = clock.now() + busyMs * (1 / settings.cpuBudget - 1);
        this.counts.analysed++;
        this.lastAnalysedAtMs = clock.now();
        failures = 0;
        frameFailures = 0;
        this.deps.onResult({ frame, labels: summariseByLabel(result.objects), inferenceMs: result.inferenceMs });
      } catch (error) {
        if (this.stopping) break;
        this.counts.failed++;
        this.deps.onFailed?.(frame.camera);
        frameFailures++;
        const fatal = error instanceof DetectorStalled || !detector.alive() || frameFailures >= FAILURES_BEFORE_RESTART;
        if (!fatal) {
          log.warn({ camera: frame.camera, err: error }, 'detector could not read a frame');
          continue;
        }
        failures++;
        frameFailures = 0;
        await this.fail(detector, error, failures);
      }
    }
    await this.current?.close();
    this.current = null;
  }

  /** Closes a failed detector and waits out the backoff before the next one. */
  private async fail(detector: DetectorPort, error: unknown, failures: number): Promise<void> {
    const { clock, log, settings } = this.deps;
    this.state = 'failing';
    this.reason = error instanceof Error ? error.message : String(error);
    this.counts.restarts++;
    this.current = null;
    await detector.close().catch(() => undefined);
    const delay = backoffDelayMs(failures - 1, settings.backoff, this.deps.random);
    log.error({ err: error, failures, retryInMs: delay }, 'detector failed; thumbnails and the index carry on');
    if (!this.stopping) await sleep(clock, delay, this.stopSignal());
  }

  private withWatchdog(work: Promise<DetectionResult>): Promise<DetectionResult> {
    const { clock, settings } = this.deps;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new DetectorStalled(settings.timeoutMs)), settings.timeoutMs);
      work.then(
        (r) => {
          clock.clearTimeout(timer);
          resolve(r);
        },
        (e: unknown) => {
          clock.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private takeNext(): DetectionCandidate | null {
    for (let i = 0; i < this.order.length; i++) {
      const camera = this.order[(this.turn + i) % this.order.length] as string;
      const frame = this.queues.get(camera)?.shift();
      if (frame) {
        this.turn = (this.turn + i + 1) % this.order.length;
        return frame;
      }
    }
    return null;
  }

  private wakeSignal(): AbortSignal {
    if (this.wake.signal.aborted) this.wake = new AbortController();
    return this.wake.signal;
  }

  /** Wakes only on stop (a frame arriving must not cut a backoff short). */
  private readonly stopController = new AbortController();
  private stopSignal(): AbortSignal {
    return this.stopController.signal;
  }
}

/** The stall watchdog's verdict: the thread is replaced, not asked again. */
class DetectorStalled extends Error {
  constructor(timeoutMs: number) {
    super(`detector stalled: no answer in ${timeoutMs / 1000} s`);
  }
}
