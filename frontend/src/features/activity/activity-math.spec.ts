import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ACTIVITY_BUCKETS } from '../../api/activity';
import {
  BUCKET_STEPS_MS,
  bucketRange,
  chipRoomPx,
  describeBucket,
  describeLabelledEvent,
  eventsWindow,
  fractionAt,
  HEAT_TOP,
  heatColor,
  labelledEvents,
  labelsDuring,
  MIN_SLIDER,
  motionLevel,
  motionToSlider,
  planStrip,
  sliderToMotion,
  stripSpan,
  stripTicks,
  tickLabel,
  timeAtFraction,
  ZOOMS,
} from './activity-math';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 15, 7, 30, 250);
const utc = () => 0;

describe('stripSpan', () => {
  it('centres on the moment when that stays in the past', () => {
    expect(stripSpan(NOW - 2 * HOUR, HOUR, NOW)).toEqual({ startMs: NOW - 2.5 * HOUR, endMs: NOW - 1.5 * HOUR });
  });

  it('ends at now rather than reach into the future', () => {
    expect(stripSpan(NOW - 10 * MINUTE, HOUR, NOW)).toEqual({ startMs: NOW - HOUR, endMs: NOW });
    expect(stripSpan(NOW, ZOOMS['30d'], NOW)).toEqual({ startMs: NOW - 30 * DAY, endMs: NOW });
  });
});

describe('planStrip', () => {
  it('asks for round buckets of 2 px or more, at most 2,000', () => {
    const span = stripSpan(NOW, DAY, NOW);
    const plan = planStrip(span, 1200, utc);
    expect(plan.bucketMs).toBe(5 * MINUTE);
    expect(plan.buckets).toBeLessThanOrEqual(600);
    expect(plan.fromMs % plan.bucketMs).toBe(0);
    expect(plan.fromMs).toBeLessThanOrEqual(span.startMs);
    expect(plan.toMs).toBeGreaterThanOrEqual(span.endMs);
    expect(plan.toMs - span.endMs).toBeLessThan(plan.bucketMs);
    expect(plan.toMs - plan.fromMs).toBe(plan.buckets * plan.bucketMs);
    expect(planStrip(stripSpan(NOW, 10 * MINUTE, NOW), 10_000, utc)).toMatchObject({ bucketMs: 1_000 });
    expect(planStrip(stripSpan(NOW, ZOOMS['30d'], NOW), 4000, utc).buckets).toBeLessThanOrEqual(MAX_ACTIVITY_BUCKETS);
  });

  it('aligns buckets to local time', () => {
    const plusOneHour = () => HOUR;
    const plan = planStrip({ startMs: NOW - 7 * DAY, endMs: NOW }, 100, plusOneHour);
    expect(plan.bucketMs).toBe(6 * HOUR);
    expect((plan.fromMs + HOUR) % plan.bucketMs).toBe(0);
  });

  it('always satisfies the API: 1 minute to 31 days, buckets 1..2000 of at least a second', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(ZOOMS)),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 60 * DAY }),
        (zoom, width, back) => {
          const plan = planStrip(stripSpan(NOW - back, zoom, NOW), width, utc);
          expect(plan.buckets).toBeGreaterThanOrEqual(1);
          expect(plan.buckets).toBeLessThanOrEqual(MAX_ACTIVITY_BUCKETS);
          expect(plan.bucketMs).toBeGreaterThanOrEqual(1000);
          expect(BUCKET_STEPS_MS).toContain(plan.bucketMs);
          expect(plan.toMs - plan.fromMs).toBeGreaterThanOrEqual(MINUTE);
          expect(plan.toMs - plan.fromMs).toBeLessThanOrEqual(31 * DAY);
          expect(plan.toMs - plan.fromMs).toBe(plan.buckets * plan.bucketMs);
        },
      ),
    );
  });

  it('maps positions to moments and back', () => {
    const plan = { fromMs: NOW - HOUR, toMs: NOW };
    expect(timeAtFraction(plan, 0.5, NOW)).toBe(NOW - HOUR / 2);
    expect(timeAtFraction(plan, 2, NOW - 5)).toBe(NOW - 5);
    expect(timeAtFraction(plan, Number.NaN, NOW)).toBe(NOW - HOUR);
    expect(fractionAt(plan, NOW - HOUR / 4)).toBe(0.75);
  });
});

