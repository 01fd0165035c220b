import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';
import { CaptureClock } from './capture-clock.js';
import { chooseDecodeMode, medianIntervalMs } from './decode-mode.js';
import { captureArgs, inputOptions, probeArgs } from './ffmpeg-args.js';
import { periodEndMs, periodMayHoldNewer, sortedFolderNumbers } from './folders.js';
import { redactCredentials } from './redact.js';
import { RingBuffer } from './ring-buffer.js';
import { parseShowinfoLine, ptsToMs } from './showinfo.js';

describe('backoff', () => {
  const policy = { baseMs: 1000, maxMs: 10_000, jitter: 0.2 };
  it('doubles from the base and stops at the cap', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelayMs(n, policy, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
  it('jitters downwards within the jitter fraction', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, r) => {
        const d = backoffDelayMs(attempt, policy, () => r);
        const full = Math.min(10_000, 1000 * 2 ** Math.min(attempt, 30));
        return d <= full && d >= Math.floor(full * 0.8);
      }),
    );
  });
});

describe('ffmpeg arguments', () => {
  const spec = { url: 'rtsp://cam/x', mode: 'keyframes' as const, width: 320, quality: 5, socketTimeoutSeconds: 10 };
  it('puts RTSP-over-TCP, the socket timeout and skip_frame before -i, keeping the stream timestamps', () => {
    expect(inputOptions(spec)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '10000000',
      '-fflags',
      'nobuffer',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-threads',
      '1',
      '-skip_frame',
      'nokey',
    ]);
  });
  it('decodes every frame in all-frames mode', () => {
    expect(inputOptions({ ...spec, mode: 'all' })).not.toContain('-skip_frame');
  });
  it('selects one frame per wall-clock second, scales, then reports times with showinfo last', () => {
    const out = captureArgs(spec).outputOptions;
    const vf = out[out.indexOf('-vf') + 1];
    expect(vf).toBe('select=isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t)),scale=320:-2,showinfo');
    expect(out).toEqual(
      expect.arrayContaining(['-copyts', '-fps_mode', 'passthrough', '-f', 'image2pipe', '-q:v', '5']),
    );
    expect(out[out.indexOf('-c:v') + 1]).toBe('mjpeg');
  });
  it('probes keyframes only, to a null output', () => {
    const args = probeArgs({ socketTimeoutSeconds: 5 });
    expect(args.inputOptions).toContain('nokey');
    expect(args.outputOptions.slice(-2)).toEqual(['-f', 'null']);
  });
});

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

describe('decode mode', () => {
  it('uses keyframes when they come about once a second', () => {
    expect(chooseDecodeMode('auto', [0, 1006, 2012, 3018]).mode).toBe('keyframes');
    expect(chooseDecodeMode('auto', [0, 500, 1000]).mode).toBe('keyframes');
  });
  it('decodes everything for a measured long GOP, and keeps that choice', () => {
    expect(chooseDecodeMode('auto', [0, 2000, 4000])).toMatchObject({ mode: 'all', source: 'probe', keep: true });
    expect(chooseDecodeMode('auto', [0, 1101])).toMatchObject({ mode: 'all', source: 'probe', keep: true });
    expect(chooseDecodeMode('auto', [0, 1100])).toMatchObject({ mode: 'keyframes', source: 'probe', keep: true });
  });
  it('treats fewer than two keyframes as inconclusive: all frames for one run, not kept', () => {
    expect(chooseDecodeMode('auto', [5])).toMatchObject({ mode: 'all', source: 'inconclusive', keep: false });
    expect(chooseDecodeMode('auto', [])).toMatchObject({
      mode: 'all',
      source: 'inconclusive',
      keep: false,
      keyframeIntervalMs: null,
    });
  });
  it('honours an override', () => {
    expect(chooseDecodeMode('all', [0, 1000, 2000])).toMatchObject({ mode: 'all', source: 'override', keep: true });
    expect(chooseDecodeMode('keyframes', [])).toMatchObject({ mode: 'keyframes', source: 'override', keep: true });
  });
  it('takes the median interval', () => {
    expect(medianIntervalMs([0, 1000, 2000, 9000])).toBe(1000);
  });
});

