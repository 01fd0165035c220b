import { describe, expect, it } from 'vitest';
import {
  type Detection,
  labelsByFrame,
  labelsByScore,
  labelsInWindows,
  mergeAppearances,
  newestFirst,
} from './detection-math.js';

const S = 1_000_000_000n;
const T = 1_795_618_800_000_000_000n;

function det(seconds: number, score: number, over: Partial<Detection> = {}): Detection {
  return {
    camera: 'porch',
    location: 'front',
    label: 'person',
    timeNs: T + BigInt(Math.round(seconds * 1000)) * 1_000_000n,
    score,
    box: [0.1, 0.2, 0.3, 0.4],
    count: 1,
    filepath: `porch/${seconds}.jpg`,
    ...over,
  };
}

const summary = (list: ReturnType<typeof mergeAppearances>) =>
  list.map((a) => ({
    camera: a.camera,
    label: a.label,
    first: Number((a.firstNs - T) / 1_000_000n) / 1000,
    last: Number((a.lastNs - T) / 1_000_000n) / 1000,
    frames: a.frames,
    best: Number((a.best.timeNs - T) / 1_000_000n) / 1000,
  }));

describe('mergeAppearances', () => {
  it('joins detections less than the gap apart, and splits at the gap or more', () => {
    const list = [det(0, 0.6), det(1, 0.7), det(10.999, 0.6), det(20.999, 0.8), det(21, 0.9), det(40, 0.5)];
    expect(summary(mergeAppearances(list, 10n * S))).toEqual([
      { camera: 'porch', label: 'person', first: 0, last: 10.999, frames: 3, best: 1 },
      { camera: 'porch', label: 'person', first: 20.999, last: 21, frames: 2, best: 21 },
      { camera: 'porch', label: 'person', first: 40, last: 40, frames: 1, best: 40 },
    ]);
  });

  it('a gap of exactly `gap` starts a new appearance', () => {
    expect(mergeAppearances([det(0, 0.6), det(10, 0.6)], 10n * S)).toHaveLength(2);
    expect(mergeAppearances([det(0, 0.6), det(9.999, 0.6)], 10n * S)).toHaveLength(1);
  });

  it('reads detections in any order', () => {
    const list = [det(5, 0.6), det(0, 0.6), det(3, 0.6), det(30, 0.6), det(1, 0.6)];
    expect(summary(mergeAppearances(list, 10n * S)).map((a) => [a.first, a.last, a.frames])).toEqual([
      [0, 5, 4],
      [30, 30, 1],
    ]);
  });

  it('keeps labels apart on the same frames', () => {
    const list = [det(0, 0.9), det(0, 0.6, { label: 'dog' }), det(1, 0.7), det(2, 0.8, { label: 'dog' })];
    const merged = summary(mergeAppearances(list, 10n * S));
    expect(merged).toEqual([
      { camera: 'porch', label: 'person', first: 0, last: 1, frames: 2, best: 0 },
      { camera: 'porch', label: 'dog', first: 0, last: 2, frames: 2, best: 2 },
    ]);
  });

  it('keeps cameras apart at the same times', () => {
    const list = [det(0, 0.9), det(1, 0.9, { camera: 'yard' }), det(2, 0.6), det(3, 0.6, { camera: 'yard' })];
    expect(summary(mergeAppearances(list, 10n * S)).map((a) => [a.camera, a.frames])).toEqual([
      ['porch', 2],
      ['yard', 2],
    ]);
  });

  it('the best frame is the highest score, the earliest of equal ones, with its own box and file', () => {
    const list = [
      det(3, 0.8, { box: [0, 0, 0.5, 0.5], filepath: 'a.jpg' }),
      det(1, 0.8, { box: [0.1, 0.1, 0.2, 0.2], filepath: 'b.jpg' }),
      det(2, 0.7),
      det(4, 0.8),
    ];
    const [only] = mergeAppearances(list, 10n * S);
    expect(only?.best.timeNs).toBe(T + 1_000_000_000n);
    expect(only?.best.box).toEqual([0.1, 0.1, 0.2, 0.2]);
    expect(only?.best.filepath).toBe('b.jpg');
  });

  it('takes the location of the last detection (a camera that was moved)', () => {
    const [only] = mergeAppearances([det(0, 0.6, { location: 'old' }), det(1, 0.6, { location: 'new' })], 10n * S);
    expect(only?.location).toBe('new');
  });

  it('is empty for no detections', () => {
    expect(mergeAppearances([], 10n * S)).toEqual([]);
  });
});

describe('newestFirst', () => {
  const list = mergeAppearances(
    [det(0, 0.6), det(100, 0.6), det(50, 0.6, { label: 'dog' }), det(100, 0.6, { camera: 'alley' })],
    10n * S,
  );

  it('orders by last seen, newest first (then camera, label), and cuts to the limit, saying so', () => {
    const all = newestFirst(list, 10);
    expect(all.truncated).toBe(false);
    expect(summary(all.appearances).map((a) => [a.camera, a.label, a.last])).toEqual([
      ['alley', 'person', 100],
      ['porch', 'person', 100],
      ['porch', 'dog', 50],
      ['porch', 'person', 0],
    ]);
    const two = newestFirst(list, 2);
    expect(two.truncated).toBe(true);
    expect(summary(two.appearances).map((a) => a.last)).toEqual([100, 100]);
    expect(newestFirst(list, 4).truncated).toBe(false);
  });
});

describe('labels of frames and events', () => {
  it('labelsByScore: each label once, by its best score, highest first; equal scores by name', () => {
    expect(
      labelsByScore([
        { label: 'dog', score: 0.4 },
        { label: 'person', score: 0.7 },
        { label: 'dog', score: 0.9 },
        { label: 'cat', score: 0.7 },
      ]),
    ).toEqual(['dog', 'cat', 'person']);
  });

  it('labelsByFrame: per camera and time', () => {
    const byFrame = labelsByFrame([
      { camera: 'a', timeNs: 1n, label: 'dog', score: 0.3 },
      { camera: 'a', timeNs: 1n, label: 'person', score: 0.8 },
      { camera: 'b', timeNs: 1n, label: 'car', score: 0.5 },
    ]);
    expect(byFrame.get('a|1')).toEqual(['person', 'dog']);
    expect(byFrame.get('b|1')).toEqual(['car']);
    expect(byFrame.get('a|2')).toBeUndefined();
  });

  it('labelsInWindows: hits from start to end, both included', () => {
    const hits = [
      { timeNs: 30n, label: 'car', score: 0.6 },
      { timeNs: 10n, label: 'person', score: 0.5 },
      { timeNs: 20n, label: 'dog', score: 0.9 },
      { timeNs: 9n, label: 'bird', score: 0.9 },
      { timeNs: 20n, label: 'person', score: 0.95 },
    ];
    expect(
      labelsInWindows(
        [
          { startNs: 10n, endNs: 20n },
          { startNs: 21n, endNs: 29n },
          { startNs: 30n, endNs: 30n },
        ],
        hits,
      ),
    ).toEqual([['person', 'dog'], [], ['car']]);
  });
});
