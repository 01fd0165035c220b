/**
 * Flux for the activity index: heatmap rows, motion jumps and motion events. Same rules
 * as queries.ts: values only through the `flux` template, bounds as exact ns, range()
 * half-open, and each from() feeding one pushed-down chain:
 * - heatmaps are `aggregateWindow` over one field straight after the read, so storage
 *   does the windowing (ReadWindowAggregateByTime; a group() in between would stop that),
 *   three chains in one script (max, sum, count): one row per bucket and series each,
 *   which the reader merges (a camera that moved has a series per location);
 * - jumps are a `_value >= min` predicate (pushed into the read) then one first()/last();
 * - short ranges read the thumbnails' own fields, long ones the per-minute activity
 *   bucket that the InfluxDB task keeps (feed-handler: index/activity-task).
 */
import { ACTIVITY_FIELD, MEASUREMENT, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { type FluxQuery, flux, fluxFloat, fluxInteger } from '../adapters/influx.js';
import type { NsRange } from '../nearest.js';
import { frameLabelsChain } from './detection-queries.js';
import { rangeOf } from './queries.js';

export const ACTIVITY_YIELD = {
  max: 'max',
  sum: 'sum',
  frames: 'frames',
  motion: 'motion',
  grid: 'grid',
  labels: 'labels',
} as const;

const fieldOf = (measurement: string, field: string, camera: string) =>
  flux`filter(fn: (r) => r._measurement == ${measurement} and r._field == ${field} and r[${TAG.camera}] == ${camera})`;

/**
 * Windows of `widthNs` aligned to range.startNs (offset = start mod width, so the first
 * window begins exactly at the range's start). createEmpty: false: a window without
 * points has no row, and the caller shows it as a gap.
 */
function windowed(widthNs: bigint, startNs: bigint, fn: 'max' | 'sum' | 'count'): FluxQuery {
  const offsetNs = ((startNs % widthNs) + widthNs) % widthNs;
  const fns = { max: flux`max`, sum: flux`sum`, count: flux`count` };
  return flux`aggregateWindow(every: duration(v: ${fluxInteger(widthNs)}), offset: duration(v: ${fluxInteger(offsetNs)}), fn: ${fns[fn]}, createEmpty: false, timeSrc: "_start")`;
}

/** Three windowed aggregates of one camera in one script: yields max, sum and frames. */
function heatmapChains(
  bucket: string,
  measurement: string,
  camera: string,
  range: NsRange,
  widthNs: bigint,
  chains: readonly { field: string; fn: 'max' | 'sum' | 'count'; name: string }[],
): FluxQuery {
  const [first, ...rest] = chains.map(
    (c) => flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${fieldOf(measurement, c.field, camera)}
  |> ${windowed(widthNs, range.startNs, c.fn)}
  |> yield(name: ${c.name})`,
  );
  return rest.reduce(
    (script, chain) => flux`${script}

${chain}`,
    first as FluxQuery,
  );
}

/** One heatmap row from the thumbnails themselves: max and sum of motion, and frames present (bytes count). */
export function rawActivityQuery(bucket: string, camera: string, range: NsRange, widthNs: bigint): FluxQuery {
  return heatmapChains(bucket, MEASUREMENT.thumbnails, camera, range, widthNs, [
    { field: THUMBNAIL_FIELD.motion, fn: 'max', name: ACTIVITY_YIELD.max },
    { field: THUMBNAIL_FIELD.motion, fn: 'sum', name: ACTIVITY_YIELD.sum },
    { field: THUMBNAIL_FIELD.bytes, fn: 'count', name: ACTIVITY_YIELD.frames },
  ]);
}

/** The same row from the per-minute bucket: max of maxima, sums of sums and of frame counts. */
export function minuteActivityQuery(
  activityBucket: string,
  camera: string,
  range: NsRange,
  widthNs: bigint,
): FluxQuery {
  return heatmapChains(activityBucket, MEASUREMENT.activity, camera, range, widthNs, [
    { field: ACTIVITY_FIELD.motionMax, fn: 'max', name: ACTIVITY_YIELD.max },
    { field: ACTIVITY_FIELD.motionSum, fn: 'sum', name: ACTIVITY_YIELD.sum },
    { field: ACTIVITY_FIELD.frames, fn: 'sum', name: ACTIVITY_YIELD.frames },
  ]);
}

/** The first (next) or last (prev) point of a field with a value >= min: one pushed-down read and selector. */
function stepQuery(
  bucket: string,
  measurement: string,
  field: string,
  camera: string,
  range: NsRange,
  min: number,
  dir: 'next' | 'prev',
): FluxQuery {
  const pick = dir === 'next' ? flux`first()` : flux`last()`;
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> filter(fn: (r) => r._measurement == ${measurement} and r._field == ${field} and r[${TAG.camera}] == ${camera} and r._value >= ${fluxFloat(min)})
  |> group()
  |> ${pick}`;
}

/**
 * The first (next) or last (prev) thumbnail in range with motion >= min: the predicate on
 * _value is pushed into the storage read, and first()/last() returns one row.
 */
export function motionStepQuery(
  bucket: string,
  camera: string,
  range: NsRange,
  min: number,
  dir: 'next' | 'prev',
): FluxQuery {
  return stepQuery(bucket, MEASUREMENT.thumbnails, THUMBNAIL_FIELD.motion, camera, range, min, dir);
}

/** The first (next) or last (prev) minute in range whose highest motion is >= min, from the activity bucket. */
export function minuteStepQuery(
  activityBucket: string,
  camera: string,
  range: NsRange,
  min: number,
  dir: 'next' | 'prev',
): FluxQuery {
  return stepQuery(activityBucket, MEASUREMENT.activity, ACTIVITY_FIELD.motionMax, camera, range, min, dir);
}

/**
 * Every thumbnail in range with motion >= min, and (when a region is asked for) the grids
 * of every moving thumbnail in range: a still grid is 48 'A's, so `!= still` is pushed down.
 */
export function movingFramesQuery(
  bucket: string,
  camera: string,
  range: NsRange,
  min: number,
  withGrid: { stillGrid: string } | null,
): FluxQuery {
  const motion = flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.motion} and r[${TAG.camera}] == ${camera} and r._value >= ${fluxFloat(min)})
  |> group()
  |> keep(columns: ["_time", "_value", ${TAG.location}])
  |> yield(name: ${ACTIVITY_YIELD.motion})`;
  if (!withGrid) return motion;
  return flux`${motion}

from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.grid} and r[${TAG.camera}] == ${camera} and r._value != ${withGrid.stillGrid})
  |> group()
  |> keep(columns: ["_time", "_value"])
  |> yield(name: ${ACTIVITY_YIELD.grid})`;
}

/**
 * Motion events' script: the moving frames (and grids) of movingFramesQuery, and in the same
 * request the labels the detector saw in `labelRange` (yield `labels`), so each event can say
 * what was seen during it.
 */
export function eventsQuery(
  bucket: string,
  camera: string,
  range: NsRange,
  labelRange: NsRange,
  min: number,
  withGrid: { stillGrid: string } | null,
): FluxQuery {
  return flux`${movingFramesQuery(bucket, camera, range, min, withGrid)}

${frameLabelsChain(bucket, camera, labelRange, ACTIVITY_YIELD.labels)}`;
}
