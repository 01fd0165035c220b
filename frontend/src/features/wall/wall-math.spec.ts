import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayBounds } from '../../lib/time';
import { HOUR_MS, MINUTE_MS } from '../clips/day-layout';
import { SPANS } from '../scrub/timeline-math';
import {
  answerMayChange,
  FAR_FRAME_SECONDS,
  isFarFrame,
  isLiveWall,
  LIVE_LAG_MS,
  liveInstant,
  msToNextLiveTick,
  openingInstant,
  tileWidth,
  type WallSpace,
  wallColumns,
  wallKeyStep,
  wallLayout,
} from './wall-math';

describe('the far-frame rule', () => {
  it('flags a frame more than 2 s from the instant, not one at 2 s', () => {
    expect(FAR_FRAME_SECONDS).toBe(2);
    expect(isFarFrame(0)).toBe(false);
    expect(isFarFrame(0.999)).toBe(false);
    expect(isFarFrame(2)).toBe(false);
    expect(isFarFrame(2.001)).toBe(true);
    expect(isFarFrame(59.5)).toBe(true);
    expect(isFarFrame(3, 5)).toBe(false);
  });
});

describe('live mode', () => {
  it('follows now, LIVE_LAG_MS behind, on whole seconds', () => {
    const now = Date.UTC(2026, 10, 25, 14, 0, 10, 740);
    expect(liveInstant(now)).toBe(Date.UTC(2026, 10, 25, 14, 0, 7));
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 4_000_000_000_000 }), (ms) => {
        const instant = liveInstant(ms);
        expect(instant % 1000).toBe(0);
        expect(ms - instant).toBeGreaterThanOrEqual(LIVE_LAG_MS);
        expect(ms - instant).toBeLessThan(LIVE_LAG_MS + 1000);
      }),
    );
  });

  it('moves on just after each whole second, so that no second is skipped', () => {
    const second = Date.UTC(2026, 10, 25, 14, 0, 10);
    expect(msToNextLiveTick(second + 740)).toBe(310);
    expect(msToNextLiveTick(second)).toBe(1050);
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 4_000_000_000_000 }), (ms) => {
        const next = ms + msToNextLiveTick(ms);
        expect(liveInstant(next)).toBe(liveInstant(ms) + 1000);
      }),
    );
  });

  it('is live without a moment on today, paused with one or on another day', () => {
    expect(isLiveWall({}, '2026-11-25')).toBe(true);
    expect(isLiveWall({ day: '2026-11-25' }, '2026-11-25')).toBe(true);
    expect(isLiveWall({ day: '2026-11-24' }, '2026-11-25')).toBe(false);
    expect(isLiveWall({ at: 1795615200000 }, '2026-11-25')).toBe(false);
  });

  it('opens at the moment asked for, at now when live, at noon of another day', () => {
    const now = Date.UTC(2026, 10, 25, 14, 0, 10, 500);
    expect(openingInstant({ at: 123 }, '2026-11-25', now)).toBe(123);
    expect(openingInstant({}, '2026-11-25', now)).toBe(liveInstant(now));
    expect(openingInstant({ day: '2026-11-20' }, '2026-11-25', now)).toBe(
      dayBounds('2026-11-20').startMs + 12 * HOUR_MS,
    );
  });

  it('asks again for a moment that was too recent when asked, only then', () => {
    const instant = Date.UTC(2026, 10, 25, 14);
    expect(answerMayChange(instant, instant + 500)).toBe(true);
    expect(answerMayChange(instant, instant + LIVE_LAG_MS - 1)).toBe(true);
    expect(answerMayChange(instant, instant + LIVE_LAG_MS)).toBe(false);
    expect(answerMayChange(instant, instant + HOUR_MS)).toBe(false);
  });
});

describe('keys', () => {
  it('step one second at the 10-minute span, ten with Shift or PageUp/PageDown', () => {
    const span = SPANS['10m'];
    expect(wallKeyStep('ArrowRight', false, span)).toBe(1_000);
    expect(wallKeyStep('ArrowLeft', false, span)).toBe(-1_000);
    expect(wallKeyStep('ArrowRight', true, span)).toBe(10_000);
    expect(wallKeyStep('PageUp', false, span)).toBe(10_000);
    expect(wallKeyStep('PageDown', false, span)).toBe(-10_000);
  });

  it('take the timeline’s larger steps at longer spans', () => {
    expect(wallKeyStep('ArrowRight', false, SPANS['1h'])).toBe(10_000);
    expect(wallKeyStep('PageDown', false, SPANS['1h'])).toBe(-100_000);
    expect(wallKeyStep('ArrowLeft', false, SPANS['24h'])).toBe(-MINUTE_MS);
    expect(wallKeyStep('PageUp', false, SPANS['24h'])).toBe(10 * MINUTE_MS);
  });

  it('leave other keys alone, up and down included (they scroll)', () => {
    for (const key of ['ArrowUp', 'ArrowDown', 'Home', 'End', 'a', ' ', 'Enter']) {
      expect(wallKeyStep(key, false, SPANS['10m']), key).toBeNull();
    }
  });
});

