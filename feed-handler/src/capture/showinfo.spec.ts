import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShowinfoLine, ptsToMs } from './showinfo.js';

describe('showinfo parsing', () => {
  it('reads the time base and frame lines', () => {
    expect(
      parseShowinfoLine('[Parsed_showinfo_2 @ 0x5617dadf25c0] config in time_base: 1/90000, frame_rate: 10/1'),
    ).toEqual({
      kind: 'timebase',
      num: 1,
      den: 90000,
      frameRate: { num: 10, den: 1 },
    });
    expect(parseShowinfoLine('[Parsed_showinfo_0 @ 0x1] config in time_base: 1/90000, frame_rate: 0/0')).toMatchObject({
      frameRate: null,
    });
    expect(
      parseShowinfoLine(
        '[Parsed_showinfo_2 @ 0x5617dadf25c0] n:   1 pts:161605793402182 pts_time:1.79562e+09 pos:       -1 fmt:yuvj420p sar:1/1 s:320x180 i:P iskey:1 type:I checksum:0937EE02',
      ),
    ).toEqual({ kind: 'frame', n: 1, pts: 161605793402182, keyframe: true });
    expect(parseShowinfoLine('[Parsed_showinfo_2 @ 0x1] color_range:pc')).toBeNull();
    expect(parseShowinfoLine('Input #0, rtsp, from ...')).toBeNull();
  });
  it('converts 90 kHz wall-clock pts to epoch ms exactly', () => {
    expect(ptsToMs(161605793402182, 1, 90000)).toBe(1795619926691);
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (ms) => ptsToMs(ms * 90, 1, 90000) === ms));
  });
});
