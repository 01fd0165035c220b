/**
 * The camera wall's rules: when it is live and which instant it shows, how far a frame may be
 * before it is flagged, what the keys do, and how many columns the grid gets. Pure: no DOM, no clock.
 */
import { dayBounds } from '../../lib/time';
import { HOUR_MS } from '../clips/day-layout';
import { keyStepMs, type SpanKey } from '../scrub/timeline-math';

/** Ten minutes: the arrow keys then step one second, one frame of every camera. */
export const WALL_DEFAULT_SPAN: SpanKey = '10m';

export const WALL_SPAN_LABELS: Record<SpanKey, string> = { '24h': '24 h', '6h': '6 h', '1h': '1 h', '10m': '10 min' };

/** Cameras record one frame a second, so a nearest frame more than this away means a gap at that camera. */
export const FAR_FRAME_SECONDS = 2;

/**
 * How far the wall looks for each camera's frame. Beyond it the tile says there is no frame near the
 * moment instead of showing a picture from another time; it also bounds the backend's search.
 */
export const NEAR_WITHIN_SECONDS = 60;

/**
 * Live mode shows this long ago, not now: a frame reaches the index up to about two seconds after
 * it was taken (one a second, written in one-second batches), so at now - 3 s every camera's frame
 * is in, and the wall is the same instant everywhere instead of each camera's newest.
 */
export const LIVE_LAG_MS = 3_000;

export function isFarFrame(distanceSeconds: number, thresholdSeconds = FAR_FRAME_SECONDS): boolean {
  return distanceSeconds > thresholdSeconds;
}

/** The instant live mode shows at `nowMs`: whole seconds, so that successive requests are distinct, round moments. */
export function liveInstant(nowMs: number): number {
  return Math.floor((nowMs - LIVE_LAG_MS) / 1000) * 1000;
}

/**
 * How long until live mode should move on: just after the next whole second, so that each second
 * is shown once (a plain one-second interval drifts across the boundaries and now and then skips one).
 */
export function msToNextLiveTick(nowMs: number): number {
  const slackMs = 50;
  return 1000 - (((nowMs % 1000) + 1000) % 1000) + slackMs;
}

/** With no moment in the URL, today's wall follows now; another day opens at its noon. */
export function isLiveWall(route: { day?: string; at?: number }, today: string): boolean {
  return route.at === undefined && (route.day === undefined || route.day === today);
}

/** The instant a wall opens at. */
export function openingInstant(route: { day?: string; at?: number }, today: string, nowMs: number): number {
  if (route.at !== undefined) return route.at;
  if (isLiveWall(route, today) || route.day === undefined) return liveInstant(nowMs);
  return Math.min(dayBounds(route.day).startMs + 12 * HOUR_MS, nowMs);
}

/**
 * Whether an answer asked for at `askedAtMs` may still change: frames near the instant were perhaps
 * not indexed yet (the same margin live mode keeps). Such an answer is asked again.
 */
export function answerMayChange(instantMs: number, askedAtMs: number): boolean {
  return askedAtMs - instantMs < LIVE_LAG_MS;
}

/**
 * What a key pressed anywhere on the wall does: the timeline's own steps (scrub/timeline-math), so the
 * wall and the timeline slider agree. ← → one step (one second at the 10-minute span), with Shift or
 * PageUp/PageDown ten. Up and down are left to scroll the page. null: not a wall key.
 */
export function wallKeyStep(key: string, shiftKey: boolean, spanMs: number): number | null {
  switch (key) {
    case 'ArrowLeft':
      return -keyStepMs(spanMs, shiftKey);
    case 'ArrowRight':
      return keyStepMs(spanMs, shiftKey);
    case 'PageDown':
      return -keyStepMs(spanMs, true);
    case 'PageUp':
      return keyStepMs(spanMs, true);
    default:
      return null;
  }
}

export interface WallSpace {
  /** Cameras on the wall. */
  count: number;
  /** The grid's width and the height it may fill without scrolling, in CSS pixels. */
  width: number;
  height: number;
  gapPx: number;
  /** Height of a tile's name and time lines, above and below its picture. */
  captionPx: number;
  /** Picture width / height. */
  aspect: number;
  /** Narrower than this a picture is no use: the grid scrolls instead. */
  minTileWidthPx: number;
}

/** The width of each picture with `columns` columns, limited by the width and by the height. */
export function tileWidth(space: WallSpace, columns: number): number {
  const rows = Math.ceil(space.count / columns);
  const byWidth = (space.width - space.gapPx * (columns - 1)) / columns;
  const byHeight = ((space.height - space.gapPx * (rows - 1)) / rows - space.captionPx) * space.aspect;
  return Math.min(byWidth, byHeight);
}

/** More columns must give pictures this much wider (5 %) to be chosen over fewer. */
const SQUARER_MARGIN = 0.05;

/**
 * Columns for the wall: the arrangement whose pictures are largest while every camera fits on the
 * screen (2 × 2 for four cameras on a laptop, a column on a phone). When nothing fits, the squarest
 * grid the width allows at the least useful size, and the page scrolls.
 */
export function wallColumns(space: WallSpace): number {
  if (space.count <= 1 || space.width <= 0) return 1;
  const widest = Math.max(1, Math.floor((space.width + space.gapPx) / (space.minTileWidthPx + space.gapPx)));
  const most = Math.min(space.count, widest);
  let best = 1;
  let bestWidth = tileWidth(space, 1);
  for (let columns = 2; columns <= most; columns += 1) {
    const width = tileWidth(space, columns);
    // Only clearly larger pictures are worth more columns: near a tie, a squarer wall reads better than a strip.
    if (width > bestWidth * (1 + SQUARER_MARGIN)) {
      best = columns;
      bestWidth = width;
    }
  }
  if (bestWidth >= space.minTileWidthPx) return best;
  // The screen is too short for all of them: fill the width, at least at the smallest useful size.
  return Math.min(most, Math.max(1, Math.ceil(Math.sqrt(space.count))));
}

/**
 * The columns and each tile's width: narrower than the grid's share of the width when the height
 * is what limits it (so the rows fit on the screen), null when the tiles simply share the width.
 */
export function wallLayout(space: WallSpace): { columns: number; tileWidthPx: number | null } {
  const columns = wallColumns(space);
  if (space.width <= 0 || space.height <= 0 || space.count === 0) return { columns, tileWidthPx: null };
  const byWidth = (space.width - space.gapPx * (columns - 1)) / columns;
  const width = tileWidth(space, columns);
  if (width >= byWidth || width < space.minTileWidthPx) return { columns, tileWidthPx: null };
  return { columns, tileWidthPx: Math.floor(width) };
}
