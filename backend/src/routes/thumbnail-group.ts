/** GET /thumbnailGroup?ts=…&minutes=X: every frame in (ts, ts + X min], oldest first. */
import type { Request, Response } from 'express';
import { DETECTION_LAG_NS } from '../detection-math.js';
import type { ThumbnailIndex } from '../index-reader.js';
import { badRequest } from '../problems.js';
import { type GroupBody, groupQuerySchema } from '../schemas.js';
import { liveAnswers, type SettledAnswers } from '../settled-answers.js';
import { MAX_TIME_NS, NS_PER_SECOND, nsToIso } from '../time-input.js';
import { fileUrl, frameTimes, parseQuery } from './shared.js';

/**
 * (ts, ts + X] in Flux's half-open form: [ts + 1 ns, ts + X + 1 ns). Exact because times
 * are integer nanoseconds; the frame at ts itself is excluded, the one at ts + X included.
 */
export function groupRange(tsNs: bigint, minutes: number) {
  const endNs = tsNs + BigInt(minutes) * 60n * NS_PER_SECOND;
  return { endNs, range: { startNs: tsNs + 1n, stopNs: endNs + 1n } };
}

export function thumbnailGroupHandler(
  index: ThumbnailIndex,
  minutes: { default: number; max: number },
  answers: SettledAnswers = liveAnswers,
) {
  const schema = groupQuerySchema(minutes);
  return async (req: Request, res: Response) => {
    const query = parseQuery(schema, req.query);
    const windowMinutes = query.minutes ?? minutes.default;
    const { endNs, range } = groupRange(query.ts, windowMinutes);
    if (endNs > MAX_TIME_NS) throw badRequest('ts + minutes is after 2262-04-11, the last time InfluxDB can store');
    await answers.json(req, res, async () => {
      const frames = await index.framesIn(range, query.camera);
      const body: GroupBody = {
        camera: query.camera ?? null,
        from: nsToIso(query.ts),
        to: nsToIso(endNs),
        minutes: windowMinutes,
        count: frames.length,
        thumbnails: frames.map((frame) => ({
          camera: frame.camera,
          location: frame.location,
          ...frameTimes(frame),
          url: fileUrl(frame.filepath),
          ...(frame.metrics ? { metrics: frame.metrics } : {}),
          ...(frame.labels && frame.labels.length > 0 ? { labels: frame.labels } : {}),
        })),
      };
      // The frames' labels are written by the detector up to ~10 s after their thumbnail points, and
      // the feed-handler marks no generation change for them: a window counts as reaching
      // DETECTION_LAG_NS (30 s) past its end, so it is cached (settled) only once its labels are in.
      // Simplest correct choice: no new generation writes, no per-label bookkeeping; it only delays
      // caching of a window by 30 s past SETTLE_SECONDS. A detection written later than that after
      // its frame (a detector stalled for longer) is missing from a cached answer until the cache
      // entry expires (1 h) or the generation moves (a backfill or a retention delete).
      return { body, dependsThroughNs: endNs + DETECTION_LAG_NS };
    });
  };
}
