/** The /clips and /chunks contract as zod schemas (validation and OpenAPI from the same objects). */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { cameraParam, timestampParam } from './schemas.js';

extendZodWithOpenApi(z);

export const clipsQuerySchema = z.object({
  camera: cameraParam.optional(),
  from: timestampParam.openapi({ description: 'Start of the window (unix seconds or ISO 8601).' }),
  to: timestampParam.openapi({ description: 'End of the window, after `from`, at most 7 days later.' }),
});

export const chunkPathParams = z.object({
  path: z.string().openapi({
    description: 'camera/YYYY/MM/DD/HH/<start-ms>-<end-ms>.mp4 (UTC hour of the start), as in a `url` field',
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
