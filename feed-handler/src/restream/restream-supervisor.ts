/**
 * restream/ — a camera sent on to RTMP servers (YouTube Live and the like),
 * one ffmpeg child per target, apart from the camera's capture child: its own
 * RTSP session, its own process, so a restream that fails, stalls or is
 * killed changes nothing in thumbnails or chunks. In: the camera's stream URL,
 * a target (URL, key, on or off). Out: the target's status. restream-process.ts
 * is the only module here that starts a process; everything else is pure or
 * takes its clock and runner as deps.
 *
 * One target, supervised: probe the camera's codecs (kept until the camera
 * side fails, or a run ends before sending video), run the child, mark it live once video is sent, restart it with
 * capped exponential backoff and jitter when it ends, stop it when no video has
 * been sent for stallMs, and stop it in stages ("q", SIGTERM, SIGKILL).
 */
import type { Logger } from 'pino';
import type { ExitResult } from '../capture/ffmpeg.js';
import { RingBuffer } from '../capture/ring-buffer.js';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep, type TimerHandle } from '../shared/clock.js';
import { describeProbeFailure, describeRestreamEnd, type RestreamFailure } from './failure-reason.js';
import { ProgressParser } from './progress.js';
import {
  type InputStreams,
  parseInputStreams,
  planRestream,
  probeArgs,
  publishUrl,
  type RestreamInput,
  type RestreamPlan,
  restreamArgs,
} from './restream-args.js';
import type { RestreamProcess, RestreamRunner } from './restream-process.js';
import {
  initialStatus,
  nextStatus,
  type RestreamEvent,
  type RestreamStatus,
  type RestreamStatusView,
  statusView,
} from './restream-state.js';

/** A target as the stage needs it (config.ts validates the settings' form of it). */
export interface RestreamTarget {
  name: string;
  /** rtmp[s]://host[:port]/app, without the key. */
  url: string;
  key: string;
  enabled: boolean;
}

export interface RestreamSettings {
  /** No video frame sent for this long: the child is stopped and started again. */
  stallMs: number;
  backoff: BackoffPolicy;
  /** After "q", wait this long before SIGTERM, and as long again before SIGKILL. */
  stopGraceMs: number;
  /** ffmpeg stderr lines kept for the failure report. */
  stderrLines: number;
  /** How long the codec probe may take before it counts as a failure. */
  probeTimeoutMs: number;
  audioBitrateKbps: number;
  /** A run live at least this long was a success: the next failure starts the backoff from its base again. */
  stableLiveMs: number;
}

export interface RestreamSupervisorDeps {
  camera: string;
  input: RestreamInput;
  target: RestreamTarget;
  settings: RestreamSettings;
  runner: RestreamRunner;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Masks the stream key (and camera credentials) in every text that leaves here. */
  redact(text: string): string;
  random?: () => number;
}

export interface RestreamSnapshot extends RestreamStatusView {
  camera: string;
  target: string;
  /** Audio of the current plan (copy, encode, silent); null before the first probe. */
  audio: RestreamPlan['audio'] | null;
}

export class RestreamSupervisor {
  private status: RestreamStatus;
  private plan: RestreamPlan | null = null;
  private stopping = false;
  /** Aborted to wake the loop (switched on or off, stopping); replaced after each use. */
  private wake = new AbortController();
  private loop: Promise<void> | null = null;
  private proc: RestreamProcess | undefined;
  private attempt = 0;
  private framesThisRun = 0;
  private liveSinceThisRunMs: number | null = null;
  /** The current child is being stopped by the switch or by stop(): its end is no failure. */
  private stopRequested = false;
  private lastAdvanceAtMs = 0;
  private stallReason: string | undefined;
  private watchdog: TimerHandle | undefined;
  private stopTimers: TimerHandle[] = [];
  private readonly stderrTail: RingBuffer<string>;

  constructor(private readonly deps: RestreamSupervisorDeps) {
    this.stderrTail = new RingBuffer(deps.settings.stderrLines);
    this.status = initialStatus(deps.target.enabled, deps.clock.now());
  }

