import { describe, expect, it } from 'vitest';
import { KEYFRAME_LIST_TARGET, keyframeListOptions, parseKeyframeListLine } from './keyframe-list.js';

describe('keyframe list', () => {
  it('copies the video into a segment muxer cut at every keyframe, into /dev/null, the cuts listed on stderr', () => {
    const options = keyframeListOptions();
    expect(KEYFRAME_LIST_TARGET).toBe('/dev/null');
    expect(options.join(' ')).toBe(
      '-map 0:v:0 -c:v copy -an -sn -dn -f segment -avoid_negative_ts make_zero -segment_format mp4 -strftime 1 -segment_time 0.001 -segment_list pipe:2 -segment_list_type csv',
    );
  });

  it('parses a line into stream times in ms', () => {
    expect(parseKeyframeListLine('null,1.080000,1.960000')).toEqual({ startStreamMs: 1080, endStreamMs: 1960 });
    expect(parseKeyframeListLine('null,3599.999911,3600.999900')).toEqual({
      startStreamMs: 3_600_000,
      endStreamMs: 3_601_000,
    });
    expect(parseKeyframeListLine('null,0.000000,4.000000\n')).toEqual({ startStreamMs: 0, endStreamMs: 4000 });
  });

  it('leaves the chunk list, showinfo and backwards lines alone', () => {
    expect(parseKeyframeListLine('r1a-000001.mp4,0.000000,10.000000')).toBeNull();
    expect(parseKeyframeListLine('[Parsed_showinfo_0 @ 0x1] n:0 pts:0 pts_time:0 iskey:1')).toBeNull();
    expect(parseKeyframeListLine('null,4.000000,3.000000')).toBeNull();
  });
});
