/**
 * The activity strip's arithmetic: its zoom levels, which window and buckets to
 * ask /activity for, where a moment is on it, the colour of a bucket, and the
 * logarithmic minimum-motion slider. Pure: no DOM, no clock.
 */

import { type ActivityRow, formatMotionPercent, MAX_ACTIVITY_BUCKETS } from '../../api/activity';
import { dayOf, formatClock } from '../../lib/time';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const ZOOMS = {
  '10m': 10 * MINUTE_MS,
  '1h': HOUR_MS,
  '6h': 6 * HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
} as const;
export type ZoomKey = keyof typeof ZOOMS;
export const DEFAULT_ZOOM: ZoomKey = '24h';
export const ZOOM_LABELS: Record<ZoomKey, string> = {
  '10m': '10 min',
  '1h': '1 h',
  '6h': '6 h',
  '24h': '24 h',
  '7d': '7 days',
  '30d': '30 days',
};

export function isZoomKey(value: string): value is ZoomKey {
  return Object.hasOwn(ZOOMS, value);
}

export interface Span {
  startMs: number;
  endMs: number;
}

/**
 * The stretch of time the strip covers: `zoomMs` centred on the moment, or
 * ending at now when centring would reach into the future.
 */
export function stripSpan(centerMs: number, zoomMs: number, nowMs: number): Span {
  const endMs = Math.min(Math.round(centerMs + zoomMs / 2), nowMs);
  return { startMs: endMs - zoomMs, endMs };
}

/** Bucket widths the strip uses: round ones, so buckets line up with clock minutes, hours and days. */
export const BUCKET_STEPS_MS = [
  SECOND_MS,
  2 * SECOND_MS,
  5 * SECOND_MS,
  10 * SECOND_MS,
  15 * SECOND_MS,
  30 * SECOND_MS,
  MINUTE_MS,
  2 * MINUTE_MS,
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
] as const;

/** One /activity request: `buckets` buckets of `bucketMs` from `fromMs` to `toMs`. */
export interface StripPlan {
  fromMs: number;
  toMs: number;
  bucketMs: number;
  buckets: number;
}

/**
 * The request for a strip `widthPx` wide: buckets of a round width at least
 * `minPxPerBucket` pixels each (and at most 2,000 of them), aligned to that width
 * in local time, covering the span. The last bucket may end a little after the
 * span (never by a whole bucket).
 */
export function planStrip(
  span: Span,
  widthPx: number,
  localOffsetMs: (ms: number) => number = () => 0,
  minPxPerBucket = 2,
): StripPlan {
  const spanMs = span.endMs - span.startMs;
  const maxBuckets = Math.min(Math.max(Math.floor(widthPx / minPxPerBucket), 1), MAX_ACTIVITY_BUCKETS);
  const offset = localOffsetMs(span.startMs);
  let plan: StripPlan | null = null;
  for (const bucketMs of BUCKET_STEPS_MS) {
    const fromMs = Math.floor((span.startMs + offset) / bucketMs) * bucketMs - offset;
    const buckets = Math.ceil((span.endMs - fromMs) / bucketMs);
    plan = { fromMs, toMs: fromMs + buckets * bucketMs, bucketMs, buckets };
    if (buckets <= maxBuckets) return plan;
  }
  // Wider than any step allows (a strip of a few pixels): one bucket per day, however many.
  return plan ?? { fromMs: span.startMs, toMs: span.endMs, bucketMs: spanMs, buckets: 1 };
}

/** Where a moment is along the strip, 0..1 (unclamped). */
export function fractionAt(plan: Pick<StripPlan, 'fromMs' | 'toMs'>, ms: number): number {
  return (ms - plan.fromMs) / (plan.toMs - plan.fromMs);
}

/** The moment at a position along the strip, in whole ms, never after `maxMs`. */
export function timeAtFraction(plan: Pick<StripPlan, 'fromMs' | 'toMs'>, fraction: number, maxMs: number): number {
  const f = Math.min(Math.max(Number.isFinite(fraction) ? fraction : 0, 0), 1);
  return Math.min(Math.round(plan.fromMs + f * (plan.toMs - plan.fromMs)), maxMs);
}

// ---- colour ----------------------------------------------------------------------

/** Motion below this is drawn with the faintest colour; at or above HEAT_TOP the strongest. */
export const HEAT_BOTTOM = 0.001;
export const HEAT_TOP = 0.3;

