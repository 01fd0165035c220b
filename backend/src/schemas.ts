/**
 * The API contract as zod schemas: request validation AND the OpenAPI document are
 * generated from these same objects, so the documentation cannot drift from the code.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { CAMERA_ID_PATTERN } from '@fathom/index-contract';
import { z } from 'zod';
import type { CrossFieldRule } from './cross-field-rules.js';
import {
  MAX_TIME_NS,
  NS_PER_SECOND,
  nsToIso,
  type Parsed,
  parseDurationSeconds,
  parseTimestamp,
} from './time-input.js';

extendZodWithOpenApi(z);

// ---- what the document says a time, a duration and a file path look like -------------
// Patterns in the document, and checked by the server too, so the two cannot disagree:
// contract-patterns.spec.ts proves every text a pattern admits is one the parser accepts.

/** Whole unix seconds 0..9223372035, the last whole second InfluxDB can store (leading zeros allowed). */
const WHOLE_SECONDS =
  '0*(?:\\d{1,9}|[1-8]\\d{9}|9[01]\\d{8}|92[01]\\d{7}|922[0-2]\\d{6}|9223[0-2]\\d{5}|92233[0-6]\\d{4}|922337[01]\\d{3}|9223372(?:0[0-2]\\d|03[0-5]))';
/** Unix seconds, integer or up to 9 decimals (a nanosecond). */
const UNIX_SECONDS = `${WHOLE_SECONDS}(?:\\.\\d{1,9})?`;

const DAY_28 = '(?:0[1-9]|1\\d|2[0-8])';
const DAY_30 = '(?:0[1-9]|[12]\\d|30)';
const DAY_31 = '(?:0[1-9]|[12]\\d|3[01])';
const MONTH_DAY = `(?:(?:0[13578]|1[02])-${DAY_31}|(?:0[469]|11)-${DAY_30}|02-${DAY_28})`;
/** Leap years from 1971 to 2261: every 4th year but 2100 and 2200. */
const LEAP_YEAR =
  '(?:19(?:7[26]|8[048]|9[26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26])|22(?:0[48]|[24][048]|[135][26]|60))';
/**
 * Calendar dates 1970-01-02 .. 2262-04-09: any time of those, in any zone, lies inside what
 * InfluxDB stores (1970-01-01T00:00Z .. 2262-04-11T23:47:16.854775806Z). 1970-01-01 is left
 * to ISO_JAN_1_1970 (a zone ahead of UTC would put it in 1969).
 */
const DATE =
  `(?:(?:197[1-9]|19[89]\\d|20\\d\\d|21\\d\\d|22[0-5]\\d|226[01])-${MONTH_DAY}|${LEAP_YEAR}-02-29` +
  `|1970-(?:01-(?:0[2-9]|[12]\\d|3[01])|(?:0[3578]|1[02])-${DAY_31}|(?:0[469]|11)-${DAY_30}|02-${DAY_28})` +
  `|2262-(?:0[13]-${DAY_31}|02-${DAY_28}|04-0[1-9]))`;
const TIME_OF_DAY = '[Tt](?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:[.,]\\d{1,9})?)?';
/** Z, or an offset; a space stands for "+" (an unencoded + in a query string arrives as a space). */
const ZONE = '(?:[Zz]|[+\\- ](?:[01]\\d|2[0-3])(?::?[0-5]\\d)?)';
const ISO_JAN_1_1970 = `1970-01-01${TIME_OF_DAY}(?:[Zz]|-(?:[01]\\d|2[0-3])(?::?[0-5]\\d)?|[+ ]00(?::?00)?)`;

/** A point in time as the API takes it, exactly: parseTimestamp accepts all of it (and the server refuses the rest). */
export const TIMESTAMP_PATTERN = new RegExp(`^(?:${UNIX_SECONDS}|${DATE}${TIME_OF_DAY}${ZONE}|${ISO_JAN_1_1970})$`);
export const TIMESTAMP_MAX_LENGTH = 64;
/** A duration in seconds, exactly what parseDurationSeconds accepts. */
export const DURATION_PATTERN = new RegExp(`^${UNIX_SECONDS}$`);
export const DURATION_MAX_LENGTH = 32;
/** The largest unix seconds a JSON number may carry: read to the millisecond, it still rounds to a time InfluxDB stores. */
export const MAX_UNIX_SECONDS_NUMBER = 9_223_372_035.999;
/** The last instant InfluxDB can store, as unix seconds text and RFC 3339 (for the rules that name it). */
export const LATEST_TIME = {
  seconds: `${MAX_TIME_NS / NS_PER_SECOND}.${(MAX_TIME_NS % NS_PER_SECOND).toString().padStart(9, '0')}`,
  iso: nsToIso(MAX_TIME_NS),
};

