/** GET /thumbnail?ts=…: the frame closest in time, as JSON or as the JPEG itself. */
import type { Request, Response } from 'express';
import type { ThumbnailStore } from '../adapters/files.js';
import type { ThumbnailIndex } from '../index-reader.js';
import type { NearestFrame } from '../nearest.js';
import { notFound } from '../problems.js';
import { type NearestBody, nearestQuerySchema } from '../schemas.js';
import { liveAnswers, type SettledAnswers } from '../settled-answers.js';
import { nsToIso, nsToSeconds } from '../time-input.js';
import { sendThumbnail } from './send-thumbnail.js';
import { fileUrl, frameTimes, parseQuery } from './shared.js';

export function nearestBodyOf({ frame, distanceNs }: NearestFrame): NearestBody {
  return {
    camera: frame.camera,
    location: frame.location,
    ...frameTimes(frame),
    url: fileUrl(frame.filepath),
    distanceSeconds: nsToSeconds(distanceNs),
  };
}

export function nearestHandler(index: ThumbnailIndex, files: ThumbnailStore, answers: SettledAnswers = liveAnswers) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(nearestQuerySchema, req.query);
    const nearest = await index.nearest(query.ts, { camera: query.camera, withinNs: query.within });
    res.vary('Accept');
    if (!nearest) {
      const scope = query.camera ? ` of camera ${query.camera}` : '';
      const bound = query.within !== undefined ? ` within ${nsToSeconds(query.within)} s of` : ' near';
      throw notFound(`no frame${scope}${bound} ${nsToIso(query.ts)}`);
    }
    const wantsImage =
      query.format === 'image' ||
      (query.format === undefined && req.accepts(['application/json', 'image/jpeg']) === 'image/jpeg');
    if (!wantsImage) {
      // A frame closer than `distance` could still arrive anywhere up to ts + distance: that decides when it is settled.
      await answers.json(req, res, async () => ({
        body: nearestBodyOf(nearest),
        dependsThroughNs: query.ts + nearest.distanceNs,
      }));
      return;
    }
    const file = await files.open(nearest.frame.filepath);
    if (!file) throw notFound(`the closest frame is indexed but its file is missing: ${nearest.frame.filepath}`);
    res.set({
      'Content-Location': fileUrl(nearest.frame.filepath),
      'X-Fathom-Camera': nearest.frame.camera,
      'X-Fathom-Time': nsToIso(nearest.frame.timeNs),
      'X-Fathom-Distance-Seconds': String(nsToSeconds(nearest.distanceNs)),
    });
    // Which frame is closest can change as frames arrive, so this answer is not cached.
    await sendThumbnail(req, res, file, 'no-cache');
  };
}
