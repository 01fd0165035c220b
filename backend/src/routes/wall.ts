/**
 * GET /wall?ts=…[&camera=a&camera=b…]: every camera's frame closest to one instant, for a wall
 * of cameras scrubbed together. The lookups of all cameras leave in one Flux script per ring.
 */
import type { Request, Response } from 'express';
import type { ThumbnailIndex } from '../index-reader.js';
import { liveAnswers, type SettledAnswers } from '../settled-answers.js';
import { nsToIso, nsToSeconds } from '../time-input.js';
import { type WallBody, wallQuerySchema } from '../wall-schemas.js';
import { parseQuery } from './shared.js';
import { nearestBodyOf } from './thumbnail.js';

export function wallHandler(index: ThumbnailIndex, answers: SettledAnswers = liveAnswers) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(wallQuerySchema, req.query);
    const cameras = query.camera ? [...new Set(query.camera)] : await index.cameraIds();
    await answers.json(req, res, async () => {
      const frames = await index.nearestMany(query.ts, cameras, query.within, !query.camera);
      // Settled once every camera's answer is: a camera with no frame depends on the whole bound (none: the live edge).
      let dependsThroughNs: bigint | null = query.ts;
      for (const nearest of frames) {
        const through = nearest
          ? query.ts + nearest.distanceNs
          : query.within !== undefined
            ? query.ts + query.within
            : null;
        dependsThroughNs =
          through === null || dependsThroughNs === null
            ? null
            : through > dependsThroughNs
              ? through
              : dependsThroughNs;
      }
      const body: WallBody = {
        time: nsToIso(query.ts),
        ts: nsToSeconds(query.ts),
        cameras: cameras.map((camera, i) => {
          const nearest = frames[i];
          return { camera, frame: nearest ? nearestBodyOf(nearest) : null };
        }),
      };
      return { body, dependsThroughNs };
    });
  };
}
