import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, flushPromises } from '../../test/support/fake-clock.js';
import { syntheticJpeg } from '../../test/support/synthetic-jpeg.js';
import {
  CameraSupervisor,
  type CapturedFrame,
  type SupervisorDeps,
  type SupervisorSettings,
} from './camera-supervisor.js';
import type { LearntMode, LearntModes } from './decode-mode.js';
import type { CaptureHandlers } from './ffmpeg.js';
import type { CaptureSpec } from './ffmpeg-args.js';
import type { KeyframeWatchSpec } from './keyframe-watch.js';

const settings: SupervisorSettings = {
  width: 320,
  quality: 5,
  decodeMode: 'auto',
  stallMs: 10_000,
  socketTimeoutSeconds: 10,
  backoff: { baseMs: 1000, maxMs: 8000, jitter: 0.2 },
  stopGraceMs: 2000,
  maxClockSkewMs: 10_000,
  stderrLines: 10,
};

type FakeRun = {
  spec: CaptureSpec & KeyframeWatchSpec;
  handlers: CaptureHandlers;
  signals: string[];
  frames: number;
  keyframes: number;
};

class FakeFfmpeg {
  runs: FakeRun[] = [];

  spawnCapture(spec: CaptureSpec & KeyframeWatchSpec, handlers: CaptureHandlers) {
    const run: FakeRun = { spec, handlers, signals: [], frames: 0, keyframes: 0 };
    this.runs.push(run);
    return { requestQuit: () => run.signals.push('q'), kill: (s: string) => run.signals.push(s) };
  }

  get last() {
    const run = this.runs.at(-1);
    if (!run) throw new Error('ffmpeg never started');
    return run;
  }

  /** Emits one frame as ffmpeg would: a showinfo line (stream time in 90 kHz) on stderr and a JPEG on stdout. */
  emitFrame(n: number, streamMs = n * 1000) {
    this.emitOn(this.last, streamMs);
    expect(this.last.frames - 1).toBe(n);
  }

  /** The next thumbnail of one run at a stream time. */
  emitOn(run: FakeRun, streamMs: number) {
    const n = run.frames++;
    if (n === 0) run.handlers.onStderrLine('[Parsed_showinfo_2 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1');
    run.handlers.onStderrLine(`[Parsed_showinfo_2 @ 0x1] n:${n} pts:${streamMs * 90} pts_time:x pos:-1 iskey:1 type:I`);
    run.handlers.onStdout(syntheticJpeg(320, 180, n));
  }

  /** A keyframe reported by the keyframe watch output. */
  emitKeyframe(run: FakeRun, streamMs: number) {
    const n = run.keyframes++;
    if (n === 0) run.handlers.onStderrLine('[showinfo@keyframes @ 0x2] config in time_base: 1/90000, frame_rate: 10/1');
    run.handlers.onStderrLine(
      `[showinfo@keyframes @ 0x2] n:${n} pts:${streamMs * 90} pts_time:x pos:-1 fmt:yuv420p i:P iskey:1 type:I `,
    );
  }
}

/** The file of learnt modes, in memory. */
class MemoryModes implements LearntModes {
  readonly saved = new Map<string, LearntMode>();
  writes: { camera: string; learnt: LearntMode }[] = [];
  recall(camera: string) {
    return this.saved.get(camera) ?? null;
  }
  async remember(camera: string, _url: string, learnt: LearntMode) {
    this.writes.push({ camera, learnt });
    this.saved.set(camera, learnt);
  }
}

