/**
 * Gets the detector's points into InfluxDB. They come a few a second at most (the
 * detector's budget), so each is written as soon as it comes, and a plain queue that lets a point go only once InfluxDB has
 * accepted it is enough. While InfluxDB is down the queue holds up to QUEUE_MAX points
 * (hours at the default budget); beyond that the oldest are dropped and counted, because
 * unlike thumbnails they cannot be rebuilt from disk.
 */
import type { DetectionPoint } from '@fathom/index-contract';
import type { Logger } from 'pino';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep } from '../shared/clock.js';
import type { DetectionIndexPort } from './influx.js';

export interface DetectionWriterDeps {
  index: DetectionIndexPort;
  clock: Clock;
  log: Pick<Logger, 'warn' | 'error'>;
  flushMs: number;
  backoff: BackoffPolicy;
  /** Points accepted by InfluxDB, after the write. */
  onWritten?(points: readonly DetectionPoint[]): void;
  /** Points dropped from a full queue. */
  onDropped?(count: number): void;
  random?: () => number;
  queueMax?: number;
}

const QUEUE_MAX = 20_000;
const BATCH = 1_000;

export class DetectionWriter {
  private queue: DetectionPoint[] = [];
  private failures = 0;
  private stopping = false;
  private stopDeadlineMs = Number.POSITIVE_INFINITY;
  private wake = new AbortController();
  private loop: Promise<void> | null = null;
  lastError: string | null = null;

  constructor(private readonly deps: DetectionWriterDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  offer(points: readonly DetectionPoint[]): void {
    if (points.length === 0) return;
    this.queue.push(...points);
    // A few points a second at most: each goes at once (a detection is wanted soon), unless InfluxDB is refusing.
    if (this.failures === 0) this.wake.abort();
    const over = this.queue.length - (this.deps.queueMax ?? QUEUE_MAX);
    if (over > 0) {
      this.queue.splice(0, over);
      this.deps.onDropped?.(over);
      this.deps.log.error({ dropped: over }, 'detection queue full while InfluxDB refuses writes; oldest dropped');
    }
  }

  pending(): number {
    return this.queue.length;
  }

  async stop(deadlineMs: number): Promise<{ pending: number }> {
    this.stopping = true;
    this.stopDeadlineMs = this.deps.clock.now() + deadlineMs;
    this.wake.abort();
    this.stopController.abort();
    await this.loop;
    return { pending: this.queue.length };
  }

  private async run(): Promise<void> {
    const { clock, log } = this.deps;
    for (;;) {
      if (this.stopping && (this.queue.length === 0 || clock.now() >= this.stopDeadlineMs)) return;
      if (this.queue.length > 0) {
        const batch = this.queue.slice(0, BATCH);
        try {
          await this.deps.index.writeDetections(batch);
          this.queue.splice(0, batch.length);
          this.failures = 0;
          this.lastError = null;
          this.deps.onWritten?.(batch);
          continue;
        } catch (error) {
          this.failures++;
          this.lastError = error instanceof Error ? error.message : String(error);
          log.warn({ err: error, failures: this.failures, pending: this.queue.length }, 'detection write failed');
          if (this.stopping) return;
          await sleep(clock, backoffDelayMs(this.failures - 1, this.deps.backoff, this.deps.random), this.stopSignal());
          continue;
        }
      }
      if (this.stopping) return;
      await sleep(clock, this.deps.flushMs, this.wakeSignal());
    }
  }

  private wakeSignal(): AbortSignal {
    if (this.wake.signal.aborted) this.wake = new AbortController();
    return this.wake.signal;
  }

  private readonly stopController = new AbortController();
  private stopSignal(): AbortSignal {
    return this.stopController.signal;
  }
}
