/**
 * InfluxQL builders for the two hot lookups (closest frame, frames in a range): pure
 * functions from validated values to query text.
 *
 * Why InfluxQL and not Flux here: measured on InfluxDB 2.9.1 (bench/query.ts), every Flux
 * query costs influxd ~3 ms of CPU before it reads a single point (parsing and type-checking
 * the script against the standard library), and the two-sided nearest lookup ~6.8 ms in all;
 * the same lookup in InfluxQL costs ~1.5 ms. On a 2-core box that is the difference between
 * ~290 and 500+ lookups a second. InfluxQL reaches the same storage through InfluxDB 2's
 * v1-compatible /query endpoint (the bucket name is its database, via the automatic "virtual"
 * DBRP mapping). Flux stays for the rare queries (cameras, readiness).
 *
 * Rules every builder follows (each checked by a unit test):
 * - Time bounds are exact epoch nanoseconds written as integer literals, which InfluxQL
 *   compares to `time` as nanoseconds; they are bigint, so a JS number (seconds? ms?) can
 *   never slip in: the seed's unit bug cannot be written here.
 * - Identifiers are double-quoted and strings single-quoted with InfluxQL's escapes, and
 *   tags are compared with `::tag`, so a value can never become query syntax.
 * - Ranges are half-open [start, stop), the same as Flux range() and NsRange.
 */
import { MEASUREMENT, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import type { InfluxQLText } from '../adapters/influx.js';
import type { NsRange, SidesRequest } from '../nearest.js';

/** A query and the meaning of each of its statements, in order (InfluxQL answers per statement). */
export interface InfluxQLQuery<S extends string = string> extends InfluxQLText {
  statements: S[];
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function timeCondition({ startNs, stopNs }: NsRange): string {
  if (typeof startNs !== 'bigint' || typeof stopNs !== 'bigint') throw new TypeError('time bounds must be bigint ns');
  if (!(startNs < stopNs)) throw new RangeError(`empty range [${startNs}, ${stopNs})`);
  return `time >= ${startNs} AND time < ${stopNs}`;
}

function where(range: NsRange, camera: string | undefined): string {
  const cameraCondition =
    camera === undefined ? '' : ` AND ${quoteIdentifier(TAG.camera)}::tag = ${quoteString(camera)}`;
  return `WHERE ${timeCondition(range)}${cameraCondition}`;
}

const FROM = `FROM ${quoteIdentifier(MEASUREMENT.thumbnails)}`;
const FILEPATH = quoteIdentifier(THUMBNAIL_FIELD.filepath);
/** The columns of every frame row: time, filepath, location, camera. */
const TAGS = `${quoteIdentifier(TAG.location)}::tag, ${quoteIdentifier(TAG.camera)}::tag`;

export type Side = 'before' | 'after';

/**
 * The newest frame in `before` and the oldest in `after` (either may be omitted), across all
 * cameras (no GROUP BY merges every series) or of one camera. last()/first() read one block.
 */
export function nearestSidesInfluxQL(camera: string | undefined, request: SidesRequest): InfluxQLQuery<Side> {
  const statements: Side[] = [];
  const texts: string[] = [];
  if (request.before) {
    statements.push('before');
    texts.push(`SELECT last(${FILEPATH}) AS ${FILEPATH}, ${TAGS} ${FROM} ${where(request.before, camera)}`);
  }
  if (request.after) {
    statements.push('after');
    texts.push(`SELECT first(${FILEPATH}) AS ${FILEPATH}, ${TAGS} ${FROM} ${where(request.after, camera)}`);
  }
  if (!statements.length) throw new RangeError('a nearest lookup needs at least one side');
  return { text: texts.join('; '), statements };
}

/** Every frame in [startNs, stopNs), of all cameras or one. */
export function framesInRangeInfluxQL(camera: string | undefined, range: NsRange): InfluxQLQuery<'frames'> {
  return { text: `SELECT ${FILEPATH}, ${TAGS} ${FROM} ${where(range, camera)}`, statements: ['frames'] };
}