/** How strong motion looks, 0..1, on a logarithmic scale (a person walking by and a truck both show). */
export function motionLevel(motion: number | null): number {
  if (motion === null || !(motion > 0)) return 0;
  const t = (Math.log10(motion) - Math.log10(HEAT_BOTTOM)) / (Math.log10(HEAT_TOP) - Math.log10(HEAT_BOTTOM));
  return Math.min(Math.max(t, 0), 1);
}

/** Pale amber → orange → red, with opacity growing along. */
const HEAT_STOPS = [
  { t: 0, rgb: [255, 214, 102], a: 0.4 },
  { t: 0.5, rgb: [247, 140, 40], a: 0.85 },
  { t: 1, rgb: [235, 48, 40], a: 1 },
] as const;

/**
 * The colour of a bucket from its highest motion: null (draw nothing) for no
 * motion or no value, else a warm colour; faded when below the minimum that counts.
 */
export function heatColor(motion: number | null, options: { belowMin?: boolean } = {}): string | null {
  if (motion === null || !(motion > 0)) return null;
  const t = motionLevel(motion);
  const upper = t <= 0.5 ? 1 : 2;
  const lo = HEAT_STOPS[upper - 1] as (typeof HEAT_STOPS)[number];
  const hi = HEAT_STOPS[upper] as (typeof HEAT_STOPS)[number];
  const k = (t - lo.t) / (hi.t - lo.t);
  const mix = (a: number, b: number) => a + (b - a) * k;
  const [r, g, b] = lo.rgb.map((c, i) => Math.round(mix(c, hi.rgb[i] as number)));
  const alpha = Math.round(mix(lo.a, hi.a) * (options.belowMin ? 0.35 : 1) * 100) / 100;
  return `rgb(${r} ${g} ${b} / ${alpha})`;
}

// ---- minimum-motion slider ---------------------------------------------------------

export const MIN_SLIDER = { lowest: 0.001, highest: 0.3, steps: 50 } as const;

/** Two significant digits: 0.0020, 0.013, 0.25. Keeps the URL and the API parameter short. */
export function roundMotion(value: number): number {
  return Number(value.toPrecision(2));
}

/** The slider's position (0..steps) to a minimum motion, on a logarithmic scale. */
export function sliderToMotion(step: number): number {
  const { lowest, highest, steps } = MIN_SLIDER;
  const t = Math.min(Math.max(step, 0), steps) / steps;
  return roundMotion(10 ** (Math.log10(lowest) + t * (Math.log10(highest) - Math.log10(lowest))));
}

/** The slider position closest to a minimum motion. */
export function motionToSlider(motion: number): number {
  const { lowest, highest, steps } = MIN_SLIDER;
  const clamped = Math.min(Math.max(motion, lowest), highest);
  return Math.round(((Math.log10(clamped) - Math.log10(lowest)) / (Math.log10(highest) - Math.log10(lowest))) * steps);
}

// ---- ticks -------------------------------------------------------------------------

const TICK_STEPS_MS = [
  MINUTE_MS,
  2 * MINUTE_MS,
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
  2 * DAY_MS,
  7 * DAY_MS,
];

/**
 * Round tick marks inside the span, at most `maxTicks`. Round in local time:
 * `localOffsetMs(ms)` is the offset east of UTC in ms. Steps of days fall on
 * local midnights (computed per tick, so a daylight-saving change moves nothing).
 */
