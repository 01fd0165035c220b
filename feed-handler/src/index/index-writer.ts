/**
 * index/ — from stored files to InfluxDB points. In: a point per stored
 * thumbnail (this writer), per published chunk (chunk-indexer.ts) and per
 * status change, and the footage listings for what was never indexed. Out:
 * writes to InfluxDB through influx.ts (the only module that talks to it; the
 * Flux it sends is flux.ts), and what is pending and whether writes succeed.
 *
 * Gets every thumbnail on disk into InfluxDB, in capture order per camera,
 * whatever InfluxDB does meanwhile.
 *
 * Invariant, per camera: every file with a capture time <= the newest indexed
 * point is indexed. Points are written oldest first and a batch is only
 * dropped from the queue once InfluxDB has accepted it, so after any crash the
 * files newer than the newest indexed point are exactly the ones to index.
 *
 * Live points go through a bounded queue while a camera is "in sync". When the
 * queue is full, or at start, a camera is "catching up": live points are not
 * queued (their files are on disk) and batches of files newer than the cursor
 * are read from disk and written, until a listing finds nothing new and no
 * frame arrived meanwhile. Rewriting a point is harmless: a point with the
 * same measurement, tags and time overwrites the old one.
 *
 * A process that died (SIGKILL, power loss) wrote no offline point, so its
 * cameras' newest status still says online. Before anything of this run is
 * written, each such camera gets `online=false, reason "feed-handler
 * restarted"` 1 ms after the last footage of the dead run (its newest indexed
 * point, or its newest file on disk from before this start if newer): the gap
 * until this run's first frame is recorded as offline, not guessed.
 */
import type { CameraStatusPoint, ThumbnailPoint } from '@fathom/index-contract';
import type { Logger } from 'pino';
import type { ThumbnailStore } from '../footage/thumbnail-store.js';
import { type BackoffPolicy, backoffDelayMs } from '../shared/backoff.js';
import { type Clock, sleep } from '../shared/clock.js';
import type { IndexPort } from './influx.js';

/** The reason of the offline point written for a camera a dead process left online. */
export const RESTARTED_REASON = 'feed-handler restarted';

export interface IndexWriterSettings {
  batchSize: number;
  flushMs: number;
  /** Thumbnail points held in memory at most. */
  bufferMax: number;
  /** Status points held in memory at most (they cannot be rebuilt from disk, but are rare). */
  statusBufferMax: number;
  backoff: BackoffPolicy;
}

export interface IndexWriterMetrics {
  writeFailed(): void;
  pointsWritten(camera: string, count: number, source: 'live' | 'reconciled'): void;
}

export interface IndexWriterDeps {
  index: IndexPort;
  store: Pick<ThumbnailStore, 'listNewer' | 'describe' | 'newestBefore'>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  cameras: readonly { id: string; location: string }[];
  settings: IndexWriterSettings;
  metrics?: IndexWriterMetrics;
  /** Told of every thumbnail point once it is indexed (live or reconciled). */
  onIndexed?(points: readonly ThumbnailPoint[]): void;
  random?: () => number;
}

interface CameraIndexState {
  id: string;
  location: string;
  /** Newest indexed capture time; null: nothing indexed; undefined: not known yet. */
  cursorMs: number | null | undefined;
  /** Whether the status a previous process left has been checked (and closed with an offline point). */
  statusChecked: boolean;
  inSync: boolean;
  /** Bumped by every live point not queued while catching up, so "caught up" is never declared too early. */
  missedOffers: number;
  newestOfferedMs: number | null;
}

export class IndexWriter {
  private readonly cameras = new Map<string, CameraIndexState>();
  private queue: ThumbnailPoint[] = [];
  private statusQueue: CameraStatusPoint[] = [];
  private failures = 0;
  private stopping = false;
  private stopDeadlineMs = Number.POSITIVE_INFINITY;
  private wake = new AbortController();
  private loop: Promise<void> | null = null;
  private lastError: string | null = null;
  /** Footage from before this instant is the previous process's. */
  private readonly startedAtMs: number;

