import { describe, expect, it } from 'vitest';
import { parseThumbnailPath, thumbnailRelativePath } from './paths.js';

describe('thumbnail paths', () => {
  it('names a file by camera, UTC hour folders and epoch ms', () => {
    const ms = Date.UTC(2026, 10, 25, 23, 59, 59, 123);
    expect(thumbnailRelativePath('cam1', ms)).toBe(`cam1/2026/11/25/23/${ms}.jpg`);
  });

  it('round-trips through the parser', () => {
    const ms = 1795618800123;
    expect(parseThumbnailPath(thumbnailRelativePath('front-door', ms))).toEqual({
      camera: 'front-door',
      capturedAtMs: ms,
    });
  });

  it('rejects paths whose folders disagree with the time, traversal and bad ids', () => {
    expect(parseThumbnailPath('cam1/2026/11/25/22/1795618800123.jpg')).toBeNull();
    expect(parseThumbnailPath('../cam1/2026/11/25/15/1795618800123.jpg')).toBeNull();
    expect(parseThumbnailPath('cam1/2026/11/25/15/1795618800123.jpg.tmp')).toBeNull();
    expect(() => thumbnailRelativePath('../etc', 0)).toThrow(RangeError);
  });
});
