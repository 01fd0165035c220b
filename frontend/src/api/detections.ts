/**
 * The object-detection index: GET /detections finds where a kind of object (COCO labels, or
 * plain words such as "people" or "vehicle" that the API turns into labels) was seen, as
 * appearances: runs of frames of one camera and label, each with its best frame and that
 * frame's box. Scores and boxes are fractions, 0..1.
 */
import { z } from 'zod';
import { type ApiClient, ApiError, type QueryValue } from '../lib/api-client';
import { msToUnixSecondsParam } from '../lib/time';
import { isMissingRoute } from './activity';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });
const fraction = z.number().min(0).max(1);

/** The most appearances the dashboard asks for; the answer says `truncated` when there were more. */
export const DETECTIONS_LIMIT = 100;

export const DetectionsSchema = z.object({
  query: z.object({
    /** The naming words the API read in `label` (a list), or the text itself. */
    words: z.union([z.string(), z.array(z.string())]),
    labels: z.array(z.string()),
    camera: z.string().nullable(),
    from: isoTime,
    to: isoTime,
    minScore: z.number(),
    gapSeconds: z.number(),
  }),
  appearances: z.array(
    z.object({
      camera: z.string().min(1),
      location: z.string().nullable().optional(),
      label: z.string().min(1),
      firstSeen: isoTime,
      lastSeen: isoTime,
      frames: z.number().int().positive(),
      best: z.object({
        time: isoTime,
        score: fraction,
        box: z.tuple([fraction, fraction, fraction, fraction]),
        filepath: z.string(),
        url: z.string().min(1),
      }),
    }),
  ),
  truncated: z.boolean(),
});

/** [x1, y1, x2, y2]: the box's top-left and bottom-right corners, fractions of the frame. */
export type Box = readonly [number, number, number, number];

/** One run of frames of a camera on which the detector saw a label. */
export interface Appearance {
  camera: string;
  location: string | null;
  label: string;
  firstMs: number;
  lastMs: number;
  frames: number;
  /** The frame with the label's highest score. */
  best: { timeMs: number; score: number; box: Box; filepath: string; url: string };
}

export interface DetectionResults {
  /** What the API understood: its naming words ("people, dogs"), and the labels they mean. */
  words: string;
  labels: string[];
  camera: string | null;
  fromMs: number;
  toMs: number;
  minScore: number;
  gapSeconds: number;
  /** Newest first. */
  appearances: Appearance[];
  /** There were more than the limit: these are the newest. */
  truncated: boolean;
}

export function toDetectionResults(body: z.infer<typeof DetectionsSchema>): DetectionResults {
  return {
    words: Array.isArray(body.query.words) ? body.query.words.join(', ') : body.query.words,
    labels: body.query.labels,
    camera: body.query.camera,
    fromMs: Date.parse(body.query.from),
    toMs: Date.parse(body.query.to),
    minScore: body.query.minScore,
    gapSeconds: body.query.gapSeconds,
    appearances: body.appearances.map((a) => ({
      camera: a.camera,
      location: a.location ?? null,
      label: a.label,
      firstMs: Date.parse(a.firstSeen),
      lastMs: Date.parse(a.lastSeen),
      frames: a.frames,
      best: {
        timeMs: Date.parse(a.best.time),
        score: a.best.score,
        box: a.best.box,
        filepath: a.best.filepath,
        url: a.best.url,
      },
    })),
    truncated: body.truncated,
  };
}

export interface DetectionsQuery {
  /** Plain words or labels, e.g. "people", "car,truck", "dogs and cats". */
  words: string;
  /** Only this camera; every camera when absent. */
  camera?: string;
  fromMs: number;
  toMs: number;
  /** Least score that counts, 0..1 (the API's default when absent). */
  minScore?: number;
  /** Seconds without the label that end an appearance (the API's default when absent). */
  gapSeconds?: number;
  limit?: number;
}

/** The query string of a /detections request: times in exact unix seconds, like every other request. */
export function detectionsParams(query: DetectionsQuery): Record<string, QueryValue> {
  const words = query.words.trim();
  if (words === '') throw new RangeError('nothing to search for');
  return {
    label: words,
    camera: query.camera || undefined,
    from: msToUnixSecondsParam(query.fromMs),
    to: msToUnixSecondsParam(query.toMs),
    min: query.minScore,
    gap: query.gapSeconds,
    limit: query.limit ?? DETECTIONS_LIMIT,
  };
}

export async function getDetections(
  client: ApiClient,
  query: DetectionsQuery,
  signal?: AbortSignal,
): Promise<DetectionResults> {
  return toDetectionResults(await client.getJson('/detections', detectionsParams(query), DetectionsSchema, signal));
}

/**
 * The API's own words when it refused the search itself, to show as they are: a 400 (words
 * that mean no label, a bad range) or a 404 for the search (a camera not in the index), not
 * one for a missing route. null for any other failure.
 */
export function searchRefusal(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.kind === 'bad-request' && error.status === 400) return error.detail ?? error.message;
  if (error.kind === 'not-found' && error.detail && !isMissingRoute(error)) return error.detail;
  return null;
}
