/**
 * The dashboard's state lives in the URL query, so every view can be
 * bookmarked, shared, reloaded and driven by tests: ?view=clips&camera=…
 * Pure: parse and serialise only.
 */
import { formatMotionParam, formatRegionParam, parseRegionParam, type Region } from '../api/activity';
import { isZoomKey, type ZoomKey } from '../features/activity/activity-math';
import { DEFAULT_CLIP_MINUTES, isClipMinutes } from '../features/clips/day-layout';
import { DEFAULT_SPAN, isSpanKey, type SpanKey } from '../features/scrub/timeline-math';
import {
  DEFAULT_SEARCH_RANGE,
  isSearchRangeKey,
  normaliseSearchText,
  type SearchRangeKey,
} from '../features/search/search-math';
import { WALL_DEFAULT_SPAN } from '../features/wall/wall-math';
import { isDay } from '../lib/time';

/** The motion search shared by the scrub and clips views; absent values mean the defaults. */
export interface MotionParams {
  /** Least motion that counts, 0..1 (share of the picture). */
  min?: number;
  /** Only motion inside this rectangle of the picture. */
  region?: Region;
}

export type Route =
  | { view: 'live' }
  | { view: 'clips'; camera?: string; day?: string; minutes: number; onlyMotion?: boolean; min?: number }
  | { view: 'clip'; camera: string; from: number; minutes: number; frame?: number }
  | ({ view: 'scrub'; camera?: string; day?: string; at?: number; span: SpanKey; zoom?: ZoomKey } & MotionParams)
  | { view: 'exports' }
  /** Every camera at one instant; without `at` (and on today) it follows now. */
  | { view: 'wall'; day?: string; at?: number; span: SpanKey }
  /** Where objects were seen: `q` is the words searched for; without it, the empty search form. */
  | { view: 'search'; q?: string; camera?: string; range: SearchRangeKey };

export type View = Route['view'];

const CAMERA = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function camera(params: URLSearchParams): string | undefined {
  const value = params.get('camera');
  return value && CAMERA.test(value) ? value : undefined;
}

function day(params: URLSearchParams): string | undefined {
  const value = params.get('day');
  return value && isDay(value) ? value : undefined;
}

function epochMs(params: URLSearchParams, key: string): number | undefined {
  const value = params.get(key);
  if (!value || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

function minutes(params: URLSearchParams): number {
  const value = Number(params.get('minutes'));
  return isClipMinutes(value) ? value : DEFAULT_CLIP_MINUTES;
}

/** A motion share in (0, 1] with at most 6 decimals, as the API takes it. */
function motionShare(params: URLSearchParams): number | undefined {
  const value = params.get('min');
  if (!value || !/^(0?\.\d{1,6}|1(\.0{1,6})?)$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

function region(params: URLSearchParams): Region | undefined {
  const value = params.get('region');
  return (value && parseRegionParam(value)) || undefined;
}

/** Anything unknown or malformed falls back to a sensible view, never an error. */
export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  if (view === 'exports') return { view: 'exports' };
  const cam = camera(params);
  const d = day(params);
  if (view === 'clip') {
    const from = epochMs(params, 'from');
    if (cam && from !== undefined) {
      const frame = epochMs(params, 'frame');
      return { view: 'clip', camera: cam, from, minutes: minutes(params), ...(frame !== undefined ? { frame } : {}) };
    }
    return { view: 'clips', ...(cam ? { camera: cam } : {}), minutes: minutes(params) };
  }
  if (view === 'wall') {
    const at = epochMs(params, 'at');
    const span = params.get('span');
    return {
      view: 'wall',
      ...(d ? { day: d } : {}),
      ...(at !== undefined ? { at } : {}),
      span: span && isSpanKey(span) ? span : WALL_DEFAULT_SPAN,
    };
  }
  if (view === 'search') {
    const q = normaliseSearchText(params.get('q') ?? '');
    const range = params.get('range');
    return {
      view: 'search',
      ...(q ? { q } : {}),
      ...(cam ? { camera: cam } : {}),
      range: range && isSearchRangeKey(range) ? range : DEFAULT_SEARCH_RANGE,
    };
  }
  const min = motionShare(params);
  if (view === 'clips') {
    return {
      view: 'clips',
      ...(cam ? { camera: cam } : {}),
      ...(d ? { day: d } : {}),
      minutes: minutes(params),
      ...(params.get('motion') === '1' ? { onlyMotion: true } : {}),
      ...(min !== undefined ? { min } : {}),
    };
  }
  if (view === 'scrub') {
    const at = epochMs(params, 'at');
    const span = params.get('span');
    const zoom = params.get('zoom');
    const r = region(params);
    return {
      view: 'scrub',
      ...(cam ? { camera: cam } : {}),
      ...(d ? { day: d } : {}),
      ...(at !== undefined ? { at } : {}),
      span: span && isSpanKey(span) ? span : DEFAULT_SPAN,
      ...(zoom && isZoomKey(zoom) ? { zoom } : {}),
      ...(min !== undefined ? { min } : {}),
      ...(r ? { region: r } : {}),
    };
  }
  return { view: 'live' };
}

export function routeToSearch(route: Route): string {
  const params = new URLSearchParams();
  params.set('view', route.view);
  for (const [key, value] of Object.entries(route)) {
    if (key === 'view' || value === undefined || value === false) continue;
    if (key === 'region') params.set('region', formatRegionParam(value as Region));
    else if (key === 'min') params.set('min', formatMotionParam(value as number));
    else if (key === 'onlyMotion') params.set('motion', '1');
    else params.set(key, String(value));
  }
  return `?${params.toString()}`;
}
