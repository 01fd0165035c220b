/** The bench's InfluxDB adapter: how many thumbnails of each camera were indexed in a window. */
import { MEASUREMENT, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { type InfluxTarget, queryRows } from '../lib/influx.js';

/** Flux: indexed thumbnail points per camera whose id starts with `prefix`, with capture time in [startMs, stopMs). */
export function indexedCountFlux(bucket: string, prefix: string, startMs: number, stopMs: number): string {
  const time = (ms: number) => new Date(Math.round(ms)).toISOString();
  return `from(bucket: ${JSON.stringify(bucket)})
  |> range(start: ${time(startMs)}, stop: ${time(stopMs)})
  |> filter(fn: (r) => r._measurement == "${MEASUREMENT.thumbnails}" and r._field == "${THUMBNAIL_FIELD.filepath}")
  |> filter(fn: (r) => strings.hasPrefix(v: r.${TAG.camera}, prefix: ${JSON.stringify(prefix)}))
  |> group(columns: ["${TAG.camera}"])
  |> count()`;
}

export async function indexedCounts(
  target: InfluxTarget,
  bucket: string,
  prefix: string,
  startMs: number,
  stopMs: number,
): Promise<Map<string, number>> {
  const rows = await queryRows(target, `import "strings"\n${indexedCountFlux(bucket, prefix, startMs, stopMs)}`);
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(String(row[TAG.camera]), Number(row._value));
  return counts;
}
