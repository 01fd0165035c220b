/**
 * What retention deletes, as pure functions over sizes and times.
 *
 * Three limits, whichever bites first: an age (RETENTION_DAYS), a budget for
 * all footage (RETENTION_MAX_GB) and a free-space floor per volume
 * (RETENTION_MIN_FREE_GB). Footage goes oldest first across cameras and kinds
 * (thumbnails and chunks of the same minutes go together), so per camera and
 * kind the deleted files are always a prefix in time; the index points of a
 * camera and kind are then removed by one time range ending at a cutoff.
 * Files that ended within `protectMs` of now are never deleted: retention
 * must not race the writer (files still being written are under .tmp or
 * staging names and are never listed at all).
 */
import type { FootageFile, FootageKind, FootageUnit, Volume } from './footage-store.js';

export const DAY_MS = 86_400_000;

export interface RetentionLimits {
  maxAgeMs: number | null;
  maxBytes: number | null;
  minFreeBytes: number;
  /** Files that ended more recently than this are kept whatever the limits say. */
  protectMs: number;
}

export interface RetentionNeed {
  /** Files that ended at or before this are too old; null: no age limit. */
  ageCutoffMs: number | null;
  /** Bytes over the budget. */
  budgetExcess: number;
  /** Bytes to free per volume to get back above the floor. */
  volumeDeficits: Map<string, number>;
}

export function retentionNeed(
  units: readonly Pick<FootageUnit, 'bytes'>[],
  volumes: readonly Volume[],
  limits: RetentionLimits,
  nowMs: number,
): RetentionNeed {
  const used = units.reduce((sum, u) => sum + u.bytes, 0);
  const volumeDeficits = new Map<string, number>();
  for (const v of volumes) {
    if (v.freeBytes < limits.minFreeBytes) volumeDeficits.set(v.id, limits.minFreeBytes - v.freeBytes);
  }
  return {
    ageCutoffMs: limits.maxAgeMs === null ? null : nowMs - limits.maxAgeMs,
    budgetExcess: limits.maxBytes === null ? 0 : Math.max(0, used - limits.maxBytes),
    volumeDeficits,
  };
}

export function needsAnything(need: RetentionNeed, oldestStartMs: number | null): boolean {
  return (
    need.budgetExcess > 0 ||
    need.volumeDeficits.size > 0 ||
    (need.ageCutoffMs !== null && oldestStartMs !== null && oldestStartMs <= need.ageCutoffMs)
  );
}

/**
 * The oldest hour folders whose files must be looked at, units sorted oldest
 * first: all that start before the age cutoff, plus enough to cover the
 * budget excess and each volume's deficit. Whole hours are taken (every
 * camera and kind of that hour), so the files listed are the oldest overall.
 */
export function unitsToOpen(units: readonly FootageUnit[], need: RetentionNeed): FootageUnit[] {
  const taken: FootageUnit[] = [];
  let budget = need.budgetExcess;
  const deficits = new Map(need.volumeDeficits);
  const covered = () => budget <= 0 && [...deficits.values()].every((d) => d <= 0);
  let lastHour: number | null = null;
  for (const unit of units) {
    const tooOld = need.ageCutoffMs !== null && unit.hourStartMs <= need.ageCutoffMs;
    const sameHour = lastHour !== null && unit.hourStartMs === lastHour;
    if (!tooOld && !sameHour && covered()) break;
    taken.push(unit);
    lastHour = unit.hourStartMs;
    budget -= unit.bytes;
    const deficit = deficits.get(unit.volume);
    if (deficit !== undefined) deficits.set(unit.volume, deficit - unit.bytes);
  }
  return taken;
}

export type DeletionReason = 'age' | 'budget' | 'free-space';

export interface Cutoff {
  camera: string;
  kind: FootageKind;
  /** Every point of this camera and kind at or before this time goes (the newest deleted file's time). */
  cutoffMs: number;
}

export interface DeletionPlan {
  files: (FootageFile & { reason: DeletionReason })[];
  bytes: number;
  cutoffs: Cutoff[];
  /** Bytes the limits asked for that protected (recent) files could not give. */
  shortfallBytes: number;
}