/** Wall seconds (relative to t0) of the frames, and how many frames each got. */
const perSecond = (frames: CapturedFrame[], t0: number) => {
  const counts = new Map<number, number>();
  for (const f of frames) {
    const second = Math.floor((f.capturedAtMs - t0) / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return counts;
};

describe('CameraSupervisor', () => {
  let clock: FakeClock;
  let ffmpeg: FakeFfmpeg;
  let frames: CapturedFrame[];
  let statuses: { online: boolean; reason: string; atMs: number }[];
  let supervisor: CameraSupervisor;

  const make = (overrides: Partial<SupervisorSettings> = {}, extra: Partial<SupervisorDeps> = {}) =>
    new CameraSupervisor({
      camera: { id: 'cam1', url: 'rtsp://u:p@cam/1', location: 'lab' },
      settings: { ...settings, ...overrides },
      ffmpeg,
      clock,
      log: pino({ level: 'silent' }),
      onFrame: async (frame) => {
        frames.push(frame);
      },
      onStatus: (status) => statuses.push(status),
      random: () => 0,
      ...extra,
    });

  beforeEach(() => {
    clock = new FakeClock();
    ffmpeg = new FakeFfmpeg();
    frames = [];
    statuses = [];
    supervisor = make();
  });

  it('starts at once decoding all frames, and stamps each JPEG with its stream time anchored to the clock', async () => {
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec.mode).toBe('all');
    const t0 = clock.now();
    ffmpeg.emitFrame(0);
    await clock.advance(1080); // this frame's line comes 80 ms late: its capture time must not move
    ffmpeg.emitFrame(1);
    await clock.advance(1000);
    ffmpeg.emitFrame(2);
    await flushPromises();
    // The fake says 10 fps: each line trails its frame by one frame interval (ffmpeg's parser).
    expect(frames.map((f) => f.capturedAtMs - t0)).toEqual([-100, 900, 1900]);
    expect(supervisor.snapshot()).toMatchObject({ state: 'online', frames: 3, droppedFrames: 0, mode: 'all' });
    expect(statuses).toEqual([{ online: true, reason: 'first-frame', atMs: t0 - 100 }]);
  });

  it('holds the first frames after a start until the anchor rests on 3 arrivals, then stamps them by it', async () => {
    const chunks: { startMs: number; endMs: number }[] = [];
    const withChunks = new CameraSupervisor({
      camera: { id: 'cam1', url: 'rtsp://u:p@cam/1', location: 'lab' },
      settings,
      ffmpeg,
      clock,
      log: pino({ level: 'silent' }),
      onFrame: async (frame) => {
        frames.push(frame);
      },
      onStatus: (status) => statuses.push(status),
      chunks: () => ({ stagingDir: '/staging/cam1', seconds: 10 }),
      onChunk: async (chunk) => {
        chunks.push(chunk);
      },
      random: () => 0,
    });
    withChunks.start();
    await flushPromises();
    const t0 = clock.now();
    // The first line is 52 ms late (a loaded host); the next ones come at the usual time.
    await clock.advance(52);
    ffmpeg.emitFrame(0);
    await clock.advance(948);
    ffmpeg.emitFrame(1);
    // A chunk ends before the anchor has settled: it waits, to be timed by the same anchor as the frames.
    ffmpeg.last.handlers.onStderrLine('lx-000000.mp4,0.000000,1.500000');
    await flushPromises();
    expect(frames).toEqual([]);
    expect(chunks).toEqual([]);
    await clock.advance(1000);
    ffmpeg.emitFrame(2);
    await flushPromises();
    expect(frames.map((f) => f.capturedAtMs - t0)).toEqual([-100, 900, 1900]);
    expect(statuses).toEqual([{ online: true, reason: 'first-frame', atMs: t0 - 100 }]);
    expect(chunks.map((c) => [c.startMs - t0, c.endMs - t0])).toEqual([[-100, 1400]]);
    const stopped = withChunks.stop();
    await flushPromises();
    ffmpeg.last.handlers.onExit({ code: 0, signal: null });
    await stopped;
  });

  it('names the failure in the reason without stderr, paths or URLs', async () => {
    supervisor.start();
    await flushPromises();
    ffmpeg.emitFrame(0);
    ffmpeg.last.handlers.onStderrLine(
      '[mp4 @ 0x5] Error writing trailer of /tmp/fh/_chunks/.staging/cam1/lx-000001.mp4: No space left on device',
    );
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await flushPromises();
    expect(statuses.map((s) => s.reason)).toEqual(['first-frame', 'exited: code 1 (disk full)']);
  });

  it('with auto and nothing learnt, decodes all frames at once (no probe) with the keyframe watch on', async () => {
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', modeSource: 'learning' });
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(1);
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'all', watchKeyframes: true });
  });

  it('learns a 1 s GOP from the running ffmpeg and hands over to a keyframe-only one without losing a second', async () => {
    const modes = new MemoryModes();
    supervisor = make({}, { learntModes: modes });
    supervisor.start();
    await flushPromises();
    const t0 = clock.now();
    const a = ffmpeg.last;
    // The all-frames run: a thumbnail each second, and the watch reports a keyframe every 1.006 s.
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1006);
      if (i < 4) await clock.advance(1000);
    }
    await flushPromises();
    // Four intervals: keyframes it is; a second ffmpeg starts in that mode, the first goes on.
    expect(ffmpeg.runs).toHaveLength(2);
    const b = ffmpeg.last;
    expect(b.spec.mode).toBe('keyframes');
    expect(b.spec.watchKeyframes).toBeUndefined();
    expect(modes.writes).toEqual([{ camera: 'cam1', learnt: { mode: 'keyframes', keyframeIntervalMs: 1006 } }]);
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all' });
    // The new one's frames come half a second out of phase, on its own stream clock.
    await clock.advance(500);
    ffmpeg.emitOn(b, 700_000);
    await clock.advance(500);
    ffmpeg.emitOn(a, 5000);
    await clock.advance(500);
    ffmpeg.emitOn(b, 701_000);
    await clock.advance(500);
    ffmpeg.emitOn(a, 6000);
    await clock.advance(500);
    expect(a.signals).toEqual([]);
    // Its third frame settles its anchor: it takes over, the old one is asked to quit.
    ffmpeg.emitOn(b, 702_000);
    await flushPromises();
    expect(a.signals).toEqual(['q']);
    expect(supervisor.snapshot()).toMatchObject({ mode: 'keyframes', modeSource: 'learnt' });
    // What the old one still says is dropped; its exit is no restart and no offline.
    ffmpeg.emitOn(a, 7000);
    a.handlers.onExit({ code: 0, signal: null });
    await clock.advance(1000);
    ffmpeg.emitOn(b, 703_000);
    await clock.advance(1000);
    ffmpeg.emitOn(b, 704_000);
    await flushPromises();
    expect(frames.map((f) => f.capturedAtMs - t0)).toEqual([-100, 900, 1900, 2900, 3900, 4900, 5900, 6400, 7400, 8400]);
    // Every wall second has exactly one thumbnail across the switch.
    expect([...perSecond(frames, t0).values()].every((count) => count === 1)).toBe(true);
    expect([...perSecond(frames, t0).keys()]).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(supervisor.snapshot()).toMatchObject({ restarts: 0, state: 'online' });
    expect(statuses).toEqual([{ online: true, reason: 'first-frame', atMs: t0 - 100 }]);
    expect(ffmpeg.runs).toHaveLength(2);
  });

  it('stays with all frames for a long GOP (4 s), and keeps that without a second ffmpeg', async () => {
    const modes = new MemoryModes();
    supervisor = make({}, { learntModes: modes });
    supervisor.start();
    await flushPromises();
    for (let i = 0; i <= 12; i++) {
      ffmpeg.emitOn(ffmpeg.last, i * 1000);
      if (i % 4 === 0) ffmpeg.emitKeyframe(ffmpeg.last, i * 1000);
      await clock.advance(1000);
    }
    expect(ffmpeg.runs).toHaveLength(1);
    expect(modes.writes).toEqual([{ camera: 'cam1', learnt: { mode: 'all', keyframeIntervalMs: 4000 } }]);
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', modeSource: 'learning' });
    // A restart uses what was learnt; the watch stays on (a reconnect may show another interval).
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.runs).toHaveLength(2);
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'all', watchKeyframes: true });
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', modeSource: 'learnt' });
  });

  it('uses a remembered mode at once, shown before the first frame, and checks it from the thumbnails', async () => {
    const modes = new MemoryModes();
    modes.saved.set('cam1', { mode: 'keyframes', keyframeIntervalMs: 1006 });
    supervisor = make({}, { learntModes: modes });
    expect(supervisor.snapshot()).toMatchObject({ mode: 'keyframes', modeSource: 'remembered' });
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(1);
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
    expect(ffmpeg.last.spec.watchKeyframes).toBeUndefined();
    for (let i = 0; i <= 6; i++) {
      ffmpeg.emitFrame(i);
      await clock.advance(1000);
    }
    expect(ffmpeg.runs).toHaveLength(1);
    // Confirmed: nothing to write.
    expect(modes.writes).toEqual([]);
  });

  it('falls back to all frames when keyframe-only decoding gives a thumbnail only every 4 s (the GOP grew)', async () => {
    const modes = new MemoryModes();
    modes.saved.set('cam1', { mode: 'keyframes', keyframeIntervalMs: 1006 });
    supervisor = make({}, { learntModes: modes });
    supervisor.start();
    await flushPromises();
    const a = ffmpeg.last;
    // The median of four intervals decides (no window here: a hiccup of a few seconds does not switch back).
    for (let i = 0; i <= 3; i++) {
      ffmpeg.emitOn(a, i * 4000);
      await clock.advance(4000);
    }
    expect(ffmpeg.runs).toHaveLength(1);
    ffmpeg.emitOn(a, 16_000);
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(2);
    const b = ffmpeg.last;
    expect(b.spec).toMatchObject({ mode: 'all', watchKeyframes: true });
    expect(modes.writes.at(-1)).toEqual({ camera: 'cam1', learnt: { mode: 'all', keyframeIntervalMs: 4000 } });
    for (let i = 0; i < 3; i++) {
      ffmpeg.emitOn(b, 50_000 + i * 1000);
      await clock.advance(1000);
    }
    expect(a.signals).toEqual(['q']);
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', modeSource: 'fallback' });
  });

  it('does not switch back for a hiccup of a few seconds while decoding keyframes only', async () => {
    const modes = new MemoryModes();
    modes.saved.set('cam1', { mode: 'keyframes', keyframeIntervalMs: 1006 });
    supervisor = make({}, { learntModes: modes });
    supervisor.start();
    await flushPromises();
    for (const second of [0, 1, 2, 9, 10, 11, 12, 13]) {
      await clock.advance(second === 0 ? 0 : second === 9 ? 7000 : 1000);
      ffmpeg.emitOn(ffmpeg.last, second * 1000);
    }
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(1);
    expect(modes.writes).toEqual([]);
  });

  it('decodes all frames again after a stall while decoding keyframes only', async () => {
    const modes = new MemoryModes();
    modes.saved.set('cam1', { mode: 'keyframes', keyframeIntervalMs: 1006 });
    supervisor = make({}, { learntModes: modes });
    supervisor.start();
    await flushPromises();
    ffmpeg.emitFrame(0);
    await clock.advance(11_000);
    expect(ffmpeg.last.signals).toEqual(['q']);
    ffmpeg.last.handlers.onExit({ code: 0, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.runs).toHaveLength(2);
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'all', watchKeyframes: true });
    expect(modes.saved.get('cam1')).toEqual({ mode: 'all', keyframeIntervalMs: null });
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', modeSource: 'fallback' });
  });

  it('keeps the running ffmpeg when the new one ends before taking over; the learnt mode applies at the next start', async () => {
    supervisor.start();
    await flushPromises();
    const a = ffmpeg.last;
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1000);
      await clock.advance(1000);
    }
    const b = ffmpeg.last;
    expect(b.spec.mode).toBe('keyframes');
    b.handlers.onExit({ code: 1, signal: null });
    await clock.advance(1000);
    ffmpeg.emitOn(a, 5000);
    await flushPromises();
    expect(a.signals).toEqual([]);
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', restarts: 0 });
    a.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.runs).toHaveLength(3);
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
  });

  it('gives up a new ffmpeg that gives no timed frame in time', async () => {
    supervisor = make({ handoverTimeoutMs: 5_000 });
    supervisor.start();
    await flushPromises();
    const a = ffmpeg.last;
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1000);
      await clock.advance(1000);
    }
    const b = ffmpeg.last;
    for (let i = 0; i < 6; i++) {
      ffmpeg.emitOn(a, (5 + i) * 1000);
      await clock.advance(1000);
    }
    expect(b.signals).toEqual(['q']);
    expect(a.signals).toEqual([]);
  });

  it('lets the new ffmpeg take over at once when the old one ends first: no restart, no offline', async () => {
    supervisor.start();
    await flushPromises();
    const t0 = clock.now();
    const a = ffmpeg.last;
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1000);
      await clock.advance(1000);
    }
    const b = ffmpeg.last;
    a.handlers.onExit({ code: 1, signal: null });
    await flushPromises();
    for (let i = 0; i < 3; i++) {
      await clock.advance(i === 0 ? 300 : 1000);
      ffmpeg.emitOn(b, 9_000 + i * 1000);
    }
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(2);
    expect(supervisor.snapshot()).toMatchObject({ mode: 'keyframes', restarts: 0, state: 'online' });
    expect(statuses.filter((status) => !status.online)).toEqual([]);
    expect(frames.map((f) => f.capturedAtMs - t0)).toEqual([-100, 900, 1900, 2900, 3900, 5200, 6200, 7200]);
  });

  it('honours an override: no watch, no learning, no switch', async () => {
    const modes = new MemoryModes();
    modes.saved.set('cam1', { mode: 'keyframes', keyframeIntervalMs: 1006 });
    supervisor = make({ decodeMode: 'all' }, { learntModes: modes });
    expect(supervisor.snapshot()).toMatchObject({ mode: 'all', modeSource: 'override' });
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec.watchKeyframes).toBeUndefined();
    for (let i = 0; i <= 6; i++) {
      ffmpeg.emitOn(ffmpeg.last, i * 1000);
      ffmpeg.emitKeyframe(ffmpeg.last, i * 1000);
      await clock.advance(1000);
    }
    expect(ffmpeg.runs).toHaveLength(1);
    expect(modes.writes).toEqual([]);
    const other = new FakeFfmpeg();
    ffmpeg = other;
    make({ decodeMode: 'keyframes' }).start();
    await flushPromises();
    expect(other.last.spec.mode).toBe('keyframes');
  });

  it('switches to keyframes at most maxKeyframeSwitches times in a process', async () => {
    supervisor = make({ maxKeyframeSwitches: 1 });
    supervisor.start();
    await flushPromises();
    const a = ffmpeg.last;
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1000);
      await clock.advance(1000);
    }
    expect(ffmpeg.runs).toHaveLength(2);
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    // The switch is used up: after the old run restarts (in the learnt mode), …
    a.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
    // … and then stalls, all frames come back, without a watch this time.
    await clock.advance(12_000);
    ffmpeg.last.handlers.onExit({ code: 0, signal: null });
    await clock.advance(5_000);
    expect(ffmpeg.last.spec.mode).toBe('all');
    expect(ffmpeg.last.spec.watchKeyframes).toBeUndefined();
  });

  it('records an exit as offline and restarts with growing, capped delays', async () => {
    supervisor.start();
    await flushPromises();
    ffmpeg.emitFrame(0);
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await flushPromises();
    expect(statuses.at(-1)).toMatchObject({ online: false, reason: 'exited: code 1' });
    // A run that produced frames resets the backoff: the first retry waits the base delay.
    await clock.advance(999);
    expect(ffmpeg.runs).toHaveLength(1);
    await clock.advance(1);
    expect(ffmpeg.runs).toHaveLength(2);
    // Runs without frames back off 2 s, 4 s, 8 s, 8 s.
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = clock.now();
      ffmpeg.last.handlers.onExit({ code: 1, signal: null });
      const runs = ffmpeg.runs.length;
      while (ffmpeg.runs.length === runs) await clock.advance(100);
      gaps.push(clock.now() - before);
    }
    expect(gaps).toEqual([2000, 4000, 8000, 8000]);
    expect(supervisor.snapshot().restarts).toBe(5);
    expect(statuses.filter((s) => !s.online)).toHaveLength(1);
  });

  it('stops a stalled ffmpeg in stages (q, SIGTERM, SIGKILL) and says why it went offline', async () => {
    supervisor.start();
    await flushPromises();
    ffmpeg.emitFrame(0);
    await clock.advance(10_000);
    expect(ffmpeg.last.signals).toEqual([]);
    await clock.advance(1_000);
    expect(ffmpeg.last.signals).toEqual(['q']);
    await clock.advance(2_000);
    expect(ffmpeg.last.signals).toEqual(['q', 'SIGTERM']);
    await clock.advance(2_000);
    expect(ffmpeg.last.signals).toEqual(['q', 'SIGTERM', 'SIGKILL']);
    ffmpeg.last.handlers.onExit({ code: null, signal: 'SIGKILL' });
    await flushPromises();
    expect(statuses.at(-1)).toMatchObject({ online: false, reason: 'stalled: no frame for 10 s' });
  });

  it('stops with "q", hands over every frame, and records the shutdown', async () => {
    supervisor.start();
    await flushPromises();
    ffmpeg.emitFrame(0);
    const stopped = supervisor.stop();
    await flushPromises();
    expect(ffmpeg.last.signals).toEqual(['q']);
    ffmpeg.last.handlers.onExit({ code: 0, signal: null });
    await stopped;
    expect(frames).toHaveLength(1);
    expect(statuses.at(-1)).toMatchObject({ online: false, reason: 'shutdown' });
    expect(ffmpeg.runs).toHaveLength(1);
  });
});
