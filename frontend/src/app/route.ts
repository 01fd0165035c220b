/**
 * The dashboard's state lives in the URL query, so every view can be
 * bookmarked, shared, reloaded and driven by tests: ?view=clips&camera=…
 * Pure: parse and serialise only.
 */
import { DEFAULT_CLIP_MINUTES, isClipMinutes } from '../features/clips/day-layout';
import { DEFAULT_SPAN, isSpanKey, type SpanKey } from '../features/scrub/timeline-math';
import { isDay } from '../lib/time';

export type Route =
  | { view: 'live' }
  | { view: 'clips'; camera?: string; day?: string; minutes: number }
  | { view: 'clip'; camera: string; from: number; minutes: number; frame?: number }
  | { view: 'scrub'; camera?: string; day?: string; at?: number; span: SpanKey };

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

/** Anything unknown or malformed falls back to a sensible view, never an error. */
export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const view = params.get('view');
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
  if (view === 'clips') {
    return { view: 'clips', ...(cam ? { camera: cam } : {}), ...(d ? { day: d } : {}), minutes: minutes(params) };
  }
  if (view === 'scrub') {
    const at = epochMs(params, 'at');
    const span = params.get('span');
    return {
      view: 'scrub',
      ...(cam ? { camera: cam } : {}),
      ...(d ? { day: d } : {}),
      ...(at !== undefined ? { at } : {}),
      span: span && isSpanKey(span) ? span : DEFAULT_SPAN,
    };
  }
  return { view: 'live' };
}

export function routeToSearch(route: Route): string {
  const params = new URLSearchParams();
  params.set('view', route.view);
  for (const [key, value] of Object.entries(route)) {
    if (key !== 'view' && value !== undefined) params.set(key, String(value));
  }
  return `?${params.toString()}`;
}
