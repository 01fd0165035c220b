import { describe, expect, it } from 'vitest';
import { countSlowReaderWarnings, fanoutPublisherArgs } from './fanout-relay.js';

describe('fan-out relay', () => {
  it('publishes the clip looped at its own rate, copied', () => {
    const args = fanoutPublisherArgs('/c.mp4', 'rtsp://127.0.0.1:1/fanout');
    expect(args.join(' ')).toContain('-re -stream_loop -1 -i /c.mp4 -c copy -f rtsp');
  });

  it("counts MediaMTX's slow-reader warnings, nothing else", () => {
    const output = [
      "2026/11/30 16:07:01 INF [RTSP] [session 1] is reading from path 'fanout'",
      '2026/11/30 16:07:12 WAR [RTSP] [session 2] reader is too slow, discarding 12 frames',
      '2026/11/30 16:07:13 WAR [RTSP] [session 2] reader is too slow, discarding 3 frames',
    ].join('\n');
    expect(countSlowReaderWarnings(output)).toBe(2);
    expect(countSlowReaderWarnings('')).toBe(0);
  });
});
