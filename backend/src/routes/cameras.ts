/** GET /cameras: every camera with its location, newest frame and online status. */
import type { Request, Response } from 'express';
import type { Clock } from '../adapters/clock.js';
import type { CameraStorage, ClipIndex } from '../clip-reader.js';
import type { StorageBody } from '../clip-schemas.js';
import type { CameraSummary, ThumbnailIndex } from '../index-reader.js';
import type { CamerasBody } from '../schemas.js';
import { nsToIso } from '../time-input.js';
import { fileUrl, frameTimes } from './shared.js';

export function storageBodyOf(storage: CameraStorage | undefined): StorageBody {
  if (!storage) return null;
  return {
    thumbnailBytes: storage.thumbnailBytes,
    chunkBytes: storage.chunkBytes,
    bytes: storage.thumbnailBytes + storage.chunkBytes,
    oldestFootage: storage.oldestMs === null ? null : new Date(storage.oldestMs).toISOString(),
    forecastDaysLeft: storage.daysLeft,
    measuredAt: nsToIso(storage.measuredAtNs),
  };
}

/**
 * `storage`: the reports by camera; null when they could not be read (each camera's is null);
 * undefined when this API has no chunk index (the field is left out).
 */
export function camerasBodyOf(summaries: CameraSummary[], storage?: Map<string, CameraStorage> | null): CamerasBody {
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
      ...(storage === undefined ? {} : { storage: storageBodyOf(storage?.get(summary.camera)) }),
    })),
  };
}

export function camerasHandler(index: ThumbnailIndex, clock: Clock, clips?: ClipIndex) {
  return async (req: Request, res: Response) => {
    const [summaries, storage] = await Promise.all([
      index.cameras(clock.nowNs()),
      // Disk use is a report beside the answer: without it the cameras are still worth showing.
      clips?.storage().catch((error: unknown) => {
        req.log?.warn({ err: error }, 'storage report unavailable');
        return null;
      }),
    ]);
    res.json(camerasBodyOf(summaries, storage));
  };
}
