/**
 * Flux for reconciliation: the time of the newest thumbnail point of a camera.
 * range |> filter |> last is pushed down to the storage engine, so this reads
 * one point per series, not the camera's history.
 */
import { MEASUREMENT, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';

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
