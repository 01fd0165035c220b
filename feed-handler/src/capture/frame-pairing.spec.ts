import { describe, expect, it } from 'vitest';
import { FramePairer } from './frame-pairing.js';

describe('frame pairing', () => {
  const info = (n: number, pts: number) =>
    `[Parsed_showinfo_2 @ 0x55] n:${String(n).padStart(4)} pts:${pts} pts_time:1.8e+09 pos: -1 fmt:yuvj420p s:320x180 i:P iskey:1 type:I`;

  it('pairs the n-th JPEG with the n-th showinfo line, whichever arrives first', () => {
    const pairer = new FramePairer({ anchorSamples: 1 });
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x55] config in time_base: 1/90000, frame_rate: 10/1', 0);
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    const t0 = 1_795_618_800_000;
    expect(pairer.addJpeg(a)).toEqual([]);
    // At 10 fps each line comes one frame (100 ms) after its frame: stream time 0 seen at
    // t0 + 120 was captured at t0 + 20; stream time 1000 ms is seen a further 35 ms late.
    expect(pairer.addStderrLine(info(0, 0), t0 + 120)).toEqual([{ jpeg: a, n: 0, capturedAtMs: t0 + 20 }]);
    expect(pairer.addStderrLine(info(1, 90_000), t0 + 1155)).toEqual([]);
    expect(pairer.addJpeg(b)).toEqual([{ jpeg: b, n: 1, capturedAtMs: t0 + 1020 }]);
    expect(pairer.sequenceErrors).toBe(0);
  });

  it('holds the first frames until the anchor rests on 3 arrivals, then stamps them with it', () => {
    const pairer = new FramePairer();
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x55] config in time_base: 1/90000, frame_rate: 10/1', 0);
    const t0 = 1_795_618_800_000;
    const jpegs = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c'), Buffer.from('d')];
    // Frame 0's line is 52 ms late (a loaded host); frames 1 and 2 come with the usual 20 ms.
    expect(pairer.addJpeg(jpegs[0] as Buffer)).toEqual([]);
    expect(pairer.addStderrLine(info(0, 0), t0 + 152)).toEqual([]);
    expect(pairer.holding).toBe(true);
    expect(pairer.addJpeg(jpegs[1] as Buffer)).toEqual([]);
    expect(pairer.addStderrLine(info(1, 90_000), t0 + 1120)).toEqual([]);
    expect(pairer.addJpeg(jpegs[2] as Buffer)).toEqual([]);
    // The third arrival settles the anchor at t0 + 20: all three are stamped by it, frame 0 included.
    expect(pairer.addStderrLine(info(2, 180_000), t0 + 2125).map((f) => f.capturedAtMs - t0)).toEqual([20, 1020, 2020]);
    expect(pairer.holding).toBe(false);
    expect(pairer.framesSeen).toBe(3);
    // From then on each frame goes out as soon as both halves are in.
    expect(pairer.addStderrLine(info(3, 270_000), t0 + 3121)).toEqual([]);
    expect(pairer.addJpeg(jpegs[3] as Buffer)).toEqual([{ jpeg: jpegs[3], n: 3, capturedAtMs: t0 + 3020 }]);
  });

  it('releases held frames after maxHoldMs, and at exit, with the best anchor there is', () => {
    const t0 = 1_795_618_800_000;
    const slow = new FramePairer({ maxHoldMs: 3000 });
    slow.addJpeg(Buffer.from('a'));
    slow.addStderrLine(info(0, 0), t0 + 20);
    expect(slow.releaseStale(t0 + 2999)).toEqual([]);
    expect(slow.releaseStale(t0 + 3020)).toEqual([{ jpeg: Buffer.from('a'), n: 0, capturedAtMs: t0 + 20 }]);

    const exiting = new FramePairer();
    exiting.addJpeg(Buffer.from('a'));
    exiting.addStderrLine(info(0, 0), t0 + 40);
    exiting.addJpeg(Buffer.from('b'));
    exiting.addStderrLine(info(1, 90_000), t0 + 1020);
    expect(exiting.flush().map((f) => f.capturedAtMs - t0)).toEqual([20, 1020]);
    expect(exiting.pending).toEqual({ times: 0, jpegs: 0 });
  });

  it('stamps frames held across a stream discontinuity by the anchor of their own timeline', () => {
    const t0 = 1_795_618_800_000;
    const pairer = new FramePairer();
    pairer.addJpeg(Buffer.from('a'));
    pairer.addJpeg(Buffer.from('b'));
    pairer.addStderrLine(info(0, 0), t0 + 20);
    // The camera restarted its RTP clock: stream time back to 0 while the wall clock moved on.
    expect(pairer.addStderrLine(info(1, 0), t0 + 1030)).toEqual([
      { jpeg: Buffer.from('a'), n: 0, capturedAtMs: t0 + 20 },
    ]);
    expect(pairer.holding).toBe(true);
    expect(pairer.flush()).toEqual([{ jpeg: Buffer.from('b'), n: 1, capturedAtMs: t0 + 1030 }]);
  });

  it('counts a skipped frame number', () => {
    const pairer = new FramePairer();
    pairer.addStderrLine(info(0, 90), 1);
    pairer.addStderrLine(info(2, 180), 2);
    expect(pairer.sequenceErrors).toBe(1);
    expect(pairer.pending).toEqual({ times: 2, jpegs: 0 });
  });
});

