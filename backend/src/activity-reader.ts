/**
 * Reads the activity index: heatmap rows, motion jumps and motion events, from the
 * thumbnails' own motion fields and the per-minute activity bucket. Knows the Flux
 * builders (flux/activity-queries.ts) and the index's shape; knows nothing about HTTP.
 *
 * Jumps across days of quiet footage cost a few small queries, never a scan: the
 * per-minute bucket finds the first (or last) minute that moved, then the thumbnails of
 * that minute give the frame. Without the activity bucket (no task yet, or a token that
 * cannot read it) every answer is still right, read from the thumbnails alone.
 */
import { encodeGrid, GRID_CELLS, regionLevel, rfc3339ToNs, thumbnailRelativePath } from '@fathom/index-contract';
import {
  type AggregateRow,
  buildHeatmap,
  type HeatmapRow,
  MINUTE_BUCKET_LAG_NS,
  type MotionEvent,
  type MovingFrame,
  mergeEvents,
  NS_PER_MINUTE,
  planHeatmap,
  THUMBNAIL_INTERVAL_NS,
} from './activity-math.js';
import type { FluxRow, InfluxReader } from './adapters/influx.js';
import { type LabelHit, labelsInWindows } from './detection-math.js';
import { rowToLabelHit } from './detection-reader.js';
import {
  ACTIVITY_YIELD,
  eventsQuery,
  minuteActivityQuery,
  minuteStepQuery,
  motionStepQuery,
  movingFramesQuery,
  rawActivityQuery,
} from './flux/activity-queries.js';
import type { NsRange } from './nearest.js';
import { MIN_TIME_NS, maxNs, minNs } from './time-input.js';

const STILL_GRID = encodeGrid(new Uint8Array(GRID_CELLS));
/** The first step of a jump reads the thumbnails directly this far (most jumps end here). */
const NEAR_WINDOW_NS = 10n * NS_PER_MINUTE;
/** Candidate minutes checked per round of a region jump. */
const REGION_BATCH_MINUTES = 60;
/** Bounds the rounds of one jump (each a minute query and a thumbnail query). */
const MAX_ROUNDS = 50;

export interface MotionHit {
  camera: string;
  timeNs: bigint;
  motion: number;
  filepath: string;
}

export interface ActivityIndex {
  heatmap(camera: string, range: NsRange, buckets: number, nowNs: bigint): Promise<HeatmapRow & { source: string }>;
  /** The nearest frame after (next) or before (prev) tNs with motion >= min, within `bounds`. */
  step(
    camera: string,
    tNs: bigint,
    dir: 'next' | 'prev',
    min: number,
    cells: number[] | null,
    bounds: NsRange,
    nowNs: bigint,
  ): Promise<MotionHit | null>;
  /** Events with the labels the detector saw from each one's start (the thumbnail before its first moving frame) to its end. */
  events(
    camera: string,
    range: NsRange,
    min: number,
    gapNs: bigint,
    cells: number[] | null,
  ): Promise<(MotionEvent & { labels: string[] })[]>;
}

const rowTimeNs = (row: FluxRow): bigint | null => (typeof row._time === 'string' ? rfc3339ToNs(row._time) : null);

function aggregateRows(rows: FluxRow[], name: string): AggregateRow[] {
  const out: AggregateRow[] = [];
  for (const row of rows) {
    if (row.result !== name || typeof row._value !== 'number') continue;
    const startNs = rowTimeNs(row);
    if (startNs !== null) out.push({ startNs, value: row._value });
  }
  return out;
}

function clip(range: NsRange, bounds: NsRange): NsRange | null {
  const startNs = maxNs(range.startNs, bounds.startNs);
  const stopNs = minNs(range.stopNs, bounds.stopNs);
  return startNs < stopNs ? { startNs, stopNs } : null;
}

