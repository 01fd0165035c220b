/**
 * What a fault did to the footage and to the index (pure): files against points,
 * outages recorded by camera_status, and holes between consecutive thumbnails.
 */

export interface CensusComparison {
  /** Files on disk (per camera) in the window. */
  disk: Record<string, number>;
  /** Thumbnail points (per camera) in the window. */
  indexed: Record<string, number>;
  /** Files with no point: index points lost. */
  lost: { camera: string; capturedAtMs: number }[];
  /** Points with no file (a point written for a file that never became visible). */
  phantom: { camera: string; capturedAtMs: number }[];
}

export function compareCensus(
  onDisk: ReadonlyMap<string, readonly number[]>,
  inIndex: ReadonlyMap<string, readonly number[]>,
): CensusComparison {
  const cameras = [...new Set([...onDisk.keys(), ...inIndex.keys()])].sort();
  const result: CensusComparison = { disk: {}, indexed: {}, lost: [], phantom: [] };
  for (const camera of cameras) {
    const files = new Set(onDisk.get(camera) ?? []);
    const points = new Set(inIndex.get(camera) ?? []);
    result.disk[camera] = files.size;
    result.indexed[camera] = points.size;
    for (const t of files) if (!points.has(t)) result.lost.push({ camera, capturedAtMs: t });
    for (const t of points) if (!files.has(t)) result.phantom.push({ camera, capturedAtMs: t });
  }
  return result;
}

export const isConsistent = (c: CensusComparison) => c.lost.length === 0 && c.phantom.length === 0;

export interface StatusRow {
  camera: string;
  atMs: number;
  online: boolean;
  reason: string;
}

export interface StatusGap {
  camera: string;
  offlineAtMs: number;
  /** null: still offline at the end of the window. */
  onlineAtMs: number | null;
  reason: string;
}

/** Each offline point and the next online point of the same camera (rows in any order). */
export function statusGaps(rows: readonly StatusRow[]): StatusGap[] {
  const gaps: StatusGap[] = [];
  const open = new Map<string, StatusGap>();
  for (const row of [...rows].sort((a, b) => a.atMs - b.atMs)) {
    const pending = open.get(row.camera);
    if (!row.online && !pending) {
      const gap = { camera: row.camera, offlineAtMs: row.atMs, onlineAtMs: null, reason: row.reason };
      open.set(row.camera, gap);
      gaps.push(gap);
    } else if (row.online && pending) {
      pending.onlineAtMs = row.atMs;
      open.delete(row.camera);
    }
  }
  return gaps;
}

/** The longest hole between consecutive capture times, per camera, in ms. */
export function longestFootageGaps(times: ReadonlyMap<string, readonly number[]>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [camera, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    let longest = 0;
    for (let i = 1; i < sorted.length; i++)
      longest = Math.max(longest, (sorted[i] as number) - (sorted[i - 1] as number));
    result[camera] = longest;
  }
  return result;
}
