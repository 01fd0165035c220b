/**
 * Flux query builders: pure functions from validated values to parameterised queries.
 * Every index query is one of these: the hot lookups (closest frame, frames in a range)
 * and the rare ones (cameras, status, readiness).
 *
 * Rules every builder follows (each checked by a unit test):
 * - Values only enter through the client's `flux` template (strings are quoted and
 *   escaped, bigint ns go through `fluxInteger`); nothing is concatenated.
 * - Time bounds are exact epoch nanoseconds as `time(v: <int>)`. The seed's bug lived
 *   exactly here: a bare integer in range() means SECONDS to Flux and a JS Date only
 *   holds milliseconds, so unit slips silently query the wrong years (or everything).
 * - range() is [start, stop): callers pass half-open ranges and builders never filter
 *   on _time.
 * - Storage pushdown (InfluxDB OSS 2.9): each from() feeds exactly one chain of
 *   range |> filter(tag/measurement/field equality) |> group() |> first()/last(),
 *   which becomes a single ReadGroupAggregate returning at most one row, or the
 *   keep |> group |> distinct shape of ReadTagValues. The two sides of a nearest
 *   lookup are two separate from() calls, never one shared variable (that defeats
 *   pushdown), and there is no sort |> limit.
 */
import { INDEX_CHANGE_FIELD, MEASUREMENT, STATUS_FIELD, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { type FluxQuery, flux, fluxInteger } from '../adapters/influx.js';
import type { NsRange, SidesRequest } from '../nearest.js';
import { MAX_TIME_NS, MIN_TIME_NS } from '../time-input.js';
import { frameLabelsChain } from './detection-queries.js';

/** Yield names, so one response can carry both sides of a lookup. */
export const YIELD = {
  before: 'before',
  after: 'after',
  whole: 'whole',
  cameras: 'cameras',
  status: 'status',
  frames: 'frames',
  metrics: 'metrics',
  labels: 'labels',
} as const;

/** The whole storable time line, for queries over sparse data (ids, status transitions). */
const ALL_TIME: NsRange = { startNs: MIN_TIME_NS, stopNs: MAX_TIME_NS + 1n };

/**
 * The one place a time reaches Flux, and where the seed's timestamp bug would be: it put
 * unix seconds into time bounds of the wrong unit. A bare JS number here would become a Flux
 * integer, which range() reads as SECONDS (Date.now() ms would land in year 56,000 and wrap);
 * a JS Date would drop everything below the millisecond. Bounds are therefore always exact
 * epoch nanoseconds (bigint), rendered by fluxInteger as `time(v: <ns>)`, where int means ns.
 */
export function rangeOf({ startNs, stopNs }: NsRange): FluxQuery {
  if (!(startNs < stopNs)) throw new RangeError(`empty range [${startNs}, ${stopNs})`); // Flux would refuse it
  return flux`range(start: time(v: ${fluxInteger(startNs)}), stop: time(v: ${fluxInteger(stopNs)}))`;
}

/**
 * Thumbnail points, optionally of one camera: only equality predicates with the literal on
 * the right, so storage applies them. `r["camera"]` is the same member expression as
 * `r.camera` (the form the InfluxDB UI generates), and lets the tag name come from the contract.
 */
function thumbnailFilter(camera: string | undefined): FluxQuery {
  return camera === undefined
    ? flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.filepath})`
    : flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.filepath} and r[${TAG.camera}] == ${camera})`;
}

/** Yield names of lookup i in a batched script: `b<i>` and `a<i>` (names must be unique in a script). */
export const batchYield = (side: 'before' | 'after' | 'whole', index: number) =>
  `${side === 'before' ? 'b' : side === 'after' ? 'a' : 'w'}${index}`;

/** Every frame of a small range, as rows: the whole-ring read (see SidesRequest.whole). */
function wholeRange(bucket: string, range: NsRange, filter: FluxQuery, name: string): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${filter}
  |> keep(columns: ["_time", "_value", ${TAG.camera}, ${TAG.location}])
  |> yield(name: ${name})`;
}

/**
 * Several nearest lookups in one script, with yields named by the lookup's position, so the
 * fixed cost of a Flux request is paid once for all of them. Each side is a bare
 * `last()`/`first()` after the pushed-down filter, without group(): storage then answers one
 * row per series (ReadWindowAggregate) instead of probing every series and reading it again
 * (group() |> last() is ReadGroupAggregate, which does both); the reader keeps the newest row
 * before and the oldest after (a camera has one series per location, "any camera" one per camera).
 */
export function batchedSidesQuery(
  bucket: string,
  lookups: readonly { camera: string | undefined; request: SidesRequest }[],
): FluxQuery {
  const parts: FluxQuery[] = [];
  for (const [index, { camera, request }] of lookups.entries()) {
    if (request.whole && request.before && request.after) {
      const range = { startNs: request.before.startNs, stopNs: request.after.stopNs };
      parts.push(wholeRange(bucket, range, thumbnailFilter(camera), batchYield('whole', index)));
      continue;
    }
    if (request.before) {
      parts.push(flux`from(bucket: ${bucket})
  |> ${rangeOf(request.before)}
  |> ${thumbnailFilter(camera)}
  |> last()
  |> yield(name: ${batchYield('before', index)})`);
    }
    if (request.after) {
      parts.push(flux`from(bucket: ${bucket})
  |> ${rangeOf(request.after)}
  |> ${thumbnailFilter(camera)}
  |> first()
  |> yield(name: ${batchYield('after', index)})`);
    }
  }
  return joinScripts(parts);
}

function joinScripts(parts: FluxQuery[]): FluxQuery {
  const [first, ...rest] = parts;
  if (!first) throw new RangeError('a script needs at least one chain');
  return rest.reduce(
    (script, part) => flux`${script}

