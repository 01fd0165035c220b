/**
 * Gets every published chunk into InfluxDB. Chunks are few (one per camera
 * per CHUNK_SECONDS), so a plain queue that leaves a point only once InfluxDB
 * has accepted it is enough; at start (and after a crash) the chunk files
 * newer than each camera's newest chunk point are indexed from disk, since a
 * chunk's name carries its camera, start and end. Writing a point twice is
 * harmless (same series and time overwrite).
 */
import type { ChunkPoint } from '@fathom/index-contract';
import type { Logger } from 'pino';
import type { FootageStore } from '../footage/footage-store.js';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep } from '../shared/clock.js';
import type { ChunkIndexPort } from './influx.js';

export interface ChunkIndexerDeps {
  index: ChunkIndexPort;
  store: Pick<FootageStore, 'listChunksNewer'>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  cameras: readonly { id: string; location: string }[];
  flushMs: number;
  backoff: BackoffPolicy;
  onWritten?(camera: string, count: number): void;
  random?: () => number;
}

/** Chunks held in memory at most while InfluxDB is down; older ones are reconciled from disk later. */
const QUEUE_MAX = 10_000;

export class ChunkIndexer {
  private queue: ChunkPoint[] = [];
  private reconciled = false;
  private failures = 0;
  private stopping = false;
  private stopDeadlineMs = Number.POSITIVE_INFINITY;
  private wake = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly deps: ChunkIndexerDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  offer(point: ChunkPoint): void {
    if (this.queue.length >= QUEUE_MAX) {
      // Its file is on disk: the next start reconciles it.
      this.deps.log.warn({ camera: point.camera }, 'chunk queue full; the chunk is indexed from disk at next start');
      return;
    }
    this.queue.push(point);
    if (this.failures === 0) this.wake.abort();
  }

  pending(): number {
    return this.queue.length;
  }

  async stop(deadlineMs: number): Promise<{ pending: number }> {
    this.stopping = true;
    this.stopDeadlineMs = this.deps.clock.now() + deadlineMs;
    this.wake.abort();
    await this.loop;
    return { pending: this.queue.length };
  }

  private async run(): Promise<void> {
    const { clock, log } = this.deps;
    for (;;) {
      if (this.stopping && (this.queue.length === 0 || clock.now() >= this.stopDeadlineMs)) return;
      try {
        if (!this.reconciled) await this.reconcile();
        if (this.queue.length > 0) {
          const batch = this.queue.slice(0, 500);
          await this.deps.index.writeChunks(batch);
          this.queue.splice(0, batch.length);
          this.count(batch);
          this.failures = 0;
          continue;
        }
        this.failures = 0;
      } catch (error) {
        this.failures++;
        log.warn({ err: error, failures: this.failures, pending: this.queue.length }, 'chunk index write failed');
        if (this.stopping) return;
        await sleep(clock, backoffDelayMs(this.failures - 1, this.deps.backoff, this.deps.random), this.wakeSignal());
        continue;
      }
      if (this.stopping) return;
      await sleep(clock, this.deps.flushMs, this.wakeSignal());
    }
  }

  private async reconcile(): Promise<void> {
    const { index, store, log } = this.deps;
    for (const camera of this.deps.cameras) {
      let cursor = await index.lastChunkStartMs(camera.id);
      for (;;) {
        const chunks = await store.listChunksNewer(camera.id, cursor, 500);
        if (chunks.length === 0) break;
        const points = chunks.map((c) => ({ camera: camera.id, location: camera.location, ...c }));
        await index.writeChunks(points);
        this.count(points);
        log.info({ camera: camera.id, chunks: points.length }, 'indexed chunks found on disk');
        cursor = chunks.at(-1)?.startMs ?? cursor;
        if (chunks.length < 500) break;
      }
    }
    this.reconciled = true;
  }

  private count(points: readonly ChunkPoint[]): void {
    const counts = new Map<string, number>();
    for (const p of points) counts.set(p.camera, (counts.get(p.camera) ?? 0) + 1);
    for (const [camera, n] of counts) this.deps.onWritten?.(camera, n);
  }

  private wakeSignal(): AbortSignal {
    if (this.wake.signal.aborted) this.wake = new AbortController();
    return this.wake.signal;
  }
}