  constructor(private readonly deps: IndexWriterDeps) {
    this.startedAtMs = deps.clock.now();
    for (const camera of deps.cameras) {
      this.cameras.set(camera.id, {
        id: camera.id,
        location: camera.location,
        cursorMs: undefined,
        statusChecked: false,
        inSync: false,
        missedOffers: 0,
        newestOfferedMs: null,
      });
    }
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A live thumbnail, already on disk. */
  offer(point: ThumbnailPoint): void {
    const camera = this.cameras.get(point.camera);
    if (!camera) throw new Error(`unknown camera ${point.camera}`);
    camera.newestOfferedMs = Math.max(camera.newestOfferedMs ?? point.capturedAtMs, point.capturedAtMs);
    if (camera.inSync && this.queue.length < this.deps.settings.bufferMax) {
      this.queue.push(point);
      // A full batch goes out now, unless InfluxDB is failing: then the backoff decides.
      if (this.queue.length >= this.deps.settings.batchSize && this.failures === 0) this.wake.abort();
      return;
    }
    if (camera.inSync) {
      this.deps.log.warn({ camera: camera.id, buffered: this.queue.length }, 'index buffer full; will index from disk');
      camera.inSync = false;
    }
    camera.missedOffers++;
  }

  offerStatus(point: CameraStatusPoint): void {
    this.statusQueue.push(point);
    if (this.statusQueue.length > this.deps.settings.statusBufferMax) {
      const dropped = this.statusQueue.shift();
      this.deps.log.error({ dropped }, 'status buffer full; oldest status point dropped');
    }
    if (this.failures === 0) this.wake.abort();
  }

  /** Writes what is pending until done or until `deadlineMs` from now, then stops. */
  async stop(deadlineMs: number): Promise<{ pending: number }> {
    this.stopping = true;
    this.stopDeadlineMs = this.deps.clock.now() + deadlineMs;
    this.wake.abort();
    await this.loop;
    return { pending: this.pendingPoints() };
  }

  pendingPoints(): number {
    return this.queue.length + this.statusQueue.length;
  }

  /** For metrics and health: how far the index is behind the newest frame, per camera. */
  cameraStates(): {
    camera: string;
    cursorMs: number | null | undefined;
    inSync: boolean;
    newestOfferedMs: number | null;
  }[] {
    return [...this.cameras.values()].map((c) => ({
      camera: c.id,
      cursorMs: c.cursorMs,
      inSync: c.inSync,
      newestOfferedMs: c.newestOfferedMs,
    }));
  }

  get healthy(): boolean {
    return this.failures === 0;
  }

  get lastWriteError(): string | null {
    return this.lastError;
  }

  private async run(): Promise<void> {
    const { clock, settings, log } = this.deps;
    for (;;) {
      if (this.stopping && clock.now() >= this.stopDeadlineMs) return;
      let worked: boolean;
      try {
        worked = await this.step();
        if (this.failures > 0) log.info({ failures: this.failures }, 'InfluxDB writes recovered');
        this.failures = 0;
        this.lastError = null;
      } catch (error) {
        this.failures++;
        this.lastError = String((error as Error).message ?? error);
        this.deps.metrics?.writeFailed();
        log.warn({ err: error, failures: this.failures, pending: this.pendingPoints() }, 'InfluxDB write failed');
        if (this.stopping) return;
        await sleep(clock, backoffDelayMs(this.failures - 1, settings.backoff, this.deps.random), this.wakeSignal());
        continue;
      }
      if (worked) continue;
      if (this.stopping) return;
      await sleep(clock, settings.flushMs, this.wakeSignal());
    }
  }

  private wakeSignal(): AbortSignal {
    if (this.wake.signal.aborted) this.wake = new AbortController();
    return this.wake.signal;
  }

  /** One unit of work; false when there was nothing to do. Throws when InfluxDB fails. */
  private async step(): Promise<boolean> {
    const { index, log } = this.deps;
    for (const camera of this.cameras.values()) {
      if (camera.cursorMs !== undefined) continue;
      camera.cursorMs = await index.lastIndexedMs(camera.id);
      log.info({ camera: camera.id, lastIndexedMs: camera.cursorMs }, 'reconciling thumbnails newer than the index');
    }
    // Before this run's first status point is written (it waits in the queue until this succeeds).
    for (const camera of this.cameras.values()) {
      if (camera.statusChecked) continue;
      await this.closeStatusLeftOnline(camera);
      camera.statusChecked = true;
    }

    if (this.queue.length > 0 || this.statusQueue.length > 0) {
      const batch = this.queue.slice(0, this.deps.settings.batchSize);
      const statuses = this.statusQueue.slice();
      await index.write(batch, statuses);
      this.queue.splice(0, batch.length);
      this.statusQueue.splice(0, statuses.length);
      this.advance(batch, 'live');
      return true;
    }

    for (const camera of this.cameras.values()) {
      if (camera.inSync) continue;
      if (await this.catchUp(camera)) return true;
    }
    return false;
  }

  /** A camera the previous process left online went offline when that process's footage ended. */
  private async closeStatusLeftOnline(camera: CameraIndexState): Promise<void> {
    const { index, store, log } = this.deps;
    const last = await index.lastStatus(camera.id);
    if (!last?.online) return;
    const newestFile = await store.newestBefore(camera.id, this.startedAtMs);
    const endedMs = Math.max(last.atMs, camera.cursorMs ?? last.atMs, newestFile ?? last.atMs);
    // Never at or after this run's start (a clock that jumped back): this run's first frame comes later.
    const atMs = Math.min(endedMs + 1, this.startedAtMs - 1);
    this.statusQueue.unshift({
      camera: camera.id,
      location: camera.location,
      online: false,
      reason: RESTARTED_REASON,
      atMs,
    });
    log.warn(
      { camera: camera.id, onlineSinceMs: last.atMs, offlineAtMs: atMs },
      'the previous run ended without marking the camera offline; recorded offline at its last footage',
    );
  }

  private async catchUp(camera: CameraIndexState): Promise<boolean> {
    const { store, index, settings, log } = this.deps;
    const missedBefore = camera.missedOffers;
    const files = await store.listNewer(camera.id, camera.cursorMs ?? null, settings.batchSize);
    if (files.length === 0) {
      if (camera.missedOffers !== missedBefore) return true; // a frame landed meanwhile: list again
      camera.inSync = true;
      log.info({ camera: camera.id, lastIndexedMs: camera.cursorMs }, 'index caught up with the files on disk');
      return false;
    }
    const points: ThumbnailPoint[] = [];
    for (const file of files) {
      const facts = await store.describe(file.filepath);
      if (!facts) {
        log.warn({ camera: camera.id, filepath: file.filepath }, 'not a readable JPEG; not indexed');
        continue;
      }
      points.push({
        camera: camera.id,
        location: camera.location,
        capturedAtMs: file.capturedAtMs,
        filepath: file.filepath,
        ...facts,
      });
    }
    await index.write(points, []);
    // Files indexed late fill windows readers may have cached as settled: say the past changed.
    if (points.length > 0) await index.markChanged?.('backfill');
    this.advance(points, 'reconciled');
    // Unreadable files are passed over too, or they would be listed forever.
    const last = files.at(-1)?.capturedAtMs ?? null;
    camera.cursorMs = Math.max(camera.cursorMs ?? Number.NEGATIVE_INFINITY, last ?? Number.NEGATIVE_INFINITY);
    return true;
  }

  private advance(points: readonly ThumbnailPoint[], source: 'live' | 'reconciled'): void {
    const counts = new Map<string, number>();
    for (const point of points) {
      const camera = this.cameras.get(point.camera);
      if (!camera) continue;
      camera.cursorMs = Math.max(camera.cursorMs ?? point.capturedAtMs, point.capturedAtMs);
      counts.set(point.camera, (counts.get(point.camera) ?? 0) + 1);
    }
    for (const [camera, count] of counts) this.deps.metrics?.pointsWritten(camera, count, source);
    if (points.length > 0) this.deps.onIndexed?.(points);
  }
}