export function createActivityIndex(
  influx: InfluxReader,
  buckets: { index: string; activity: string },
  log: { warn(object: object, message: string): void } = { warn: () => {} },
): ActivityIndex {
  let minuteBucketWorks = true;
  /** Runs a query on the activity bucket; on failure, remembers to read the thumbnails instead. */
  const minuteQuery = async (query: Parameters<InfluxReader['query']>[0], label: string): Promise<FluxRow[] | null> => {
    if (!minuteBucketWorks) return null;
    try {
      return await influx.query(query, label);
    } catch (error) {
      minuteBucketWorks = false;
      log.warn({ err: error }, `activity bucket "${buckets.activity}" unreadable; answering from the thumbnails`);
      // Try again in a while: the stack may create the bucket and task after the API starts.
      setTimeout(() => {
        minuteBucketWorks = true;
      }, 60_000).unref();
      return null;
    }
  };

  const hit = (camera: string, row: FluxRow | undefined): MotionHit | null => {
    const timeNs = row ? rowTimeNs(row) : null;
    if (!row || timeNs === null || typeof row._value !== 'number') return null;
    return {
      camera,
      timeNs,
      motion: row._value,
      filepath: thumbnailRelativePath(camera, Number(timeNs / 1_000_000n)),
    };
  };

  /** Moving frames from the rows of movingFramesQuery (or eventsQuery), each with its grid when asked (time order). */
  const toMovingFrames = (rows: FluxRow[], withGrid: boolean): MovingFrame[] => {
    const grids = new Map<bigint, string>();
    const frames: MovingFrame[] = [];
    for (const row of rows) {
      const timeNs = rowTimeNs(row);
      if (timeNs === null) continue;
      if (row.result === ACTIVITY_YIELD.grid && typeof row._value === 'string') grids.set(timeNs, row._value);
      else if (row.result === ACTIVITY_YIELD.motion && typeof row._value === 'number')
        frames.push({ timeNs, motion: row._value });
    }
    frames.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
    if (withGrid) for (const frame of frames) frame.grid = grids.get(frame.timeNs) ?? STILL_GRID;
    return frames;
  };

  /** Moving frames in range, each with its grid when cells are given (time order). */
  const movingFrames = async (
    camera: string,
    range: NsRange,
    min: number,
    withGrid: boolean,
    label: string,
  ): Promise<MovingFrame[]> => {
    const rows = await influx.query(
      movingFramesQuery(buckets.index, camera, range, min, withGrid ? { stillGrid: STILL_GRID } : null),
      label,
    );
    return toMovingFrames(rows, withGrid);
  };

  /** The first/last frame in range that moved enough (and inside the cells). */
  const stepIn = async (
    camera: string,
    range: NsRange,
    dir: 'next' | 'prev',
    min: number,
    cells: number[] | null,
  ): Promise<MotionHit | null> => {
    if (!cells) {
      const rows = await influx.query(motionStepQuery(buckets.index, camera, range, min, dir), 'motion_step');
      return hit(camera, rows[0]);
    }
    const frames = (await movingFrames(camera, range, min, true, 'motion_step_region')).filter(
      (f) => regionLevel(f.grid ?? STILL_GRID, cells) > 0,
    );
    const found = dir === 'next' ? frames[0] : frames[frames.length - 1];
    return found
      ? {
          camera,
          timeNs: found.timeNs,
          motion: found.motion,
          filepath: thumbnailRelativePath(camera, Number(found.timeNs / 1_000_000n)),
        }
      : null;
  };

  return {
    async heatmap(camera, range, count, nowNs) {
      let plan = planHeatmap(range, count, nowNs);
      let rows: FluxRow[] = [];
      if (plan.minutes) {
        const minuteRows = await minuteQuery(
          minuteActivityQuery(buckets.activity, camera, plan.minutes, plan.widthNs),
          'activity_minutes',
        );
        if (minuteRows) rows = minuteRows;
        else plan = { ...plan, minutes: null, raw: range };
      }
      if (plan.raw)
        rows = rows.concat(
          await influx.query(rawActivityQuery(buckets.index, camera, plan.raw, plan.widthNs), 'activity_raw'),
        );
      const heatmap = buildHeatmap(
        range.startNs,
        plan.widthNs,
        count,
        {
          max: aggregateRows(rows, ACTIVITY_YIELD.max),
          sum: aggregateRows(rows, ACTIVITY_YIELD.sum),
          frames: aggregateRows(rows, ACTIVITY_YIELD.frames),
        },
        plan.minutes?.stopNs ?? range.startNs,
      );
      const source = plan.minutes ? (plan.raw ? 'minutes+thumbnails' : 'minutes') : 'thumbnails';
      return { ...heatmap, source };
    },

    async step(camera, tNs, dir, min, cells, bounds, nowNs) {
      // Minutes before this are summed by the task; later ones exist only as thumbnails.
      const settledNs = nowNs - MINUTE_BUCKET_LAG_NS;
      const settledMinuteNs = settledNs - (settledNs % NS_PER_MINUTE);
      const batchNs = (cells ? BigInt(REGION_BATCH_MINUTES) : 1n) * NS_PER_MINUTE;

      if (dir === 'next') {
        const near = clip({ startNs: tNs + 1n, stopNs: tNs + 1n + NEAR_WINDOW_NS }, bounds);
        if (near) {
          const found = await stepIn(camera, near, dir, min, cells);
          if (found) return found;
        }
        let cursor = tNs + 1n + NEAR_WINDOW_NS;
        for (let round = 0; round < MAX_ROUNDS && cursor < settledMinuteNs && cursor < bounds.stopNs; round++) {
          // Minute points are stamped at the minute's start: the one holding `cursor` starts before it.
          const minutes = clip({ startNs: cursor - (cursor % NS_PER_MINUTE), stopNs: settledMinuteNs }, bounds);
          if (!minutes) break;
          const rows = await minuteQuery(
            minuteStepQuery(buckets.activity, camera, minutes, min, 'next'),
            'motion_step_minutes',
          );
          if (rows === null) {
            const rest = clip({ startNs: cursor, stopNs: bounds.stopNs }, bounds);
            return rest ? stepIn(camera, rest, dir, min, cells) : null;
          }
          const minute = rows[0] ? rowTimeNs(rows[0]) : null;
          if (minute === null) {
            cursor = settledMinuteNs; // nothing settled moved enough
            break;
          }
          const span = clip({ startNs: maxNs(minute, cursor), stopNs: minute + batchNs }, bounds);
          if (!span) break;
          const found = await stepIn(camera, span, dir, min, cells);
          if (found) return found;
          cursor = span.stopNs;
        }
        // The unsettled tail, from the thumbnails.
        const tail = clip({ startNs: cursor, stopNs: bounds.stopNs }, bounds);
        return tail ? stepIn(camera, tail, dir, min, cells) : null;
      }

      // prev: the near window, stretched back over the unsettled tail when tNs is recent.
      const nearStart = minNs(tNs - NEAR_WINDOW_NS, settledMinuteNs);
      const near = clip({ startNs: nearStart, stopNs: tNs }, bounds);
      if (near) {
        const found = await stepIn(camera, near, dir, min, cells);
        if (found) return found;
      }
      let cursor = nearStart;
      for (let round = 0; round < MAX_ROUNDS && cursor > bounds.startNs; round++) {
        const minutes = clip({ startNs: bounds.startNs, stopNs: cursor }, bounds);
        if (!minutes) break;
        const rows = await minuteQuery(
          minuteStepQuery(buckets.activity, camera, minutes, min, 'prev'),
          'motion_step_minutes',
        );
        if (rows === null) return stepIn(camera, minutes, dir, min, cells);
        const minute = rows[0] ? rowTimeNs(rows[0]) : null;
        if (minute === null) return null;
        const end = minNs(minute + NS_PER_MINUTE, cursor);
        const span = clip({ startNs: end - batchNs, stopNs: end }, bounds);
        if (!span) return null;
        const found = await stepIn(camera, span, dir, min, cells);
        if (found) return found;
        cursor = span.startNs;
      }
      return null;
    },

    async events(camera, range, min, gapNs, cells) {
      // An event starts at the thumbnail before its first moving frame: labels are read from one interval earlier.
      const labelRange = { startNs: maxNs(range.startNs - THUMBNAIL_INTERVAL_NS, MIN_TIME_NS), stopNs: range.stopNs };
      const withGrid = cells !== null;
      const rows = await influx.query(
        eventsQuery(buckets.index, camera, range, labelRange, min, withGrid ? { stillGrid: STILL_GRID } : null),
        'motion_events',
      );
      const events = mergeEvents(toMovingFrames(rows, withGrid), gapNs, cells ?? undefined);
      const hits: LabelHit[] = [];
      for (const row of rows) {
        if (row.result !== ACTIVITY_YIELD.labels) continue;
        const hit = rowToLabelHit(row);
        if (hit) hits.push(hit);
      }
      const labels = labelsInWindows(
        events.map((event) => ({ startNs: event.startNs - THUMBNAIL_INTERVAL_NS, endNs: event.endNs })),
        hits,
      );
      return events.map((event, i) => ({ ...event, labels: labels[i] ?? [] }));
    },
  };
}
