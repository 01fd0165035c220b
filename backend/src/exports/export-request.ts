/**
 * POST /exports: what a timelapse request may ask for, as one zod schema (validation and
 * the OpenAPI document come from it), plus the cross-field rules zod cannot see alone.
 * Pure: no clock, no index; the route adds "does the camera exist" and "are there stills".
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { CAMERA_ID_PATTERN } from '@fathom/index-contract';
import { z } from 'zod';
import type { CrossFieldRule } from '../cross-field-rules.js';
import { MAX_UNIX_SECONDS_NUMBER, readTimestamp, TIMESTAMP_MAX_LENGTH, TIMESTAMP_PATTERN } from '../schemas.js';
import { NS_PER_SECOND } from '../time-input.js';

extendZodWithOpenApi(z);

export const EXPORT_MODES = ['all', 'motion'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

/**
 * A JSON time: unix seconds as a number, or text exactly as the query parameters take it. The
 * bounds are in the document (minimum, maximum, pattern) and checked here after the parser, whose
 * words ("looks like milliseconds") say more than a bare range error.
 */
const timeValue = z
  .union(
    [
      z.number().openapi({ minimum: 0, maximum: MAX_UNIX_SECONDS_NUMBER }),
      z.string().openapi({ pattern: TIMESTAMP_PATTERN.source, maxLength: TIMESTAMP_MAX_LENGTH }),
    ],
    { error: 'must be unix seconds or an ISO 8601 time' },
  )
  .transform((raw, ctx): bigint => {
    const parsed = readTimestamp(typeof raw === 'number' ? numberText(raw) : raw);
    if (parsed.ok && typeof raw === 'number' && raw > MAX_UNIX_SECONDS_NUMBER) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_UNIX_SECONDS_NUMBER} (2262-04-11)` });
      return z.NEVER;
    }
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.detail });
    return z.NEVER;
  })
  .openapi({
    description:
      'Unix seconds as a JSON number, read to the millisecond (0 to 9223372035.999), or as text like the query ' +
      'parameters: unix seconds with up to 9 decimals, or ISO 8601 with a zone on a date from 1970-01-01 to 2262-04-09',
    examples: [1795618800, '2026-11-25T15:00:00Z'],
  });

/** A JS number as the decimal text parseTimestamp reads; a negative or non-finite one stays refused. */
function numberText(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  // toFixed(9) would invent digits past a double's precision; 3 decimals (ms) is what a float can carry at epoch scale.
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** IANA zone names as this runtime knows them (Intl carries its own tz data, so the image needs no tzdata). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Zone names as this runtime's Intl lists them (canonical IANA names), and UTC, which it lists apart. */
const TIME_ZONES = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];

/** EXPORT_MAX_HOURS as config.ts bounds it: a client can rely on 1 hour, and nothing past 744 is ever taken. */
export const EXPORT_MAX_HOURS_SETTING = { least: 1, most: 744, default: 168 } as const;

/** The rules checkExportRequest adds to the schema; the exact limit is the server's EXPORT_MAX_HOURS when known. */
export function exportRules(maxRangeHours?: number): CrossFieldRule[] {
  const hour = 3_600;
  return [
    {
      rule: 'after',
      field: 'to',
      after: 'from',
      maxSeconds:
        maxRangeHours === undefined
          ? {
              setting: 'EXPORT_MAX_HOURS',
              leastSeconds: EXPORT_MAX_HOURS_SETTING.least * hour,
              mostSeconds: EXPORT_MAX_HOURS_SETTING.most * hour,
              defaultSeconds: EXPORT_MAX_HOURS_SETTING.default * hour,
            }
          : maxRangeHours * hour,
    },
  ];
}

export const exportRequestSchema = z
  .object({
    camera: z
      .string({ error: 'is required' })
      .regex(CAMERA_ID_PATTERN, 'must be a camera id: letters, digits, "_" and "-", at most 64')
      .openapi({ example: 'front-door' }),
    from: timeValue,
    to: timeValue.openapi({ description: 'End of the range (exclusive), after `from`' }),
    fps: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(30)
      .openapi({ description: 'Frames per second of the video: one still per frame' }),
    width: z
      .number()
      .int()
      .min(64)
      .max(1920)
      .refine((w) => w % 2 === 0, 'must be even (H.264 4:2:0)')
      .default(640)
      // multipleOf by hand: zod-to-openapi leaves zod's multipleOf out of the document.
      .openapi({
        multipleOf: 2,
        description: "Width in pixels (even, 64..1920); the height keeps the stills' aspect ratio",
      }),
    mode: z.enum(EXPORT_MODES, { error: 'must be "all" or "motion"' }).default('all').openapi({
      description: '"all": every still; "motion": stills with motion ≥ minMotion and contextSeconds around them',
    }),
    minMotion: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .openapi({ description: 'motion mode: the share of the picture that must change (0..1)' }),
    contextSeconds: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(2)
      .openapi({ description: 'motion mode: seconds of stills kept before and after each moving one' }),
    burnIn: z.boolean().default(true).openapi({ description: "Draw each still's capture time into its frame" }),
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone such as "UTC" or "Europe/Berlin"')
      .default('UTC')
      .openapi({
        enum: TIME_ZONES,
        description:
          'Zone of the burned-in time: one of these IANA names (this server also takes their aliases and other letter case, e.g. Asia/Kolkata for Asia/Calcutta, as browsers may send them)',
      }),
  })
  .strict()
  .openapi('ExportRequest');

export type ExportRequestInput = z.input<typeof exportRequestSchema>;

/** A validated request: times as exact epoch ns, [fromNs, toNs). */
export interface ExportRequest {
  camera: string;
  fromNs: bigint;
  toNs: bigint;
  fps: number;
  width: number;
  mode: ExportMode;
  minMotion: number;
  contextSeconds: number;
  burnIn: boolean;
  timeZone: string;
}

export interface ExportLimits {
  /** The longest range one export may cover. */
  maxRangeHours: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

/** The schema's output plus the rules between fields; `detail` is one sentence for a 400. */
export function checkExportRequest(
  parsed: z.output<typeof exportRequestSchema>,
  limits: ExportLimits,
): Checked<ExportRequest> {
  if (parsed.to <= parsed.from) return { ok: false, detail: 'to must be after from' };
  const maxNs = BigInt(limits.maxRangeHours) * 3600n * NS_PER_SECOND;
  if (parsed.to - parsed.from > maxNs) {
    return { ok: false, detail: `the range from..to may be at most ${limits.maxRangeHours} hours (EXPORT_MAX_HOURS)` };
  }
  return {
    ok: true,
    value: {
      camera: parsed.camera,
      fromNs: parsed.from,
      toNs: parsed.to,
      fps: parsed.fps,
      width: parsed.width,
      mode: parsed.mode,
      minMotion: parsed.minMotion,
      contextSeconds: parsed.contextSeconds,
      burnIn: parsed.burnIn,
      timeZone: parsed.timeZone,
    },
  };
}
