/**
 * The restream part of the /cameras contract (issue 18): each camera's RTMP restream
 * targets as the feed-handler reports them. Composed over schemas.ts's `cameraBody`, so
 * the camera fields stay defined in one place; /cameras answers and documents
 * `camerasResponseBody`.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { FEED_HANDLER_CACHE_MS, FEED_HANDLER_TIMEOUT_MS } from './adapters/feed-handler.js';
import { cameraBody } from './schemas.js';

extendZodWithOpenApi(z);

export const restreamTargetBody = z
  .object({
    name: z.string().openapi({ description: "The target as named in the camera's CAMERAS entry", example: 'youtube' }),
    state: z.enum(['off', 'starting', 'live', 'failing']).openapi({
      description:
        'live: video is being sent; starting: the first attempt is under way; failing: attempts end, retried with backoff (see reason); off: not running (see reason)',
    }),
    reason: z.string().nullable().openapi({
      description: 'Why it is failing or off; null while starting or live',
      example: 'target: publish refused (check the stream key)',
    }),
    uptimeSeconds: z
      .number()
      .int()
      .openapi({ description: 'Whole seconds live in the current live period; 0 unless live' }),
    bytesSent: z.number().int().openapi({ description: 'Bytes sent to the target since the feed-handler started' }),
    restarts: z.number().int().openapi({ description: 'Failed attempts since the feed-handler started, each retried' }),
  })
  .openapi('RestreamTarget');

export const RESTREAM_STATUSES = ['ok', 'unavailable'] as const;

export const cameraWithRestreamsBody = cameraBody
  .extend({
    restreams: z.array(restreamTargetBody).nullable().optional().openapi({
      description:
        'The RTMP restream targets of this camera, from the feed-handler (never their stream keys): [] when it has none; null when the feed-handler could not be reached (restreamStatus says so); absent when this API has no FEED_HANDLER_URL',
    }),
  })
  .openapi('CameraWithRestreams');

export const camerasResponseBody = z
  .object({
    cameras: z.array(cameraWithRestreamsBody),
    restreamStatus: z
      .enum(RESTREAM_STATUSES)
      .optional()
      .openapi({
        description:
          `ok: each camera's \`restreams\` is the feed-handler's report, at most ${FEED_HANDLER_CACHE_MS / 1000} s old; ` +
          `unavailable: the feed-handler did not answer (within ${FEED_HANDLER_TIMEOUT_MS / 1000} s), so \`restreams\` is null (unknown, not none); ` +
          'absent when this API has no FEED_HANDLER_URL',
      }),
  })
  .openapi('Cameras');

export type RestreamTargetBody = z.infer<typeof restreamTargetBody>;
export type CamerasResponseBody = z.infer<typeof camerasResponseBody>;
