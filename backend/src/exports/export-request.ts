/**
 * POST /exports: what a timelapse request may ask for, as one zod schema (validation and
 * the OpenAPI document come from it), plus the cross-field rules zod cannot see alone.
 * Pure: no clock, no index; the route adds "does the camera exist" and "are there stills".
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { CAMERA_ID_PATTERN } from '@fathom/index-contract';
import { z } from 'zod';
import { NS_PER_SECOND, parseTimestamp } from '../time-input.js';

extendZodWithOpenApi(z);

export const EXPORT_MODES = ['all', 'motion'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

/** A JSON time: unix seconds (number or decimal text) or ISO 8601 with a zone, exactly as the query parameters take it. */
const timeValue = z
  .union([z.number(), z.string()], { error: 'must be unix seconds or an ISO 8601 time' })
  .transform((raw, ctx): bigint => {
    const parsed = parseTimestamp(typeof raw === 'number' ? numberText(raw) : raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.detail });
    return z.NEVER;
  })
  .openapi({
    description: 'Unix seconds (number, up to 9 decimals) or ISO 8601 with a zone',
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
      .openapi({ description: "Width in pixels (even, 64..1920); the height keeps the stills' aspect ratio" }),
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
      .openapi({ description: 'Zone of the burned-in time' }),
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
