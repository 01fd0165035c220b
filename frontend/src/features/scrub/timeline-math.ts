/**
 * Timeline geometry for scrubbing: which moment a pointer position means, and
 * back. Pure; positions are fractions of the track width (0 = left edge).
 */

import { stripTicks } from '../activity/activity-math';
import { HOUR_MS, MINUTE_MS } from '../clips/day-layout';

export const SPANS = {
  '24h': 24 * HOUR_MS,
  '6h': 6 * HOUR_MS,
  '1h': HOUR_MS,
  '10m': 10 * MINUTE_MS,
} as const;
export type SpanKey = keyof typeof SPANS;
export const DEFAULT_SPAN: SpanKey = '24h';

export function isSpanKey(value: string): value is SpanKey {
  return Object.hasOwn(SPANS, value);
}

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** A window of `spanMs` centred on `centerMs`, kept inside the day. */
export function viewWindow(day: TimeWindow, centerMs: number, spanMs: number): TimeWindow {
  const dayLength = day.endMs - day.startMs;
  if (spanMs >= dayLength) return { ...day };
  const start = Math.round(centerMs - spanMs / 2);
  const clamped = Math.min(Math.max(start, day.startMs), day.endMs - spanMs);
  return { startMs: clamped, endMs: clamped + spanMs };
}

/** The moment at a position, in whole milliseconds, inside the window. */
export function fractionToTime(fraction: number, window: TimeWindow): number {
  const f = Math.min(Math.max(Number.isFinite(fraction) ? fraction : 0, 0), 1);
  return Math.round(window.startMs + f * (window.endMs - window.startMs));
}

export function timeToFraction(ms: number, window: TimeWindow): number {
  return (ms - window.startMs) / (window.endMs - window.startMs);
}

/** Where on the track a pointer is, as a fraction, from client coordinates. */
export function pointerFraction(clientX: number, trackLeft: number, trackWidth: number): number {
  if (trackWidth <= 0) return 0;
  return Math.min(Math.max((clientX - trackLeft) / trackWidth, 0), 1);
}

/**
 * Tick marks at a round step giving at most `maxTicks` ticks. Ticks are round
 * in local time, so `localOffsetMs(ms)` (minutes east of UTC, in ms) is given.
 * The same ticks as the activity strip's, which also spans days.
 */
export function ticks(window: TimeWindow, maxTicks: number, localOffsetMs: (ms: number) => number): number[] {
  return stripTicks(window, maxTicks, localOffsetMs);
}

/** Keyboard steps on the timeline: arrows move a little, PageUp/PageDown a lot. */
export function keyStepMs(spanMs: number, large: boolean): number {
  const fine = spanMs <= 10 * MINUTE_MS ? 1_000 : spanMs <= HOUR_MS ? 10_000 : MINUTE_MS;
  return large ? fine * 10 : fine;
}

/**
 * Buckets for the footage band under the timeline: `count` equal parts of the
 * window, each probed once for any frame (like the clip grid's hour probes).
 */
export function coverageBuckets(timeWindow: TimeWindow, count: number, maxMs: number): TimeWindow[] {
  const size = Math.ceil((timeWindow.endMs - timeWindow.startMs) / count);
  const buckets: TimeWindow[] = [];
  for (let start = timeWindow.startMs; start < timeWindow.endMs && start < maxMs; start += size) {
    buckets.push({ startMs: start, endMs: Math.min(start + size, timeWindow.endMs) });
  }
  return buckets;
}