export function stripTicks(span: Span, maxTicks: number, localOffsetMs: (ms: number) => number): number[] {
  const length = span.endMs - span.startMs;
  const step = TICK_STEPS_MS.find((s) => length / s <= maxTicks) ?? 7 * DAY_MS;
  const result: number[] = [];
  if (step < DAY_MS) {
    const offset = localOffsetMs(span.startMs);
    for (let t = Math.ceil((span.startMs + offset) / step) * step - offset; t <= span.endMs; t += step) result.push(t);
    return result;
  }
  const days = step / DAY_MS;
  const first = new Date(span.startMs);
  const midnight = new Date(first.getFullYear(), first.getMonth(), first.getDate());
  if (midnight.getTime() < span.startMs) midnight.setDate(midnight.getDate() + 1);
  // Weekly ticks on Mondays, daily and two-daily ones on every (other) midnight.
  if (days === 7) while (midnight.getDay() !== 1) midnight.setDate(midnight.getDate() + 1);
  for (; midnight.getTime() <= span.endMs; midnight.setDate(midnight.getDate() + days)) result.push(midnight.getTime());
  return result;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A tick's label: "14:30", or "Wed 25" at a local midnight. */
export function tickLabel(ms: number): string {
  const d = new Date(ms);
  if (d.getHours() === 0 && d.getMinutes() === 0) return `${WEEKDAYS[d.getDay()]} ${d.getDate()}`;
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** The local day of a moment as a tick label: "Wed 25". */
function dayLabel(ms: number): string {
  const d = new Date(ms);
  return tickLabel(new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime());
}

/**
 * A bucket's time range in words: "14:05–14:10", with seconds for buckets under a
 * minute, and the day when the strip covers more than one ("Wed 25 23:30–00:00").
 */
export function bucketRange(startMs: number, endMs: number, plan: StripPlan): string {
  const clock = (ms: number) => (plan.bucketMs < 60_000 ? formatClock(ms) : formatClock(ms).slice(0, 5));
  const manyDays = dayOf(plan.fromMs) !== dayOf(plan.toMs - 1);
  const start = `${manyDays ? `${dayLabel(startMs)} ` : ''}${clock(startMs)}`;
  const end = `${manyDays && dayOf(endMs - 1) !== dayOf(startMs) ? `${dayLabel(endMs)} ` : ''}${clock(endMs)}`;
  return `${start}–${end}`;
}

/** What a bucket of a row holds, in words, for the strip's readout and its screen-reader value. */
export function describeBucket(row: ActivityRow, plan: StripPlan, i: number, nowMs: number): string {
  const start = row.fromMs + i * row.bucketMs;
  const range = bucketRange(start, start + row.bucketMs, plan);
  if (start >= nowMs) return `${range}: not yet`;
  const coverage = row.coverage[i] ?? 0;
  const max = row.max[i] ?? null;
  if (coverage === 0 && max === null) return `${range}: no footage`;
  const footage = `footage ${Math.round(coverage * 100)} %`;
  if (max === null) return `${range}: no motion measured, ${footage}`;
  if (max === 0) return `${range}: no motion, ${footage}`;
  return `${range}: peak motion ${formatMotionPercent(max)}, ${footage}`;
}

// ---- events with labels --------------------------------------------------------------

/**
 * Motion events are read from every moving frame (not the per-minute bucket), so the strip asks
 * /events only for a strip of at most this long: up to the 24 h zoom (whose plan may reach a
 * bucket past 24 h), not the 7 or 30 days ones.
 */
export const MAX_EVENTS_STRIP_MS = 2 * DAY_MS;

/** The window to ask /events for on a strip, or null when the strip is too long for it. */
export function eventsWindow(plan: Pick<StripPlan, 'fromMs' | 'toMs'> | null): { fromMs: number; toMs: number } | null {
  if (!plan || plan.toMs <= plan.fromMs || plan.toMs - plan.fromMs > MAX_EVENTS_STRIP_MS) return null;
  return { fromMs: plan.fromMs, toMs: plan.toMs };
}

/** A run of motion and what the object detector saw during it. */
export interface LabelledSpan {
  startMs: number;
  endMs: number;
  labels: readonly string[];
}

/** The events that carry labels, in time order. */
export function labelledEvents<E extends LabelledSpan>(events: readonly E[]): E[] {
  return events.filter((e) => e.labels.length > 0).sort((a, b) => a.startMs - b.startMs);
}

/** Every label seen in events overlapping [startMs, endMs), once each, in the order first seen. */
export function labelsDuring(events: readonly LabelledSpan[], startMs: number, endMs: number): string[] {
  const seen = new Set<string>();
  for (const e of [...events].sort((a, b) => a.startMs - b.startMs)) {
    if (e.endMs >= startMs && e.startMs < endMs) for (const label of e.labels) seen.add(label);
  }
  return [...seen];
}

/** An event's chip tooltip: "person, car · 14:03:07–14:03:26". */
export function describeLabelledEvent(event: LabelledSpan): string {
  const range =
    event.endMs > event.startMs
      ? `${formatClock(event.startMs)}–${formatClock(event.endMs)}`
      : formatClock(event.startMs);
  return `${event.labels.join(', ')} · ${range}`;
}

/** The pixels from each chip's start to the next one's (or the strip's end), for starts given as fractions in order. */
export function chipRoomPx(starts: readonly number[], widthPx: number): number[] {
  return starts.map((start, i) => ((starts[i + 1] ?? 1) - start) * widthPx);
}
