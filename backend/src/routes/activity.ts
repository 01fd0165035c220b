/**
 * GET /activity (a heatmap row), GET /motion (jump to the next or previous moving frame)
 * and GET /events (runs of motion): the activity index, one camera at a time.
 */
import { regionCells, thumbnailRelativePath } from '@fathom/index-contract';
import type { Request, Response } from 'express';
import { THUMBNAIL_INTERVAL_NS } from '../activity-math.js';
import type { ActivityIndex } from '../activity-reader.js';
import {
  type ActivityBody,
  activityQuerySchema,
  DEFAULT_EVENT_GAP_SECONDS,
  DEFAULT_HEATMAP_BUCKETS,
  DEFAULT_MIN_MOTION,
  type EventsBody,
  eventsQuerySchema,
  MAX_ACTIVITY_DAYS,
  MAX_EVENTS_DAYS,
  type MotionBody,
  motionQuerySchema,
} from '../activity-schemas.js';
import type { Clock } from '../adapters/clock.js';
import { badRequest, notFound } from '../problems.js';
import { MAX_TIME_NS, MIN_TIME_NS, maxNs, minNs, NS_PER_SECOND, nsToIso, nsToSeconds } from '../time-input.js';
import { fileUrl, parseQuery } from './shared.js';

const DAY_NS = 86_400n * NS_PER_SECOND;
/** How far a jump looks: the per-minute bucket keeps about a year. */
const MOTION_HORIZON_NS = 400n * DAY_NS;

const framePart = (camera: string, timeNs: bigint, motion: number, filepath: string) => ({
  time: nsToIso(timeNs),
  ts: nsToSeconds(timeNs),
  motion,
  url: fileUrl(filepath),
  camera,
});

export function activityHandler(activity: ActivityIndex, clock: Clock) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(activityQuerySchema, req.query);
    const span = query.to - query.from;
    if (span < 60n * NS_PER_SECOND) throw badRequest('to must be at least 1 minute after from');
    if (span > BigInt(MAX_ACTIVITY_DAYS) * DAY_NS)
      throw badRequest(`from..to may be at most ${MAX_ACTIVITY_DAYS} days`);
    const buckets = query.buckets ?? DEFAULT_HEATMAP_BUCKETS;
    if (BigInt(buckets) * NS_PER_SECOND > span) {
      throw badRequest('buckets must be at most the range in seconds (a bucket is at least 1 second)');
    }
    const row = await activity.heatmap(query.camera, { startNs: query.from, stopNs: query.to }, buckets, clock.nowNs());
    const body: ActivityBody = {
      camera: query.camera,
      from: nsToIso(query.from),
      to: nsToIso(query.to),
      buckets,
      bucketSeconds: row.bucketSeconds,
      source: row.source as ActivityBody['source'],
      max: row.max,
      mean: row.mean,
      coverage: row.coverage,
    };
    res.json(body);
  };
}

export function motionHandler(activity: ActivityIndex, clock: Clock) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(motionQuerySchema, req.query);
    const dir = query.dir ?? 'next';
    const min = query.min ?? DEFAULT_MIN_MOTION;
    const nowNs = clock.nowNs();
    const bounds =
      dir === 'next'
        ? {
            startNs: query.ts + 1n,
            stopNs: minNs(minNs(query.ts + MOTION_HORIZON_NS, nowNs + 60n * NS_PER_SECOND), MAX_TIME_NS),
          }
        : { startNs: maxNs(query.ts - MOTION_HORIZON_NS, MIN_TIME_NS), stopNs: query.ts };
    const cells = query.region ? regionCells(query.region) : null;
    const found =
      bounds.startNs < bounds.stopNs
        ? await activity.step(query.camera, query.ts, dir, min, cells, bounds, nowNs)
        : null;
    if (!found) {
      const where = query.region ? ' in that region' : '';
      throw notFound(
        `no frame of camera ${query.camera} with motion >= ${min}${where} ${dir === 'next' ? 'after' : 'before'} ${nsToIso(query.ts)}`,
      );
    }
    const { camera: _camera, ...frame } = framePart(query.camera, found.timeNs, found.motion, found.filepath);
    const distance = found.timeNs > query.ts ? found.timeNs - query.ts : query.ts - found.timeNs;
    const body: MotionBody = {
      camera: query.camera,
      dir,
      min,
      from: nsToIso(query.ts),
      frame,
      distanceSeconds: nsToSeconds(distance),
    };
    res.json(body);
  };
}

export function eventsHandler(activity: ActivityIndex) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(eventsQuerySchema, req.query);
    if (query.to <= query.from) throw badRequest('to must be after from');
    if (query.to - query.from > BigInt(MAX_EVENTS_DAYS) * DAY_NS)
      throw badRequest(`from..to may be at most ${MAX_EVENTS_DAYS} days`);
    const min = query.min ?? DEFAULT_MIN_MOTION;
    const gapNs = BigInt(query.gap ?? DEFAULT_EVENT_GAP_SECONDS) * NS_PER_SECOND;
    const cells = query.region ? regionCells(query.region) : null;
    const events = await activity.events(query.camera, { startNs: query.from, stopNs: query.to }, min, gapNs, cells);
    const body: EventsBody = {
      camera: query.camera,
      from: nsToIso(query.from),
      to: nsToIso(query.to),
      min,
      count: events.length,
      events: events.map((event) => {
        const frame = (timeNs: bigint, motion: number) => {
          const { camera: _camera, ...part } = framePart(
            query.camera,
            timeNs,
            motion,
            thumbnailRelativePath(query.camera, Number(timeNs / 1_000_000n)),
          );
          return part;
        };
        // Motion is a change since the previous thumbnail: it began after that one, one interval back.
        const startNs = event.startNs - THUMBNAIL_INTERVAL_NS;
        return {
          start: nsToIso(startNs),
          end: nsToIso(event.endNs),
          startTs: nsToSeconds(startNs),
          endTs: nsToSeconds(event.endNs),
          frames: event.frames,
          firstMotion: frame(event.startNs, event.firstMotion),
          peak: frame(event.peakNs, event.peak),
          labels: event.labels,
        };
      }),
    };
    res.json(body);
  };
}
