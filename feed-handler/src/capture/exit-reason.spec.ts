import { describe, expect, it } from 'vitest';
import { classifyFfmpegError, describeExit, exitFromFluentMessage } from './exit-reason.js';

describe('ffmpeg failure classification', () => {
  it('names the failure from the stderr tail', () => {
    const cases: [string, string | null][] = [
      [
        '[mp4 @ 0x5] Error writing trailer of /tmp/fh/_chunks/.staging/cam2/lx1-000003.mp4: No space left on device',
        'disk full',
      ],
      ['av_interleaved_write_frame(): No space left on device', 'disk full'],
      ['Error: ENOSPC: no space left on device, write', 'disk full'],
      [
        '[tcp @ 0x5] Connection to tcp://10.0.0.7:554?timeout=10000000 failed: Connection refused',
        'connection refused',
      ],
      ['[rtsp @ 0x5] method DESCRIBE failed: 404 Not Found', 'not found'],
      ['rtsp://***@cam/1: Server returned 404 Not Found', 'not found'],
      ['[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized', 'unauthorized'],
      ['rtsp://cam/1: Server returned 403 Forbidden (access denied)', 'forbidden'],
      ['[tcp @ 0x5] Connection to tcp://cam:554 failed: Connection timed out', 'timed out'],
      ['rtsp://cam/1: Invalid data found when processing input', 'invalid data'],
      ['[tcp @ 0x5] Failed to resolve hostname nocam: Name or service not known', 'unknown host'],
      ['Connection to tcp://10.9.9.9:554 failed: No route to host', 'host unreachable'],
      ['[rtsp @ 0x5] Error in the pull function: Connection reset by peer', 'connection lost'],
      ['/var/fathom/thumbs: Permission denied', 'permission denied'],
      ['frame=  120 fps= 10 q=5.0 size=N/A time=00:00:12.00 bitrate=N/A speed=1x', null],
      ['Exiting normally, received signal 15.', null],
    ];
    for (const [line, kind] of cases) expect(classifyFfmpegError([line]), line).toBe(kind);
  });

  it('lets a full disk win over what follows from it', () => {
    expect(
      classifyFfmpegError([
        'Error writing trailer of /tmp/x/_chunks/.staging/cam2/a-000001.mp4: No space left on device',
        '[tcp @ 0x5] Connection reset by peer',
      ]),
    ).toBe('disk full');
  });
});

describe('status reasons', () => {
  const tail = [
    "Input #0, rtsp, from 'rtsp://***@cam/1':",
    '[mp4 @ 0x55d] Error writing trailer of /tmp/fh-7/_chunks/.staging/cam2/lx1-000003.mp4: No space left on devi',
    'Conversion failed!',
  ];

  it('are short, one line, classified and carry no paths or URLs', () => {
    const reason = describeExit({ code: 1, signal: null }, tail);
    expect(reason).toBe('exited: code 1 (disk full)');
    for (const r of [
      reason,
      describeExit({ code: 1, signal: null }, ['Connection to tcp://cam:554 failed: Connection refused']),
      describeExit({ code: null, signal: 'SIGKILL' }, []),
      describeExit({ code: null, signal: null, error: 'spawn /opt/ffmpeg/bin/ffmpeg ENOENT' }),
    ]) {
      expect(r).not.toMatch(/[\n/\\]|rtsp:|\.mp4/);
      expect(r.length).toBeLessThanOrEqual(60);
    }
  });

  it('say how ffmpeg ended', () => {
    expect(describeExit({ code: 1, signal: null })).toBe('exited: code 1');
    expect(describeExit({ code: 1, signal: null }, ['x: Connection refused'])).toBe(
      'exited: code 1 (connection refused)',
    );
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('exited: signal SIGKILL');
    expect(describeExit({ code: null, signal: null })).toBe('exited: code unknown');
    expect(describeExit({ code: null, signal: null, error: 'spawn ffmpeg EACCES' })).toBe(
      'failed: ffmpeg did not start (permission denied)',
    );
  });
});

describe('exitFromFluentMessage', () => {
  it('reads the exit code or signal out of fluent-ffmpeg error messages', () => {
    expect(exitFromFluentMessage('ffmpeg exited with code 1: ')).toEqual({ code: 1, signal: null });
    expect(exitFromFluentMessage('ffmpeg was killed with signal SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitFromFluentMessage('spawn ffmpeg ENOENT')).toEqual({ code: null, signal: null });
  });
});
