/** GET /cameras: every camera with its location, newest frame and online status. */
import type { Request, Response } from 'express';
import type { Clock } from '../adapters/clock.js';
import type { CameraSummary, ThumbnailIndex } from '../index-reader.js';
import type { CamerasBody } from '../schemas.js';
import { nsToIso } from '../time-input.js';
import { fileUrl, frameTimes } from './shared.js';

export function camerasBodyOf(summaries: CameraSummary[]): CamerasBody {
  return {
    cameras: summaries.map((summary) => ({
      camera: summary.camera,
      location: summary.location,
      status: summary.status
        ? { online: summary.status.online, reason: summary.status.reason, since: nsToIso(summary.status.sinceNs) }
        : null,
      newestFrame: summary.newestFrame
        ? { ...frameTimes(summary.newestFrame), url: fileUrl(summary.newestFrame.filepath) }
        : null,
    })),
  };
}

export function camerasHandler(index: ThumbnailIndex, clock: Clock) {
  return async (_req: Request, res: Response) => {
    res.json(camerasBodyOf(await index.cameras(clock.nowNs())));
  };
}
