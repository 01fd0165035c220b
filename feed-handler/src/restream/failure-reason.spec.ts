import { describe, expect, it } from 'vitest';
import { describeProbeFailure, describeRestreamEnd } from './failure-reason.js';

const exit1 = { code: 1, signal: null };

describe('restream failure reasons', () => {
  it('a publish the server refuses (nginx-rtmp on_publish, a wrong YouTube key) asks to check the key', () => {
    expect(describeRestreamEnd(exit1, ['rtmp://127.0.0.1:1935/live/***: Input/output error'])).toEqual({
      reason: 'target: publish refused (check the stream key)',
      side: 'target',
    });
  });

  it('names the network failure of the target', () => {
    expect(
      describeRestreamEnd(exit1, [
        '[tcp @ 0x1] Connection to tcp://127.0.0.1:19350?tcp_nodelay=0 failed: Connection refused',
        '[rtmp @ 0x2] Cannot open connection tcp://127.0.0.1:19350?tcp_nodelay=0',
        'rtmp://127.0.0.1:19350/live/***: Connection refused',
      ]),
    ).toEqual({ reason: 'target: connection refused', side: 'target' });
    expect(describeRestreamEnd(exit1, ['rtmp://nowhere.invalid/live/***: Name or service not known']).reason).toBe(
      'target: unknown host',
    );
    expect(describeRestreamEnd(exit1, ['rtmps://h/app/***: Connection timed out']).reason).toBe('target: timed out');
  });

  it('a server that goes away mid-stream is a lost connection', () => {
    expect(
      describeRestreamEnd(exit1, [
        'av_interleaved_write_frame(): Broken pipe',
        'Error writing trailer of rtmp://127.0.0.1:19350/live/***: Broken pipe',
        'Conversion failed!',
      ]),
    ).toEqual({ reason: 'target: connection lost', side: 'target' });
    expect(describeRestreamEnd(exit1, ['[rtmp @ 0x1] Server error: Already publishing']).reason).toBe(
      'target: publish refused by the server',
    );
  });

  it('blames the camera when its side failed', () => {
    expect(describeRestreamEnd(exit1, ['rtsp://***@cam/1: Connection refused'])).toEqual({
      reason: 'camera: connection refused',
      side: 'camera',
    });
    expect(describeRestreamEnd(exit1, ['[rtsp @ 0x1] method PLAY failed: 404 Not Found']).side).toBe('camera');
  });

  it('falls back to how it exited', () => {
    expect(describeRestreamEnd({ code: null, signal: 'SIGKILL' }, [])).toEqual({
      reason: 'exited: signal SIGKILL',
      side: 'unknown',
    });
    expect(describeRestreamEnd({ code: null, signal: null, error: 'spawn ffmpeg ENOENT' }, []).reason).toBe(
      'ffmpeg did not start (error)',
    );
  });

  it('a probe that never opened the camera says why', () => {
    expect(describeProbeFailure(exit1, ['rtsp://***@cam/1: Connection refused'])).toBe('camera: connection refused');
    expect(describeProbeFailure({ code: null, signal: 'SIGKILL' }, [])).toBe('camera: no stream');
  });
});
