/**
 * The coarse motion grid stored with each thumbnail (field `grid`): 16 × 9 cells,
 * row by row from the top left, each a level 0..3 of how much of the cell changed
 * since the previous thumbnail. Three cells pack into one base64url character (2 bits
 * each), so a grid is 48 characters and a still frame is 48 'A's. The feed-handler
 * writes it; the backend reads it for region search. Pure.
 */

export const GRID_COLUMNS = 16;
export const GRID_ROWS = 9;
export const GRID_CELLS = GRID_COLUMNS * GRID_ROWS;
/** Levels are 0 (still) .. GRID_MAX_LEVEL. */
export const GRID_MAX_LEVEL = 3;
export const GRID_CHARS = GRID_CELLS / 3;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Packs GRID_CELLS levels (0..3) into GRID_CHARS characters. */
export function encodeGrid(levels: ArrayLike<number>): string {
  if (levels.length !== GRID_CELLS) throw new RangeError(`a grid has ${GRID_CELLS} cells, got ${levels.length}`);
  let out = '';
  for (let i = 0; i < GRID_CELLS; i += 3) {
    const level = (k: number) => Math.max(0, Math.min(GRID_MAX_LEVEL, Math.trunc(levels[i + k] ?? 0)));
    out += ALPHABET[(level(0) << 4) | (level(1) << 2) | level(2)];
  }
  return out;
}

/** The levels of a stored grid, or null when the string is not one. */
export function decodeGrid(grid: string): Uint8Array | null {
  if (grid.length !== GRID_CHARS) return null;
  const levels = new Uint8Array(GRID_CELLS);
  for (let c = 0; c < GRID_CHARS; c++) {
    const value = VALUE.get(grid[c] as string);
    if (value === undefined) return null;
    levels[3 * c] = (value >> 4) & 3;
    levels[3 * c + 1] = (value >> 2) & 3;
    levels[3 * c + 2] = value & 3;
  }
  return levels;
}

/** A rectangle of the picture in fractions of its width and height: x, y from the top left. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Indexes of the cells a region overlaps (any overlap counts). */
export function regionCells(region: Region): number[] {
  const x0 = Math.max(0, Math.floor(region.x * GRID_COLUMNS));
  const y0 = Math.max(0, Math.floor(region.y * GRID_ROWS));
  const x1 = Math.min(GRID_COLUMNS, Math.ceil((region.x + region.w) * GRID_COLUMNS));
  const y1 = Math.min(GRID_ROWS, Math.ceil((region.y + region.h) * GRID_ROWS));
  const cells: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) cells.push(y * GRID_COLUMNS + x);
  return cells;
}

/** The highest level among the given cells of a stored grid (0 for a grid that does not decode). */
export function regionLevel(grid: string, cells: readonly number[]): number {
  const levels = decodeGrid(grid);
  if (!levels) return 0;
  let max = 0;
  for (const cell of cells) max = Math.max(max, levels[cell] ?? 0);
  return max;
}
