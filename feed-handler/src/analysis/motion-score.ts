/**
 * analysis/ — what changed between a camera's consecutive thumbnails. In: the small
 * gray frame capture/ hands over beside each JPEG. Out: FrameMetrics (motion, grid,
 * luma, lighting), written by index/ as fields of the thumbnail's own point.
 *
 * Motion between two consecutive thumbnails of a camera, from the small grayscale
 * frames ffmpeg hands over beside each JPEG (ANALYSIS_WIDTH × ANALYSIS_HEIGHT, one
 * byte a pixel). How it scores, after Frigate's improved motion detector:
 * - a global brightness change (lights, IR switching, auto exposure) is taken out
 *   first, by comparing against the previous frame scaled to the new mean brightness;
 * - a pixel counts as changed when it differs by more than `pixelThreshold` levels:
 *   the downscale averages 100+ source pixels into each, so sensor noise stays far
 *   below it and one threshold fits every camera (a zero floor, not a per-camera one);
 * - `motion` is the share of changed pixels, 0..1; `grid` says where;
 * - when most of the picture changed brightness at once, the frame is flagged
 *   `lighting` and its motion is 0: what changed is the light, not the scene.
 * Pure: frames in, numbers out.
 */
import { encodeGrid, type FrameMetrics, GRID_CELLS, GRID_COLUMNS, GRID_ROWS } from '@fathom/index-contract';

/** The analysis frame: 4 × 4 pixels per grid cell. */
export const ANALYSIS_WIDTH = 64;
export const ANALYSIS_HEIGHT = 36;
export const ANALYSIS_BYTES = ANALYSIS_WIDTH * ANALYSIS_HEIGHT;

export interface MotionSettings {
  /** Levels (0..255) a pixel must change by, after brightness compensation, to count. */
  pixelThreshold: number;
  /** Mean brightness change (levels) from which a frame can be a lighting change. */
  lightingLumaDelta: number;
  /** Share of pixels whose raw difference passes the threshold for a lighting change. */
  lightingShare: number;
}

export const DEFAULT_MOTION_SETTINGS: MotionSettings = {
  pixelThreshold: 20,
  lightingLumaDelta: 6,
  lightingShare: 0.4,
};

const CELL_W = ANALYSIS_WIDTH / GRID_COLUMNS;
const CELL_H = ANALYSIS_HEIGHT / GRID_ROWS;
const CELL_PIXELS = CELL_W * CELL_H;

/** A cell's level from its changed pixels (of 16): 1 from one pixel, 2 from a quarter, 3 from half. */
function cellLevel(changed: number): number {
  if (changed === 0) return 0;
  if (changed < CELL_PIXELS / 4) return 1;
  if (changed < CELL_PIXELS / 2) return 2;
  return 3;
}

function mean(frame: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i] as number;
  return sum / frame.length;
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const STILL_GRID = encodeGrid(new Uint8Array(GRID_CELLS));

/** The metrics of `current` against the camera's previous analysis frame. */
export function scoreMotion(
  previous: Uint8Array,
  current: Uint8Array,
  settings: MotionSettings = DEFAULT_MOTION_SETTINGS,
): FrameMetrics {
  if (previous.length !== ANALYSIS_BYTES || current.length !== ANALYSIS_BYTES) {
    throw new RangeError(`analysis frames are ${ANALYSIS_BYTES} bytes`);
  }
  const meanBefore = mean(previous);
  const meanNow = mean(current);
  const gain = meanBefore > 1 ? meanNow / meanBefore : 1;
  const cellChanged = new Uint8Array(GRID_CELLS);
  let rawChanged = 0;
  let changed = 0;
  for (let y = 0; y < ANALYSIS_HEIGHT; y++) {
    const rowCell = Math.floor(y / CELL_H) * GRID_COLUMNS;
    for (let x = 0; x < ANALYSIS_WIDTH; x++) {
      const i = y * ANALYSIS_WIDTH + x;
      const before = previous[i] as number;
      const now = current[i] as number;
      if (Math.abs(now - before) > settings.pixelThreshold) rawChanged++;
      if (Math.abs(now - before * gain) > settings.pixelThreshold) {
        changed++;
        const cell = rowCell + Math.floor(x / CELL_W);
        cellChanged[cell] = (cellChanged[cell] as number) + 1;
      }
    }
  }
  const luma = round(meanNow, 1);
  // Lighting: much of the picture changed, and the brightness change explains most of it.
  const lighting =
    Math.abs(meanNow - meanBefore) >= settings.lightingLumaDelta &&
    rawChanged / ANALYSIS_BYTES >= settings.lightingShare &&
    changed <= rawChanged / 4;
  if (lighting) return { motion: 0, grid: STILL_GRID, luma, lighting: true };
  const levels = cellChanged.map(cellLevel);
  return { motion: round(changed / ANALYSIS_BYTES, 4), grid: encodeGrid(levels), luma, lighting: false };
}
