/**
 * The live phases' RTSP scene (rtsp/README.md "Scene"): the sample's standing woman in view for
 * the whole cycle, and a square that never stops moving (there and back, no jump), so every
 * thumbnail moved and every analysed frame should hold a person (pure).
 */

export interface SceneScript {
  period: number;
  moves: { start: number; end: number; from: [number, number]; to: [number, number]; size: number }[];
  lights: { start: number; end: number; gain: number }[];
  pictures: {
    start: number;
    end: number;
    image: string;
    crop: [number, number, number, number];
    at: [number, number];
    height: number;
  }[];
}

/** The top-left 156 × 156 of @vladmandic/human's assets/samples.jpg is a standing woman on white. */
export const SAMPLE_CROP: [number, number, number, number] = [0, 0, 156, 156];
/** Left of centre, 0.8 of the frame high: well above the model's "a third of the height" limit. */
export const PERSON_AT: [number, number] = [0.35, 0.5];
export const PERSON_HEIGHT = 0.8;

/**
 * The square sweeps the right third (x 0.72..0.9) diagonally and back, clear of the picture
 * (x 0.125..0.575 at 16:9), so it never hides her.
 */
export function detectScene(samplePath: string, period = 20): SceneScript {
  const half = period / 2;
  const a: [number, number] = [0.72, 0.25];
  const b: [number, number] = [0.9, 0.75];
  return {
    period,
    moves: [
      { start: 0, end: half, from: a, to: b, size: 0.12 },
      { start: half, end: period, from: b, to: a, size: 0.12 },
    ],
    lights: [],
    pictures: [{ start: 0, end: period, image: samplePath, crop: SAMPLE_CROP, at: PERSON_AT, height: PERSON_HEIGHT }],
  };
}
