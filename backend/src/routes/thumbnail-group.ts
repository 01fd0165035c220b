/** GET /thumbnailGroup?ts=…&minutes=X: every frame in (ts, ts + X min], oldest first. */
import type { Request, Response } from 'express';
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
        })),
      };
      return { body, dependsThroughNs: endNs };
    });
  };
}
