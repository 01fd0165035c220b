import { z } from 'zod';
import { type ApiClient, ApiError } from '../lib/api-client';
import { msToUnixSecondsParam } from '../lib/time';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });

/** GET /thumbnail: the frame closest to a moment. */
export const ClosestThumbnailSchema = z.object({
  camera: z.string(),
  location: z.string().nullable().optional(),
  time: isoTime,
  ts: z.number(),
  url: z.string().min(1),
  distanceSeconds: z.number(),
});

export interface ClosestFrame {
  camera: string;
  location: string | null;
  timeMs: number;
  url: string;
  distanceSeconds: number;
}

/** The closest frame, or null when the API has none (404). */
export async function getClosestThumbnail(
  client: ApiClient,
  query: { camera?: string; atMs: number; withinSeconds?: number },
  signal?: AbortSignal,
): Promise<ClosestFrame | null> {
  try {
    const body = await client.getJson(
      '/thumbnail',
      { ts: msToUnixSecondsParam(query.atMs), camera: query.camera, within: query.withinSeconds },
      ClosestThumbnailSchema,
      signal,
    );
    return {
      camera: body.camera,
      location: body.location ?? null,
      timeMs: Date.parse(body.time),
      url: body.url,
      distanceSeconds: body.distanceSeconds,
    };
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'not-found') return null;
    throw error;
  }
}

/** GET /thumbnailGroup: the frames with from < time <= from + minutes, oldest first. */
export const ThumbnailGroupSchema = z.object({
  camera: z.string().nullable().optional(),
  from: z.union([z.string(), z.number()]).optional(),
  to: z.union([z.string(), z.number()]).optional(),
  count: z.number().int().nonnegative(),
  thumbnails: z.array(
    z.object({
      camera: z.string(),
      time: isoTime,
      ts: z.number(),
      url: z.string().min(1),
      /** The frame's motion analysis; absent on frames recorded before it existed. */
      metrics: z
        .object({ motion: z.number().optional(), luma: z.number().optional(), lighting: z.boolean().optional() })
        .optional(),
      /** Labels the object detector saw on the frame; absent from a backend without detection. */
      labels: z.array(z.string().min(1)).optional(),
    }),
  ),
});

export interface GroupFrame {
  camera: string;
  timeMs: number;
  url: string;
  /** Share of the picture that changed since the previous frame, when it was measured. */
  motion?: number /** Labels detected on the frame, when there are any. */;
  labels?: string[];
}

export async function getThumbnailGroup(
  client: ApiClient,
  query: { camera: string; fromMs: number; minutes: number },
  signal?: AbortSignal,
): Promise<GroupFrame[]> {
  const body = await client.getJson(
    '/thumbnailGroup',
    { ts: msToUnixSecondsParam(query.fromMs), minutes: query.minutes, camera: query.camera },
    ThumbnailGroupSchema,
    signal,
  );
  if (body.count !== body.thumbnails.length) {
    throw new ApiError(
      'bad-response',
      'Unexpected answer from /thumbnailGroup',
      200,
      'count disagrees with thumbnails',
    );
  }
  return body.thumbnails.map((t) => ({
    camera: t.camera,
    timeMs: Date.parse(t.time),
    url: t.url,
    ...(t.metrics?.motion !== undefined ? { motion: t.metrics.motion } : {}),
    ...(t.labels?.length ? { labels: t.labels } : {}),
  }));
}
