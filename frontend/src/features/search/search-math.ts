/**
 * The object search's rules: its time ranges, what a search box's text asks for, and how an
 * appearance is said and drawn. Pure: no DOM, no clock.
 */
import type { Box } from '../../api/detections';
import { dayOf, formatClock, formatDuration } from '../../lib/time';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** How far back a search looks, from now. */
export const SEARCH_RANGES = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
} as const;
export type SearchRangeKey = keyof typeof SEARCH_RANGES;
export const DEFAULT_SEARCH_RANGE: SearchRangeKey = '24h';

/** For the range select ("Last hour") and for sentences ("in the last hour"). */
export const SEARCH_RANGE_LABELS: Record<SearchRangeKey, string> = {
  '1h': 'last hour',
  '24h': 'last 24 h',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};

export function isSearchRangeKey(value: string): value is SearchRangeKey {
  return Object.hasOwn(SEARCH_RANGES, value);
}

/** The window a range means at `nowMs`, in whole ms: [now - range, now]. */
export function searchWindow(range: SearchRangeKey, nowMs: number): { fromMs: number; toMs: number } {
  const toMs = Math.floor(nowMs);
  return { fromMs: toMs - SEARCH_RANGES[range], toMs };
}

/** Words a person might type, shown as examples (the API's vocabulary is the 80 COCO labels and their plain words). */
export const EXAMPLE_SEARCHES = ['people', 'vehicle', 'car, truck', 'dogs and cats', 'bike', 'parcel'] as const;

/** Longest search text the dashboard keeps (in the URL too). */
export const MAX_SEARCH_LENGTH = 200;

/** Search text as it goes to the API and the URL: spaces collapsed, trimmed, at most MAX_SEARCH_LENGTH characters. */
export function normaliseSearchText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_SEARCH_LENGTH).trim();
}

/** A camera as the search box can name it: its id and its location. */
export interface NamedCamera {
  id: string;
  location: string | null;
}

/** "Back_Door", "back-door" and "back door" all read "back door". */
function plainName(value: string): string {
  return value.toLowerCase().replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * "people at the back door" → words "people", camera "back-door": a closing "at / on / in /
 * by / from [the] …" that names a known camera (by its id or its location, case, hyphens and
 * underscores aside) chooses that camera, and the rest are the words to look for. Anything
 * else is left as typed, for the API to understand or refuse.
 */
export function splitCameraPhrase(text: string, cameras: readonly NamedCamera[]): { words: string; camera?: string } {
  const words = normaliseSearchText(text);
  const match = /^(.*?)\s+(?:at|on|in|by|from)\s+(?:the\s+)?(.+)$/i.exec(words);
  if (!match) return { words };
  const [, before = '', place = ''] = match;
  const name = plainName(place);
  const camera =
    cameras.find((c) => plainName(c.id) === name) ??
    cameras.find((c) => c.location !== null && plainName(c.location) === name);
  if (!camera || before.trim() === '') return { words };
  return { words: before.trim(), camera: camera.id };
}

/** "87 %": a detection score as a whole percentage. */
export function formatScore(score: number): string {
  return `${Math.round(Math.min(Math.max(score, 0), 1) * 100)} %`;
}

/** A local time with its day when that is not `today`: "14:03:07", "2026-11-24 23:59:58". */
function moment(ms: number, today: string): string {
  return `${dayOf(ms) !== today ? `${dayOf(ms)} ` : ''}${formatClock(ms)}`;
}

/**
 * When an appearance was seen, in local time: "14:03:07–14:03:26" (the day in front when it is
 * not today, and again at the end when it ends on another day), or one time for a single frame.
 */
export function formatSeenRange(firstMs: number, lastMs: number, today: string): string {
  const first = moment(firstMs, today);
  if (lastMs <= firstMs) return first;
  const last = dayOf(lastMs) === dayOf(firstMs) ? formatClock(lastMs) : `${dayOf(lastMs)} ${formatClock(lastMs)}`;
  return `${first}–${last}`;
}

/** How long an appearance lasted, counting its last frame's second: "1 frame", "20 s", "2 min 5 s". */
export function formatSeenFor(firstMs: number, lastMs: number, frames: number): string {
  if (frames <= 1 || lastMs <= firstMs) return `${frames} frame${frames === 1 ? '' : 's'}`;
  return `${frames} frames over ${formatDuration(lastMs - firstMs + 1000)}`;
}

/** Where a box goes over its picture, as CSS percentages; corners given in any order are put right, and kept inside. */
export function boxStyle(box: Box): { left: string; top: string; width: string; height: string } {
  const clamp = (v: number) => Math.min(Math.max(Number.isFinite(v) ? v : 0, 0), 1);
  const [a, b, c, d] = box.map(clamp) as [number, number, number, number];
  const pct = (v: number) => `${Math.round(v * 100_000) / 1000}%`;
  return {
    left: pct(Math.min(a, c)),
    top: pct(Math.min(b, d)),
    width: pct(Math.abs(c - a)),
    height: pct(Math.abs(d - b)),
  };
}

/** "No people seen in the last 24 h", "No car, truck seen on yard in the last hour". */
export function emptyResultText(words: string, range: SearchRangeKey, camera?: string | null): string {
  return `No ${words} seen${camera ? ` on ${camera}` : ''} in the ${SEARCH_RANGE_LABELS[range]}`;
}

/** "3 appearances of person", "1 appearance of car or truck". */
export function resultSummary(count: number, labels: readonly string[]): string {
  const what =
    labels.length <= 1
      ? (labels[0] ?? 'anything')
      : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
  return `${count} appearance${count === 1 ? '' : 's'} of ${what}`;
}
