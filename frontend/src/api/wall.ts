import { z } from 'zod';
import type { ApiClient } from '../lib/api-client';
import { msToUnixSecondsParam } from '../lib/time';
import { type ClosestFrame, ClosestThumbnailSchema } from './thumbnails';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });

/** GET /wall: every camera's frame closest to one instant; a camera without one (within the bound) has null. */
export const WallSchema = z.object({
  time: isoTime,
  ts: z.number(),
  cameras: z.array(z.object({ camera: z.string().min(1), frame: ClosestThumbnailSchema.nullable() })),
});

export interface WallCamera {
  camera: string;
  frame: ClosestFrame | null;
}

export interface Wall {
  /** The instant the backend answered for, as it understood it. */
  atMs: number;
  /** In the order asked for, or by camera id. */
  cameras: WallCamera[];
}

export function toWall(body: z.infer<typeof WallSchema>): Wall {
  return {
    atMs: Date.parse(body.time),
    cameras: body.cameras.map(({ camera, frame }) => ({
      camera,
      frame: frame
        ? {
            camera: frame.camera,
            location: frame.location ?? null,
            timeMs: Date.parse(frame.time),
            url: frame.url,
            distanceSeconds: frame.distanceSeconds,
          }
        : null,
    })),
  };
}

/**
 * The path of a wall request. The camera filter is a repeated parameter (camera=a&camera=b),
 * which the client's one-value-per-key query cannot say, so it is part of the path.
 */
export function wallPath(cameras: readonly string[] = []): string {
  if (cameras.length === 0) return '/wall';
  return `/wall?${cameras.map((camera) => `camera=${encodeURIComponent(camera)}`).join('&')}`;
}

/** One request for the whole wall, however many cameras: the backend looks all of them up together. */
export async function getWall(
  client: ApiClient,
  query: { atMs: number; withinSeconds?: number; cameras?: readonly string[] },
  signal?: AbortSignal,
): Promise<Wall> {
  const body = await client.getJson(
    wallPath(query.cameras),
    { ts: msToUnixSecondsParam(query.atMs), within: query.withinSeconds },
    WallSchema,
    signal,
  );
  return toWall(body);
}
