/**
 * The API contract as zod schemas: request validation AND the OpenAPI document are
 * generated from these same objects, so the documentation cannot drift from the code.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { CAMERA_ID_PATTERN } from '@fathom/index-contract';
import { z } from 'zod';
import { type Parsed, parseDurationSeconds, parseTimestamp } from './time-input.js';

extendZodWithOpenApi(z);

/** Query values arrive as strings; a repeated parameter arrives as an array and is refused. */
const queryText = () =>
  z.string({
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as text'),
  });

const fromParsed =
  (parse: (raw: string) => Parsed<bigint>) =>
  (raw: string, ctx: z.core.$RefinementCtx<string>): bigint => {
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.detail });
    return z.NEVER;
  };

/** Epoch nanoseconds from unix seconds or ISO 8601. */
export const timestampParam = queryText()
  .transform(fromParsed(parseTimestamp))
  .openapi({
    type: 'string',
    description:
      'A point in time: unix seconds, integer or fractional (up to 9 digits), or ISO 8601 with a zone. ' +
      'Values that can only be milliseconds, microseconds or nanoseconds are refused (400).',
    examples: ['1795618800', '1795618800.123', '2026-11-25T15:00:00.123Z', '2026-11-25T16:00:00+01:00'],
  });

export const cameraParam = queryText()
  .regex(
    CAMERA_ID_PATTERN,
    'must be a camera id: letters, digits, "_" and "-", at most 64, not starting with "_" or "-"',
  )
  .openapi({ description: 'Only this camera (default: any camera).', example: 'front-door' });

export const withinParam = queryText().transform(fromParsed(parseDurationSeconds)).openapi({
  type: 'string',
  description: 'Maximum distance in seconds (decimal allowed); default: the nearest frame wherever it is.',
  example: '30',
});

export const nearestQuerySchema = z.object({
  ts: timestampParam,
  camera: cameraParam.optional(),
  within: withinParam.optional(),
  format: z
    .enum(['json', 'image'], { error: 'must be "json" or "image"' })
    .optional()
    .openapi({ description: '"image" returns the JPEG itself (so does `Accept: image/jpeg`). Default json.' }),
});

export function groupQuerySchema(minutes: { default: number; max: number }) {
  return z.object({
    ts: timestampParam,
    camera: cameraParam.optional(),
    minutes: queryText()
      .regex(/^\d{1,6}$/, 'must be a whole number of minutes')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(minutes.max, `must be at most ${minutes.max}`))
      .optional()
      .openapi({
        type: 'integer',
        minimum: 1,
        maximum: minutes.max,
        default: minutes.default,
        description: `Length X of the window (ts, ts + X minutes]; default ${minutes.default}, at most ${minutes.max}.`,
      }),
  });
}

export const thumbnailPathParams = z.object({
  path: z.string().openapi({
    description: 'camera/YYYY/MM/DD/HH/<epoch-ms>.jpg (UTC), as in a `url` field',
    example: 'front-door/2026/11/25/15/1795618800123.jpg',
  }),
});

// ---- responses ---------------------------------------------------------------

const isoTime = z.string().openapi({ description: 'RFC 3339 UTC', example: '2026-11-25T15:00:00.123Z' });
const unixSeconds = z.number().openapi({ description: 'Unix seconds', example: 1795618800.123 });
const fileUrl = z.string().openapi({
  description: 'Path of the JPEG on this API',
  example: '/thumbnails/front-door/2026/11/25/15/1795618800123.jpg',
});

export const errorBody = z
  .object({
    error: z.string().openapi({ example: 'bad_request' }),
    detail: z.string().openapi({ example: 'ts looks like milliseconds; send unix seconds (divide by 1000)' }),
  })
  .openapi('Error');

export const nearestBody = z
  .object({
    camera: z.string(),
    location: z.string(),
    time: isoTime,
    ts: unixSeconds,
    url: fileUrl,
    distanceSeconds: z.number().min(0).openapi({ example: 0.377 }),
  })
  .openapi('NearestThumbnail');

export const frameMetrics = z
  .object({
    motion: z
      .number()
      .optional()
      .openapi({ description: 'Share of the picture that changed since the previous thumbnail, 0..1' }),
    luma: z.number().optional().openapi({ description: 'Mean brightness, 0..255' }),
    lighting: z
      .boolean()
      .optional()
      .openapi({ description: 'A global change (lights, IR switching); its motion is then 0' }),
  })
  .openapi('FrameMetrics');

export const groupItem = z
  .object({
    camera: z.string(),
    location: z.string(),
    time: isoTime,
    ts: unixSeconds,
    url: fileUrl,
    metrics: frameMetrics
      .optional()
      .openapi({ description: "The frame's motion analysis; absent on frames recorded before it existed" }),
  })
  .openapi('GroupThumbnail');

export const groupBody = z
  .object({
    camera: z.string().nullable().openapi({ description: 'The camera asked for; null for any camera' }),
    from: isoTime.openapi({ description: 'Exclusive start: ts' }),
    to: isoTime.openapi({ description: 'Inclusive end: ts + minutes' }),
    minutes: z.number().int(),
    count: z.number().int(),
    thumbnails: z.array(groupItem).openapi({ description: 'Oldest first' }),
  })
  .openapi('ThumbnailGroup');

export const cameraBody = z
  .object({
    camera: z.string(),
    location: z.string().nullable(),
    status: z
      .object({
        online: z.boolean(),
        reason: z.string(),
        since: isoTime,
      })
      .nullable()
      .openapi({ description: "The feed-handler's latest status point; null when it never wrote one" }),
    newestFrame: z.object({ time: isoTime, ts: unixSeconds, url: fileUrl }).nullable(),
    storage: z
      .object({
        thumbnailBytes: z.number().int(),
        chunkBytes: z.number().int(),
        bytes: z.number().int(),
        oldestFootage: isoTime.nullable(),
        forecastDaysLeft: z.number().nullable(),
        measuredAt: isoTime,
      })
      .nullable()
      .optional()
      .openapi({
        description:
          "The feed-handler's latest disk-use report: bytes of thumbnails and chunks, oldest footage kept, forecast days until the disk budget starts deleting footage; null when it never wrote one (or it could not be read); absent when this API runs without the chunk index",
      }),
  })
  .openapi('Camera');

export const camerasBody = z.object({ cameras: z.array(cameraBody) }).openapi('Cameras');

export type NearestBody = z.infer<typeof nearestBody>;
export type GroupBody = z.infer<typeof groupBody>;
export type CamerasBody = z.infer<typeof camerasBody>;

/** Zod issues as one human sentence per field, e.g. "ts is not a time: …; camera must be a camera id". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      return field ? `${field} ${issue.message}` : issue.message;
    })
    .join('; ');
}
