import { describe, expect, it } from 'vitest';
import { parseSegmentListLine, segmentStreamTimesMs } from './segment-list.js';

describe('segment list lines', () => {
  it('parses ffmpeg csv entries and nothing else', () => {
    expect(parseSegmentListLine('mwz1a0-000003.mp4,24.000000,26.800000')).toEqual({
      file: 'mwz1a0-000003.mp4',
      startSeconds: 24,
      endSeconds: 26.8,
    });
    expect(parseSegmentListLine('[segment @ 0x1] Opening out/r-000001.mp4 for writing')).toBeNull();
    expect(parseSegmentListLine('../x-000001.mp4,0.0,1.0')).toBeNull();
    expect(parseSegmentListLine('x-000001.mp4,5.0,1.0')).toBeNull();
  });

  it('places the list times on the stream clock from the first frame', () => {
    const entry = { file: 'r-000001.mp4', startSeconds: 3, endSeconds: 13 };
    expect(segmentStreamTimesMs(entry, 2_000)).toEqual({ startStreamMs: 5_000, endStreamMs: 15_000 });
  });
});
