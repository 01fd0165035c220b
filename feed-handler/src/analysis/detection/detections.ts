/**
 * Pure detector geometry and post-processing. The model (CenterNet-MobileNetV3, shipped
 * in @vladmandic/human) takes a fixed 512 × 512 picture. A 16:9 thumbnail squeezed into
 * that square makes people half as wide as they are, and the model then misses them (a
 * standing figure scored 0.32 squeezed, 0.86 letterboxed, on this machine), so the frame
 * is scaled to fit and centred on black bars: a letterbox.
 */
import { COCO_LABELS } from '@fathom/index-contract';

/** The model's input side in pixels. */
export const MODEL_SIDE = 512;

export interface Letterbox {
  /** The frame's size inside the square. */
  width: number;
  height: number;
  /** The bars: where the frame starts in the square. */
  left: number;
  top: number;
}

export function letterbox(frameWidth: number, frameHeight: number, side = MODEL_SIDE): Letterbox {
  const scale = side / Math.max(frameWidth, frameHeight);
  const width = Math.max(1, Math.round(frameWidth * scale));
  const height = Math.max(1, Math.round(frameHeight * scale));
  return { width, height, left: Math.floor((side - width) / 2), top: Math.floor((side - height) / 2) };
}

/** One object as the detector reports it: a COCO label, a score and a box in fractions of the frame. */
export interface DetectedObject {
  label: string;
  score: number;
  box: [number, number, number, number];
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * The model's rows [x1, y1, x2, y2, score, class] (square pixels, best first) → objects of the
 * wanted labels at or above `minScore`, with boxes as fractions of the frame (bars taken off).
 */
export function objectsFromRows(
  rows: readonly (readonly number[])[],
  box: Letterbox,
  wanted: ReadonlySet<string>,
  minScore: number,
): DetectedObject[] {
  const objects: DetectedObject[] = [];
  for (const row of rows) {
    const [x1, y1, x2, y2, score, cls] = row as [number, number, number, number, number, number];
    if (!(score >= minScore)) continue;
    const label = COCO_LABELS[Math.round(cls)];
    if (!label || !wanted.has(label)) continue;
    const fx1 = clamp01((x1 - box.left) / box.width);
    const fx2 = clamp01((x2 - box.left) / box.width);
    const fy1 = clamp01((y1 - box.top) / box.height);
    const fy2 = clamp01((y2 - box.top) / box.height);
    // A box wholly on a bar is no object of the frame.
    if (fx2 <= fx1 || fy2 <= fy1) continue;
    objects.push({ label, score, box: [fx1, fy1, fx2, fy2] });
  }
  return objects;
}

export interface LabelSummary {
  label: string;
  /** The best object's score and box. */
  score: number;
  box: [number, number, number, number];
  count: number;
}

/** One summary per label (the index keeps one point per frame and label), best score first. */
export function summariseByLabel(objects: readonly DetectedObject[]): LabelSummary[] {
  const byLabel = new Map<string, LabelSummary>();
  for (const o of objects) {
    const seen = byLabel.get(o.label);
    if (!seen) byLabel.set(o.label, { label: o.label, score: o.score, box: o.box, count: 1 });
    else {
      seen.count++;
      if (o.score > seen.score) {
        seen.score = o.score;
        seen.box = o.box;
      }
    }
  }
  return [...byLabel.values()].sort((a, b) => b.score - a.score);
}
