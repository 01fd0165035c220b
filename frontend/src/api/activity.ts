/**
 * The activity index: GET /activity (a heatmap row of motion), GET /motion (the
 * next or previous moving frame) and GET /events (runs of motion). Motion is the
 * share of the picture that changed since the previous thumbnail, 0..1.
 */
import { z } from 'zod';
import { type ApiClient, ApiError } from '../lib/api-client';
import { msToUnixSecondsParam } from '../lib/time';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });
const share = z.number().min(0).max(1);

/** Motion that counts when nothing else is asked for (the backend's own default). */
export const DEFAULT_MIN_MOTION = 0.002;
/** The API's limits for one /activity row. */
export const MAX_ACTIVITY_BUCKETS = 2_000;
export const MAX_ACTIVITY_SPAN_MS = 31 * 86_400_000;
export const MIN_ACTIVITY_SPAN_MS = 60_000;

/** A rectangle of the picture in fractions of its width and height, x and y from the top left. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Fractions with at most 4 decimals: plenty for a 16 × 9 grid, and short in a URL. */
export function roundFraction(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** "x,y,w,h" with at most 4 decimals each and no exponent, as the API's `region` takes it. */
export function formatRegionParam(region: Region): string {
  return [region.x, region.y, region.w, region.h].map((v) => String(roundFraction(v))).join(',');
}

/**
 * A region from "x,y,w,h", or null unless it is four fractions describing a
 * rectangle of non-zero size inside the picture (as the API would accept it).
 */
export function parseRegionParam(value: string): Region | null {
  const parts = value.split(',');
  if (parts.length !== 4 || parts.some((p) => !/^\d*\.?\d+$/.test(p.trim()))) return null;
  const [x, y, w, h] = parts.map((p) => roundFraction(Number(p))) as [number, number, number, number];
  if (w <= 0 || h <= 0 || x + w > 1.000001 || y + h > 1.000001) return null;
  return { x, y, w, h };
}

/** A motion share for the API: a plain decimal with at most 6 decimals (the API refuses exponents). */
export function formatMotionParam(min: number): string {
  if (!Number.isFinite(min) || min < 0 || min > 1) throw new RangeError(`not a motion share: ${min}`);
  // String() of a number at or above 1e-6 never uses an exponent.
  return String(Math.round(min * 1e6) / 1e6);
}

/** "0.2 %", "1.5 %", "30 %": a share of the picture as a percentage with two significant digits. */
export function formatMotionPercent(share: number): string {
  if (share <= 0) return '0 %';
  return `${Number((share * 100).toPrecision(2))} %`;
}

// ---- GET /activity -----------------------------------------------------------

export const ActivitySchema = z
  .object({
    camera: z.string(),
    from: isoTime,
    to: isoTime,
    buckets: z.number().int().positive(),
    bucketSeconds: z.number().positive(),
    source: z.string(),
    max: z.array(share.nullable()),
    mean: z.array(share.nullable()),
    coverage: z.array(share),
  })
  .refine((b) => b.max.length === b.buckets && b.mean.length === b.buckets && b.coverage.length === b.buckets, {
    message: 'max, mean and coverage must each have one value per bucket',
  });

/** One row of the heatmap: bucket i covers [fromMs + i × bucketMs, fromMs + (i + 1) × bucketMs). */
export interface ActivityRow {
  camera: string;
  fromMs: number;
  toMs: number;
  bucketMs: number;
  /** Highest motion per bucket; null where no frame had a motion value. */
  max: (number | null)[];
  mean: (number | null)[];
  /** Frames present / expected (one a second), 0..1; 0 is a gap in the footage. */
  coverage: number[];
  source: string;
}

export function toActivityRow(body: z.infer<typeof ActivitySchema>): ActivityRow {
  return {
    camera: body.camera,
    fromMs: Date.parse(body.from),
    toMs: Date.parse(body.to),
    bucketMs: Math.round(body.bucketSeconds * 1000),
    max: body.max,
    mean: body.mean,
    coverage: body.coverage,
    source: body.source,
  };
}

/** The bucket holding a moment, or null outside the row. */
export function bucketIndexAt(row: Pick<ActivityRow, 'fromMs' | 'bucketMs' | 'max'>, ms: number): number | null {
  if (ms < row.fromMs) return null;
  const i = Math.floor((ms - row.fromMs) / row.bucketMs);
  return i < row.max.length ? i : null;
}

export interface ActivityQuery {
  camera: string;
  fromMs: number;
  toMs: number;
  buckets: number;
}

export async function getActivity(client: ApiClient, query: ActivityQuery, signal?: AbortSignal): Promise<ActivityRow> {
  const body = await client.getJson(
    '/activity',
    {
      camera: query.camera,
      from: msToUnixSecondsParam(query.fromMs),
      to: msToUnixSecondsParam(query.toMs),
      buckets: query.buckets,
    },
    ActivitySchema,
    signal,
  );
  return toActivityRow(body);
}

// ---- GET /motion ---------------------------------------------------------------

const MovingFrameSchema = z.object({ time: isoTime, ts: z.number(), motion: share, url: z.string().min(1) });

export const MotionJumpSchema = z.object({
  camera: z.string(),
  dir: z.enum(['next', 'prev']),
  min: z.number(),
  from: isoTime,
  frame: MovingFrameSchema,
  distanceSeconds: z.number().nonnegative(),
});

export interface MovingFrame {
  timeMs: number;
  motion: number;
  url: string;
}

export type MotionDirection = 'next' | 'prev';

export interface MotionQuery {
  camera: string;
  atMs: number;
  dir: MotionDirection;
  min: number;
  region?: Region | null;
}

/**
 * A 404 that means "the route does not exist" (a backend without the activity
 * index), as opposed to "there is no such frame".
 */
export function isMissingRoute(error: unknown): boolean {
  return error instanceof ApiError && error.kind === 'not-found' && /^no route\b/.test(error.detail ?? '');
}

/** The nearest frame after (next) or before (prev) the moment with at least `min` motion; null when there is none. */
export async function getMotionJump(
  client: ApiClient,
  query: MotionQuery,
  signal?: AbortSignal,
): Promise<MovingFrame | null> {
  try {
    const body = await client.getJson(
      '/motion',
      {
        camera: query.camera,
        ts: msToUnixSecondsParam(query.atMs),
        dir: query.dir,
        min: formatMotionParam(query.min),
        region: query.region ? formatRegionParam(query.region) : undefined,
      },
      MotionJumpSchema,
      signal,
    );
    return { timeMs: Date.parse(body.frame.time), motion: body.frame.motion, url: body.frame.url };
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'not-found' && !isMissingRoute(error)) return null;
    throw error;
  }
}

