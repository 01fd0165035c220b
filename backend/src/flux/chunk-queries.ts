/**
 * Flux for video chunks and disk use (issue 7), kept apart from the thumbnail
 * queries. Same rules as flux/queries.ts: values only through the `flux`
 * template, exact ns bounds as `time(v: <int>)`, half-open ranges.
 */
import { CHUNK_FIELD, MEASUREMENT, TAG } from '@fathom/index-contract';
import { type FluxQuery, flux, fluxInteger } from '../adapters/influx.js';
import type { NsRange } from '../nearest.js';
import { MAX_TIME_NS, MIN_TIME_NS } from '../time-input.js';

function rangeOf({ startNs, stopNs }: NsRange): FluxQuery {
  if (!(startNs < stopNs)) throw new RangeError(`empty range [${startNs}, ${stopNs})`);
  const start = startNs < MIN_TIME_NS ? MIN_TIME_NS : startNs;
  return flux`range(start: time(v: ${fluxInteger(start)}), stop: time(v: ${fluxInteger(stopNs)}))`;
}

/**
 * Chunk points (timed at their start) in [startNs, stopNs), optionally of one camera, one row
 * per chunk with its fields side by side. There is one chunk per camera every few minutes, so
 * the in-memory pivot sees a few hundred rows at most.
 */
export function chunksInRangeQuery(bucket: string, camera: string | undefined, range: NsRange): FluxQuery {
  const filter =
    camera === undefined
      ? flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.chunks})`
      : flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.chunks} and r[${TAG.camera}] == ${camera})`;
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${filter}
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> keep(columns: ["_time", ${TAG.camera}, ${TAG.location}, ${CHUNK_FIELD.filepath}, ${CHUNK_FIELD.start}, ${CHUNK_FIELD.end}, ${CHUNK_FIELD.bytes}])`;
}

/** Each camera's latest disk-use report: one row per camera and field (group |> last is pushed down). */
export function latestStorageQuery(bucket: string): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf({ startNs: MIN_TIME_NS, stopNs: MAX_TIME_NS + 1n })}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.storage})
  |> group(columns: [${TAG.camera}, "_field"])
  |> last()`;
}
