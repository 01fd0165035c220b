import { useEffect, useMemo, useState } from 'react';
import { getClosestThumbnail } from '../../api/thumbnails';
import { useApiClient } from '../../lib/api-context';
import { createLimiter } from '../../lib/limiter';
import { coverageBuckets, type TimeWindow } from './timeline-math';

const BUCKETS = 60;

export interface CoverageBand extends TimeWindow {
  footage: boolean;
}

/**
 * Where in the visible window the camera has footage, as a band of buckets,
 * each answered by one bounded nearest-frame probe. Results are remembered per
 * bucket, so moving back and forth does not ask again.
 */
export function useCoverage(camera: string | undefined, timeWindow: TimeWindow, maxMs: number): CoverageBand[] {
  const client = useApiClient();
  const limit = useMemo(() => createLimiter(3), []);
  const [known, setKnown] = useState<ReadonlyMap<string, boolean>>(new Map());
  const buckets = useMemo(
    () => coverageBuckets({ startMs: timeWindow.startMs, endMs: timeWindow.endMs }, BUCKETS, maxMs),
    [timeWindow.startMs, timeWindow.endMs, maxMs],
  );
  const keyOf = (b: TimeWindow) => `${camera}:${b.startMs}:${b.endMs}`;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `known` is read to skip buckets already probed, not to re-run
  useEffect(() => {
    if (!camera) return;
    const controller = new AbortController();
    for (const bucket of buckets) {
      const key = `${camera}:${bucket.startMs}:${bucket.endMs}`;
      // The bucket still being recorded is asked again; finished ones are settled.
      if (known.has(key) && bucket.endMs < maxMs) continue;
      const halfMs = (bucket.endMs - bucket.startMs) / 2;
      void limit(async () => {
        if (controller.signal.aborted) return;
        try {
          const frame = await getClosestThumbnail(
            client,
            {
              camera,
              atMs: bucket.startMs + Math.floor(halfMs),
              withinSeconds: (Math.ceil(halfMs) + 1) / 1000,
            },
            controller.signal,
          );
          setKnown((previous) => new Map(previous).set(key, frame !== null));
        } catch {
          // The band is a hint; a failed probe leaves the bucket unknown, and the page's main result says why.
        }
      });
    }
    return () => controller.abort();
  }, [client, camera, buckets, limit]);

  return buckets.flatMap((b) => {
    const footage = known.get(keyOf(b));
    return footage === undefined ? [] : [{ ...b, footage }];
  });
}
