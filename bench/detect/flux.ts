/**
 * The Flux the bench sends to its throwaway influxd (the real client runs it, in live.ts), and
 * the rows read back (pure). Both look at one phase's cameras only (their ids share a prefix).
 */
import { DETECTION_FIELD, DETECTION_TAG, MEASUREMENT, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';

const time = (ms: number) => new Date(Math.round(ms)).toISOString();

function cameraFilter(prefix: string): string {
  return `|> filter(fn: (r) => strings.hasPrefix(v: r.${TAG.camera}, prefix: ${JSON.stringify(prefix)}))`;
}

/** Capture times of the indexed thumbnails (one `filepath` value per point) in [startMs, stopMs). */
export function indexedTimesFlux(bucket: string, prefix: string, startMs: number, stopMs: number): string {
  return `import "strings"
from(bucket: ${JSON.stringify(bucket)})
  |> range(start: ${time(startMs)}, stop: ${time(stopMs)})
  |> filter(fn: (r) => r._measurement == "${MEASUREMENT.thumbnails}" and r._field == "${THUMBNAIL_FIELD.filepath}")
  ${cameraFilter(prefix)}
  |> keep(columns: ["_time", "${TAG.camera}"])`;
}

/**
 * The detection points captured in [startMs, stopMs): one row per frame and label (its `score`
 * field), with the label so the bench can tell frames with a person from the rest.
 */
export function detectionsFlux(bucket: string, prefix: string, startMs: number, stopMs: number): string {
  return `import "strings"
from(bucket: ${JSON.stringify(bucket)})
  |> range(start: ${time(startMs)}, stop: ${time(stopMs)})
  |> filter(fn: (r) => r._measurement == "${MEASUREMENT.detections}" and r._field == "${DETECTION_FIELD.score}")
  ${cameraFilter(prefix)}
  |> keep(columns: ["_time", "_value", "${TAG.camera}", "${DETECTION_TAG.label}"])`;
}

export interface TimedRow {
  camera: string;
  timeMs: number;
}

export interface DetectionRow extends TimedRow {
  label: string;
  score: number;
}

/** Rows as the client's collectRows gives them (`_time` an RFC 3339 string) into times by camera. */
export function timedRows(rows: readonly Record<string, unknown>[]): TimedRow[] {
  const out: TimedRow[] = [];
  for (const row of rows) {
    const timeMs = Date.parse(String(row._time));
    if (typeof row[TAG.camera] === 'string' && Number.isFinite(timeMs)) {
      out.push({ camera: row[TAG.camera] as string, timeMs });
    }
  }
  return out;
}

export function detectionRows(rows: readonly Record<string, unknown>[]): DetectionRow[] {
  const out: DetectionRow[] = [];
  for (const row of rows) {
    const [timed] = timedRows([row]);
    if (timed) out.push({ ...timed, label: String(row[DETECTION_TAG.label] ?? ''), score: Number(row._value) });
  }
  return out;
}

export function timesByCamera(rows: readonly TimedRow[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) {
    const list = out.get(r.camera);
    if (list) list.push(r.timeMs);
    else out.set(r.camera, [r.timeMs]);
  }
  return out;
}
