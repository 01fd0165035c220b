/** GET /cameras: every camera with its location, newest frame, online status, disk use and restream targets. */
import type { Request, Response } from 'express';
import type { Clock } from '../adapters/clock.js';
import type { FeedHandlerClient, RestreamsReading, RestreamTargetStatus } from '../adapters/feed-handler.js';
import type { CameraStorage, ClipIndex } from '../clip-reader.js';
import type { StorageBody } from '../clip-schemas.js';
import type { CameraSummary, ThumbnailIndex } from '../index-reader.js';
import type { CamerasResponseBody, RestreamTargetBody } from '../restream-schemas.js';
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

function restreamsByCamera(restreams: RestreamTargetStatus[]): Map<string, RestreamTargetBody[]> {
  const byCamera = new Map<string, RestreamTargetBody[]>();
  for (const r of restreams) {
    const list = byCamera.get(r.camera) ?? [];
    // Field by field: nothing the feed-handler sends beyond these reaches a client.
    list.push({
      name: r.target,
      state: r.state,
      reason: r.reason,
      uptimeSeconds: r.uptimeSeconds,
      bytesSent: r.bytesSent,
      restarts: r.restarts,
    });
    byCamera.set(r.camera, list);
  }
  return byCamera;
}

/**
 * `storage`: the reports by camera; null when they could not be read (each camera's is null);
 * undefined when this API has no chunk index (the field is left out).
 * `restreams`: the feed-handler's report; not ok: each camera's is null and `restreamStatus` is
 * `unavailable`; undefined when this API has no FEED_HANDLER_URL (the fields are left out).
 */
export function camerasBodyOf(
  summaries: CameraSummary[],
  storage?: Map<string, CameraStorage> | null,
  restreams?: RestreamsReading,
): CamerasResponseBody {
  const byCamera = restreams?.ok ? restreamsByCamera(restreams.restreams) : undefined;
  return {
    ...(restreams === undefined ? {} : { restreamStatus: restreams.ok ? 'ok' : 'unavailable' }),
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
      ...(restreams === undefined ? {} : { restreams: byCamera ? (byCamera.get(summary.camera) ?? []) : null }),
    })),
  };
}

export function camerasHandler(
  index: ThumbnailIndex,
  clock: Clock,
  clips?: ClipIndex,
  feedHandler?: FeedHandlerClient,
) {
  return async (req: Request, res: Response) => {
    const [summaries, storage, restreams] = await Promise.all([
      index.cameras(clock.nowNs()),
      // Disk use is a report beside the answer: without it the cameras are still worth showing.
      clips?.storage().catch((error: unknown) => {
        req.log?.warn({ err: error }, 'storage report unavailable');
        return null;
      }),
      // Never rejects: an unreachable feed-handler is reported in the body (the adapter logs it).
      feedHandler?.restreams(),
    ]);
    res.json(camerasBodyOf(summaries, storage, restreams));
  };
}
