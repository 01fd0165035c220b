/**
 * Flux for the detections measurement (the feed-handler's object detector: one point per frame
 * and label, tags camera, location, label; fields score, box, count, filepath). Same rules as
 * queries.ts: values only through the `flux` template, bounds as exact ns, range() half-open,
 * tag predicates as equalities (a set of them `or`-ed, as the wall's camera set) so storage
 * applies them in the read.
 */
import { DETECTION_FIELD, DETECTION_TAG, MEASUREMENT, TAG } from '@fathom/index-contract';
import { type FluxQuery, flux, fluxFloat } from '../adapters/influx.js';
import type { NsRange } from '../nearest.js';
import { rangeOf } from './queries.js';

/** r["label"] == a or r["label"] == b …: the labels come from the fixed COCO list (label-words.ts), never raw text. */
function labelSet(labels: readonly string[]): FluxQuery {
  const [first, ...rest] = labels;
  if (first === undefined) throw new RangeError('an empty label set');
  return rest.reduce(
    (set, label) => flux`${set} or r[${DETECTION_TAG.label}] == ${label}`,
    flux`r[${DETECTION_TAG.label}] == ${first}`,
  );
}

const cameraIs = (camera: string | undefined) =>
  camera === undefined ? flux`` : flux` and r[${TAG.camera}] == ${camera}`;

/**
 * Every detection of the labels in range (of one camera, or all) with a score of at least
 * `minScore`, one row per point with its fields side by side (score, box, count, filepath).
 * The read (measurement, labels, camera, the four fields) is pushed down to storage; pivot then
 * joins each point's fields into one row, and the score test runs on that row: before the pivot
 * it would keep only the score fields and drop the box and filepath of the same points.
 */
export function detectionsQuery(
  bucket: string,
  range: NsRange,
  labels: readonly string[],
  camera: string | undefined,
  minScore: number,
): FluxQuery {
  const F = DETECTION_FIELD;
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.detections} and (${labelSet(labels)})${cameraIs(camera)} and (r._field == ${F.score} or r._field == ${F.box} or r._field == ${F.count} or r._field == ${F.filepath}))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> filter(fn: (r) => r[${F.score}] >= ${fluxFloat(minScore)})
  |> keep(columns: ["_time", ${TAG.camera}, ${TAG.location}, ${DETECTION_TAG.label}, ${F.score}, ${F.box}, ${F.count}, ${F.filepath}])`;
}

/**
 * Every label seen in range (any score), one row per frame and label (time, camera, label,
 * score), as a chain to yield beside another in the same script: /thumbnailGroup's frames and
 * /events' moving frames get their labels without a second request.
 */
export function frameLabelsChain(bucket: string, camera: string | undefined, range: NsRange, name: string): FluxQuery {
  return flux`from(bucket: ${bucket})
  |> ${rangeOf(range)}
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT.detections} and r._field == ${DETECTION_FIELD.score}${cameraIs(camera)})
  |> keep(columns: ["_time", "_value", ${TAG.camera}, ${DETECTION_TAG.label}])
  |> yield(name: ${name})`;
}