describe('colour', () => {
  it('draws nothing for no motion and grows warmer with more', () => {
    expect(heatColor(null)).toBeNull();
    expect(heatColor(0)).toBeNull();
    expect(motionLevel(0.0001)).toBe(0);
    expect(motionLevel(HEAT_TOP)).toBe(1);
    expect(motionLevel(5)).toBe(1);
    const levels = [0.001, 0.005, 0.02, 0.1, 0.3].map(motionLevel);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(heatColor(0.0001)).toBe('rgb(255 214 102 / 0.4)');
    expect(heatColor(0.3)).toBe('rgb(235 48 40 / 1)');
    expect(heatColor(0.3, { belowMin: true })).toBe('rgb(235 48 40 / 0.35)');
    const green = (c: string | null) => Number(/rgb\(\d+ (\d+)/.exec(c ?? '')?.[1]);
    expect(green(heatColor(0.003))).toBeGreaterThan(green(heatColor(0.03)));
  });
});

describe('minimum-motion slider', () => {
  it('is logarithmic from 0.1 % to 30 %, with the default 0.2 % on it', () => {
    expect(sliderToMotion(0)).toBe(MIN_SLIDER.lowest);
    expect(sliderToMotion(MIN_SLIDER.steps)).toBe(MIN_SLIDER.highest);
    expect(sliderToMotion(motionToSlider(0.002))).toBe(0.002);
    expect(sliderToMotion(-4)).toBe(MIN_SLIDER.lowest);
    expect(motionToSlider(5)).toBe(MIN_SLIDER.steps);
    // Each step is a few percent more than the one before: fine at the bottom, coarse at the top.
    for (let s = 1; s <= MIN_SLIDER.steps; s++) {
      // Strictly: a keypress on the slider always changes the value.
      expect(sliderToMotion(s)).toBeGreaterThan(sliderToMotion(s - 1));
    }
    expect(sliderToMotion(MIN_SLIDER.steps / 2)).toBeCloseTo(Math.sqrt(0.001 * 0.3), 3);
  });

  it('round-trips every position', () => {
    for (let s = 0; s <= MIN_SLIDER.steps; s++) expect(motionToSlider(sliderToMotion(s))).toBe(s);
  });
});

describe('ticks', () => {
  it('uses clock times for hours and midnights for days', () => {
    const hours = stripTicks({ startMs: NOW - HOUR, endMs: NOW }, 8, utc);
    expect(hours[0]).toBe(Date.UTC(2026, 10, 25, 14, 10));
    expect(hours.every((t) => t % (10 * MINUTE) === 0)).toBe(true);
    const days = stripTicks({ startMs: NOW - 7 * DAY, endMs: NOW }, 8, utc);
    expect(days.length).toBe(7);
    for (const t of days) expect(new Date(t).getHours()).toBe(0);
    const month = stripTicks({ startMs: NOW - 30 * DAY, endMs: NOW }, 8, utc);
    expect(month.length).toBeLessThanOrEqual(8);
    for (const t of month) expect(new Date(t).getDay()).toBe(1);
  });

  it('labels midnights with the day', () => {
    const midnight = new Date(2026, 10, 25).getTime();
    expect(tickLabel(midnight)).toBe('Wed 25');
    expect(tickLabel(midnight + 14.5 * HOUR)).toBe('14:30');
  });
});

describe('bucket wording', () => {
  const midnight = new Date(2026, 10, 25).getTime();
  const row = {
    camera: 'yard',
    fromMs: midnight,
    toMs: midnight + 4 * 10_000,
    bucketMs: 10_000,
    max: [0.05, 0, null, null],
    mean: [0.01, 0, null, null],
    coverage: [1, 0.5, 0, 0],
    source: 'thumbnails',
  };
  const plan = { fromMs: row.fromMs, toMs: row.toMs, bucketMs: 10_000, buckets: 4 };

  it('says what a bucket holds', () => {
    const now = midnight + 30_000;
    expect(describeBucket(row, plan, 0, now)).toBe('00:00:00–00:00:10: peak motion 5 %, footage 100 %');
    expect(describeBucket(row, plan, 1, now)).toBe('00:00:10–00:00:20: no motion, footage 50 %');
    expect(describeBucket(row, plan, 2, now)).toBe('00:00:20–00:00:30: no footage');
    expect(describeBucket(row, plan, 3, now)).toBe('00:00:30–00:00:40: not yet');
  });

  it('names the day only on strips covering more than one, and the end day only when it differs', () => {
    const week = { fromMs: midnight - 6 * DAY, toMs: midnight + DAY, bucketMs: 30 * MINUTE, buckets: 336 };
    expect(bucketRange(midnight - 30 * MINUTE, midnight, week)).toBe('Tue 24 23:30–00:00');
    expect(bucketRange(midnight - HOUR, midnight + HOUR, week)).toBe('Tue 24 23:00–Wed 25 01:00');
    const hour = { fromMs: midnight + HOUR, toMs: midnight + 2 * HOUR, bucketMs: 5 * MINUTE, buckets: 12 };
    expect(bucketRange(midnight + HOUR, midnight + HOUR + 5 * MINUTE, hour)).toBe('01:00–01:05');
  });
});

describe('events with labels', () => {
  const event = (startMs: number, endMs: number, labels: string[]) => ({ startMs, endMs, labels });

  it('are asked for up to the 24 h zoom, not over days', () => {
    expect(eventsWindow(null)).toBeNull();
    const day = planStrip(stripSpan(NOW, ZOOMS['24h'], NOW), 1200, utc);
    expect(eventsWindow(day)).toEqual({ fromMs: day.fromMs, toMs: day.toMs });
    expect(eventsWindow(planStrip(stripSpan(NOW, ZOOMS['1h'], NOW), 1200, utc))).not.toBeNull();
    expect(eventsWindow(planStrip(stripSpan(NOW, ZOOMS['7d'], NOW), 1200, utc))).toBeNull();
    expect(eventsWindow({ fromMs: NOW, toMs: NOW })).toBeNull();
  });

  it('keeps only events that carry labels, in time order', () => {
    const a = event(3000, 5000, ['person']);
    const b = event(1000, 2000, []);
    const c = event(0, 500, ['car', 'truck']);
    expect(labelledEvents([a, b, c])).toEqual([c, a]);
  });

  it('lists what was seen during a bucket once each', () => {
    const events = [event(1000, 2000, ['person']), event(2500, 4000, ['car', 'person']), event(9000, 9500, ['dog'])];
    expect(labelsDuring(events, 0, 1000)).toEqual([]);
    expect(labelsDuring(events, 0, 1001)).toEqual(['person']);
    expect(labelsDuring(events, 1500, 3000)).toEqual(['person', 'car']);
    expect(labelsDuring(events, 4000, 9000)).toEqual(['car', 'person']);
    expect(labelsDuring(events, 0, 10_000)).toEqual(['person', 'car', 'dog']);
  });

  it('names the labels and the time in the tooltip', () => {
    const at = (h: number, m: number, s: number) => new Date(2026, 10, 25, h, m, s).getTime();
    expect(describeLabelledEvent(event(at(14, 3, 7), at(14, 3, 26), ['person', 'car']))).toBe(
      'person, car · 14:03:07–14:03:26',
    );
    expect(describeLabelledEvent(event(at(14, 3, 7), at(14, 3, 7), ['dog']))).toBe('dog · 14:03:07');
  });

  it('gives each chip the room to the next one', () => {
    expect(chipRoomPx([0, 0.25, 0.5], 800)).toEqual([200, 200, 400]);
    expect(chipRoomPx([], 800)).toEqual([]);
  });
});
