import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, flushPromises } from '../../test/support/fake-clock.js';
import type { ExitResult } from '../capture/ffmpeg.js';
import { keyRedactor } from './redaction.js';
import type { ProbeOutput, RestreamHandlers, RestreamRunner } from './restream-process.js';
import { type RestreamSettings, RestreamSupervisor } from './restream-supervisor.js';

const KEY = 'live-key-1234';
const settings: RestreamSettings = {
  stallMs: 10_000,
  backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 },
  stopGraceMs: 2_000,
  stderrLines: 20,
  probeTimeoutMs: 20_000,
  audioBitrateKbps: 128,
  stableLiveMs: 10_000,
};

const PROBE_H264: ProbeOutput = {
  lines: [
    "Input #0, rtsp, from 'rtsp://u:p@cam/1':",
    '  Stream #0:0: Video: h264 (High), yuv420p, 1280x720, 25 fps',
    'At least one output file must be specified',
  ],
  exit: { code: 1, signal: null },
};

class FakeRunner implements RestreamRunner {
  probes: string[][] = [];
  probeResult: ProbeOutput = PROBE_H264;
  runs: { args: string[]; handlers: RestreamHandlers; signals: string[] }[] = [];

  async probe(args: readonly string[]) {
    this.probes.push([...args]);
    return this.probeResult;
  }

  spawn(args: readonly string[], handlers: RestreamHandlers) {
    const run = { args: [...args], handlers, signals: [] as string[] };
    this.runs.push(run);
    return { requestQuit: () => run.signals.push('q'), kill: (s: string) => run.signals.push(s) };
  }

  get last() {
    const run = this.runs.at(-1);
    if (!run) throw new Error('no restream child started');
    return run;
  }

  progress(frames: number, bytes = frames * 5_000) {
    this.last.handlers.onProgress(Buffer.from(`frame=${frames}\ntotal_size=${bytes}\nprogress=continue\n`));
  }

  end(result: ExitResult, stderr: string[] = []) {
    for (const line of stderr) this.last.handlers.onStderrLine(line);
    this.last.handlers.onExit(result);
  }
}

