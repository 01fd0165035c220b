import { parseThumbnailPath } from '@fathom/index-contract';
import { describe, expect, it } from 'vitest';
import {
  DAY_START_MS,
  distinctFileName,
  distinctStillsArgs,
  EXPORT_CAMERA,
  exportRequestBody,
  sourceIndex,
  stillLine,
  stillRelativePath,
  stillTimeMs,
} from './dataset.js';

describe('the camera-day', () => {
  it('has one still a second, off the whole second, named as the feed-handler names them', () => {
    expect(new Date(stillTimeMs(0)).toISOString()).toBe('2026-10-01T00:00:00.037Z');
    expect(new Date(stillTimeMs(86_399)).toISOString()).toBe('2026-10-01T23:59:59.037Z');
    expect(stillRelativePath(3_600)).toBe(`${EXPORT_CAMERA}/2026/10/01/01/${stillTimeMs(3_600)}.jpg`);
    expect(parseThumbnailPath(stillRelativePath(86_399))).toEqual({
      camera: EXPORT_CAMERA,
      capturedAtMs: stillTimeMs(86_399),
    });
  });

  it('cycles through the distinct stills', () => {
    expect([0, 1, 3_599, 3_600, 86_399].map((i) => sourceIndex(i, 3_600))).toEqual([0, 1, 3_599, 0, 3_599]);
    expect(distinctFileName(42)).toBe('000042.jpg');
    expect(distinctStillsArgs(3_600, '/d')).toEqual(expect.arrayContaining(['-frames:v', '3600', '/d/%06d.jpg']));
  });

  it('indexes each still as a thumbnail point at ms precision', () => {
    expect(stillLine(1, 17_000)).toBe(
      `filepaths,camera=${EXPORT_CAMERA},location=bench bytes=17000i,filepath="${stillRelativePath(1)}",height=360i,width=640i ${stillTimeMs(1)}`,
    );
  });

  it('asks for [day start, day start + stills) in unix seconds', () => {
    expect(exportRequestBody({ stills: 86_400, fps: 30, width: 320, burnIn: true })).toEqual({
      camera: EXPORT_CAMERA,
      from: DAY_START_MS / 1000,
      to: DAY_START_MS / 1000 + 86_400,
      fps: 30,
      width: 320,
      burnIn: true,
    });
  });
});
