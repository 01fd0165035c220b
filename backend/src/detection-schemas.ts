/** The /detections contract as zod schemas (validation and OpenAPI from the same objects). */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { CrossFieldRule } from './cross-field-rules.js';
import { LABEL_WORDS_MAX_LENGTH, LABEL_WORDS_PATTERN, type LabelWords, readLabelWords } from './label-words.js';
import { cameraParam, timestampParamFor } from './schemas.js';

extendZodWithOpenApi(z);

/** Query values arrive as strings; a repeated parameter arrives as an array and is refused. */
const queryText = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as text') });

export const MAX_DETECTIONS_DAYS = 31;
export const DEFAULT_DETECTIONS_HOURS = 24;
export const DEFAULT_MIN_SCORE = 0.5;
export const DEFAULT_APPEARANCE_GAP_SECONDS = 10;
export const MAX_APPEARANCE_GAP_SECONDS = 600;
export const DEFAULT_APPEARANCES_LIMIT = 100;
export const MAX_APPEARANCES_LIMIT = 500;

const SCORE_PATTERN = /^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/;

const labelParam = queryText()
  .transform((raw, ctx): LabelWords => {
    const parsed = readLabelWords(raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.detail });
    return z.NEVER;
  })
  .openapi({
    type: 'string',
    pattern: LABEL_WORDS_PATTERN.source,
    maxLength: LABEL_WORDS_MAX_LENGTH,
    description:
      'What to find, in plain words or COCO labels, any letter case, separated by spaces, commas, "+" or "and"/"or": ' +
      '"people", "car,truck", "traffic light", "people and dogs". Plain words stand for labels ' +
      '("people" is person; "vehicle" is car, truck, bus and motorcycle; "animal", "pet", "bike", "bag", …). ' +
      'A word that names nothing is a 400 that names it and lists the known ones.',
    examples: ['people', 'car,truck', 'traffic light', 'people and dogs', 'vehicle'],
  });

const wholeNumber = (max: number, fallback: number, description: string) =>
  queryText()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`))
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: max, default: fallback, description });

const DAY_SECONDS = 86_400;
/** What routes/detections.ts checks beyond each field (the contract fuzzer holds the two together). */
export const detectionsRules: CrossFieldRule[] = [
  { rule: 'after', field: 'to', after: 'from', maxSeconds: MAX_DETECTIONS_DAYS * DAY_SECONDS },
];

export const detectionsQuerySchema = z.object({
  label: labelParam,
  camera: cameraParam.optional().openapi({ description: 'Only this camera (default: every camera).' }),
  from: timestampParamFor(
    `Start of the window (included); default: ${DEFAULT_DETECTIONS_HOURS} hours before to.`,
  ).optional(),
  to: timestampParamFor(
    `End of the window (excluded); default: now. After from, at most ${MAX_DETECTIONS_DAYS} days later.`,
  ).optional(),
  min: queryText()
    .regex(SCORE_PATTERN, 'must be a decimal from 0 to 1, e.g. 0.6')
    .transform(Number)
    .optional()
    .openapi({
      type: 'string',
      pattern: SCORE_PATTERN.source,
      description: `Least detector score that counts, 0..1 (default ${DEFAULT_MIN_SCORE}).`,
      example: '0.6',
    }),
  gap: wholeNumber(
    MAX_APPEARANCE_GAP_SECONDS,
    DEFAULT_APPEARANCE_GAP_SECONDS,
    'Seconds: detections of the same camera and label less than this apart are one appearance.',
  ),
  limit: wholeNumber(
    MAX_APPEARANCES_LIMIT,
    DEFAULT_APPEARANCES_LIMIT,
    'Most appearances in the answer (the newest); `truncated` says when there were more.',
  ),
});

// ---- responses ---------------------------------------------------------------

const isoTime = z.string().openapi({ description: 'RFC 3339 UTC', example: '2026-11-25T15:00:00.123Z' });
const fraction = z.number().min(0).max(1);

export const appearanceBody = z
  .object({
    camera: z.string(),
    location: z.string().openapi({ description: "The camera's location at the last detection" }),
    label: z.string().openapi({ description: 'The COCO label', example: 'person' }),
    firstSeen: isoTime.openapi({ description: 'Capture time of the first frame with the label' }),
    lastSeen: isoTime.openapi({ description: 'Capture time of the last frame with the label' }),
    frames: z.number().int().openapi({ description: 'Frames with the label at or above min' }),
    best: z
      .object({
        time: isoTime,
        score: fraction,
        box: z
          .array(fraction)
          .length(4)
          .openapi({
            description: 'x1, y1, x2, y2: fractions of the frame from its top left',
            example: [0.1, 0.2, 0.4, 0.9],
          }),
        filepath: z.string().openapi({
          description: 'The thumbnail, relative to THUMBNAIL_DIR',
          example: 'front-door/2026/11/25/15/1795618800123.jpg',
        }),
        url: z.string().openapi({
          description: 'Path of the JPEG on this API',
          example: '/thumbnails/front-door/2026/11/25/15/1795618800123.jpg',
        }),
      })
      .openapi({ description: 'The frame with the highest score (the earliest of equal ones)' }),
  })
  .openapi('Appearance');

export const detectionsBody = z
  .object({
    query: z.object({
      words: z
        .array(z.string())
        .openapi({ description: 'The naming words of `label`, lower case', example: ['people'] }),
      labels: z.array(z.string()).openapi({ description: 'The labels they mean', example: ['person'] }),
      camera: z.string().nullable().openapi({ description: 'The camera asked for; null for every camera' }),
      from: isoTime,
      to: isoTime,
      minScore: fraction,
      gapSeconds: z.number().int(),
    }),
    appearances: z.array(appearanceBody).openapi({ description: 'Newest first (by lastSeen)' }),
    truncated: z.boolean().openapi({ description: 'More appearances than limit existed; these are the newest' }),
  })
  .openapi('Detections');

export type DetectionsBody = z.infer<typeof detectionsBody>;