// ---- GET /events ---------------------------------------------------------------

export const EventsSchema = z
  .object({
    camera: z.string(),
    from: isoTime,
    to: isoTime,
    min: z.number(),
    count: z.number().int().nonnegative(),
    events: z.array(
      z.object({
        start: isoTime,
        end: isoTime,
        startTs: z.number(),
        endTs: z.number(),
        frames: z.number().int().positive(),
        peak: MovingFrameSchema,
        /** What the object detector saw during the event (COCO labels); absent from a backend without detection. */
        labels: z.array(z.string().min(1)).optional(),
      }),
    ),
  })
  .refine((b) => b.count === b.events.length, { message: 'count disagrees with events' });

export interface MotionEvent {
  startMs: number;
  endMs: number;
  frames: number;
  peak: MovingFrame;
  /** Labels detected on the event's frames; [] for none (or a backend that does not detect). */
  labels: string[];
}

export function toMotionEvents(body: z.infer<typeof EventsSchema>): MotionEvent[] {
  return body.events.map((e) => ({
    startMs: Date.parse(e.start),
    endMs: Date.parse(e.end),
    frames: e.frames,
    peak: { timeMs: Date.parse(e.peak.time), motion: e.peak.motion, url: e.peak.url },
    labels: e.labels ?? [],
  }));
}

export async function getMotionEvents(
  client: ApiClient,
  query: { camera: string; fromMs: number; toMs: number; min: number; region?: Region | null; gapSeconds?: number },
  signal?: AbortSignal,
): Promise<MotionEvent[]> {
  const body = await client.getJson(
    '/events',
    {
      camera: query.camera,
      from: msToUnixSecondsParam(query.fromMs),
      to: msToUnixSecondsParam(query.toMs),
      min: formatMotionParam(query.min),
      region: query.region ? formatRegionParam(query.region) : undefined,
      gap: query.gapSeconds,
    },
    EventsSchema,
    signal,
  );
  return toMotionEvents(body);
}
