import { z } from 'zod';
import type { ApiClient } from '../lib/api-client';
import { msToUnixSecondsParam } from '../lib/time';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });

/** GET /clips: the video chunks overlapping a window. */
export const ClipsSchema = z.object({
  count: z.number().int().nonnegative(),
  clips: z.array(
    z.object({
      camera: z.string(),
      start: isoTime,
      end: isoTime,
      bytes: z.number().nonnegative(),
      url: z.string().min(1),
      thumbnailGroupUrl: z.string().optional(),
    }),
  ),
});

export interface VideoChunk {
  camera: string;
  startMs: number;
  endMs: number;
  bytes: number;
  url: string;
}

export async function getVideoChunks(
  client: ApiClient,
  query: { camera: string; fromMs: number; toMs: number },
  signal?: AbortSignal,
): Promise<VideoChunk[]> {
  const body = await client.getJson(
    '/clips',
    { camera: query.camera, from: msToUnixSecondsParam(query.fromMs), to: msToUnixSecondsParam(query.toMs) },
    ClipsSchema,
    signal,
  );
  return body.clips.map((c) => ({
    camera: c.camera,
    startMs: Date.parse(c.start),
    endMs: Date.parse(c.end),
    bytes: c.bytes,
    url: c.url,
  }));
}
