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
import type { LearntMode, LearntModes, StreamCodecs } from './decode-mode.js';
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
  anchorSamples: 3,
  // Frames here come a second apart: the count decides (frame-pairing.spec.ts covers the span).
  anchorSpanMs: 0,
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
  readonly codecs = new Map<string, StreamCodecs>();
  writes: { camera: string; learnt: LearntMode }[] = [];
  recallCodecs(camera: string) {
    return this.codecs.get(camera) ?? null;
  }
  async rememberCodecs(camera: string, _url: string, codecs: StreamCodecs) {
    this.codecs.set(camera, codecs);
  }
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

  /** Drives a learning run to a switch and lets the keyframe run take over; returns both runs. */
  const switchWithChunks = async (chunkSeconds: number, firstChunkBeforeSwitch = true) => {
    const published: { file: string; startMs: number; endMs: number }[] = [];
    const discarded: string[] = [];
    supervisor = make(
      {},
      {
        learntModes: new MemoryModes(),
        chunks: () => ({ stagingDir: '/staging/cam1', seconds: chunkSeconds }),
        onChunk: async (chunk) => {
          published.push({
            file: chunk.stagingPath.split('/').pop() as string,
            startMs: chunk.startMs,
            endMs: chunk.endMs,
          });
        },
        onChunkDiscarded: async (chunk) => {
          discarded.push(chunk.stagingPath.split('/').pop() as string);
        },
      },
    );
    supervisor.start();
    await flushPromises();
    const t0 = clock.now();
    const a = ffmpeg.last;
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1006);
      // The first chunk runs from the first packet to the first boundary (capture time t0 + 1900).
      if (i === 2 && firstChunkBeforeSwitch) a.handlers.onStderrLine('ra-000000.mp4,0.000000,2.000000');
      if (i < 4) await clock.advance(1000);
    }
    await flushPromises();
    const b = ffmpeg.last;
    expect(b.spec.mode).toBe('keyframes');
    for (let k = 0; k < 3; k++) {
      await clock.advance(500);
      ffmpeg.emitOn(b, 700_000 + k * 1000);
      if (k < 2) {
        await clock.advance(500);
        ffmpeg.emitOn(a, 5000 + k * 1000);
      }
    }
    await flushPromises();
    expect(supervisor.snapshot()).toMatchObject({ mode: 'keyframes' });
    const rel = (list: typeof published) => list.map((c) => [c.file, c.startMs - t0, c.endMs - t0]);
    return { a, b, t0, published, discarded, rel };
  };

  it('keeps chunks whole across a switch: the old ffmpeg finishes its chunk, the new one drops its first part', async () => {
    const { a, b, published, discarded, rel } = await switchWithChunks(10);
    // Handed over, but the old ffmpeg is writing a whole chunk (t0 + 1.9 .. 11.9 s): it goes on.
    expect(a.signals).toEqual([]);
    await clock.advance(4000);
    // The new one reaches the boundary first: which of its chunks the old one has whole is not known yet.
    b.handlers.onStderrLine('rb-000000.mp4,0.000000,7.500000');
    await flushPromises();
    expect(rel(published)).toEqual([['ra-000000.mp4', -100, 1900]]);
    a.handlers.onStderrLine('ra-000001.mp4,2.000000,12.000000');
    await flushPromises();
    // Its whole chunk is published, and it is asked to quit.
    expect(a.signals).toEqual(['q']);
    // What it wrote after the boundary (at its quit) is the new one's: discarded.
    a.handlers.onStderrLine('ra-000002.mp4,12.000000,12.300000');
    a.handlers.onExit({ code: 0, signal: null });
    await flushPromises();
    b.handlers.onStderrLine('rb-000001.mp4,7.500000,17.500000');
    await flushPromises();
    expect(rel(published)).toEqual([
      ['ra-000000.mp4', -100, 1900],
      ['ra-000001.mp4', 1900, 11900],
      ['rb-000001.mp4', 11900, 21900],
    ]);
    expect(discarded).toEqual(['ra-000002.mp4', 'rb-000000.mp4']);
    expect(supervisor.snapshot()).toMatchObject({ restarts: 0, state: 'online' });
  });

  it("keeps the new run's first chunk when the old ffmpeg ended before the boundary (nothing is lost)", async () => {
    const { a, b, published, discarded, rel } = await switchWithChunks(10);
    // The old one dies mid-chunk: its part is published, and the new one's first part covers the rest.
    a.handlers.onStderrLine('ra-000001.mp4,2.000000,7.000000');
    await flushPromises();
    a.handlers.onExit({ code: 1, signal: null });
    b.handlers.onStderrLine('rb-000000.mp4,0.000000,7.500000');
    await flushPromises();
    expect(rel(published)).toEqual([
      ['ra-000000.mp4', -100, 1900],
      ['ra-000001.mp4', 1900, 6900],
      ['rb-000000.mp4', 4400, 11900],
    ]);
    expect(discarded).toEqual([]);
  });

  it('cuts a long chunk at the switch (10 min chunks): the old ffmpeg stops at once, both parts are kept', async () => {
    const { a, b, published, discarded, rel } = await switchWithChunks(600);
    expect(a.signals).toEqual(['q']);
    a.handlers.onStderrLine('ra-000001.mp4,2.000000,7.100000');
    a.handlers.onExit({ code: 0, signal: null });
    b.handlers.onStderrLine('rb-000000.mp4,0.000000,7.500000');
    await flushPromises();
    expect(rel(published).map(([file]) => file)).toEqual(['ra-000000.mp4', 'ra-000001.mp4', 'rb-000000.mp4']);
    expect(discarded).toEqual([]);
  });

  it("finishes the old run's first chunk too when the switch comes inside it: one partial chunk, not two overlapping", async () => {
    // The switch comes before the old run's first chunk is finished (it began at the first packet): it goes on.
    const { a, b, published, discarded, rel } = await switchWithChunks(10, false);
    expect(a.signals).toEqual([]);
    // Its first chunk ends at the boundary (t0 + 11.9 s): it is asked to quit, and finishes a sliver after it.
    a.handlers.onStderrLine('ra-000000.mp4,0.000000,12.000000');
    await flushPromises();
    expect(a.signals).toEqual(['q']);
    a.handlers.onStderrLine('ra-000001.mp4,12.000000,12.100000');
    b.handlers.onStderrLine('rb-000000.mp4,0.000000,7.500000');
    await flushPromises();
    a.handlers.onExit({ code: 0, signal: null });
    b.handlers.onStderrLine('rb-000001.mp4,7.500000,17.500000');
    await flushPromises();
    expect(rel(published)).toEqual([
      ['ra-000000.mp4', -100, 11900],
      ['rb-000001.mp4', 11900, 21900],
    ]);
    expect(discarded).toEqual(['ra-000001.mp4', 'rb-000000.mp4']);
  });

  it('stops an old ffmpeg finishing its chunk when the chunk line never comes', async () => {
    const { a } = await switchWithChunks(10);
    expect(a.signals).toEqual([]);
    await clock.advance(19_000);
    expect(a.signals).toEqual([]);
    await clock.advance(1_000);
    expect(a.signals).toEqual(['q']);
  });

  /** ffmpeg's description of its input, as it prints it at start. */
  const describeInput = (run: { handlers: CaptureHandlers }, audio: string | null) => {
    const lines = [
      "Input #0, rtsp, from 'rtsp://cam/1':",
      '  Duration: N/A, start: 0.000000, bitrate: N/A',
      '  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 640x360, 10 fps, 10 tbr, 90k tbn',
      ...(audio ? [`  Stream #0:1: Audio: ${audio}, 8000 Hz, mono, s16, 64 kb/s`] : []),
      'Stream mapping:',
    ];
    for (const line of lines) run.handlers.onStderrLine(line);
  };
  const withChunks = { chunks: () => ({ stagingDir: '/staging/cam1', seconds: 10 }), onChunk: async () => undefined };

  it('a camera never seen converts any sound; once its AAC is known, the keyframe switch copies it', async () => {
    const modes = new MemoryModes();
    supervisor = make({}, { learntModes: modes, ...withChunks });
    supervisor.start();
    await flushPromises();
    const a = ffmpeg.last;
    expect(a.spec.chunks?.audio).toBe('aac');
    describeInput(a, 'aac (LC)');
    expect(modes.codecs.get('cam1')).toEqual({ video: 'h264', audio: 'aac' });
    // Still learning the keyframe interval: no second ffmpeg for the sound alone.
    expect(ffmpeg.runs).toHaveLength(1);
    for (let i = 0; i <= 4; i++) {
      ffmpeg.emitOn(a, i * 1000);
      ffmpeg.emitKeyframe(a, i * 1006);
      if (i < 4) await clock.advance(1000);
    }
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(2);
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'keyframes', chunks: { audio: 'copy', videoCodec: 'h264' } });
  });

  it('dates chunks with sound from their first packet: the sound before the first keyframe, read from chunk 0', async () => {
    const published: [string, number, number][] = [];
    const asked: string[] = [];
    supervisor = make(
      { decodeMode: 'all' },
      {
        chunks: () => ({ stagingDir: '/staging/cam1', seconds: 10 }),
        onChunk: async (chunk) => {
          published.push([chunk.stagingPath, chunk.startMs, chunk.endMs]);
        },
        chunkVideoStartMs: async (path) => {
          asked.push(path);
          return 1_400;
        },
      },
    );
    supervisor.start();
    await flushPromises();
    const t0 = clock.now();
    for (let i = 0; i < 3; i++) {
      ffmpeg.emitOn(ffmpeg.last, i * 1000);
      await clock.advance(1000);
    }
    // Chunk 0 holds 1.4 s of sound before the first keyframe (t0 - 100): its time 0 is t0 - 1500.
    ffmpeg.last.handlers.onStderrLine('ra-000000.mp4,0.000000,3.400000');
    ffmpeg.last.handlers.onStderrLine('ra-000001.mp4,3.400000,13.400000');
    await flushPromises();
    expect(asked).toEqual(['/staging/cam1/ra-000000.mp4']);
    expect(published.map(([p, a, b]) => [p.split('/').pop(), a - t0, b - t0])).toEqual([
      ['ra-000000.mp4', -1500, 1900],
      ['ra-000001.mp4', 1900, 11900],
    ]);
  });

  it('as a recorder (main stream of a two-stream camera): no JPEGs, the keyframe list times its chunks, online at its first line', async () => {
    const published: [number, number][] = [];
    supervisor = make(
      { decodeMode: 'keyframes', role: 'recorder' },
      {
        chunks: () => ({ stagingDir: '/staging/cam1', seconds: 10 }),
        onChunk: async (chunk) => {
          published.push([chunk.startMs, chunk.endMs]);
        },
      },
    );
    supervisor.start();
    await flushPromises();
    const t0 = clock.now();
    const run = ffmpeg.last;
    expect(run.spec).toMatchObject({ thumbnails: false, mode: 'keyframes' });
    expect(run.spec.analysis).toBeUndefined();
    // The input's description gives the frame rate (the parser's one-frame delay); no picture is decoded.
    run.handlers.onStderrLine("Input #0, rtsp, from 'rtsp://cam/main':");
    run.handlers.onStderrLine(
      '  Stream #0:0: Video: h264 (High), yuv420p(progressive), 1920x1080, 10 fps, 10 tbr, 90k tbn',
    );
    run.handlers.onStderrLine("Output #0, segment, to '/dev/null':");
    // Keyframes 2 s apart: the keyframe list's first line comes with the second, at 2 s of stream time. Each
    // line's arrival is timed by the next line's start.
    await clock.advance(2000);
    expect(supervisor.snapshot().state).not.toBe('online');
    for (let i = 1; i < 5; i++) {
      run.handlers.onStderrLine(`null,${((i - 1) * 2).toFixed(6)},${(i * 2).toFixed(6)}`);
      if (i === 1) {
        expect(supervisor.snapshot().state).toBe('online');
        // A chunk finished before any arrival is timed waits for the clock instead of being dated by arrival.
        run.handlers.onStderrLine('ra-000000.mp4,0.000000,3.000000');
        await flushPromises();
        expect(published).toEqual([]);
      }
      await clock.advance(2000);
    }
    await flushPromises();
    expect(frames).toEqual([]);
    // Stream time 2 s was read at t0 + 2 s, one frame (100 ms) after it arrived: stream 0 is t0 - 100 ms.
    expect(published.map(([a, b]) => [a - t0, b - t0])).toEqual([[-100, 2900]]);
    expect(statuses.map((x) => x.online)).toEqual([true]);
  });

  it('does not publish a first chunk of sound only (a long GOP joined mid-way): the video starts at its end', async () => {
    const published: [string, number, number][] = [];
    const discarded: string[] = [];
    supervisor = make(
      { decodeMode: 'all' },
      {
        chunks: () => ({ stagingDir: '/staging/cam1', seconds: 10 }),
        onChunk: async (chunk) => {
          published.push([chunk.stagingPath.split('/').pop() as string, chunk.startMs, chunk.endMs]);
        },
        onChunkDiscarded: async (chunk) => {
          discarded.push(chunk.stagingPath.split('/').pop() as string);
        },
        chunkVideoStartMs: async () => null,
      },
    );
    supervisor.start();
    await flushPromises();
    const t0 = clock.now();
    for (let i = 0; i < 3; i++) {
      ffmpeg.emitOn(ffmpeg.last, i * 1000);
      await clock.advance(1000);
    }
    // 6 s of sound before the first keyframe, which came after the boundary: the cut was made there.
    ffmpeg.last.handlers.onStderrLine('ra-000000.mp4,0.000000,6.000000');
    ffmpeg.last.handlers.onStderrLine('ra-000001.mp4,6.000000,16.000000');
    await flushPromises();
    expect(discarded).toEqual(['ra-000000.mp4']);
    expect(published.map(([f, a, b]) => [f, a - t0, b - t0])).toEqual([['ra-000001.mp4', -100, 9900]]);
  });

  it('a long GOP stays all, and switches once for the sound when the verdict comes', async () => {
    supervisor = make({}, { learntModes: new MemoryModes(), ...withChunks });
    supervisor.start();
    await flushPromises();
    const a = ffmpeg.last;
    describeInput(a, 'aac (LC)');
    for (let i = 0; i <= 12; i++) {
      ffmpeg.emitOn(a, i * 1000);
      if (i % 4 === 0) ffmpeg.emitKeyframe(a, i * 1000);
      await clock.advance(1000);
    }
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(2);
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'all', chunks: { audio: 'copy' } });
  });

  it('uses the remembered codecs at start: G.711 converted, no sound left out, nothing to switch', async () => {
    const modes = new MemoryModes();
    modes.saved.set('cam1', { mode: 'keyframes', keyframeIntervalMs: 1000 });
    modes.codecs.set('cam1', { video: 'hevc', audio: 'pcm_alaw' });
    supervisor = make({}, { learntModes: modes, ...withChunks });
    supervisor.start();
    await flushPromises();
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'keyframes', chunks: { audio: 'aac', videoCodec: 'hevc' } });
    describeInput(ffmpeg.last, 'pcm_alaw');
    await flushPromises();
    expect(ffmpeg.runs).toHaveLength(1);
  });

  it('with a set mode, switches at once when the sound turns out to be AAC; no sound needs no switch', async () => {
    supervisor = make({ decodeMode: 'keyframes' }, { learntModes: new MemoryModes(), ...withChunks });
    supervisor.start();
    await flushPromises();
    describeInput(ffmpeg.last, 'aac (LC)');
    expect(ffmpeg.runs).toHaveLength(2);
    expect(ffmpeg.last.spec).toMatchObject({ mode: 'keyframes', chunks: { audio: 'copy' } });

    const quiet = new FakeFfmpeg();
    ffmpeg = quiet;
    supervisor = make({ decodeMode: 'keyframes' }, { learntModes: new MemoryModes(), ...withChunks });
    supervisor.start();
    await flushPromises();
    describeInput(quiet.last, null);
    expect(quiet.runs).toHaveLength(1);
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
    // Its second frame took over (the anchor from the old run's keyframe): the old one was asked to quit first.
    expect(a.signals[0]).toBe('q');
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
    // … and then stalls (no frame at all: 10 s, plus 10 s for a first keyframe), all frames come back, without a watch.
    await clock.advance(22_000);
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

  it('waits a long GOP more for the first frame of a run (a reader joins mid-GOP)', async () => {
    supervisor.start();
    await flushPromises();
    await clock.advance(19_000);
    expect(ffmpeg.last.signals).toEqual([]);
    await clock.advance(2_000);
    expect(ffmpeg.last.signals).toEqual(['q']);
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
