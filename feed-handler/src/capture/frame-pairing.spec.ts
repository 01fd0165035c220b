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

  it('holds them until the arrivals also span anchorSpanMs: one late second does not set the anchor', () => {
    const pairer = new FramePairer({ anchorSamples: 3, anchorSpanMs: 2000, withoutJpegs: true });
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x55] config in time_base: 1/90000, frame_rate: 10/1', 0);
    const t0 = 1_795_618_800_000;
    // The first second's frames all come 50 ms late (a link holding its segments in order); the third
    // second's one only 20 ms: 3 arrivals are there after 0.2 s, but frames wait until 2 s of them.
    for (const [n, late] of [50, 50, 50].entries()) pairer.addStderrLine(info(n, n * 9_000), t0 + n * 100 + 100 + late);
    expect(pairer.holding).toBe(true);
    pairer.addStderrLine(info(3, 189_000), t0 + 2100 + 100 + 20);
    expect(pairer.holding).toBe(false);
    expect(pairer.captureTimeOf(0)).toBe(t0 + 20);
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

describe('frame pairing from a keyframe list (a recorder that decodes nothing)', () => {
  it('times each entry arrival by the start of the next entry, one frame interval before it was read', () => {
    const pairer = new FramePairer({ anchorSamples: 1, withoutJpegs: true });
    pairer.setInputFrameRate(25);
    // Keyframes at 10.08, 14.08, 18.08, 22.08 s (B-frames: each entry ends 40 ms before the next keyframe); each
    // entry read 90, 50, 120, 70 ms after its keyframe. The first entry starts at the first packet, 0.
    const keyframes = [10_080, 14_080, 18_080, 22_080];
    const delays = [90, 50, 120, 70];
    keyframes.forEach((at, i) => {
      const entry = { startStreamMs: i === 0 ? 0 : (keyframes[i - 1] as number), endStreamMs: at - 40 };
      expect(pairer.addKeyframeListEntry(entry, 1_000_000 + at + (delays[i] as number))).toEqual([]);
    });
    expect(pairer.framesSeen).toBe(4);
    expect(pairer.firstStreamMs).toBe(0);
    expect(pairer.pending).toEqual({ times: 0, jpegs: 0 });
    // Three arrivals timed so far (the last waits for its keyframe's time): the least delayed 50 ms, less the
    // parser's 40 ms (25 fps).
    expect(pairer.captureTimeOf(20_000)).toBe(1_020_010);
  });

  it('keeps the frame rate a showinfo line said', () => {
    const pairer = new FramePairer({ anchorSamples: 1, withoutJpegs: true });
    pairer.addStderrLine('[Parsed_showinfo_0 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1', 0);
    pairer.setInputFrameRate(25);
    pairer.addKeyframeListEntry({ startStreamMs: 0, endStreamMs: 4000 }, 1_004_100);
    pairer.addKeyframeListEntry({ startStreamMs: 4000, endStreamMs: 8000 }, 1_008_100);
    expect(pairer.captureTimeOf(4000)).toBe(1_004_000);
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

describe('a successor run anchored by the run it takes over from (a mode switch)', () => {
  const t0 = 1_795_618_800_000;
  const clockLine = (n: number, streamMs: number, key: boolean) =>
    `[showinfo@clock @ 0x1] n:${n} pts:${streamMs * 90} pts_time:x pos:-1 fmt:yuv420p i:P iskey:${key ? 1 : 0} type:P`;
  const jpegLine = (n: number, streamMs: number) =>
    `[Parsed_showinfo_3 @ 0x2] n:${n} pts:${streamMs * 90} pts_time:x pos:-1 iskey:1 type:I`;
  const configure = (pairer: FramePairer, fps: number) => {
    pairer.addClockLine(`[showinfo@clock @ 0x1] config in time_base: 1/90000, frame_rate: ${fps}/1`, 0);
    pairer.addStderrLine(`[Parsed_showinfo_3 @ 0x2] config in time_base: 1/90000, frame_rate: ${fps}/1`, 0);
  };
  /** The old run: every frame of a 10 fps camera (a keyframe a second) for 20 s, one of them only 10 ms late. */
  const settledDonor = () => {
    const donor = new FramePairer({ anchorSamples: 8, withoutJpegs: true });
    configure(donor, 10);
    // Its stream time 0 is the camera's t0 (the old run's RTP clock); lines come a frame (100 ms) after.
    for (let k = 0; k < 200; k++) {
      const late = k === 57 ? 10 : 25 + ((k * 37) % 45);
      donor.addClockLine(clockLine(k, k * 100, k % 10 === 0), t0 + k * 100 + 100 + late);
    }
    return donor;
  };
  /** The donor reads the keyframe of the camera's t0 + `s` seconds, `late` ms late. */
  const donorReads = (donor: FramePairer, s: number, late: number) =>
    donor.addClockLine(clockLine(s * 10, s * 1000, true), t0 + s * 1000 + 100 + late);
  /** A keyframes-only run taking over from `donor`. */
  const successorOf = (donor: FramePairer) => {
    const successor = new FramePairer({ anchorSamples: 8, anchorDonor: donor });
    configure(successor, 10);
    return successor;
  };
  /** The run's n-th thumbnail, a keyframe at its stream time `streamMs`, read at `arrivalMs`: the capture times let go. */
  const keyframe = (run: FramePairer, n: number, streamMs: number, arrivalMs: number) => {
    run.addJpeg(Buffer.from(`k${n}`));
    return run.addStderrLine(jpegLine(n, streamMs), arrivalMs).map((f) => f.capturedAtMs);
  };

  it("takes the old run's capture time of a keyframe both saw, and lets its frames go after 2 arrivals", () => {
    const donor = settledDonor();
    expect(donor.captureTimeOf(20_000)).toBe(t0 + 20_010);
    // The new run decodes keyframes only; its stream time 0 is the camera's t0 + 20 s (its own RTP base).
    // Its keyframes arrive 40 and 65 ms late, against the best (10 ms) the old run saw.
    const successor = successorOf(donor);
    donorReads(donor, 20, 30);
    expect(keyframe(successor, 0, 0, t0 + 20_000 + 100 + 40)).toEqual([]);
    donorReads(donor, 21, 35);
    // Two arrivals of its own, yet timed as the old run would have: no step at the switch.
    expect(keyframe(successor, 1, 1000, t0 + 21_000 + 100 + 65)).toEqual([t0 + 20_010, t0 + 21_010]);
    expect(successor.seededFrom).toEqual({ donorOffsetMs: t0 + 20_010, ownOffsetMs: t0 + 20_040 });
    // Later keyframes keep that anchor while no arrival of the new run comes that early.
    expect(keyframe(successor, 2, 2000, t0 + 22_000 + 100 + 50)).toEqual([t0 + 22_010]);
  });

  it('matches a keyframe the new run read before the old one did, at its next keyframe', () => {
    const donor = settledDonor();
    const successor = successorOf(donor);
    expect(keyframe(successor, 0, 0, t0 + 20_000 + 100 + 30)).toEqual([]);
    donorReads(donor, 20, 50);
    // The successor reads the keyframe of t0 + 21 s first: the donor's nearest is a second older, no match;
    // the one before it (t0 + 20 s), which the donor has read by now, is.
    expect(keyframe(successor, 1, 1000, t0 + 21_000 + 100 + 20)).toEqual([t0 + 20_010, t0 + 21_010]);
  });

  it('does not take the keyframe a second off that a stalled first arrival agrees with', () => {
    const donor = settledDonor();
    const successor = successorOf(donor);
    // The new run's first keyframe (the camera's t0 + 20 s) reaches it a second late, beside the donor's
    // next one: alone, the two would agree. Its next keyframe comes on time and pairs with the right one.
    donorReads(donor, 20, 30);
    donorReads(donor, 21, 30);
    expect(keyframe(successor, 0, 0, t0 + 21_000 + 100 + 40)).toEqual([]);
    donorReads(donor, 22, 30);
    expect(keyframe(successor, 1, 1000, t0 + 21_000 + 100 + 45)).toEqual([t0 + 20_010, t0 + 21_010]);
  });

  it('takes nothing from a donor whose own anchor has not settled', () => {
    const fresh = new FramePairer({ anchorSamples: 8, withoutJpegs: true });
    configure(fresh, 10);
    fresh.addClockLine(clockLine(0, 0, true), t0 + 100 + 20);
    expect(fresh.keyframeCaptureNear(t0 + 100 + 30)).toBeNull();
    const early = successorOf(fresh);
    expect(keyframe(early, 0, 0, t0 + 100 + 30)).toEqual([]);
    expect(keyframe(early, 1, 1000, t0 + 1100 + 30)).toEqual([]);
    expect(early.seededFrom).toBeNull();
  });
});
