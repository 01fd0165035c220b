/**
 * Regions drawn on a frame: where the picture really is inside an <img> that
 * letterboxes it (object-fit: contain), and a dragged rectangle as fractions of
 * the picture. Pure.
 */
import { type Region, roundFraction } from '../../api/activity';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The picture's box inside an element of `box` size showing an image of
 * `natural` size scaled to fit (object-fit: contain), relative to the element.
 */
export function containedRect(box: { width: number; height: number }, natural: { width: number; height: number }): Box {
  if (natural.width <= 0 || natural.height <= 0 || box.width <= 0 || box.height <= 0) {
    return { left: 0, top: 0, width: Math.max(box.width, 0), height: Math.max(box.height, 0) };
  }
  const scale = Math.min(box.width / natural.width, box.height / natural.height);
  const width = natural.width * scale;
  const height = natural.height * scale;
  return { left: (box.width - width) / 2, top: (box.height - height) / 2, width, height };
}

const clamp01 = (v: number) => Math.min(Math.max(Number.isFinite(v) ? v : 0, 0), 1);

/** A pointer position as fractions of the picture (clamped to it). */
export function pointInPicture(clientX: number, clientY: number, picture: Box): { x: number; y: number } {
  return {
    x: picture.width > 0 ? clamp01((clientX - picture.left) / picture.width) : 0,
    y: picture.height > 0 ? clamp01((clientY - picture.top) / picture.height) : 0,
  };
}

/** Smallest region a drag makes, as a fraction of each side: a click is not a region. */
export const MIN_REGION_SIDE = 0.02;

/**
 * The region spanned by a drag from `a` to `b` (fractions of the picture, in
 * any direction), rounded to 4 decimals and kept inside the picture; null when
 * the drag was too small to mean a rectangle.
 */
export function regionFromDrag(a: { x: number; y: number }, b: { x: number; y: number }): Region | null {
  const x0 = clamp01(Math.min(a.x, b.x));
  const y0 = clamp01(Math.min(a.y, b.y));
  const x1 = clamp01(Math.max(a.x, b.x));
  const y1 = clamp01(Math.max(a.y, b.y));
  if (x1 - x0 < MIN_REGION_SIDE || y1 - y0 < MIN_REGION_SIDE) return null;
  const x = roundFraction(x0);
  const y = roundFraction(y0);
  // Rounded so that x + w and y + h never pass 1.
  const w = roundFraction(Math.min(x1 - x0, 1 - x));
  const h = roundFraction(Math.min(y1 - y0, 1 - y));
  return { x, y, w, h };
}

/** "left 12–40 %, top 5–60 %": a region in words. */
export function describeRegion(region: Region): string {
  const pct = (v: number) => Math.round(v * 100);
  return `${pct(region.x)}–${pct(region.x + region.w)} % across, ${pct(region.y)}–${pct(region.y + region.h)} % down`;
}

/** A region as a CSS box in percent of the picture. */
export function regionStyle(region: Region): { left: string; top: string; width: string; height: string } {
  const pct = (v: number) => `${v * 100}%`;
  return { left: pct(region.x), top: pct(region.y), width: pct(region.w), height: pct(region.h) };
}
