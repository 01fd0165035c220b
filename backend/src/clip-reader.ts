/**
 * Reads the chunk index and the feed-handler's disk-use reports: turns query
 * rows into chunks and per-camera storage figures. Knows nothing about HTTP.
 */
import { CHUNK_FIELD, type ChunkPoint, rfc3339ToNs, STORAGE_FIELD, TAG } from '@fathom/index-contract';
import type { FluxRow, InfluxReader } from './adapters/influx.js';
import { chunksInRangeQuery, latestStorageQuery } from './flux/chunk-queries.js';
import type { NsRange } from './nearest.js';

/** A recorded video chunk as indexed: the contract's chunk point, as the feed-handler wrote it. */
export type Chunk = ChunkPoint;

/** The feed-handler's latest disk-use report for a camera. */
export interface CameraStorage {
  thumbnailBytes: number;
  chunkBytes: number;
  oldestMs: number | null;
  daysLeft: number | null;
  measuredAtNs: bigint;
}

export interface ClipIndex {
  /** Chunks whose start lies in [startNs, stopNs), oldest first (ties by camera). */
  chunksIn(range: NsRange, camera?: string): Promise<Chunk[]>;
  /** Latest storage report per camera. */
  storage(): Promise<Map<string, CameraStorage>>;
}

const text = (row: FluxRow, column: string): string | undefined => {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
};

const num = (row: FluxRow, column: string): number | null => {
  const value = row[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** A pivoted chunk row; null for a row missing any field. */
export function rowToChunk(row: FluxRow): Chunk | null {
  const camera = text(row, TAG.camera);
  const filepath = text(row, CHUNK_FIELD.filepath);
  const startMs = num(row, CHUNK_FIELD.start);
  const endMs = num(row, CHUNK_FIELD.end);
  const bytes = num(row, CHUNK_FIELD.bytes);
  if (!camera || !filepath || startMs === null || endMs === null || bytes === null) return null;
  return { camera, location: text(row, TAG.location) ?? '', startMs, endMs, filepath, bytes };
}

/** Latest storage rows (one per camera and field) as one report per camera. */
export function rowsToStorage(rows: FluxRow[]): Map<string, CameraStorage> {
  const out = new Map<string, CameraStorage>();
  for (const row of rows) {
    const camera = text(row, TAG.camera);
    const time = text(row, '_time');
    const value = row._value;
    if (!camera || !time || typeof value !== 'number') continue;
    const s = out.get(camera) ?? { thumbnailBytes: 0, chunkBytes: 0, oldestMs: null, daysLeft: null, measuredAtNs: 0n };
    const timeNs = rfc3339ToNs(time);
    if (timeNs > s.measuredAtNs) s.measuredAtNs = timeNs;
    if (row._field === STORAGE_FIELD.thumbnailBytes) s.thumbnailBytes = value;
    else if (row._field === STORAGE_FIELD.chunkBytes) s.chunkBytes = value;
    else if (row._field === STORAGE_FIELD.oldestMs) s.oldestMs = value;
    else if (row._field === STORAGE_FIELD.daysLeft) s.daysLeft = value;
    out.set(camera, s);
  }
  return out;
}

export function createClipIndex(influx: InfluxReader, bucket: string): ClipIndex {
  return {
    async chunksIn(range, camera) {
      const rows = await influx.query(chunksInRangeQuery(bucket, camera, range), 'chunks_in_range');
      return rows
        .map(rowToChunk)
        .filter((chunk): chunk is Chunk => chunk !== null)
        .sort((a, b) => a.startMs - b.startMs || (a.camera < b.camera ? -1 : a.camera > b.camera ? 1 : 0));
    },
    async storage() {
      return rowsToStorage(await influx.query(latestStorageQuery(bucket), 'storage'));
    },
  };
}
