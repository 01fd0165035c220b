/**
 * Where a timelapse's stills come from: the index (which stills, in which order, and which
 * moved) and the footage volume (where each file is). Reads the range an hour at a time,
 * so a week's export never holds one giant query result, and can be cancelled between hours.
 */
import { rfc3339ToNs } from '@fathom/index-contract';
import type { ThumbnailStore } from '../adapters/files.js';
import type { FluxRow, InfluxReader } from '../adapters/influx.js';
import { EXPORT_YIELD, stillCountQuery, stillSizeQuery, stillsQuery } from '../flux/export-queries.js';
import { NS_PER_MS, NS_PER_SECOND } from '../time-input.js';
import type { ExportRequest } from './export-request.js';
import { type IndexedStill, inTimeOrder, selectAroundMotion } from './still-selection.js';

const SLICE_NS = 3600n * NS_PER_SECOND;
/** Paths checked at once: enough to hide the disk's latency, few enough to leave descriptors for serving. */
const LOCATE_CONCURRENCY = 32;

export interface PlannedStill {
  timeMs: number;
  /** Absolute path, checked to exist when planned. */
  path: string;
}

export interface StillsPlan {
  stills: PlannedStill[];
  /** Indexed stills whose file was gone (retention, a disk fault): left out, and reported. */
  missing: number;
  /** The first still's size, for the aspect ratio; undefined when the index has none. */
  size: { width: number; height: number } | undefined;
}

export interface StillsSource {
  /** Stills of the camera in [fromNs, toNs): a cheap pushed-down count. */
  count(camera: string, fromNs: bigint, toNs: bigint): Promise<number>;
  /** The stills an export shows, in time order; `onSlice` reports planning progress (0..1). */
  plan(request: ExportRequest, signal: AbortSignal, onSlice?: (share: number) => void): Promise<StillsPlan>;
}

const numberOf = (row: FluxRow, column: string): number | undefined => {
  const value = row[column];
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : undefined;
};
const timeMsOf = (row: FluxRow): number | undefined =>
  typeof row._time === 'string' ? Number(rfc3339ToNs(row._time) / NS_PER_MS) : undefined;

export function createStillsSource(influx: InfluxReader, bucket: string, footage: ThumbnailStore): StillsSource {
  async function locateAll(
    stills: IndexedStill[],
    signal: AbortSignal,
  ): Promise<{ found: PlannedStill[]; missing: number }> {
    const found: (PlannedStill | null)[] = new Array(stills.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < stills.length) {
        signal.throwIfAborted();
        const index = next++;
        const still = stills[index] as IndexedStill;
        const path = await footage.locate(still.filepath);
        if (path) found[index] = { timeMs: still.timeMs, path };
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOCATE_CONCURRENCY, stills.length) }, worker));
    const kept = found.filter((still): still is PlannedStill => still !== null);
    return { found: kept, missing: stills.length - kept.length };
  }

  return {
    async count(camera, fromNs, toNs) {
      const rows = await influx.query(
        stillCountQuery(bucket, camera, { startNs: fromNs, stopNs: toNs }),
        'export_count',
      );
      return rows.reduce((sum, row) => sum + (numberOf(row, '_value') ?? 0), 0);
    },

    async plan(request, signal, onSlice) {
      const range = { startNs: request.fromNs, stopNs: request.toNs };
      const sizeRows = await influx.query(stillSizeQuery(bucket, request.camera, range), 'export_size');
      const width = numberOf(sizeRows.find((row) => row.result === EXPORT_YIELD.width) ?? {}, '_value');
      const height = numberOf(sizeRows.find((row) => row.result === EXPORT_YIELD.height) ?? {}, '_value');

      const stills: PlannedStill[] = [];
      let missing = 0;
      const total = Number(request.toNs - request.fromNs);
      for (let startNs = request.fromNs; startNs < request.toNs; startNs += SLICE_NS) {
        signal.throwIfAborted();
        const stopNs = startNs + SLICE_NS < request.toNs ? startNs + SLICE_NS : request.toNs;
        // Motion mode reads moving times a context beyond the slice, so a moving still just past its edge keeps its lead-in.
        const contextNs = BigInt(request.contextSeconds) * NS_PER_SECOND;
        const moving =
          request.mode === 'motion'
            ? {
                range: {
                  startNs: startNs - contextNs > request.fromNs ? startNs - contextNs : request.fromNs,
                  stopNs: stopNs + contextNs < request.toNs ? stopNs + contextNs : request.toNs,
                },
                minMotion: request.minMotion,
              }
            : undefined;
        const rows = await influx.query(
          stillsQuery(bucket, request.camera, { startNs, stopNs }, moving),
          'export_stills',
        );
        let slice: IndexedStill[] = [];
        const movingMs: number[] = [];
        for (const row of rows) {
          const timeMs = timeMsOf(row);
          if (timeMs === undefined) continue;
          if (row.result === EXPORT_YIELD.moving) movingMs.push(timeMs);
          else if (typeof row._value === 'string') slice.push({ timeMs, filepath: row._value });
        }
        slice = inTimeOrder(slice);
        if (moving)
          slice = selectAroundMotion(
            slice,
            movingMs.sort((a, b) => a - b),
            request.contextSeconds * 1000,
          );
        const located = await locateAll(slice, signal);
        stills.push(...located.found);
        missing += located.missing;
        onSlice?.(Number(stopNs - request.fromNs) / total);
      }
      return { stills, missing, size: width && height ? { width, height } : undefined };
    },
  };
}
