import { describe, expect, it } from 'vitest';
import { keyRedactor, redactStreamUrls } from './redaction.js';

describe('stream key redaction', () => {
  it('masks what follows the application of any RTMP URL, key and query alike', () => {
    expect(redactStreamUrls("Output #0, flv, to 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop':")).toBe(
      "Output #0, flv, to 'rtmp://a.rtmp.youtube.com/live2/***':",
    );
    expect(redactStreamUrls('rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab?s_bl=1&s_sc=2: I/O error')).toBe(
      'rtmps://live-api-s.facebook.com:443/rtmp/***: I/O error',
    );
    expect(redactStreamUrls('rtmp://127.0.0.1:1935/live')).toBe('rtmp://127.0.0.1:1935/live');
    expect(redactStreamUrls('rtsp://cam/stream1/sub')).toBe('rtsp://cam/stream1/sub');
  });

  it('masks each known key wherever it appears, percent-encoded too, and camera credentials', () => {
    const redact = keyRedactor(['s3cr3t-key', 'a b/c']);
    expect(redact('rtmp://127.0.0.1:1935/live/s3cr3t-key: Input/output error')).toBe(
      'rtmp://127.0.0.1:1935/live/***: Input/output error',
    );
    expect(redact("[rtmp @ 0x1] Server error: stream 's3cr3t-key' is already publishing")).toBe(
      "[rtmp @ 0x1] Server error: stream '***' is already publishing",
    );
    expect(redact('name=a%20b%2Fc&call=publish')).toBe('name=***&call=publish');
    expect(redact("Input #0, rtsp, from 'rtsp://admin:pw@10.0.0.5/s':")).toBe(
      "Input #0, rtsp, from 'rtsp://***@10.0.0.5/s':",
    );
  });

  it('masks a key that contains another key whole', () => {
    expect(keyRedactor(['abcd', 'abcd-efgh'])('x abcd-efgh y abcd')).toBe('x *** y ***');
  });
});
