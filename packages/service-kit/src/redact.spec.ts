import { describe, expect, it } from 'vitest';
import { redactCredentials } from './redact.js';

describe('credential redaction', () => {
  it('hides user:pass@ in any URL inside a text', () => {
    expect(redactCredentials('[rtsp @ 0x1] rtsp://admin:s3cret@10.0.0.5:554/stream1: Connection refused')).toBe(
      '[rtsp @ 0x1] rtsp://***@10.0.0.5:554/stream1: Connection refused',
    );
    expect(redactCredentials('rtsp://10.0.0.5/x')).toBe('rtsp://10.0.0.5/x');
  });
});