  get camera(): string {
    return this.deps.camera;
  }

  get target(): string {
    return this.deps.target.name;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch((error: unknown) => {
      this.log.error({ ...this.who, error: this.deps.redact(String(error)) }, 'restream supervisor failed');
    });
  }

  /** Stops the child in stages and ends the supervision. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopRequested = true;
    this.wakeUp();
    if (this.proc) this.stageStop(this.proc);
    await this.loop;
  }

  /** The on/off switch: off stops the child in stages; on starts at once (no backoff left over). */
  setEnabled(enabled: boolean): RestreamSnapshot {
    if (enabled === this.status.enabled) return this.snapshot();
    this.log.info({ ...this.who, enabled }, enabled ? 'restream switched on' : 'restream switched off');
    this.apply(enabled ? { type: 'enable' } : { type: 'disable', reason: 'switched off' });
    this.attempt = 0;
    if (!enabled && this.proc) {
      this.stopRequested = true;
      this.stageStop(this.proc);
    }
    this.wakeUp();
    return this.snapshot();
  }

  snapshot(): RestreamSnapshot {
    return {
      camera: this.deps.camera,
      target: this.deps.target.name,
      ...statusView(this.status, this.deps.clock.now()),
      audio: this.plan?.audio ?? null,
    };
  }

  private get log() {
    return this.deps.log;
  }

  private get who() {
    return { camera: this.deps.camera, target: this.deps.target.name };
  }

  private apply(event: RestreamEvent): void {
    this.status = nextStatus(this.status, event, this.deps.clock.now());
  }

  private wakeUp(): void {
    this.wake.abort();
    this.wake = new AbortController();
  }