describe('capture time of a chunk boundary', () => {
  it('maps stream time with the same offset as the frames', () => {
    const pairer = new FramePairer({ anchorSamples: 1 });
    expect(pairer.captureTimeOf(1_000)).toBeNull();
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1', 0);
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x1] n:   0 pts: 180000 pts_time:2 iskey:1', 1_000_002_100);
    expect(pairer.firstStreamMs).toBe(2_000);
    // arrival 1_000_002_100 minus one frame (100 ms) minus stream 2_000 ms
    expect(pairer.captureTimeOf(12_000)).toBe(1_000_012_000);
  });
});

describe('frame pairing without JPEGs (a chunk recorder)', () => {
  it('times the stream from the lines alone and keeps none of them once stamped', () => {
    const pairer = new FramePairer({ anchorSamples: 1, withoutJpegs: true });
    pairer.addStderrLine('[Parsed_showinfo_0 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1', 1_000);
    for (let n = 0; n < 50; n++) {
      const out = pairer.addStderrLine(
        `[Parsed_showinfo_0 @ 0x1] n:${n} pts:${n * 90_000} pts_time:x pos:-1 iskey:1 type:I`,
        1_100 + n * 1000,
      );
      expect(out).toEqual([]);
    }
    expect(pairer.pending).toEqual({ times: 0, jpegs: 0 });
    expect(pairer.captureTimeOf(10_000)).toBe(11_000);
  });
});

describe('frame pairing with the stream clock showinfo (every decoded frame)', () => {
  it('settles the anchor on the many decoded frames, the least delayed of them deciding the JPEG time', () => {
    const pairer = new FramePairer({ anchorSamples: 8 });
    pairer.addClockLine('[showinfo@clock @ 0x1] config in time_base: 1/90000, frame_rate: 10/1', 0);
    pairer.addStderrLine('[Parsed_showinfo_3 @ 0x2] config in time_base: 1/90000, frame_rate: 10/1', 0);
    // The JPEG's own line came 60 ms late; decoded frames every 100 ms, 10 to 70 ms late (the 4th 10 ms).
    expect(pairer.addStderrLine('[Parsed_showinfo_3 @ 0x2] n:0 pts:0 pts_time:0 pos:-1 iskey:1 type:I', 1_160)).toEqual(
      [],
    );
    expect(pairer.addJpeg(Buffer.from('jpeg'))).toEqual([]);
    const delays = [60, 40, 70, 10, 50, 30, 20, 65];
    const out: ReturnType<FramePairer['addClockLine']> = [];
    for (const [k, delay] of delays.entries()) {
      const line = `[showinfo@clock @ 0x1] n:${k} pts:${k * 9_000} pts_time:x pos:-1 fmt:yuv420p i:P iskey:0 type:P`;
      out.push(...pairer.addClockLine(line, 1_100 + k * 100 + delay));
      // The JPEG's line and 7 decoded frames: 8 arrivals, the anchor settles.
      if (k < 6) expect(out).toEqual([]);
    }
    // Anchored on the 10 ms arrival (less the parser's one frame, 100 ms): stream 0 was captured at 1,010.
    expect(out.map((f) => f.capturedAtMs)).toEqual([1_010]);
    expect(FramePairer.ownsClockLine('[showinfo@clock @ 0x1] n:1')).toBe(true);
    expect(FramePairer.ownsClockLine('[Parsed_showinfo_3 @ 0x2] n:1')).toBe(false);
  });
});