${part}`,
    first,
  );
}

/**
 * A wall: the same ring for several cameras (or every camera), in two chains whatever their
 * number: one filter on the camera set, then a bare last()/first() that storage answers per
 * series, so each camera's newest frame before and oldest after come back as rows of their own.
 */
export function wallSidesQuery(
  bucket: string,
  cameras: readonly string[] | undefined,
  request: SidesRequest,
): FluxQuery {
  const filter =
    cameras === undefined
      ? thumbnailFilter(undefined)
      : flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.filepath} and (${cameraSet(cameras)}))`;
  if (request.whole && request.before && request.after) {
    return wholeRange(bucket, { startNs: request.before.startNs, stopNs: request.after.stopNs }, filter, YIELD.whole);
  }
  const parts: FluxQuery[] = [];
  if (request.before) {
    parts.push(flux`from(bucket: ${bucket})
  |> ${rangeOf(request.before)}
  |> ${filter}
  |> last()
  |> yield(name: ${YIELD.before})`);
  }
  if (request.after) {
    parts.push(flux`from(bucket: ${bucket})
  |> ${rangeOf(request.after)}
  |> ${filter}
  |> first()
  |> yield(name: ${YIELD.after})`);
  }
  return joinScripts(parts);
}

/** r.camera == a or r.camera == b …: tag equalities joined by `or`, which storage still applies itself. */
function cameraSet(cameras: readonly string[]): FluxQuery {
  const [first, ...rest] = cameras;
  if (first === undefined) throw new RangeError('an empty camera set');
  return rest.reduce(
    (set, camera) => flux`${set} or r[${TAG.camera}] == ${camera}`,
    flux`r[${TAG.camera}] == ${first}`,
  );
}

/** Every frame in [startNs, stopNs) (callers turn (ts, ts+X] into that); one table per series. */
export function framesInRangeQuery(bucket: string, camera: string | undefined, range: NsRange): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${thumbnailFilter(camera)}
  |> keep(columns: ["_time", "_value", ${TAG.camera}, ${TAG.location}])`;
}

/**
 * The motion metrics of the frames in [startNs, stopNs) (frames analysed by the feed-handler
 * carry them as fields of their own point; older frames have none): motion, luma, lighting.
 * The grid stays out: 48 characters a frame that only region searches read.
 */
export function frameMetricsQuery(bucket: string, camera: string | undefined, range: NsRange): FluxQuery {
  const fields = flux`(r._field == ${THUMBNAIL_FIELD.motion} or r._field == ${THUMBNAIL_FIELD.luma} or r._field == ${THUMBNAIL_FIELD.lighting})`;
  const filter =
    camera === undefined
      ? flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and ${fields})`
      : flux`filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and ${fields} and r[${TAG.camera}] == ${camera})`;
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> ${filter}
  |> keep(columns: ["_time", "_value", "_field", ${TAG.camera}])`;
}

/**
 * The frames of a window, their metrics and the labels the detector saw on them, in one round
 * trip (yields `frames`, `metrics` and `labels`): every Flux request costs influxd a fixed few
 * ms, so the labels ride in the same script rather than a request of their own.
 */
export function framesWithMetricsQuery(bucket: string, camera: string | undefined, range: NsRange): FluxQuery {
  return flux`${framesInRangeQuery(bucket, camera, range)}
  |> yield(name: ${YIELD.frames})

${frameMetricsQuery(bucket, camera, range)}
  |> yield(name: ${YIELD.metrics})

${frameLabelsChain(bucket, camera, range, YIELD.labels)}`;
}

/**
 * Ids of cameras with frames (from the tag index: the keep |> group |> distinct shape is pushed down to
 * ReadTagValues, so no points are read) and each camera's latest status point, in one
 * round trip. Status points are written on transitions only, so their all-time
 * last() per camera stays small.
 */
export function camerasAndStatusQuery(bucket: string): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(ALL_TIME)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails})
  |> keep(columns: [${TAG.camera}])
  |> group()
  |> distinct(column: ${TAG.camera})
  |> yield(name: ${YIELD.cameras})

from(bucket: ${bucket})
  |> ${rangeOf(ALL_TIME)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.cameraStatus} and (r._field == ${STATUS_FIELD.online} or r._field == ${STATUS_FIELD.reason}))
  |> group(columns: [${TAG.camera}, "_field"])
  |> last()
  |> yield(name: ${YIELD.status})`;
}

/** The newest index_changes point: the index's generation (one series, so a bare last() is pushed down). */
export function indexGenerationQuery(bucket: string): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(ALL_TIME)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.indexChanges} and r._field == ${INDEX_CHANGE_FIELD.reason})
  |> last()
  |> keep(columns: ["_time"])`;
}

/** Ids of cameras with frames, from the tag index (pushed down to ReadTagValues: no points read). */
export function cameraIdsQuery(bucket: string): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(ALL_TIME)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails})
  |> keep(columns: [${TAG.camera}])
  |> group()
  |> distinct(column: ${TAG.camera})`;
}

/** Each camera's newest frame in [sinceNs, end of time): one pushed-down last() per camera. */
export function newestFramesQuery(bucket: string, sinceNs: bigint): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf({ startNs: sinceNs < MIN_TIME_NS ? MIN_TIME_NS : sinceNs, stopNs: ALL_TIME.stopNs })}
  |> ${thumbnailFilter(undefined)}
  |> group(columns: [${TAG.camera}])
  |> last()`;
}

/** Readiness: the token works for the org and the bucket exists. */
export function bucketExistsQuery(bucket: string): FluxQuery {
  return flux`buckets()
  |> filter(fn: (r) => r.name == ${bucket})
  |> keep(columns: ["name"])`;
}
