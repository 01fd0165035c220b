/** The /activity, /motion and /events contract as zod schemas (validation and OpenAPI from the same objects). */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { Region } from '@fathom/index-contract';
import { z } from 'zod';
import { cameraParam, timestampParam } from './schemas.js';

extendZodWithOpenApi(z);

/** Query values arrive as strings; a repeated parameter arrives as an array and is refused. */
const queryText = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as text') });

export const MAX_HEATMAP_BUCKETS = 2_000;
export const DEFAULT_HEATMAP_BUCKETS = 200;
export const MAX_ACTIVITY_DAYS = 31;
export const MAX_EVENTS_DAYS = 7;
/** Motion (share of the picture changed) that counts when a request gives no `min`: about 5 of 2,304 cells' pixels. */
export const DEFAULT_MIN_MOTION = 0.002;
export const DEFAULT_EVENT_GAP_SECONDS = 3;

const motionShare = queryText()
  .regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/, 'must be a decimal from 0 to 1, e.g. 0.01')
  .transform(Number)
  .openapi({
    type: 'string',
    description: `Least motion that counts: the share of the picture that changed since the previous thumbnail, 0..1 (default ${DEFAULT_MIN_MOTION}).`,
    example: '0.01',
  });

const requiredCamera = cameraParam.openapi({ description: 'The camera.', example: 'front-door' });

const regionParam = queryText()
  .transform((raw, ctx): Region => {
    const parts = raw.split(',');
    const numbers = parts.map((p) => (/^\d*\.?\d+$/.test(p.trim()) ? Number(p) : Number.NaN));
    const [x, y, w, h] = numbers as [number, number, number, number];
    if (parts.length !== 4 || numbers.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: 'must be x,y,w,h: four decimals from 0 to 1' });
      return z.NEVER;
    }
    if (w <= 0 || h <= 0 || x + w > 1.000001 || y + h > 1.000001) {
      ctx.addIssue({
        code: 'custom',
        message: 'must lie inside the picture: w and h above 0, x + w and y + h at most 1',
      });
      return z.NEVER;
    }
    return { x, y, w, h };
  })
  .openapi({
    type: 'string',
    pattern: '^\\d*\\.?\\d+,\\d*\\.?\\d+,\\d*\\.?\\d+,\\d*\\.?\\d+$',
    description:
      'Only motion inside this rectangle: x,y,w,h as fractions of the picture from its top left (x + w and y + h at most 1). Matched on the 16 × 9 motion grid.',
    example: '0.5,0.4,0.3,0.3',
  });

export const activityQuerySchema = z.object({
  camera: requiredCamera,
  from: timestampParam.openapi({ description: 'Start of the row (unix seconds or ISO 8601).' }),
  to: timestampParam.openapi({
    description: `End of the row: after from by at least 1 minute and at most ${MAX_ACTIVITY_DAYS} days.`,
  }),
  buckets: queryText()
    .regex(/^\d{1,5}$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z.number().int().min(1, 'must be at least 1').max(MAX_HEATMAP_BUCKETS, `must be at most ${MAX_HEATMAP_BUCKETS}`),
    )
    .optional()
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: MAX_HEATMAP_BUCKETS,
      default: DEFAULT_HEATMAP_BUCKETS,
      description: 'Number of equal buckets; each at least 1 second (so at most the range in seconds).',
    }),
});

export const motionQuerySchema = z.object({
  camera: requiredCamera,
  ts: timestampParam.openapi({ description: 'Where to start looking (excluded).' }),
  dir: z
    .enum(['next', 'prev'], { error: 'must be "next" or "prev"' })
    .optional()
    .openapi({ description: 'next: the first moving frame after ts; prev: the last one before ts. Default next.' }),
  min: motionShare.optional(),
  region: regionParam.optional(),
});

export const eventsQuerySchema = z.object({
  camera: requiredCamera,
  from: timestampParam.openapi({ description: 'Start of the window.' }),
  to: timestampParam.openapi({ description: `End of the window: after from, at most ${MAX_EVENTS_DAYS} days later.` }),
  min: motionShare.optional(),
  region: regionParam.optional(),
  gap: queryText()
    .regex(/^\d{1,4}$/, 'must be whole seconds')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(3600, 'must be at most 3600'))
    .optional()
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: 3600,
      default: DEFAULT_EVENT_GAP_SECONDS,
      description: 'Seconds without motion that end an event.',
    }),
});

// ---- responses ---------------------------------------------------------------

const isoTime = z.string().openapi({ description: 'RFC 3339 UTC', example: '2026-11-25T15:00:00.123Z' });
const unixSeconds = z.number().openapi({ description: 'Unix seconds', example: 1795618800.123 });
const fileUrl = z.string().openapi({ description: 'Path of the JPEG on this API' });

export const activityBody = z
  .object({
    camera: z.string(),
    from: isoTime,
    to: isoTime,
    buckets: z.number().int(),
    bucketSeconds: z
      .number()
      .openapi({ description: 'Width of each bucket; bucket i starts at from + i × bucketSeconds' }),
    source: z
      .enum(['thumbnails', 'minutes', 'minutes+thumbnails'])
      .openapi({ description: 'Read from the thumbnails, the per-minute activity bucket, or both (the recent end)' }),
    max: z.array(z.number().nullable()).openapi({ description: 'Highest motion per bucket; null: no motion value' }),
    mean: z.array(z.number().nullable()).openapi({ description: 'Mean motion per bucket; null: no motion value' }),
    coverage: z
      .array(z.number())
      .openapi({ description: 'Frames present / frames expected (one a second), 0..1; 0 is a gap in the footage' }),
  })
  .openapi('Activity');

const movingFrame = z
  .object({ time: isoTime, ts: unixSeconds, motion: z.number(), url: fileUrl })
  .openapi('MovingFrame');

export const motionBody = z
  .object({
    camera: z.string(),
    dir: z.enum(['next', 'prev']),
    min: z.number(),
    from: isoTime.openapi({ description: 'ts, where the search started' }),
    frame: movingFrame,
    distanceSeconds: z.number().openapi({ description: 'From ts to the frame' }),
  })
  .openapi('MotionJump');

export const eventsBody = z
  .object({
    camera: z.string(),
    from: isoTime,
    to: isoTime,
    min: z.number(),
    count: z.number().int(),
    events: z.array(
      z
        .object({
          start: isoTime.openapi({
            description:
              'When the motion began, at the latest: the thumbnail before the first moving one (motion is a change since the previous thumbnail, one second earlier)',
          }),
          end: isoTime.openapi({ description: 'Capture time of the last moving frame' }),
          startTs: unixSeconds,
          endTs: unixSeconds,
          frames: z.number().int().openapi({ description: 'Moving frames in the event' }),
          firstMotion: movingFrame.openapi({ description: 'The first frame that shows the motion' }),
          peak: movingFrame.openapi({ description: 'The frame with the most motion' }),
        })
        .openapi('MotionEvent'),
    ),
  })
  .openapi('MotionEvents');

export type ActivityBody = z.infer<typeof activityBody>;
export type MotionBody = z.infer<typeof motionBody>;
export type EventsBody = z.infer<typeof eventsBody>;
