import { parseThumbnailPath } from '@fathom/index-contract';
import { describe, expect, it } from 'vitest';
import { DATA_END_MS, DATASETS, type DatasetSpec, lineBatches, pointCount, thumbnailLine } from './dataset.js';

const byKey = (key: DatasetSpec['key']) => DATASETS.find((d) => d.key === key) as DatasetSpec;

describe('bench data sets', () => {
  it('have the sizes the issue asks for', () => {
    expect(pointCount(byKey('day1'))).toBe(86_400);
    expect(pointCount(byKey('day30'))).toBe(2_592_000);
    expect(pointCount(byKey('cams10day7'))).toBe(6_048_000);
    expect(new Set(DATASETS.map((d) => d.bucket)).size).toBe(DATASETS.length);
  });

  it('write points shaped like the feed-handler: contract names, path agreeing with the time, ms precision', () => {
    const spec = byKey('cams10day7');
    const cam = spec.cameras[3];
    if (!cam) throw new Error('no camera');
    const ms = spec.startMs + 1000 + cam.offsetMs;
    const line = thumbnailLine(cam, 3, 1, ms);
    const match =
      /^filepaths,camera=cam-03,location=yard filepath="([^"]+)",bytes=(\d+)i,width=320i,height=180i (\d+)$/.exec(line);
    expect(match).not.toBeNull();
    expect(parseThumbnailPath(match?.[1] ?? '')).toEqual({ camera: 'cam-03', capturedAtMs: ms });
    expect(Number(match?.[3])).toBe(ms);
  });

  it('batches cover every frame once, time-major, all before the end', () => {
    const spec = { ...byKey('cams10day7'), startMs: DATA_END_MS - 7_000 };
    const lines = [...lineBatches(spec, 16)].flat();
    expect(lines).toHaveLength(70);
    const times = lines.map((line) => Number(line.split(' ').at(-1)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.max(...times)).toBeLessThan(DATA_END_MS);
    expect(new Set(lines).size).toBe(70);
  });
});
