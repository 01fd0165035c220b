/**
 * The closest-frame search, independent of InfluxDB: it asks an injected
 * `findSides` for the newest frame before t and the oldest frame at or after t
 * within rings of growing radius, and picks the closer one.
 *
 * Coverage invariant: after a step with radius D, every frame with distance <= D
 * on a side that is still empty has been looked at on BOTH sides. Both sides
 * always widen together, so when one side first finds a frame (at d <= D), the
 * other side is already known empty up to D >= d and the comparison is final.
 * (Widening only the empty side, or stopping one side at a smaller radius, would
 * miss a frame just outside the smaller window that is closer than the one found.)
 */
import { MAX_TIME_NS, MIN_TIME_NS } from './time-input.js';

export interface Frame {
  camera: string;
  location: string;
  /** Capture time, epoch nanoseconds. */
  timeNs: bigint;
  /** Relative to THUMBNAIL_DIR. */
  filepath: string;
  /** timeNs as nsToIso writes it, when the reader had it already (saves a Date per frame on 6,000-frame answers). */
  iso?: string;
  /** The frame's motion analysis, where it has one (only window listings read it). */
  metrics?: { motion?: number; luma?: number; lighting?: boolean };
  /** Labels the object detector saw on the frame, best score first (only window listings read them). */
  labels?: string[];
}

/** Half-open [startNs, stopNs), the same as Flux range(). */
export interface NsRange {
  startNs: bigint;
  stopNs: bigint;
}

export interface SidesRequest {
  /** Wanted: the newest frame in this range. */
  before?: NsRange;
  /** Wanted: the oldest frame in this range. */
  after?: NsRange;
  /**
   * The two ranges touch (before.stopNs === after.startNs) and are small enough to read whole:
   * one chain that returns every frame in them, split at after.startNs by the reader, instead of
   * a last() chain and a first() chain. Half the chains for the common case, a frame a second.
   */
  whole?: boolean;
}

export interface SidesResult {
  before: Frame | null;
  after: Frame | null;
}

export type FindSides = (request: SidesRequest) => Promise<SidesResult>;

const SECOND = 1_000_000_000n;
const DAY = 86_400n * SECOND;

/** Search radii, smallest first: most lookups end in the first, one round trip. */
export const SEARCH_RADII_NS: readonly bigint[] = [
  60n * SECOND,
  3_600n * SECOND,
  DAY,
  30n * DAY,
  366n * DAY,
  3_653n * DAY,
  36_525n * DAY, // 100 years: the hard cap, never an unbounded scan
];

export const MAX_SEARCH_RADIUS_NS = SEARCH_RADII_NS[SEARCH_RADII_NS.length - 1] as bigint;

/**
 * The first ring of a nearest search: 2 s each side, read whole (a few rows a camera at a frame a
 * second). Most lookups end here, in one chain; the rings of SEARCH_RADII_NS follow when it is empty.
 */
export const WHOLE_RING_NS = 2n * SECOND;

const NEAREST_RADII_NS: readonly bigint[] = [WHOLE_RING_NS, ...SEARCH_RADII_NS];

/** The radii to try: the standard schedule below `within`, then `within` itself. */
export function searchRadii(withinNs?: bigint): bigint[] {
  if (withinNs === undefined || withinNs >= MAX_SEARCH_RADIUS_NS) return [...NEAREST_RADII_NS];
  return [...NEAREST_RADII_NS.filter((radius) => radius < withinNs), withinNs];
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The ring of one step. Before-side distances (0, D] are times [t-D, t); after-side
 * distances [0, D] are times [t, t+D+1ns) because range() excludes its stop.
 * `coveredNs` is the radius already searched (-1 when nothing was).
 */
export function ringFor(tNs: bigint, radiusNs: bigint, coveredNs: bigint): SidesRequest {
  const request: SidesRequest = {};
  const beforeStart = max(tNs - radiusNs, MIN_TIME_NS);
  const beforeStop = min(tNs - max(coveredNs, 0n), MAX_TIME_NS + 1n);
  if (beforeStart < beforeStop) request.before = { startNs: beforeStart, stopNs: beforeStop };
  const afterStart = max(tNs + coveredNs + 1n, MIN_TIME_NS);
  const afterStop = min(tNs + radiusNs + 1n, MAX_TIME_NS + 1n);
  if (afterStart < afterStop) request.after = { startNs: afterStart, stopNs: afterStop };
  if (coveredNs < 0n && radiusNs <= WHOLE_RING_NS && request.before && request.after) request.whole = true;
  return request;
}

export interface NearestFrame {
  frame: Frame;
  /** Always >= 0. */
  distanceNs: bigint;
}

/**
 * Tie rule: equal distances go to the earlier frame. An exact match (distance 0) can
 * only be on the after side, whose range starts at t, so it always wins.
 */
export function pickCloser(tNs: bigint, before: Frame | null, after: Frame | null): NearestFrame | null {
  const beforeDistance = before ? tNs - before.timeNs : undefined;
  const afterDistance = after ? after.timeNs - tNs : undefined;
  if (before && beforeDistance !== undefined && (afterDistance === undefined || beforeDistance <= afterDistance)) {
    return { frame: before, distanceNs: beforeDistance };
  }
  if (after && afterDistance !== undefined) return { frame: after, distanceNs: afterDistance };
  return null;
}

/** The frame closest to tNs, at most withinNs away when given; null when there is none. */
export async function findNearest(findSides: FindSides, tNs: bigint, withinNs?: bigint): Promise<NearestFrame | null> {
  let coveredNs = -1n;
  for (const radiusNs of searchRadii(withinNs)) {
    const ring = ringFor(tNs, radiusNs, coveredNs);
    coveredNs = radiusNs;
    if (!ring.before && !ring.after) continue;
    const { before, after } = await findSides(ring);
    const nearest = pickCloser(tNs, before, after);
    if (nearest) return nearest;
  }
  return null;
}

/** Sides for several lookups at once, in order (a camera wall: one script per ring step). */
export type FindSidesMany = (requests: SidesRequest[]) => Promise<SidesResult[]>;

/**
 * The frame closest to tNs for each of several keys (cameras), all widening in lockstep: each
 * ring step asks for every key still unanswered in one call, so a wall of N cameras whose
 * frames are within the first ring costs one round trip, not N.
 */
export async function findNearestMany<K>(
  findMany: (keys: K[], requests: SidesRequest[]) => Promise<SidesResult[]>,
  keys: readonly K[],
  tNs: bigint,
  withinNs?: bigint,
): Promise<(NearestFrame | null)[]> {
  const answers: (NearestFrame | null)[] = keys.map(() => null);
  let open = keys.map((_, index) => index);
  let coveredNs = -1n;
  for (const radiusNs of searchRadii(withinNs)) {
    if (open.length === 0) break;
    const ring = ringFor(tNs, radiusNs, coveredNs);
    coveredNs = radiusNs;
    if (!ring.before && !ring.after) continue;
    const sides = await findMany(
      open.map((index) => keys[index] as K),
      open.map(() => ring),
    );
    const stillOpen: number[] = [];
    for (const [i, index] of open.entries()) {
      const side = sides[i] ?? { before: null, after: null };
      const nearest = pickCloser(tNs, side.before, side.after);
      if (nearest) answers[index] = nearest;
      else stillOpen.push(index);
    }
    open = stillOpen;
  }
  return answers;
}
