/**
 * Flux that keeps the per-minute activity bucket: for each camera and minute, the
 * highest and summed motion of its thumbnails and how many thumbnails there were
 * (coverage). The same aggregation runs two ways:
 * - as an InfluxDB task every minute over the last ACTIVITY_TASK_LOOKBACK, so late
 *   points within that window are summed again;
 * - once over an explicit range, after older points were written late (an index
 *   backfill after an outage), so those minutes are right too.
 * Writing a minute again overwrites it (same series, same time): re-running is safe.
 * Values are quoted by fluxString; times are exact epoch nanoseconds. Pure.
 */
import { ACTIVITY_FIELD, MEASUREMENT, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { fluxString } from './flux.js';

/** The task re-sums this much history each run: points up to this late still count. */
export const ACTIVITY_TASK_LOOKBACK_MINUTES = 10;

export const activityTaskName = (bucket: string, activityBucket: string) =>
  `fathom activity per minute: ${bucket} -> ${activityBucket}`;

function aggregation(bucket: string, activityBucket: string, range: string): string {
  const chain = (field: string, fn: 'max' | 'sum' | 'count', as: string) =>
    [
      `from(bucket: ${fluxString(bucket)})`,
      `  |> ${range}`,
      `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT.thumbnails)} and r._field == ${fluxString(field)})`,
      `  |> aggregateWindow(every: 1m, fn: ${fn}, createEmpty: false, timeSrc: "_start")`,
      `  |> set(key: "_measurement", value: ${fluxString(MEASUREMENT.activity)})`,
      `  |> set(key: "_field", value: ${fluxString(as)})`,
      `  |> to(bucket: ${fluxString(activityBucket)})`,
    ].join('\n');
  return [
    chain(THUMBNAIL_FIELD.motion, 'max', ACTIVITY_FIELD.motionMax),
    chain(THUMBNAIL_FIELD.motion, 'sum', ACTIVITY_FIELD.motionSum),
    // Every thumbnail has `bytes`, with or without motion: the minute's coverage.
    chain(THUMBNAIL_FIELD.bytes, 'count', ACTIVITY_FIELD.frames),
  ].join('\n\n');
}

/** The task's script (options first, as InfluxDB requires). */
export function activityTaskFlux(bucket: string, activityBucket: string): string {
  return [
    `option task = {name: ${fluxString(activityTaskName(bucket, activityBucket))}, every: 1m, offset: 15s}`,
    '',
    aggregation(bucket, activityBucket, `range(start: -${ACTIVITY_TASK_LOOKBACK_MINUTES}m)`),
  ].join('\n');
}

/** The same aggregation over whole minutes covering [fromMs, toMs]. */
export function activityBackfillFlux(bucket: string, activityBucket: string, fromMs: number, toMs: number): string {
  const startNs = BigInt(Math.floor(fromMs / 60_000) * 60_000) * 1_000_000n;
  const stopNs = BigInt(Math.floor(toMs / 60_000) * 60_000 + 60_000) * 1_000_000n;
  return aggregation(bucket, activityBucket, `range(start: time(v: ${startNs}), stop: time(v: ${stopNs}))`);
}
