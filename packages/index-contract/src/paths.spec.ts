import { describe, expect, it } from 'vitest';
import { chunkRelativePath, parseChunkPath, parseThumbnailPath, thumbnailRelativePath } from './paths.js';

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

describe('chunk paths', () => {
  it('names a chunk by camera, the UTC hour of its start, and both times', () => {
    const start = Date.UTC(2026, 10, 25, 23, 59, 58, 5);
    expect(chunkRelativePath('cam1', start, start + 600_000)).toBe(
      `cam1/2026/11/25/23/${start}-${start + 600_000}.mp4`,
    );
  });

  it('round-trips and rejects anything else', () => {
    const path = chunkRelativePath('front-door', 1795618800123, 1795619400000);
    expect(parseChunkPath(path)).toEqual({ camera: 'front-door', startMs: 1795618800123, endMs: 1795619400000 });
    expect(parseChunkPath(`${path}.tmp`)).toBeNull();
    expect(parseChunkPath('cam1/2026/11/25/22/1795618800123-1795619400000.mp4')).toBeNull();
    expect(parseChunkPath('cam1/2026/11/25/15/1795619400000-1795618800123.mp4')).toBeNull();
    expect(parseChunkPath('_chunks/2026/11/25/15/1795618800123-1795619400000.mp4')).toBeNull();
    expect(parseThumbnailPath(path)).toBeNull();
    expect(() => chunkRelativePath('cam1', 10, 5)).toThrow(RangeError);
  });
});
