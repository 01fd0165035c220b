/**
 * The naive lookups the seed's approach implies, for comparison: an unbounded
 * range() with the time condition in a filter() (which InfluxDB cannot push down to
 * storage, so every point of the field is read and filtered in the Flux engine), or
 * fetching every point and choosing in JS. Both are CORRECT, only slow: the seed's
 * unit bug is not reproduced here.
 */
import { MEASUREMENT, THUMBNAIL_FIELD } from '@fathom/index-contract';

const fluxString = (value: string) => JSON.stringify(value); // bucket names are [a-z0-9-]
const fluxTime = (ms: number) => `time(v: ${BigInt(Math.round(ms * 1000)) * 1000n})`;

function allFrames(bucket: string): string {
  return `from(bucket: ${fluxString(bucket)})
  |> range(start: 0)
  |> filter(fn: (r) => r._measurement == "${MEASUREMENT.thumbnails}" and r._field == "${THUMBNAIL_FIELD.filepath}")`;
}

/** Closest frame: the newest before t and the oldest from t on, by filtering _time; JS picks the closer. */
export function naiveNearestFlux(bucket: string, tMs: number): string {
  return `t = ${fluxTime(tMs)}
${allFrames(bucket)}
  |> filter(fn: (r) => r._time < t)
  |> group()
  |> last()
  |> yield(name: "before")
${allFrames(bucket)}
  |> filter(fn: (r) => r._time >= t)
  |> group()
  |> first()
  |> yield(name: "after")`;
}

/** Group: every frame in (t, t + minutes], by filtering _time. */
export function naiveGroupFlux(bucket: string, tMs: number, minutes: number): string {
  return `${allFrames(bucket)}
  |> filter(fn: (r) => r._time > ${fluxTime(tMs)} and r._time <= ${fluxTime(tMs + minutes * 60_000)})`;
}

/** Closest frame: every frame of the bucket, streamed to the client, which keeps the closest. */
export function naiveFetchAllFlux(bucket: string): string {
  return `${allFrames(bucket)}
  |> keep(columns: ["_time", "_value", "camera", "location"])`;
}

/** The running arg-min of |time - t| (ties to the earlier frame, as the API does). */
export function closestTracker(tMs: number) {
  let best: { timeMs: number; distanceMs: number } | null = null;
  return {
    offer(timeMs: number) {
      const distanceMs = Math.abs(timeMs - tMs);
      if (!best || distanceMs < best.distanceMs || (distanceMs === best.distanceMs && timeMs < best.timeMs)) {
        best = { timeMs, distanceMs };
      }
    },
    get best() {
      return best;
    },
  };
}
