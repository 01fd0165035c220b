/**
 * Loads the data sets into influxd: big line-protocol batches, a few in flight, one
 * progress bar over all points.
 */
import { type DatasetSpec, lineBatches, pointCount } from './dataset.js';
import { type InfluxTarget, recreateBucket, writeLines } from './influx.js';
import { progressBar } from './progress.js';

const LINES_PER_BATCH = 50_000;
/** influxd parses one batch while the next is on the wire; more only adds memory on 2 cores. */
const IN_FLIGHT = 3;

export async function loadDatasets(target: InfluxTarget, datasets: readonly DatasetSpec[]): Promise<void> {
  const total = datasets.reduce((sum, spec) => sum + pointCount(spec), 0);
  const progress = progressBar('loading', total);
  for (const spec of datasets) {
    await recreateBucket(target, spec.bucket);
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    for (const batch of lineBatches(spec, LINES_PER_BATCH)) {
      if (failure) break;
      const write = writeLines(target, spec.bucket, batch).then(
        () => progress.advance(batch.length),
        (error: unknown) => {
          failure ??= error;
        },
      );
      const tracked = write.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  }
  progress.finish();
}
