/**
 * The retention sweep: measures footage (hour-folder totals), works out what
 * the limits need (retention-plan.ts), deletes the index points first and then
 * the files, and records what is left (a `storage` point per camera, metrics).
 *
 * Order, for crash safety: points first, then files. At every moment each
 * indexed point has its file, so the API never hands out a URL to a deleted
 * file. A crash between the two leaves old files without points; they are the
 * oldest on disk, so the next sweep deletes them first (and its delete range,
 * from 1970 to the new cutoff, covers their points anyway). Reconciliation
 * never re-indexes them: it only indexes files newer than the newest point.
 * If InfluxDB refuses the delete, files are kept until the next sweep, except
 * when the free-space floor is breached: then the disk wins, files go, and the
 * index delete is retried at every sweep until it succeeds.
 *
 * It runs every RETENTION_INTERVAL_SECONDS, and at once when a free-space
 * check (every RETENTION_FREE_CHECK_SECONDS) finds a volume below the floor.
 */
import { MEASUREMENT, type StoragePoint } from '@fathom/index-contract';
import type { Logger } from 'pino';
import { type Clock, sleep } from '../shared/clock.js';
import type { FootageKind, FootageStore, Volume } from './footage-store.js';
import {
  type Cutoff,
  DAY_MS,
  type DeletionReason,
  forecastDaysLeft,
  needsAnything,
  planDeletions,
  type RetentionLimits,
  retentionNeed,
  type StorageSummary,
  summarise,
  unitsToOpen,
} from './retention-plan.js';

/** What retention needs from the index (the InfluxDB adapter implements it): drop a camera's old points, record disk use. */
export interface RetentionIndexPort {
  /** Deletes every point of `measurement` and `camera` at or before cutoffMs. */
  deleteUpTo(measurement: string, camera: string, cutoffMs: number): Promise<void>;
  writeStorage(points: readonly StoragePoint[]): Promise<void>;
}

export interface RetentionDeps {
  store: FootageStore;
  index: RetentionIndexPort;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  cameras: readonly { id: string; location: string }[];
  limits: RetentionLimits;
  intervalMs: number;
  freeCheckMs: number;
  onDeleted?(kind: FootageKind, reason: DeletionReason, files: number, bytes: number): void;
}

export interface StorageState {
  atMs: number;
  cameras: StorageSummary[];
  volumes: Volume[];
  usedBytes: number;
  oldestMs: number | null;
  daysLeft: number | null;
  lastSweep: SweepReport | null;
}

export interface SweepReport {
  trigger: 'start' | 'interval' | 'low-space' | 'manual';
  durationMs: number;
  hourFolders: number;
  openedFolders: number;
  deletedFiles: number;
  deletedBytes: number;
  shortfallBytes: number;
  indexDeleteFailed: boolean;
}

const measurementOf = (kind: FootageKind) => (kind === 'thumbnail' ? MEASUREMENT.thumbnails : MEASUREMENT.chunks);

