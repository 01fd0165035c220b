/**
 * Keeps the per-minute activity bucket: makes sure the bucket and the InfluxDB task
 * exist (and that the task runs today's Flux), retrying while InfluxDB is away, and
 * re-sums the minutes of points that were written later than the task looks back
 * (an index backfill after an outage), so the minute bucket never misses them.
 */
import type { ThumbnailPoint } from '@fathom/index-contract';
import type { Logger } from 'pino';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep } from '../shared/clock.js';
import {
  ACTIVITY_TASK_LOOKBACK_MINUTES,
  activityBackfillFlux,
  activityTaskFlux,
  activityTaskName,
} from './activity-flux.js';

export interface ActivityPort {
  ensureBucket(name: string, retentionSeconds: number): Promise<'created' | 'exists'>;
  ensureTask(name: string, flux: string): Promise<'created' | 'updated' | 'unchanged'>;
  /** Runs a Flux script for its side effects (to()). */
  runScript(flux: string): Promise<void>;
}

export interface ActivityKeeperDeps {
  port: ActivityPort;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  bucket: string;
  activityBucket: string;
  /** 0: forever. */
  retentionDays: number;
  backoff: BackoffPolicy;
  random?: () => number;
}

/** Points older than this when written are outside the task's reach (with a margin for its schedule). */
const LATE_MS = (ACTIVITY_TASK_LOOKBACK_MINUTES - 3) * 60_000;
/** Late points come in batches: wait this long for more before re-summing. */
const BACKFILL_SETTLE_MS = 5_000;

export class ActivityKeeper {
  private ready = false;
  private lastError: string | null = null;
  private late: { fromMs: number; toMs: number } | null = null;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly deps: ActivityKeeperDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    this.wake?.();
    await this.loop;
  }

  state(): { ready: boolean; pendingBackfill: boolean; lastError: string | null } {
    return { ready: this.ready, pendingBackfill: this.late !== null, lastError: this.lastError };
  }

  /** Points just indexed: those written too late for the task get their minutes summed again. */
  noteIndexed(points: readonly ThumbnailPoint[]): void {
    const lateBefore = this.deps.clock.now() - LATE_MS;
    for (const point of points) {
      if (point.capturedAtMs >= lateBefore) continue;
      this.late = {
        fromMs: Math.min(this.late?.fromMs ?? point.capturedAtMs, point.capturedAtMs),
        toMs: Math.max(this.late?.toMs ?? point.capturedAtMs, point.capturedAtMs),
      };
    }
    if (this.late) this.wake?.();
  }

  private async run(): Promise<void> {
    const { log } = this.deps;
    let attempt = 0;
    while (!this.stopSignal.signal.aborted) {
      try {
        if (!this.ready) await this.ensure();
        if (this.late) {
          await this.pause(BACKFILL_SETTLE_MS);
          const range = this.late;
          this.late = null;
          if (range) await this.backfill(range);
        }
        attempt = 0;
        this.lastError = null;
        if (!this.late) await this.idle();
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        log.warn({ err: error, attempt }, 'activity bucket upkeep failed; retrying');
        await this.pause(backoffDelayMs(attempt++, this.deps.backoff, this.deps.random));
      }
    }
  }

  private async ensure(): Promise<void> {
    const { port, log, bucket, activityBucket, retentionDays } = this.deps;
    const created = await port.ensureBucket(activityBucket, Math.round(retentionDays * 86_400));
    const task = await port.ensureTask(
      activityTaskName(bucket, activityBucket),
      activityTaskFlux(bucket, activityBucket),
    );
    this.ready = true;
    log.info({ activityBucket, bucket: created, task }, 'activity bucket and task ready');
  }

  private async backfill(range: { fromMs: number; toMs: number }): Promise<void> {
    try {
      await this.deps.port.runScript(
        activityBackfillFlux(this.deps.bucket, this.deps.activityBucket, range.fromMs, range.toMs),
      );
      this.deps.log.info(range, 'activity minutes summed again for late points');
    } catch (error) {
      // Keep the range: it is tried again after the backoff.
      this.late = {
        fromMs: Math.min(this.late?.fromMs ?? range.fromMs, range.fromMs),
        toMs: Math.max(this.late?.toMs ?? range.toMs, range.toMs),
      };
      throw error;
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      if (this.stopSignal.signal.aborted) this.wake();
    });
  }

  /** Resolves early when stopped. */
  private pause(ms: number): Promise<void> {
    return sleep(this.deps.clock, ms, this.stopSignal.signal);
  }
}
