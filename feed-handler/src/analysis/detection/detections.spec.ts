import { describe, expect, it } from 'vitest';
import { letterbox, objectsFromRows, summariseByLabel } from './detections.js';

describe('letterbox', () => {
  it('fits a 16:9 frame across the square, bars above and below', () => {
    expect(letterbox(320, 180)).toEqual({ width: 512, height: 288, left: 0, top: 112 });
  });
  it('fits a portrait frame down the square', () => {
    expect(letterbox(180, 320)).toEqual({ width: 288, height: 512, left: 112, top: 0 });
  });
  it('leaves a square frame whole', () => {
    expect(letterbox(640, 640)).toEqual({ width: 512, height: 512, left: 0, top: 0 });
  });
});

describe('objectsFromRows', () => {
  const box = letterbox(320, 180); // top bar 112 px
  const wanted = new Set(['person', 'car']);

  it('turns square pixels into fractions of the frame, bars taken off', () => {
    const [o] = objectsFromRows([[128, 112, 384, 400, 0.8, 0]], box, wanted, 0.4);
    expect(o?.label).toBe('person');
    expect(o?.score).toBe(0.8);
    expect(o?.box.map((v) => Number(v.toFixed(4)))).toEqual([0.25, 0, 0.75, 1]);
  });

  it('keeps only wanted labels at or above the minimum score', () => {
    const rows = [
      [0, 120, 10, 130, 0.9, 16], // dog: not wanted
      [0, 120, 10, 130, 0.39, 0], // person below the minimum
      [0, 120, 10, 130, 0.4, 2], // car at the minimum
    ];
    expect(objectsFromRows(rows, box, wanted, 0.4).map((o) => o.label)).toEqual(['car']);
  });

  it('drops boxes that lie wholly on a bar, and clamps the rest', () => {
    const rows = [
      [10, 0, 100, 100, 0.9, 0], // in the top bar
      [-5, 100, 600, 520, 0.9, 0], // spills over every edge
    ];
    const objects = objectsFromRows(rows, box, wanted, 0.4);
    expect(objects).toHaveLength(1);
    expect(objects[0]?.box).toEqual([0, 0, 1, 1]);
  });

  it('ignores NaN scores and unknown classes', () => {
    expect(
      objectsFromRows(
        [
          [0, 120, 10, 130, Number.NaN, 0],
          [0, 120, 10, 130, 0.9, 95],
        ],
        box,
        wanted,
        0.4,
      ),
    ).toEqual([]);
  });
});

describe('summariseByLabel', () => {
  it('keeps the best box of each label and counts them', () => {
    const s = summariseByLabel([
      { label: 'person', score: 0.5, box: [0, 0, 0.1, 0.1] },
      { label: 'car', score: 0.6, box: [0.2, 0.2, 0.3, 0.3] },
      { label: 'person', score: 0.7, box: [0.5, 0.5, 0.6, 0.6] },
    ]);
    expect(s).toEqual([
      { label: 'person', score: 0.7, box: [0.5, 0.5, 0.6, 0.6], count: 2 },
      { label: 'car', score: 0.6, box: [0.2, 0.2, 0.3, 0.3], count: 1 },
    ]);
  });
});