export class Retention {
  private state: StorageState | null = null;
  private running: Promise<SweepReport> | null = null;
  /** Index deletes that failed while files had to go anyway (low space): retried every sweep. */
  private pendingCutoffs = new Map<string, Cutoff>();
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loops: Promise<void>[] = [];
  private storagePrunedAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: RetentionDeps) {}

  start(): void {
    if (this.loops.length > 0) return;
    this.loops.push(this.intervalLoop(), this.freeSpaceLoop());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await Promise.all(this.loops);
    await this.running?.catch(() => {});
  }

  storage(): StorageState | null {
    return this.state;
  }

  /** One sweep; concurrent callers share the one in progress. */
  sweep(trigger: SweepReport['trigger']): Promise<SweepReport> {
    this.running ??= this.sweepOnce(trigger).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async intervalLoop(): Promise<void> {
    let trigger: SweepReport['trigger'] = 'start';
    while (!this.stopping) {
      await this.sweep(trigger).catch((error: unknown) =>
        this.deps.log.error({ err: error }, 'retention sweep failed'),
      );
      trigger = 'interval';
      await sleep(this.deps.clock, this.deps.intervalMs, this.stopSignal.signal);
    }
  }

  private async freeSpaceLoop(): Promise<void> {
    const { clock, store, limits, log } = this.deps;
    while (!this.stopping) {
      await sleep(clock, this.deps.freeCheckMs, this.stopSignal.signal);
      if (this.stopping) return;
      try {
        const low = (await store.volumes()).filter((v) => v.freeBytes < limits.minFreeBytes);
        if (low.length > 0 && !this.running) {
          log.warn({ volumes: low, minFreeBytes: limits.minFreeBytes }, 'free space below the floor: sweeping now');
          await this.sweep('low-space');
        }
      } catch (error) {
        log.error({ err: error }, 'free-space check failed');
      }
    }
  }

  private async sweepOnce(trigger: SweepReport['trigger']): Promise<SweepReport> {
    const { store, clock, log, limits } = this.deps;
    const started = clock.now();
    const cameraIds = this.deps.cameras.map((c) => c.id);
    let units = await store.units(cameraIds);
    let volumes = await store.volumes();
    const need = retentionNeed(units, volumes, limits, started);
    const oldest = units.reduce<number | null>(
      (min, u) => (u.oldestStartMs !== null && (min === null || u.oldestStartMs < min) ? u.oldestStartMs : min),
      null,
    );
    const report: SweepReport = {
      trigger,
      durationMs: 0,
      hourFolders: units.length,
      openedFolders: 0,
      deletedFiles: 0,
      deletedBytes: 0,
      shortfallBytes: 0,
      indexDeleteFailed: false,
    };

    await this.retryPendingIndexDeletes();

    if (needsAnything(need, oldest)) {
      const opened = unitsToOpen(units, need);
      report.openedFolders = opened.length;
      const files = (await Promise.all(opened.map((u) => store.filesOf(u)))).flat();
      const plan = planDeletions(files, need, limits, clock.now());
      report.shortfallBytes = plan.shortfallBytes;
      if (plan.files.length > 0) {
        let indexed = true;
        for (const cutoff of plan.cutoffs) {
          try {
            await this.deleteIndexUpTo(cutoff);
          } catch (error) {
            indexed = false;
            this.rememberCutoff(cutoff);
            log.warn({ err: error, camera: cutoff.camera, kind: cutoff.kind }, 'could not delete index points');
          }
        }
        report.indexDeleteFailed = !indexed;
        const lowSpace = need.volumeDeficits.size > 0;
        if (indexed || lowSpace) {
          const removed = await store.remove(plan.files);
          report.deletedFiles = removed.files;
          report.deletedBytes = removed.bytes;
          this.reportDeleted(plan.files);
          log.info(
            {
              trigger,
              files: removed.files,
              bytes: removed.bytes,
              cutoffs: plan.cutoffs,
              shortfallBytes: plan.shortfallBytes,
              indexDeleteFailed: !indexed,
            },
            'retention deleted the oldest footage',
          );
          units = await store.units(cameraIds);
          volumes = await store.volumes();
        } else {
          log.warn('index points could not be deleted; files kept until the next sweep');
        }
      }
      if (plan.shortfallBytes > 0) {
        log.warn(
          { shortfallBytes: plan.shortfallBytes, protectMs: limits.protectMs },
          'limits not met: only footage from the last moments is left',
        );
      }
    }

    report.durationMs = clock.now() - started;
    await this.record(units, volumes, report);
    return report;
  }

  private async record(
    units: Awaited<ReturnType<FootageStore['units']>>,
    volumes: Volume[],
    report: SweepReport,
  ): Promise<void> {
    const { clock, index, log, limits } = this.deps;
    const now = clock.now();
    const cameras = summarise(
      units,
      this.deps.cameras.map((c) => c.id),
    );
    const usedBytes = cameras.reduce((sum, c) => sum + c.thumbnailBytes + c.chunkBytes, 0);
    const oldestMs = cameras.reduce<number | null>(
      (min, c) => (c.oldestMs !== null && (min === null || c.oldestMs < min) ? c.oldestMs : min),
      null,
    );
    const daysLeft = forecastDaysLeft({
      usedBytes,
      oldestMs,
      nowMs: now,
      volumes,
      maxBytes: limits.maxBytes,
      minFreeBytes: limits.minFreeBytes,
    });
    this.state = { atMs: now, cameras, volumes, usedBytes, oldestMs, daysLeft, lastSweep: report };
    const locations = new Map(this.deps.cameras.map((c) => [c.id, c.location]));
    const points: StoragePoint[] = cameras.map((c) => ({
      camera: c.camera,
      location: locations.get(c.camera) ?? 'default',
      atMs: now,
      thumbnailBytes: c.thumbnailBytes,
      chunkBytes: c.chunkBytes,
      oldestMs: c.oldestMs,
      daysLeft,
    }));
    try {
      await index.writeStorage(points);
      // The reports are a history of disk use; once a day, drop the ones older than the footage kept.
      if (now - this.storagePrunedAtMs >= DAY_MS) {
        const keepMs = limits.maxAgeMs ?? 30 * DAY_MS;
        for (const c of this.deps.cameras) await index.deleteUpTo(MEASUREMENT.storage, c.id, now - keepMs);
        this.storagePrunedAtMs = now;
      }
    } catch (error) {
      // Only a report: the next sweep writes a fresh one.
      log.warn({ err: error }, 'could not write or prune storage points');
    }
  }

  private rememberCutoff(cutoff: Cutoff): void {
    const key = `${cutoff.camera}\u0000${cutoff.kind}`;
    const previous = this.pendingCutoffs.get(key);
    if (!previous || cutoff.cutoffMs > previous.cutoffMs) this.pendingCutoffs.set(key, cutoff);
  }

  /** A thumbnail's detections name its file: they go with it. */
  private async deleteIndexUpTo(cutoff: { kind: FootageKind; camera: string; cutoffMs: number }): Promise<void> {
    const { index } = this.deps;
    await index.deleteUpTo(measurementOf(cutoff.kind), cutoff.camera, cutoff.cutoffMs);
    if (cutoff.kind === 'thumbnail') await index.deleteUpTo(MEASUREMENT.detections, cutoff.camera, cutoff.cutoffMs);
  }

  private async retryPendingIndexDeletes(): Promise<void> {
    for (const [key, cutoff] of this.pendingCutoffs) {
      try {
        await this.deleteIndexUpTo(cutoff);
        this.pendingCutoffs.delete(key);
      } catch (error) {
        this.deps.log.warn({ err: error, cutoff }, 'index delete still failing');
        return;
      }
    }
  }

  private reportDeleted(files: readonly { kind: FootageKind; reason: DeletionReason; bytes: number }[]): void {
    const totals = new Map<string, { kind: FootageKind; reason: DeletionReason; files: number; bytes: number }>();
    for (const f of files) {
      const key = `${f.kind}:${f.reason}`;
      const t = totals.get(key) ?? { kind: f.kind, reason: f.reason, files: 0, bytes: 0 };
      t.files++;
      t.bytes += f.bytes;
      totals.set(key, t);
    }
    for (const t of totals.values()) this.deps.onDeleted?.(t.kind, t.reason, t.files, t.bytes);
  }
}
