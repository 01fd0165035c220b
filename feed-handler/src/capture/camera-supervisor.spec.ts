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
import type { CaptureHandlers } from './ffmpeg.js';
import type { CaptureSpec } from './ffmpeg-args.js';
import { createSemaphore } from './semaphore.js';

const settings: SupervisorSettings = {
  width: 320,
  quality: 5,
  decodeMode: 'auto',
  probeMs: 5000,
  stallMs: 10_000,
  socketTimeoutSeconds: 10,
  backoff: { baseMs: 1000, maxMs: 8000, jitter: 0.2 },
  stopGraceMs: 2000,
  maxClockSkewMs: 10_000,
  stderrLines: 10,
};

class FakeFfmpeg {
  runs: { spec: CaptureSpec; handlers: CaptureHandlers; signals: string[] }[] = [];
  probeResult: number[] | Error = [0, 1000, 2000, 3000];
  probes = 0;

  async probeKeyframeTimes() {
    this.probes++;
    if (this.probeResult instanceof Error) throw this.probeResult;
    return this.probeResult;
  }

  spawnCapture(spec: CaptureSpec, handlers: CaptureHandlers) {
    const run = { spec, handlers, signals: [] as string[] };
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
    if (n === 0)
      this.last.handlers.onStderrLine('[Parsed_showinfo_2 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1');
    this.last.handlers.onStderrLine(
      `[Parsed_showinfo_2 @ 0x1] n:${n} pts:${streamMs * 90} pts_time:x pos:-1 iskey:1 type:I`,
    );
    this.last.handlers.onStdout(syntheticJpeg(320, 180, n));
  }
}

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

  it('probes, picks keyframe decoding, and stamps each JPEG with its stream time anchored to the clock', async () => {
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
    const t0 = clock.now();
    ffmpeg.emitFrame(0);
    await clock.advance(1080); // this frame's line comes 80 ms late: its capture time must not move
    ffmpeg.emitFrame(1);
    await clock.advance(1000);
    ffmpeg.emitFrame(2);
    await flushPromises();
    // The fake says 10 fps: each line trails its frame by one frame interval (ffmpeg's parser).
    expect(frames.map((f) => f.capturedAtMs - t0)).toEqual([-100, 900, 1900]);
    expect(supervisor.snapshot()).toMatchObject({ state: 'online', frames: 3, droppedFrames: 0, mode: 'keyframes' });
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

  it('decodes everything when the probe sees a long GOP, and honours an override without probing', async () => {
    ffmpeg.probeResult = [0, 4000];
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec.mode).toBe('all');
    const other = new FakeFfmpeg();
    ffmpeg = other;
    make({ decodeMode: 'keyframes' }).start();
    await flushPromises();
    expect(other.probes).toBe(0);
    expect(other.last.spec.mode).toBe('keyframes');
  });

  it('keeps a measured choice across restarts: no second probe', async () => {
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.runs).toHaveLength(2);
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
    expect(ffmpeg.probes).toBe(1);
  });

  it('decodes everything for one run after an inconclusive probe, then probes again and keeps the measured choice', async () => {
    ffmpeg.probeResult = [1234];
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec.mode).toBe('all');
    expect(supervisor.snapshot().mode).toBe('all');
    ffmpeg.probeResult = [0, 1006, 2012];
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.probes).toBe(2);
    expect(ffmpeg.last.spec.mode).toBe('keyframes');
    expect(supervisor.snapshot().mode).toBe('keyframes');
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.runs).toHaveLength(3);
    expect(ffmpeg.probes).toBe(2);
  });

  it('keeps a measured long GOP (all) without probing again', async () => {
    ffmpeg.probeResult = [0, 2000, 4000];
    supervisor.start();
    await flushPromises();
    ffmpeg.last.handlers.onExit({ code: 1, signal: null });
    await clock.advance(2_000);
    expect(ffmpeg.runs.map((run) => run.spec.mode)).toEqual(['all', 'all']);
    expect(ffmpeg.probes).toBe(1);
  });

  it('runs at most as many probes at once as the shared slots allow', async () => {
    const slots = createSemaphore(2);
    let running = 0;
    let most = 0;
    const finish: Array<() => void> = [];
    ffmpeg.probeKeyframeTimes = () => {
      ffmpeg.probes++;
      running++;
      most = Math.max(most, running);
      return new Promise<number[]>((resolve) =>
        finish.push(() => {
          running--;
          resolve([0, 1000, 2000]);
        }),
      );
    };
    const supervisors = [1, 2, 3, 4].map(() => make({}, { probeSlots: slots }));
    for (const one of supervisors) one.start();
    await flushPromises();
    expect(ffmpeg.probes).toBe(2);
    expect(slots.waiting).toBe(2);
    finish.shift()?.();
    await flushPromises();
    expect(ffmpeg.probes).toBe(3);
    // A camera stopped while waiting for a slot gives up its turn without probing or going "unreachable".
    const lastOne = supervisors[3] as CameraSupervisor;
    await lastOne.stop();
    expect(slots.waiting).toBe(0);
    for (const done of finish.splice(0)) done();
    await flushPromises();
    expect(ffmpeg.probes).toBe(3);
    expect(most).toBe(2);
    expect(slots.active).toBe(0);
    expect(ffmpeg.runs).toHaveLength(3);
    expect(statuses.filter((status) => status.reason.startsWith('unreachable'))).toHaveLength(0);
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

  it('retries an unreachable camera and marks it offline once', async () => {
    ffmpeg.probeResult = new Error('Connection refused rtsp://u:p@cam/1');
    supervisor.start();
    await clock.advance(20_000);
    expect(ffmpeg.probes).toBeGreaterThan(3);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.reason).toMatch(/^unreachable/);
    expect(statuses[0]?.reason).not.toContain('u:p');
  });

  it('does not start ffmpeg when stopped during the probe', async () => {
    let finishProbe: (times: number[]) => void = () => undefined;
    ffmpeg.probeKeyframeTimes = () => new Promise<number[]>((resolve) => (finishProbe = resolve));
    supervisor.start();
    await flushPromises();
    const stopped = supervisor.stop();
    finishProbe([0, 1000, 2000]);
    await stopped;
    expect(ffmpeg.runs).toHaveLength(0);
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