/** Picks files, oldest first, until every limit is met. `files` may be in any order. */
export function planDeletions(
  files: readonly FootageFile[],
  need: RetentionNeed,
  limits: Pick<RetentionLimits, 'protectMs'>,
  nowMs: number,
): DeletionPlan {
  const sorted = [...files].sort(
    (a, b) => a.startMs - b.startMs || a.camera.localeCompare(b.camera) || a.kind.localeCompare(b.kind),
  );
  let budget = need.budgetExcess;
  const deficits = new Map(need.volumeDeficits);
  const chosen: DeletionPlan['files'] = [];
  const cutoffs = new Map<string, Cutoff>();
  const protectFrom = nowMs - limits.protectMs;
  let bytes = 0;
  for (const file of sorted) {
    const deficit = deficits.get(file.volume) ?? 0;
    const reason: DeletionReason | null =
      need.ageCutoffMs !== null && file.endMs <= need.ageCutoffMs
        ? 'age'
        : budget > 0
          ? 'budget'
          : deficit > 0
            ? 'free-space'
            : null;
    if (reason === null) {
      // Oldest first: once nothing asks for more, the rest is newer and stays.
      if (budget <= 0 && [...deficits.values()].every((d) => d <= 0)) break;
      continue;
    }
    if (file.endMs > protectFrom) break;
    chosen.push({ ...file, reason });
    bytes += file.bytes;
    budget -= file.bytes;
    if (deficits.has(file.volume)) deficits.set(file.volume, deficit - file.bytes);
    const key = `${file.camera}\u0000${file.kind}`;
    const previous = cutoffs.get(key);
    if (!previous || file.startMs > previous.cutoffMs) {
      cutoffs.set(key, { camera: file.camera, kind: file.kind, cutoffMs: file.startMs });
    }
  }
  const shortfallBytes = Math.max(0, budget, ...[...deficits.values()]);
  return { files: chosen, bytes, cutoffs: [...cutoffs.values()], shortfallBytes };
}

export interface StorageSummary {
  camera: string;
  thumbnailBytes: number;
  chunkBytes: number;
  oldestMs: number | null;
}

/** Bytes and oldest footage per camera, from hour-folder totals. */
export function summarise(units: readonly FootageUnit[], cameras: readonly string[]): StorageSummary[] {
  const byCamera = new Map<string, StorageSummary>(
    cameras.map((camera) => [camera, { camera, thumbnailBytes: 0, chunkBytes: 0, oldestMs: null }]),
  );
  for (const unit of units) {
    const s = byCamera.get(unit.camera);
    if (!s) continue;
    if (unit.kind === 'thumbnail') s.thumbnailBytes += unit.bytes;
    else s.chunkBytes += unit.bytes;
    if (unit.oldestStartMs !== null && (s.oldestMs === null || unit.oldestStartMs < s.oldestMs)) {
      s.oldestMs = unit.oldestStartMs;
    }
  }
  return [...byCamera.values()];
}

/**
 * Days until the space limits (budget, or free space down to the floor) start
 * deleting footage, at the rate footage has been growing: bytes on disk over
 * the time they cover. 0 when a space limit is already deleting; null when
 * there is too little history (under 10 minutes) to tell a rate.
 */
export function forecastDaysLeft(input: {
  usedBytes: number;
  oldestMs: number | null;
  nowMs: number;
  volumes: readonly Volume[];
  maxBytes: number | null;
  minFreeBytes: number;
}): number | null {
  const { usedBytes, oldestMs, nowMs } = input;
  if (oldestMs === null || nowMs - oldestMs < 600_000 || usedBytes <= 0) return null;
  const bytesPerDay = usedBytes / ((nowMs - oldestMs) / DAY_MS);
  const freeAboveFloor = input.volumes.reduce((sum, v) => sum + Math.max(0, v.freeBytes - input.minFreeBytes), 0);
  const room = Math.min(
    input.maxBytes === null ? Number.POSITIVE_INFINITY : input.maxBytes - usedBytes,
    freeAboveFloor,
  );
  return Math.max(0, room) / bytesPerDay;
}