describe('hour folders', () => {
  it('computes period ends in UTC', () => {
    expect(periodEndMs([2026])).toBe(Date.UTC(2027, 0, 1));
    expect(periodEndMs([2026, 12])).toBe(Date.UTC(2027, 0, 1));
    expect(periodEndMs([2026, 11, 30])).toBe(Date.UTC(2026, 11, 1));
    expect(periodEndMs([2026, 11, 25, 23])).toBe(Date.UTC(2026, 10, 26, 0));
  });
  it('skips periods that end at or before the cursor', () => {
    const cursor = Date.UTC(2026, 10, 25, 15, 30);
    expect(periodMayHoldNewer([2026, 11, 25, 14], cursor)).toBe(false);
    expect(periodMayHoldNewer([2026, 11, 25, 15], cursor)).toBe(true);
    expect(periodMayHoldNewer([2026, 11, 25, 15], Date.UTC(2026, 10, 25, 16) - 1)).toBe(false);
    expect(periodMayHoldNewer([2025], null)).toBe(true);
  });
  it('keeps only our folder names, numerically sorted', () => {
    expect(sortedFolderNumbers(['2027', '.staging', '2026', 'x', '202'], 0)).toEqual([2026, 2027]);
    expect(sortedFolderNumbers(['10', '09', '1'], 1)).toEqual([9, 10]);
  });
});

describe('credential redaction', () => {
  it('hides user:pass@ in any URL inside a text', () => {
    expect(redactCredentials('[rtsp @ 0x1] rtsp://admin:s3cret@10.0.0.5:554/stream1: Connection refused')).toBe(
      '[rtsp @ 0x1] rtsp://***@10.0.0.5:554/stream1: Connection refused',
    );
    expect(redactCredentials('rtsp://10.0.0.5/x')).toBe('rtsp://10.0.0.5/x');
  });
});

describe('ring buffer', () => {
  it('keeps the newest items only', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 10; i++) ring.push(i);
    expect(ring.toArray()).toEqual([7, 8, 9]);
  });
});

describe('capture clock', () => {
  const t0 = 1_795_618_800_000;
  it('anchors stream time to the least-delayed arrival, so late arrivals do not move capture times', () => {
    const clock = new CaptureClock(30);
    // Stream times are exact (1 s apart); arrivals are 21 ms late, one of them 110 ms.
    expect(clock.capturedAt(0, t0 + 25)).toBe(t0 + 25);
    expect(clock.capturedAt(1000, t0 + 1021)).toBe(t0 + 1021);
    expect(clock.capturedAt(2000, t0 + 2110)).toBe(t0 + 2021);
    expect(clock.capturedAt(3000, t0 + 3022)).toBe(t0 + 3021);
  });
  it('forgets old samples, following a drifting camera clock', () => {
    const clock = new CaptureClock(3);
    clock.capturedAt(0, t0 + 20);
    for (let k = 1; k <= 5; k++) clock.capturedAt(k * 1000, t0 + k * 1000 + 20 + k * 5);
    expect(clock.capturedAt(6000, t0 + 6000 + 50)).toBe(t0 + 6000 + 40);
  });
  it('starts over when the stream time jumps', () => {
    const clock = new CaptureClock(30);
    clock.capturedAt(0, t0 + 20);
    clock.capturedAt(1000, t0 + 1020);
    // The camera restarted its RTP clock: stream time back to 0 while the wall clock moved on.
    expect(clock.capturedAt(0, t0 + 2030)).toBe(t0 + 2030);
    expect(clock.capturedAt(1000, t0 + 3025)).toBe(t0 + 3025);
  });
});
