import { describe, expect, it } from 'vitest';
import { countJpegEnds, isShowinfoFrameLine, pairedDelaysMs, ratePerSecond } from './streams.js';

describe('countJpegEnds', () => {
  it('counts EOI markers, also one split across two chunks', () => {
    const jpeg = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0xff, 0x00, 0x12, 0xff, 0xd9];
    expect(countJpegEnds(-1, Uint8Array.from([...jpeg, ...jpeg]))).toBe(2);
    expect(countJpegEnds(-1, Uint8Array.from([0x01, 0xff]))).toBe(0);
    expect(countJpegEnds(0xff, Uint8Array.from([0xd9, 0x00]))).toBe(1);
    expect(countJpegEnds(0xfe, Uint8Array.from([0xd9]))).toBe(0);
  });
});

describe('isShowinfoFrameLine', () => {
  it('takes the frame lines of the thumbnail branch, not its config lines nor the keyframe watch', () => {
    expect(
      isShowinfoFrameLine(
        '[Parsed_showinfo_3 @ 0x55d0c0] n:   4 pts: 360000 pts_time:4       duration:   3000 fmt:yuv420p',
      ),
    ).toBe(true);
    expect(isShowinfoFrameLine('[Parsed_showinfo_3 @ 0x55d0c0] config in time_base: 1/90000, frame_rate: 30/1')).toBe(
      false,
    );
    expect(isShowinfoFrameLine('[showinfo@keyframes @ 0x55d0c0] n:   4 pts: 360000')).toBe(false);
  });
});

describe('ratePerSecond and pairedDelaysMs', () => {
  it('counts events in [start, end)', () => {
    expect(ratePerSecond([0, 999, 1000, 1500, 2000, 3000], 1000, 3000)).toBe(1.5);
    expect(ratePerSecond([1], 5, 5)).toBeNaN();
  });

  it('pairs the k-th JPEG with the k-th showinfo line, for JPEGs that ended in the window', () => {
    expect(pairedDelaysMs([100, 1100, 2100], [1102, 2101, 3103], 1000, 3000)).toEqual([1002, 1001]);
    expect(pairedDelaysMs([100, 1100], [102], 0, 5000)).toEqual([2]);
  });
});
