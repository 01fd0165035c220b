/**
 * Reads the detections measurement: the rows of detectionsQuery as detections, and the rows of
 * a frameLabelsChain as label hits. Knows the index's shape (contract names, columns); knows
 * nothing about HTTP.
 */
import { DETECTION_FIELD, DETECTION_TAG, parseDetectionBox, TAG, thumbnailRelativePath } from '@fathom/index-contract';
import type { FluxRow, InfluxReader } from './adapters/influx.js';
import type { Detection, LabelHit } from './detection-math.js';
import { detectionsQuery } from './flux/detection-queries.js';
import type { NsRange } from './nearest.js';
import { influxTime, NS_PER_MS } from './time-input.js';

const text = (row: FluxRow, column: string): string | undefined => {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
};

/**
 * A pivoted detections row as a detection; null for a row that is not one (no score, no label,
 * a box that is not four fractions). A missing filepath is the thumbnail's own name (the
 * contract's path of camera and capture time), which the field repeats.
 */
export function rowToDetection(row: FluxRow): Detection | null {
  const time = text(row, '_time');
  const camera = text(row, TAG.camera);
  const label = text(row, DETECTION_TAG.label);
  const score = row[DETECTION_FIELD.score];
  const boxText = text(row, DETECTION_FIELD.box);
  if (!time || !camera || !label || typeof score !== 'number' || boxText === undefined) return null;
  const box = parseDetectionBox(boxText);
  if (!box) return null;
  const timeNs = influxTime(time).ns;
  const count = row[DETECTION_FIELD.count];
  return {
    camera,
    location: text(row, TAG.location) ?? '',
    label,
    timeNs,
    score,
    box,
    count: typeof count === 'number' ? count : 1,
    filepath: text(row, DETECTION_FIELD.filepath) ?? thumbnailRelativePath(camera, Number(timeNs / NS_PER_MS)),
  };
}

/** A frameLabelsChain row (time, camera, label, score as _value) as a label hit; null otherwise. */
export function rowToLabelHit(row: FluxRow): LabelHit | null {
  const time = text(row, '_time');
  const camera = text(row, TAG.camera);
  const label = text(row, DETECTION_TAG.label);
  if (!time || !camera || !label || typeof row._value !== 'number') return null;
  return { camera, label, timeNs: influxTime(time).ns, score: row._value };
}

export interface DetectionIndex {
  /** Detections of the labels in range (one camera, or all) with score >= minScore, in no particular order. */
  detections(
    range: NsRange,
    labels: readonly string[],
    camera: string | undefined,
    minScore: number,
  ): Promise<Detection[]>;
}

export function createDetectionIndex(influx: InfluxReader, bucket: string): DetectionIndex {
  return {
    async detections(range, labels, camera, minScore) {
      const rows = await influx.query(detectionsQuery(bucket, range, labels, camera, minScore), 'detections');
      const out: Detection[] = [];
      for (const row of rows) {
        const detection = rowToDetection(row);
        if (detection) out.push(detection);
      }
      return out;
    },
  };
}