describe('RestreamSupervisor', () => {
  let clock: FakeClock;
  let runner: FakeRunner;
  let logged: string[];
  let supervisor: RestreamSupervisor;

  const make = (enabled = true) => {
    const log = pino({ level: 'debug' }, { write: (line: string) => logged.push(line) });
    return new RestreamSupervisor({
      camera: 'cam1',
      input: { kind: 'rtsp', url: 'rtsp://u:p@cam/1', socketTimeoutSeconds: 10 },
      target: { name: 'youtube', url: 'rtmp://a.rtmp.youtube.com/live2', key: KEY, enabled },
      settings,
      runner,
      clock,
      log,
      redact: keyRedactor([KEY]),
      random: () => 0,
    });
  };

  beforeEach(() => {
    clock = new FakeClock();
    runner = new FakeRunner();
    logged = [];
  });

  it('probes, then runs one child that copies video to <url>/<key>, with a silent track for a camera without audio', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    expect(runner.probes).toHaveLength(1);
    expect(runner.runs).toHaveLength(1);
    expect(runner.last.args.at(-1)).toBe(`rtmp://a.rtmp.youtube.com/live2/${KEY}`);
    expect(runner.last.args).toContain('anullsrc=channel_layout=stereo:sample_rate=44100');
    expect(supervisor.snapshot()).toMatchObject({ state: 'starting', audio: 'silent' });
    runner.progress(0, 0);
    expect(supervisor.snapshot().state).toBe('starting');
    runner.progress(12);
    await clock.advance(3_000);
    runner.progress(80, 400_000);
    expect(supervisor.snapshot()).toMatchObject({ state: 'live', uptimeSeconds: 3, bytesSent: 400_000, restarts: 0 });
  });

  it('a refused publish is a failing state with the reason, retried with growing backoff up to the cap', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    const refuse = () =>
      runner.end({ code: 1, signal: null }, [`rtmp://a.rtmp.youtube.com/live2/${KEY}: Input/output error`]);
    refuse();
    await flushPromises();
    expect(supervisor.snapshot()).toMatchObject({
      state: 'failing',
      reason: 'target: publish refused (check the stream key)',
      restarts: 1,
    });
    // random() = 0 gives the full delay: 1, 2, 4, 8, 16, 32, 60, 60 s.
    const starts: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 8; i++) {
      const before = runner.runs.length;
      while (runner.runs.length === before) await clock.advance(100);
      starts.push(Math.round((clock.now() - t0) / 1000));
      refuse();
      await flushPromises();
    }
    expect(starts).toEqual([1, 3, 7, 15, 31, 63, 123, 183]);
    expect(supervisor.snapshot()).toMatchObject({ state: 'failing', restarts: 9 });
    // The target failed, not the camera: its codecs are not probed again.
    expect(runner.probes).toHaveLength(1);
  });

  it('keeps the stream key out of the logs and the status, even when ffmpeg quotes it', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    runner.end({ code: 1, signal: null }, [
      `Output #0, flv, to 'rtmp://a.rtmp.youtube.com/live2/${KEY}':`,
      `[rtmp @ 0x1] Server error: '${KEY}' is not a known stream`,
    ]);
    await flushPromises();
    const everything = logged.join('\n') + JSON.stringify(supervisor.snapshot());
    expect(everything).toContain('restream failing');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain('u:p@');
  });

  it('after a live run long enough the backoff starts from its base again', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    runner.end({ code: 1, signal: null }, ['rtmp://a.rtmp.youtube.com/live2/***: Connection refused']);
    await clock.advance(1_000);
    runner.end({ code: 1, signal: null }, ['rtmp://a.rtmp.youtube.com/live2/***: Connection refused']);
    await clock.advance(2_000);
    expect(runner.runs).toHaveLength(3);
    runner.progress(10);
    await clock.advance(6_000);
    runner.progress(150);
    await clock.advance(5_000);
    runner.progress(300);
    runner.end({ code: 1, signal: null }, ['av_interleaved_write_frame(): Broken pipe']);
    await flushPromises();
    expect(supervisor.snapshot()).toMatchObject({
      state: 'failing',
      reason: 'target: connection lost',
      bytesSent: 1_500_000,
    });
    await clock.advance(1_000);
    expect(runner.runs).toHaveLength(4);
  });

  it('stops a child that sends no video for stallMs in stages, and restarts it', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    runner.progress(10);
    await clock.advance(5_000);
    runner.progress(20); // still moving
    await clock.advance(9_000);
    expect(runner.last.signals).toEqual([]);
    await clock.advance(2_000);
    expect(runner.last.signals).toEqual(['q']);
    await clock.advance(2_000);
    expect(runner.last.signals).toEqual(['q', 'SIGTERM']);
    await clock.advance(2_000);
    expect(runner.last.signals).toEqual(['q', 'SIGTERM', 'SIGKILL']);
    runner.end({ code: null, signal: 'SIGKILL' });
    await flushPromises();
    expect(supervisor.snapshot()).toMatchObject({ state: 'failing', reason: 'stalled: no video sent for 10 s' });
    await clock.advance(1_000);
    // The run had sent video: its plan still holds.
    expect(runner.probes).toHaveLength(1);
    expect(runner.runs).toHaveLength(2);
  });

  it('probes the camera again after a run that ended before sending video, unless the target refused it', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    runner.end({ code: null, signal: 'SIGKILL' });
    await clock.advance(1_000);
    expect(runner.probes).toHaveLength(2);
    runner.end({ code: 1, signal: null }, ['rtmp://a.rtmp.youtube.com/live2/***: Connection refused']);
    await clock.advance(2_000);
    expect(runner.probes).toHaveLength(2);
    runner.end({ code: 1, signal: null }, ['rtsp://***@cam/1: Connection refused']);
    await clock.advance(4_000);
    expect(runner.probes).toHaveLength(3);
    expect(runner.runs).toHaveLength(4);
  });

  it('the switch stops the child without counting a failure, and starts it again at once', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    runner.progress(10);
    expect(supervisor.setEnabled(false)).toMatchObject({ state: 'off', reason: 'switched off' });
    expect(runner.last.signals).toEqual(['q']);
    runner.end({ code: 0, signal: null });
    await clock.advance(120_000);
    expect(runner.runs).toHaveLength(1);
    expect(supervisor.snapshot()).toMatchObject({ state: 'off', restarts: 0 });
    expect(supervisor.setEnabled(true)).toMatchObject({ state: 'starting' });
    await flushPromises();
    expect(runner.runs).toHaveLength(2);
  });

  it('switched on while the previous child is still stopping: that end is no failure either', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    supervisor.setEnabled(false);
    supervisor.setEnabled(true);
    runner.end({ code: 0, signal: null });
    await flushPromises();
    expect(supervisor.snapshot()).toMatchObject({ state: 'starting', restarts: 0 });
    expect(runner.runs).toHaveLength(2);
  });

  it('disabled in the configuration: nothing runs until switched on', async () => {
    supervisor = make(false);
    supervisor.start();
    await clock.advance(10_000);
    expect(runner.probes).toHaveLength(0);
    expect(supervisor.snapshot()).toMatchObject({ state: 'off', reason: 'disabled in the configuration' });
    supervisor.setEnabled(true);
    await flushPromises();
    expect(runner.runs).toHaveLength(1);
  });

  it('a camera RTMP cannot carry, or cannot be read, is failing with the reason, probed again after the backoff', async () => {
    runner.probeResult = {
      lines: ["Input #0, rtsp, from 'x':", '  Stream #0:0: Video: hevc (Main), yuv420p, 1920x1080'],
      exit: { code: 1, signal: null },
    };
    supervisor = make();
    supervisor.start();
    await flushPromises();
    expect(supervisor.snapshot()).toMatchObject({
      state: 'failing',
      reason: 'camera video is hevc; RTMP carries H.264 only',
    });
    expect(runner.runs).toHaveLength(0);
    runner.probeResult = { lines: ['rtsp://u:p@cam/1: Connection refused'], exit: { code: 1, signal: null } };
    await clock.advance(1_000);
    expect(supervisor.snapshot()).toMatchObject({
      state: 'failing',
      reason: 'camera: connection refused',
      restarts: 2,
    });
    runner.probeResult = PROBE_H264;
    await clock.advance(2_000);
    expect(runner.runs).toHaveLength(1);
  });

  it('stop() stops the child in stages and ends off', async () => {
    supervisor = make();
    supervisor.start();
    await flushPromises();
    runner.progress(10);
    const stopped = supervisor.stop();
    expect(runner.last.signals).toEqual(['q']);
    runner.end({ code: 0, signal: null });
    await stopped;
    expect(supervisor.snapshot()).toMatchObject({ state: 'off', reason: 'shutdown' });
    expect(runner.runs).toHaveLength(1);
  });
});