/**
 * A thumbnail path's shape: the contract's THUMBNAIL_PATH (packages/index-contract, not exported).
 * A path of this shape whose folders do not match the time in its name is no file of ours: 404, not 400.
 */
export const THUMBNAIL_PATH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{1,15}\.jpg$/;
/** A chunk path's shape: the contract's CHUNK_PATH; a name that is not one of ours (end before start, folders off) is a 404. */
export const CHUNK_PATH_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{1,15}-\d{1,15}\.mp4$/;

const TIMESTAMP_DESCRIPTION =
  'A point in time: unix seconds from 0 to 9223372035.999999999, integer or with up to 9 decimals, ' +
  'or ISO 8601 with a zone (Z or ±HH[:MM]) on a date from 1970-01-01 to 2262-04-09 ' +
  '(on 1970-01-01 a zone ahead of UTC is refused: it would be 1969). ' +
  'Values that can only be milliseconds, microseconds or nanoseconds are refused (400).';

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

/**
 * A time as the API reads it everywhere (query parameters and JSON bodies): the parser's value, or
 * its own words for why not ("looks like milliseconds"); then the document's pattern, binding even
 * where the parser is looser (ISO dates in the last days before 2262-04-11, which a zone can push past it).
 */
export function readTimestamp(raw: string): Parsed<bigint> {
  const parsed = parseTimestamp(raw);
  if (parsed.ok && !TIMESTAMP_PATTERN.test(raw)) {
    return { ok: false, detail: 'is outside the times this API takes: ISO 8601 dates from 1970-01-01 to 2262-04-09' };
  }
  return parsed;
}

/** A duration as the API reads it: exactly DURATION_PATTERN (the parser and the pattern agree; checked all the same). */
function readDuration(raw: string): Parsed<bigint> {
  const parsed = parseDurationSeconds(raw);
  if (parsed.ok && !DURATION_PATTERN.test(raw))
    return { ok: false, detail: 'is not a number of seconds (e.g. 30 or 1.5)' };
  return parsed;
}

/** Epoch nanoseconds from unix seconds or ISO 8601. */
export const timestampParam = queryText()
  .transform(fromParsed(readTimestamp))
  .openapi({
    type: 'string',
    pattern: TIMESTAMP_PATTERN.source,
    maxLength: TIMESTAMP_MAX_LENGTH,
    description: TIMESTAMP_DESCRIPTION,
    examples: ['1795618800', '1795618800.123', '2026-11-25T15:00:00.123Z', '2026-11-25T16:00:00+01:00'],
  });

/** timestampParam described by what the time is for, then by what any time may be. */
export const timestampParamFor = (what: string) =>
  timestampParam.openapi({ description: `${what} ${TIMESTAMP_DESCRIPTION}` });

export const cameraParam = queryText()
  .regex(
    CAMERA_ID_PATTERN,
    'must be a camera id: letters, digits, "_" and "-", at most 64, not starting with "_" or "-"',
  )
  .openapi({ description: 'Only this camera (default: any camera).', example: 'front-door' });

export const withinParam = queryText().transform(fromParsed(readDuration)).openapi({
  type: 'string',
  pattern: DURATION_PATTERN.source,
  maxLength: DURATION_MAX_LENGTH,
  description:
    'Maximum distance in seconds, 0 to 9223372035.999999999 (up to 9 decimals); default: the nearest frame wherever it is.',
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

/** /thumbnailGroup: the window (ts, ts + minutes] must end by the last time InfluxDB can store. */
export const groupRules: CrossFieldRule[] = [
  { rule: 'endsBy', field: 'ts', plusMinutes: 'minutes', latest: LATEST_TIME.seconds, latestIso: LATEST_TIME.iso },
];

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
  path: z
    .string()
    .regex(THUMBNAIL_PATH_PATTERN)
    .openapi({
      description:
        'camera/YYYY/MM/DD/HH/<epoch-ms>.jpg (UTC), as in a `url` field ("/" may be sent as is or as %2F). ' +
        'A path of this shape whose folders are not the UTC hour of its time is no file: 404.',
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
    labels: z
      .array(z.string())
      .min(1)
      .optional()
      .openapi({
        description:
          'Labels the object detector saw on the frame (any score), best score first; absent when it saw none (or has not run on it yet)',
        example: ['person', 'dog'],
      }),
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
