/** The /clips and /chunks contract as zod schemas (validation and OpenAPI from the same objects). */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { CrossFieldRule } from './cross-field-rules.js';
import { CHUNK_PATH_PATTERN, cameraParam, timestampParamFor } from './schemas.js';

extendZodWithOpenApi(z);

/** The longest window /clips lists (routes/clips.ts refuses a longer one). */
export const MAX_CLIPS_DAYS = 7;

export const clipsRules: CrossFieldRule[] = [
  { rule: 'after', field: 'to', after: 'from', maxSeconds: MAX_CLIPS_DAYS * 86_400 },
];

export const clipsQuerySchema = z.object({
  camera: cameraParam.optional(),
  from: timestampParamFor('Start of the window.'),
  to: timestampParamFor(`End of the window, after \`from\`, at most ${MAX_CLIPS_DAYS} days later.`),
});

export const chunkPathParams = z.object({
  path: z
    .string()
    .regex(CHUNK_PATH_PATTERN)
    .openapi({
      description:
        'camera/YYYY/MM/DD/HH/<start-ms>-<end-ms>.mp4 (UTC hour of the start), as in a `url` field ("/" may be sent as is or as %2F). ' +
        'A path of this shape that is not one of ours (folders not the hour of the start, end before start) is no file: 404.',
      example: 'front-door/2026/11/25/15/1795618800123-1795619400000.mp4',
    }),
});

const isoTime = z.string().openapi({ description: 'RFC 3339 UTC', example: '2026-11-25T15:00:00.123Z' });

export const clipItem = z
  .object({
    camera: z.string(),
    location: z.string(),
    start: isoTime.openapi({ description: 'Capture time of the first frame' }),
    end: isoTime.openapi({ description: 'Capture time where the chunk ends (the next chunk starts)' }),
    startTs: z.number().openapi({ description: 'start in unix seconds', example: 1795618800.123 }),
    endTs: z.number().openapi({ description: 'end in unix seconds', example: 1795619400 }),
    durationSeconds: z.number(),
    bytes: z.number().int(),
    url: z.string().openapi({
      description: 'The MP4 on this API (HTTP range requests supported)',
      example: '/chunks/front-door/2026/11/25/15/1795618800123-1795619400000.mp4',
    }),
    thumbnailGroupUrl: z.string().openapi({
      description: "The chunk's thumbnails: /thumbnailGroup from just before its start, whole minutes covering it",
      example: '/thumbnailGroup?camera=front-door&ts=1795618800.122&minutes=10',
    }),
  })
  .openapi('Clip');

export const clipsBody = z
  .object({
    camera: z.string().nullable(),
    from: isoTime,
    to: isoTime,
    count: z.number().int(),
    clips: z.array(clipItem).openapi({ description: 'Chunks overlapping [from, to), oldest first' }),
  })
  .openapi('Clips');

export const storageBody = z
  .object({
    thumbnailBytes: z.number().int(),
    chunkBytes: z.number().int(),
    bytes: z.number().int().openapi({ description: 'thumbnailBytes + chunkBytes' }),
    oldestFootage: isoTime.nullable().openapi({ description: 'Capture time of the oldest file kept' }),
    forecastDaysLeft: z
      .number()
      .nullable()
      .openapi({ description: 'Days until the disk budget starts deleting footage (all cameras); null: unknown' }),
    measuredAt: isoTime,
  })
  .nullable()
  .openapi('Storage', { description: "The feed-handler's latest disk-use report; null when it never wrote one" });

export type ClipsBody = z.infer<typeof clipsBody>;
export type StorageBody = z.infer<typeof storageBody>;
