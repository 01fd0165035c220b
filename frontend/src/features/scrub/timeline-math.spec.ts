import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../clips/day-layout';
import {
  coverageBuckets,
  fractionToTime,
  keyStepMs,
  pointerFraction,
  SPANS,
  ticks,
  timeToFraction,
  viewWindow,
} from './timeline-math';

const DAY = { startMs: Date.UTC(2026, 10, 25), endMs: Date.UTC(2026, 10, 26) };

describe('viewWindow', () => {
  it('is the whole day at the 24 h span', () => {
    expect(viewWindow(DAY, DAY.startMs + 5, SPANS['24h'])).toEqual(DAY);
  });

  it('centres on the moment and stays inside the day', () => {
    expect(viewWindow(DAY, DAY.startMs + 12 * HOUR_MS, HOUR_MS)).toEqual({
      startMs: DAY.startMs + 11.5 * HOUR_MS,
      endMs: DAY.startMs + 12.5 * HOUR_MS,
    });
    expect(viewWindow(DAY, DAY.startMs + 60_000, HOUR_MS)).toEqual({
      startMs: DAY.startMs,
      endMs: DAY.startMs + HOUR_MS,
    });
    expect(viewWindow(DAY, DAY.endMs, 10 * MINUTE_MS).endMs).toBe(DAY.endMs);
  });
});

describe('position and time', () => {
  it('maps the edges to the window edges', () => {
    expect(fractionToTime(0, DAY)).toBe(DAY.startMs);
    expect(fractionToTime(1, DAY)).toBe(DAY.endMs);
    expect(fractionToTime(-3, DAY)).toBe(DAY.startMs);
    expect(fractionToTime(Number.NaN, DAY)).toBe(DAY.startMs);
    expect(pointerFraction(150, 100, 200)).toBe(0.25);
    expect(pointerFraction(50, 100, 200)).toBe(0);
    expect(pointerFraction(50, 100, 0)).toBe(0);
  });

  it('round-trips a time through a position to within a millisecond', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: DAY.startMs, max: DAY.endMs }),
        fc.constantFrom(...Object.values(SPANS)),
        (ms, span) => {
          const window = viewWindow(DAY, ms, span);
          const back = fractionToTime(timeToFraction(ms, window), window);
          expect(Math.abs(back - ms)).toBeLessThanOrEqual(1);
          expect(Number.isInteger(back)).toBe(true);
        },
      ),
    );
  });
});

describe('ticks and keys', () => {
  it('puts round ticks inside the window', () => {
    const utc = () => 0;
    expect(ticks(DAY, 12, utc)).toHaveLength(13);
    expect(ticks(DAY, 12, utc)[1]).toBe(DAY.startMs + 2 * HOUR_MS);
    const tenMinutes = { startMs: DAY.startMs + 90_000, endMs: DAY.startMs + 90_000 + 10 * MINUTE_MS };
    const t = ticks(tenMinutes, 6, utc);
    expect(t[0]).toBe(DAY.startMs + 2 * MINUTE_MS);
    expect(t.every((ms) => ms >= tenMinutes.startMs && ms <= tenMinutes.endMs)).toBe(true);
  });

  it('respects the local offset', () => {
    const plusTwoAndHalf = () => 2.5 * HOUR_MS;
    expect(ticks(DAY, 12, plusTwoAndHalf)[0]).toBe(DAY.startMs + 1.5 * HOUR_MS);
  });

  it('steps finer on narrower spans', () => {
    expect(keyStepMs(SPANS['10m'], false)).toBe(1_000);
    expect(keyStepMs(SPANS['24h'], true)).toBe(10 * MINUTE_MS);
  });
});

describe('coverageBuckets', () => {
  it('cuts the window into equal parts, none in the future', () => {
    const hour = { startMs: DAY.startMs, endMs: DAY.startMs + HOUR_MS };
    const all = coverageBuckets(hour, 60, Number.MAX_SAFE_INTEGER);
    expect(all).toHaveLength(60);
    expect(all[0]).toEqual({ startMs: DAY.startMs, endMs: DAY.startMs + MINUTE_MS });
    expect(all.at(-1)?.endMs).toBe(hour.endMs);
    expect(coverageBuckets(hour, 60, DAY.startMs + 10 * MINUTE_MS + 1)).toHaveLength(11);
  });
});