  private waitForWake(): Promise<void> {
    const signal = this.wake.signal;
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (!this.status.enabled) {
        await this.waitForWake();
        continue;
      }
      const woken = this.wake.signal;
      const plan = this.plan ? { ok: true as const, plan: this.plan } : await this.probe(woken);
      // Switched off (and maybe on again) or stopping while probing: the probe was cut short, not failed.
      if (this.stopping || !this.status.enabled || woken.aborted) continue;
      if (!plan.ok) {
        await this.failed({ reason: plan.reason, side: 'camera' }, plan.detail);
        continue;
      }
      this.plan = plan.plan;
      const result = await this.runOnce(plan.plan);
      // Switched off (maybe on again since) or stopping: the end was ours, not a failure.
      if (this.stopping || this.stopRequested || !this.status.enabled) continue;
      const failure = this.stallReason
        ? { reason: this.stallReason, side: 'unknown' as const }
        : describeRestreamEnd(result, this.stderrTail.toArray());
      // The camera may have changed (a new codec, audio switched on): probe again when its side failed, or
      // when the run never sent video for a reason not known to be the target's.
      if (failure.side === 'camera' || (failure.side === 'unknown' && this.framesThisRun === 0)) this.plan = null;
      const liveFor = this.liveSinceThisRunMs === null ? 0 : this.deps.clock.now() - this.liveSinceThisRunMs;
      if (liveFor >= this.deps.settings.stableLiveMs) this.attempt = 0;
      await this.failed(failure, { ...result, stderr: this.stderrTail.toArray() });
    }
    this.apply({ type: 'disable', reason: 'shutdown' });
  }

  /** Marks the failure, then waits out the backoff (cut short by the switch or a stop). */
  private async failed(failure: RestreamFailure, detail: Record<string, unknown>): Promise<void> {
    const delay = backoffDelayMs(this.attempt++, this.deps.settings.backoff, this.deps.random);
    const now = this.deps.clock.now();
    this.apply({ type: 'failed', reason: failure.reason, retryAtMs: now + delay });
    this.log.warn({ ...this.who, reason: failure.reason, retryInMs: delay, ...detail }, 'restream failing, retrying');
    await sleep(this.deps.clock, delay, this.wake.signal);
    this.apply({ type: 'retrying' });
  }

  private async probe(
    signal: AbortSignal,
  ): Promise<{ ok: true; plan: RestreamPlan } | { ok: false; reason: string; detail: Record<string, unknown> }> {
    const { runner, settings, redact, input } = this.deps;
    const output = await runner.probe(probeArgs(input), {
      timeoutMs: settings.probeTimeoutMs,
      signal,
      maxLines: 200,
    });
    const lines = output.lines.map(redact);
    const streams: InputStreams | null = parseInputStreams(lines);
    if (!streams) {
      return {
        ok: false,
        reason: describeProbeFailure(output.exit, lines.slice(-this.deps.settings.stderrLines)),
        detail: { stderr: lines.slice(-this.deps.settings.stderrLines) },
      };
    }
    const planned = planRestream(streams);
    if (!planned.ok) return { ok: false, reason: planned.reason, detail: { streams } };
    this.log.info({ ...this.who, streams, audio: planned.plan.audio }, 'restream plan');
    return planned;
  }

  private runOnce(plan: RestreamPlan): Promise<ExitResult> {
    const { clock, settings, target, redact } = this.deps;
    const progress = new ProgressParser();
    this.stderrTail.clear();
    this.framesThisRun = 0;
    this.liveSinceThisRunMs = null;
    this.stopRequested = false;
    this.lastAdvanceAtMs = clock.now();
    this.stallReason = undefined;
    const args = restreamArgs({
      input: this.deps.input,
      plan,
      outputUrl: publishUrl(target),
      audioBitrateKbps: settings.audioBitrateKbps,
    });
    this.log.debug({ ...this.who, args: args.map(redact) }, 'starting restream ffmpeg');
    return new Promise((resolve) => {
      this.proc = this.deps.runner.spawn(args, {
        onProgress: (chunk) => {
          for (const report of progress.push(chunk)) {
            if (report.frames > this.framesThisRun) {
              this.lastAdvanceAtMs = clock.now();
              if (this.framesThisRun === 0) {
                this.liveSinceThisRunMs = clock.now();
                this.log.info({ ...this.who, audio: plan.audio }, 'restream live');
              }
              this.framesThisRun = report.frames;
            }
            this.apply({ type: 'progress', frames: report.frames, bytes: report.bytes });
          }
        },
        onStderrLine: (line) => {
          if (line.trim()) this.stderrTail.push(redact(line));
        },
        onExit: (result) => {
          this.proc = undefined;
          if (this.watchdog) clock.clearTimeout(this.watchdog);
          for (const timer of this.stopTimers) clock.clearTimeout(timer);
          this.stopTimers = [];
          resolve(result.error ? { ...result, error: redact(result.error) } : result);
        },
      });
      this.scheduleWatchdog();
    });
  }

  private scheduleWatchdog(): void {
    const { clock, settings } = this.deps;
    const every = Math.min(1_000, settings.stallMs);
    const check = () => {
      const proc = this.proc;
      if (!proc || this.stopping) return;
      if (clock.now() - this.lastAdvanceAtMs > settings.stallMs) {
        this.stallReason = `stalled: no video sent for ${Math.round(settings.stallMs / 1000)} s`;
        this.log.warn({ ...this.who }, this.stallReason);
        this.stageStop(proc);
        return;
      }
      this.watchdog = clock.setTimeout(check, every);
    };
    this.watchdog = clock.setTimeout(check, every);
  }

  /** "q" on stdin, then SIGTERM, then SIGKILL, each after stopGraceMs. */
  private stageStop(proc: RestreamProcess): void {
    if (this.stopTimers.length > 0) return;
    const { clock, settings } = this.deps;
    proc.requestQuit();
    this.stopTimers.push(
      clock.setTimeout(() => proc.kill('SIGTERM'), settings.stopGraceMs),
      clock.setTimeout(() => proc.kill('SIGKILL'), settings.stopGraceMs * 2),
    );
  }
}
