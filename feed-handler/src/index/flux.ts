/**
 * Flux for reconciliation: the time of the newest thumbnail point of a camera.
 * range |> filter |> last is pushed down to the storage engine, so this reads
 * one point per series, not the camera's history.
 */
import { CHUNK_FIELD, MEASUREMENT, STATUS_FIELD, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';

/** A Flux string literal: backslashes and double quotes escaped. */
export function fluxString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${')}"`;
}

export function lastThumbnailQuery(bucket: string, camera: string): string {
  return [
    `from(bucket: ${fluxString(bucket)})`,
    '  |> range(start: 0)',
    `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT.thumbnails)} and r._field == ${fluxString(THUMBNAIL_FIELD.filepath)} and r.${TAG.camera} == ${fluxString(camera)})`,
    '  |> last()',
    '  |> keep(columns: ["_time"])',
  ].join('\n');
}

/** The start of the newest indexed chunk of a camera (chunk points are timed at their start). */
export function lastChunkQuery(bucket: string, camera: string): string {
  return [
    `from(bucket: ${fluxString(bucket)})`,
    '  |> range(start: 0)',
    `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT.chunks)} and r._field == ${fluxString(CHUNK_FIELD.filepath)} and r.${TAG.camera} == ${fluxString(camera)})`,
    '  |> last()',
    '  |> keep(columns: ["_time"])',
  ].join('\n');
}

/** The newest `online` value of a camera's status points, and its time (one row per series). */
export function lastStatusQuery(bucket: string, camera: string): string {
  return [
    `from(bucket: ${fluxString(bucket)})`,
    '  |> range(start: 0)',
    `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT.cameraStatus)} and r._field == ${fluxString(STATUS_FIELD.online)} and r.${TAG.camera} == ${fluxString(camera)})`,
    '  |> last()',
    '  |> keep(columns: ["_time", "_value"])',
  ].join('\n');
}

/**
 * The body of InfluxDB's delete API for one camera's points of one measurement
 * up to and including `cutoffMs`. Points are written at ms precision, so a stop
 * of cutoff + 999,999 ns takes the point at the cutoff whether the API's stop
 * is inclusive or not, and never the next millisecond. The predicate language
 * knows only `=` and AND; camera ids cannot hold a quote (CAMERA_ID_PATTERN).
 */
export function deleteRequestBody(measurement: string, camera: string, cutoffMs: number) {
  const stop = new Date(cutoffMs).toISOString().replace(/Z$/, '999999Z');
  return {
    start: '1970-01-01T00:00:00Z',
    stop,
    predicate: `_measurement="${measurement}" AND ${TAG.camera}="${camera}"`,
  };
}
