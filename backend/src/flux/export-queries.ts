/**
 * Flux for timelapse exports: how many stills a range has, their size, the stills
 * themselves and, in motion mode, which of them moved. Same rules as queries.ts.
 */
import { MEASUREMENT, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { type FluxQuery, flux, fluxFloat } from '../adapters/influx.js';
import type { NsRange } from '../nearest.js';
import { rangeOf } from './queries.js';

export const EXPORT_YIELD = { stills: 'stills', moving: 'moving', width: 'width', height: 'height' } as const;

const fieldOf = (field: string, camera: string) =>
  flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${field} and r[${TAG.camera}] == ${camera})`;

/** Stills of one camera in the range, per series (a camera that moved has one per location); count() is pushed down. */
export function stillCountQuery(bucket: string, camera: string, range: NsRange): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${fieldOf(THUMBNAIL_FIELD.filepath, camera)}
  |> count()`;
}

/** The first still's width and height: the timelapse's aspect ratio. */
export function stillSizeQuery(bucket: string, camera: string, range: NsRange): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${fieldOf(THUMBNAIL_FIELD.width, camera)}
  |> group()
  |> first()
  |> yield(name: ${EXPORT_YIELD.width})

from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${fieldOf(THUMBNAIL_FIELD.height, camera)}
  |> group()
  |> first()
  |> yield(name: ${EXPORT_YIELD.height})`;
}

/**
 * The stills of a slice of the range (time and path); with `moving`, also the times of the
 * stills whose motion reached `minMotion` in that (wider) range, the `_value >=` predicate
 * pushed into the read. One round trip either way.
 */
export function stillsQuery(
  bucket: string,
  camera: string,
  range: NsRange,
  moving?: { range: NsRange; minMotion: number },
): FluxQuery {
  const stills = flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${fieldOf(THUMBNAIL_FIELD.filepath, camera)}
  |> keep(columns: ["_time", "_value"])
  |> yield(name: ${EXPORT_YIELD.stills})`;
  if (!moving) return stills;
  return flux`${stills}

from(bucket: ${bucket})
  |> ${rangeOf(moving.range)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.motion} and r[${TAG.camera}] == ${camera} and r._value >= ${fluxFloat(moving.minMotion)})
  |> keep(columns: ["_time"])
  |> yield(name: ${EXPORT_YIELD.moving})`;
}