describe('grid columns', () => {
  const laptop: WallSpace = {
    count: 4,
    width: 1248,
    height: 560,
    gapPx: 12,
    captionPx: 84,
    aspect: 16 / 9,
    minTileWidthPx: 240,
  };

  it('puts four cameras 2 × 2 on a laptop and in one column on a phone', () => {
    expect(wallColumns(laptop)).toBe(2);
    // A row of four would be 3 px wider each: not worth a strip.
    expect(wallColumns({ ...laptop, height: 518 })).toBe(2);
    expect(wallColumns({ ...laptop, width: 366, height: 620 })).toBe(1);
  });

  it('puts four cameras in a row on a wide, short screen', () => {
    expect(wallColumns({ ...laptop, width: 1900, height: 420 })).toBe(4);
  });

  it('grows with the number of cameras', () => {
    const big = { ...laptop, width: 1880, height: 900 };
    expect(wallColumns({ ...big, count: 1 })).toBe(1);
    expect(wallColumns({ ...big, count: 2 })).toBe(2);
    expect(wallColumns({ ...big, count: 6 })).toBe(3);
    expect(wallColumns({ ...big, count: 9 })).toBe(3);
    expect(wallColumns({ ...big, count: 12 })).toBe(4);
    // 4 × 4 would need a taller screen: 6 × 3 is the only way all sixteen fit, at 303 px each.
    expect(wallColumns({ ...big, count: 16 })).toBe(6);
    expect(wallColumns({ ...big, count: 16, height: 1400 })).toBe(4);
  });

  it('narrows the tiles when the height limits them, so that every row is on the screen', () => {
    const { columns, tileWidthPx } = wallLayout(laptop);
    expect(columns).toBe(2);
    expect(tileWidthPx).toBe(Math.floor(((560 - 12) / 2 - 84) * (16 / 9)));
    const rows = Math.ceil(laptop.count / columns);
    const height = rows * ((tileWidthPx as number) / laptop.aspect + laptop.captionPx) + (rows - 1) * laptop.gapPx;
    expect(height).toBeLessThanOrEqual(laptop.height);
    // A taller screen: the width limits, the tiles share it.
    expect(wallLayout({ ...laptop, height: 1400 })).toEqual({ columns: 2, tileWidthPx: null });
    // A portrait screen: one column of large pictures fits.
    expect(wallLayout({ ...laptop, height: 2000 })).toEqual({ columns: 1, tileWidthPx: 723 });
    // A phone: one column, scrolling, full width.
    expect(wallLayout({ ...laptop, width: 366, height: 620 })).toEqual({ columns: 1, tileWidthPx: null });
    expect(wallLayout({ ...laptop, width: 0, height: 0 })).toEqual({ columns: 1, tileWidthPx: null });
  });

  it('is one column before the grid has a size', () => {
    expect(wallColumns({ ...laptop, width: 0, height: 0 })).toBe(1);
    expect(wallColumns({ ...laptop, count: 0 })).toBe(1);
  });

  it('never makes pictures narrower than the least useful width when it can help it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 200, max: 3840 }),
        fc.integer({ min: 200, max: 2160 }),
        (count, width, height) => {
          const space = { ...laptop, count, width, height };
          const columns = wallColumns(space);
          expect(columns).toBeGreaterThanOrEqual(1);
          expect(columns).toBeLessThanOrEqual(count);
          // By width alone a picture is at least the minimum whenever one column is.
          const byWidth = (width - space.gapPx * (columns - 1)) / columns;
          if (width >= space.minTileWidthPx) expect(byWidth).toBeGreaterThanOrEqual(space.minTileWidthPx);
          // When everything fits on the screen, no other column count gives larger pictures.
          if (tileWidth(space, columns) >= space.minTileWidthPx) {
            for (let other = 1; other <= count; other += 1) {
              const otherWidth = (width - space.gapPx * (other - 1)) / other;
              if (otherWidth < space.minTileWidthPx) continue;
              expect(tileWidth(space, other)).toBeLessThanOrEqual(tileWidth(space, columns) * 1.05 + 1e-9);
            }
          }
        },
      ),
    );
  });
});
