import { describe, expect, it } from 'vitest';
import { decodeGrid, encodeGrid, GRID_CELLS, GRID_CHARS, regionCells, regionLevel } from './motion-grid.js';

describe('motion grid', () => {
  it('a still frame is all A, and levels survive a round trip', () => {
    expect(encodeGrid(new Uint8Array(GRID_CELLS))).toBe('A'.repeat(GRID_CHARS));
    const levels = Uint8Array.from({ length: GRID_CELLS }, (_, i) => (i * 7) % 4);
    expect(decodeGrid(encodeGrid(levels))).toEqual(levels);
  });

  it('clamps levels and refuses wrong sizes and characters', () => {
    const levels = new Array(GRID_CELLS).fill(9);
    expect(decodeGrid(encodeGrid(levels))?.every((l) => l === 3)).toBe(true);
    expect(() => encodeGrid([1, 2])).toThrow(RangeError);
    expect(decodeGrid('A')).toBeNull();
    expect(decodeGrid(`${'A'.repeat(GRID_CHARS - 1)}*`)).toBeNull();
  });

  it('maps a region onto the cells it overlaps', () => {
    expect(regionCells({ x: 0, y: 0, w: 1 / 16, h: 1 / 9 })).toEqual([0]);
    expect(regionCells({ x: 0.99, y: 0.99, w: 0.5, h: 0.5 })).toEqual([GRID_CELLS - 1]);
    expect(regionCells({ x: 0, y: 0, w: 1, h: 1 })).toHaveLength(GRID_CELLS);
    // Straddling a boundary takes both cells.
    expect(regionCells({ x: 0.06, y: 0, w: 0.01, h: 0.01 })).toEqual([0, 1]);
  });

  it('reads the highest level inside a region', () => {
    const levels = new Uint8Array(GRID_CELLS);
    levels[5 * 16 + 12] = 2;
    const grid = encodeGrid(levels);
    expect(regionLevel(grid, regionCells({ x: 0.75, y: 5 / 9, w: 0.1, h: 0.1 }))).toBe(2);
    expect(regionLevel(grid, regionCells({ x: 0, y: 0, w: 0.5, h: 0.5 }))).toBe(0);
    expect(regionLevel('nonsense', [0])).toBe(0);
  });
});
