/** The /activity, /motion and /events contract as zod schemas (validation and OpenAPI from the same objects). */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { Region } from '@fathom/index-contract';
import { z } from 'zod';
import type { CrossFieldRule } from './cross-field-rules.js';
import { cameraParam, timestampParamFor } from './schemas.js';

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

const MOTION_SHARE_PATTERN = /^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/;
const motionShare = queryText()
  .regex(MOTION_SHARE_PATTERN, 'must be a decimal from 0 to 1, e.g. 0.01')
  .transform(Number)
  .openapi({
    type: 'string',
    pattern: MOTION_SHARE_PATTERN.source,
    description: `Least motion that counts: the share of the picture that changed since the previous thumbnail, 0..1 (default ${DEFAULT_MIN_MOTION}).`,
    example: '0.01',
  });

const requiredCamera = cameraParam.openapi({ description: 'The camera.', example: 'front-door' });

/**
 * Four decimals of at most 9 places whose whole part is 0 or 1 (a larger one can only break the
 * rule x + w <= 1); more places than 9 could round a w above 0 to 0, and the rule says above 0.
 */
const REGION_FRACTION = '(?:[01]|[01]?\\.\\d{1,9})';
export const REGION_PATTERN = new RegExp(`^${REGION_FRACTION}(?:,${REGION_FRACTION}){3}$`);
/** x + w and y + h may pass 1 by this much: decimal sums such as 0.7 + 0.3 are not exact in binary. */
export const REGION_SLACK = 0.000001;

const regionParam = queryText()
  .regex(REGION_PATTERN, 'must be x,y,w,h: four decimals from 0 to 1')
  .transform((raw, ctx): Region => {
    const [x, y, w, h] = raw.split(',').map(Number) as [number, number, number, number];
    if (w <= 0 || h <= 0 || x + w > 1 + REGION_SLACK || y + h > 1 + REGION_SLACK) {
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
    pattern: REGION_PATTERN.source,
    description:
      'Only motion inside this rectangle: x,y,w,h as fractions of the picture from its top left, up to 9 decimals each (w and h above 0, x + w and y + h at most 1: see the cross-field rules). Matched on the 16 × 9 motion grid.',
    example: '0.5,0.4,0.3,0.3',
  });

const DAY_SECONDS = 86_400;
const insidePicture: CrossFieldRule = { rule: 'insideUnitSquare', field: 'region', slack: REGION_SLACK };

/** What routes/activity.ts checks beyond each field (it keeps its own checks; the contract fuzzer holds the two together). */
export const activityRules: CrossFieldRule[] = [
  { rule: 'after', field: 'to', after: 'from', minSeconds: 60, maxSeconds: MAX_ACTIVITY_DAYS * DAY_SECONDS },
  { rule: 'atMostSecondsBetween', field: 'buckets', from: 'from', to: 'to' },
];
export const motionRules: CrossFieldRule[] = [insidePicture];
export const eventsRules: CrossFieldRule[] = [
  { rule: 'after', field: 'to', after: 'from', maxSeconds: MAX_EVENTS_DAYS * DAY_SECONDS },
  insidePicture,
];

export const activityQuerySchema = z.object({
  camera: requiredCamera,
  from: timestampParamFor('Start of the row.'),
  to: timestampParamFor(`End of the row: after from by at least 1 minute and at most ${MAX_ACTIVITY_DAYS} days.`),
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
  ts: timestampParamFor('Where to start looking (excluded).'),
  dir: z
    .enum(['next', 'prev'], { error: 'must be "next" or "prev"' })
    .optional()
    .openapi({ description: 'next: the first moving frame after ts; prev: the last one before ts. Default next.' }),
  min: motionShare.optional(),
  region: regionParam.optional(),
});

export const eventsQuerySchema = z.object({
  camera: requiredCamera,
  from: timestampParamFor('Start of the window.'),
  to: timestampParamFor(`End of the window: after from, at most ${MAX_EVENTS_DAYS} days later.`),
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
          labels: z.array(z.string()).openapi({
            description:
              'Labels the object detector saw from start to end (any score), best score first; empty when it saw none',
            example: ['person', 'car'],
          }),
        })
        .openapi('MotionEvent'),
    ),
  })
  .openapi('MotionEvents');

export type ActivityBody = z.infer<typeof activityBody>;
export type MotionBody = z.infer<typeof motionBody>;
export type EventsBody = z.infer<typeof eventsBody>;
