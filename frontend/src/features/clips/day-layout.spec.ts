import { describe, expect, it } from 'vitest';
import {
  type ClipState,
  clipStartFor,
  HOUR_MS,
  hourSections,
  type Interval,
  layoutDay,
  MINUTE_MS,
  type SectionState,
  sectionClips,
  sectionProbe,
  summarizeClip,
} from './day-layout';

const DAY = Date.UTC(2026, 10, 25);
const END = DAY + 24 * HOUR_MS;

describe('sections and clips', () => {
  it('covers a past day with 24 hour sections, and today only up to now', () => {
    expect(hourSections(DAY, END, END + 1)).toHaveLength(24);
    const today = hourSections(DAY, END, DAY + 14 * HOUR_MS + 5 * MINUTE_MS);
    expect(today).toHaveLength(15);
    expect(today[14]).toEqual({ fromMs: DAY + 14 * HOUR_MS, toMs: DAY + 15 * HOUR_MS });
  });

  it('handles 23- and 25-hour days', () => {
    expect(hourSections(DAY, DAY + 23 * HOUR_MS, Number.MAX_SAFE_INTEGER)).toHaveLength(23);
    expect(hourSections(DAY, DAY + 25 * HOUR_MS, Number.MAX_SAFE_INTEGER)).toHaveLength(25);
  });

  it('cuts a section into X-minute clips that have begun', () => {
    const section = { fromMs: DAY, toMs: DAY + HOUR_MS };
    expect(sectionClips(section, 10, END)).toHaveLength(6);
    expect(sectionClips(section, 1, END)).toHaveLength(60);
    expect(sectionClips(section, 10, DAY + 25 * MINUTE_MS)).toEqual([
      { fromMs: DAY, toMs: DAY + 10 * MINUTE_MS },
      { fromMs: DAY + 10 * MINUTE_MS, toMs: DAY + 20 * MINUTE_MS },
      { fromMs: DAY + 20 * MINUTE_MS, toMs: DAY + 30 * MINUTE_MS },
    ]);
  });

  it('probes a section so that frames on both boundaries are found', () => {
    const probe = sectionProbe({ fromMs: DAY, toMs: DAY + HOUR_MS });
    expect(probe.atMs - probe.withinSeconds * 1000).toBeLessThanOrEqual(DAY);
    expect(probe.atMs + probe.withinSeconds * 1000).toBeGreaterThanOrEqual(DAY + HOUR_MS);
  });

  it('puts a frame in the clip whose (from, from + X] holds it', () => {
    expect(clipStartFor(DAY + 1, DAY, 1)).toBe(DAY);
    expect(clipStartFor(DAY + MINUTE_MS, DAY, 1)).toBe(DAY);
    expect(clipStartFor(DAY + MINUTE_MS + 1, DAY, 1)).toBe(DAY + MINUTE_MS);
    expect(clipStartFor(DAY + 9 * MINUTE_MS, DAY, 10)).toBe(DAY);
  });
});

describe('summarizeClip', () => {
  it('takes the count, the ends and the middle frame', () => {
    const frames = [1, 2, 3, 4].map((s) => ({ timeMs: DAY + s * 1000, url: `/t/${s}.jpg` }));
    expect(summarizeClip(frames)).toEqual({
      count: 4,
      firstMs: DAY + 1000,
      lastMs: DAY + 4000,
      representative: { timeMs: DAY + 2000, url: '/t/2.jpg' },
    });
    expect(summarizeClip([])).toBeNull();
  });
});

describe('layoutDay', () => {
  const frame = { timeMs: 0, url: '/x.jpg' };
  const summary = { count: 60, firstMs: 0, lastMs: 0, representative: frame };

  function layout(
    sectionStates: Record<number, SectionState['status']>,
    clipStates: Record<number, ClipState>,
    nowMs: number,
    minutes = 10,
  ) {
    return layoutDay({
      sections: hourSections(DAY, END, nowMs),
      sectionState: (s: Interval) => ({ status: sectionStates[(s.fromMs - DAY) / HOUR_MS] ?? 'empty' }) as SectionState,
      clipState: (c: Interval) => clipStates[(c.fromMs - DAY) / MINUTE_MS] ?? { status: 'loaded', summary: null },
      minutes,
      nowMs,
    });
  }

  it('merges empty hours and empty clips into gaps, keeping them visible', () => {
    const inClip = { ...summary, firstMs: DAY + 190 * MINUTE_MS + 1000, lastMs: DAY + 200 * MINUTE_MS };
    const items = layout({ 3: 'footage' }, { 190: { status: 'loaded', summary: inClip } }, DAY + 5 * HOUR_MS);
    expect(items.map((i) => [i.kind, (i.fromMs - DAY) / 1000, (i.toMs - DAY) / 1000])).toEqual([
      ['gap', 0, 190 * 60 + 1],
      ['clip', 190 * 60, 200 * 60],
      ['gap', 200 * 60, 300 * 60],
    ]);
  });

  it('shows a silence between two clips as a gap from the last frame to the next', () => {
    const a = { ...summary, firstMs: DAY + 1000, lastMs: DAY + 117_000 };
    const b = { ...summary, firstMs: DAY + 418_000, lastMs: DAY + 599_000 };
    const c = { ...summary, firstMs: DAY + 600_000 + 1000, lastMs: DAY + 659_000 };
    const items = layout(
      { 0: 'footage' },
      {
        0: { status: 'loaded', summary: a },
        5: { status: 'loaded', summary: b },
        10: { status: 'loaded', summary: c },
      },
      DAY + 11 * MINUTE_MS,
      5,
    );
    expect(items.map((i) => [i.kind, (i.fromMs - DAY) / 1000, (i.toMs - DAY) / 1000])).toEqual([
      ['clip', 0, 300],
      ['gap', 117, 418],
      ['clip', 300, 600],
      ['clip', 600, 900],
    ]);
  });

  it('shows what is still loading, and marks the clip still being recorded', () => {
    const now = DAY + 2 * HOUR_MS + 15 * MINUTE_MS;
    const items = layout(
      { 0: 'pending', 2: 'footage' },
      { 120: { status: 'pending' }, 130: { status: 'loaded', summary } },
      now,
    );
    expect(items.map((i) => i.kind)).toEqual(['checking', 'gap', 'pending', 'clip']);
    const live = items[3];
    expect(live?.kind === 'clip' && live.live).toBe(true);
  });

  it('never shows a gap reaching into the future', () => {
    const now = DAY + 30 * MINUTE_MS;
    const items = layout({}, {}, now);
    expect(items).toEqual([{ kind: 'gap', fromMs: DAY, toMs: now }]);
    expect(layout({ 0: 'footage' }, {}, now)).toEqual([{ kind: 'gap', fromMs: DAY, toMs: now }]);
  });
});
