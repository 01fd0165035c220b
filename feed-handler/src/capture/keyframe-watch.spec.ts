import { describe, expect, it } from 'vitest';
import { KeyframeWatch, keyframeWatchOutput, parseKeyframeWatchLine } from './keyframe-watch.js';
import { parseShowinfoLine } from './showinfo.js';

// Lines as ffmpeg 5.1 prints them with the watch beside the thumbnail branch.
const TIMEBASE = '[showinfo@keyframes @ 0x55b6e103fdc0] config in time_base: 1/90000, frame_rate: 10/1';
const KEYFRAME =
  '[showinfo@keyframes @ 0x55b6e103fdc0] n:   1 pts:  90540 pts_time:1.006   pos:     2057 fmt:yuv420p sar:1/1 s:640x360 i:P iskey:1 type:I ';
const THUMBNAIL =
  '[Parsed_showinfo_2 @ 0x55b6e0fc7a80] n:   1 pts:  90540 pts_time:1.006   pos:     2057 fmt:yuvj420p sar:1/1 s:320x180 i:P iskey:1 type:I checksum:DA005C';

describe('keyframe watch', () => {
  it('is one more output: keyframes selected, printed without checksums, into the null muxer', () => {
    expect(keyframeWatchOutput()).toEqual({
      target: '-',
      options: [
        '-map',
        '0:v:0',
        '-an',
        '-sn',
        '-dn',
        '-vf',
        'select=key,showinfo@keyframes=checksum=0',
        '-fps_mode',
        'passthrough',
        '-f',
        'null',
      ],
    });
  });

  it('reads its own lines and leaves the thumbnail branch to the pairing', () => {
    expect(parseKeyframeWatchLine(TIMEBASE)).toEqual({ kind: 'timebase', num: 1, den: 90000 });
    expect(parseKeyframeWatchLine(KEYFRAME)).toEqual({ kind: 'keyframe', pts: 90540 });
    expect(parseKeyframeWatchLine(THUMBNAIL)).toBeNull();
    expect(KeyframeWatch.owns(KEYFRAME)).toBe(true);
    expect(KeyframeWatch.owns(THUMBNAIL)).toBe(false);
    // The pairing counts Parsed_showinfo_N lines only: the watch's never reach it.
    expect(parseShowinfoLine(KEYFRAME)).toBeNull();
  });

  it('turns keyframe lines into stream times in its time base', () => {
    const watch = new KeyframeWatch();
    expect(watch.add(TIMEBASE)).toBeNull();
    expect(watch.add(KEYFRAME)).toBe(1006);
    expect(watch.add('[showinfo@keyframes @ 0x1] color_range:tv')).toBeNull();
    expect(watch.add('[showinfo@keyframes @ 0x1] n:   2 pts: -9000 pts_time:-0.1')).toBeNull();
  });
});
