import { decodeGrid, GRID_CELLS, GRID_CHARS } from '@fathom/index-contract';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_BYTES, ANALYSIS_HEIGHT, ANALYSIS_WIDTH, scoreMotion } from './motion-score.js';

/** A textured still scene, the same every call: gradients and blocks, luma 60..180. */
function scene(gain = 1): Uint8Array {
  const frame = new Uint8Array(ANALYSIS_BYTES);
  for (let y = 0; y < ANALYSIS_HEIGHT; y++) {
    for (let x = 0; x < ANALYSIS_WIDTH; x++) {
      const base = 60 + x + y + (((x >> 3) + (y >> 2)) % 3) * 20;
      frame[y * ANALYSIS_WIDTH + x] = Math.min(235, Math.round(base * gain));
    }
  }
  return frame;
}

/** Sensor noise of ±amplitude levels, deterministic. */
function noisy(frame: Uint8Array, amplitude: number, seed: number): Uint8Array {
  let state = seed;
  return frame.map((v) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return Math.max(0, Math.min(255, v + ((state % (2 * amplitude + 1)) - amplitude)));
  });
}

/** A bright square of `size` pixels with its top left at (x, y). */
function withSquare(frame: Uint8Array, x: number, y: number, size: number): Uint8Array {
  const out = new Uint8Array(frame);
  for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) out[(y + dy) * ANALYSIS_WIDTH + x + dx] = 235;
  return out;
}

describe('scoreMotion', () => {
  it('a still scene with sensor noise scores exactly 0, with a still grid', () => {
    for (let seed = 1; seed < 20; seed++) {
      const metrics = scoreMotion(noisy(scene(), 8, seed), noisy(scene(), 8, seed + 100));
      expect(metrics.motion).toBe(0);
      expect(metrics.lighting).toBe(false);
      expect(metrics.grid).toBe('A'.repeat(GRID_CHARS));
    }
  });

  it('a moving square scores the share of changed pixels, in the cells where it moved', () => {
    const before = withSquare(scene(), 4, 4, 6);
    const after = withSquare(scene(), 12, 4, 6);
    const metrics = scoreMotion(noisy(before, 4, 1), noisy(after, 4, 2));
    // Old place and new place, 36 pixels each, of 2,304.
    expect(metrics.motion).toBeCloseTo(72 / ANALYSIS_BYTES, 3);
    const levels = decodeGrid(metrics.grid) as Uint8Array;
    const moved = [...levels.keys()].filter((i) => (levels[i] as number) > 0);
    // Columns 1..4 (x 4..17 at 4 px a cell), rows 1..2 (y 4..9).
    expect(moved.every((i) => i % 16 >= 1 && i % 16 <= 4 && Math.floor(i / 16) >= 1 && Math.floor(i / 16) <= 2)).toBe(
      true,
    );
    expect(levels.filter((l) => l === 3).length).toBeGreaterThan(0);
    expect(metrics.lighting).toBe(false);
  });

  it('a lighting step is flagged and not counted as motion', () => {
    const metrics = scoreMotion(noisy(scene(), 4, 1), noisy(scene(1.35), 4, 2));
    expect(metrics).toMatchObject({ motion: 0, lighting: true, grid: 'A'.repeat(GRID_CHARS) });
    expect(metrics.luma).toBeGreaterThan(scoreMotion(scene(), scene()).luma * 1.25);
    // And back down.
    expect(scoreMotion(scene(1.35), scene()).lighting).toBe(true);
  });

  it('a large object entering is motion, not lighting', () => {
    const big = new Uint8Array(scene());
    for (let y = 0; y < ANALYSIS_HEIGHT; y++) for (let x = 0; x < 40; x++) big[y * ANALYSIS_WIDTH + x] = 16;
    const metrics = scoreMotion(scene(), big);
    expect(metrics.lighting).toBe(false);
    expect(metrics.motion).toBeGreaterThan(0.5);
  });

  it('refuses frames of the wrong size', () => {
    expect(() => scoreMotion(new Uint8Array(10), scene())).toThrow(RangeError);
    expect(decodeGrid(scoreMotion(scene(), scene()).grid)).toHaveLength(GRID_CELLS);
  });
});
