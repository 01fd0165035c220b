/**
 * Motion against a scripted scene, on real services: the GStreamer RTSP server's
 * `scene` source (a static, noisy picture; a square that moves only in scripted
 * intervals; a lighting step), the feed-handler scoring every thumbnail in its own
 * ffmpeg run, influxd, and the backend's /events and /motion reading what it wrote.
 * Scripted times are wall-clock times (the scene's cycle is aligned to the epoch),
 * so every expectation comes from the script alone.
 *
 * And a static scene: ten minutes of a still, noisy picture, encoded to H.264 and run
 * through the same filter graph and the same motion analysis (ffmpeg reads the file
 * as fast as it can: ten minutes of stream time in seconds), must give no motion.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivityIndex } from '../../backend/src/activity-reader.js';
import { createThumbnailStore as createBackendFiles } from '../../backend/src/adapters/files.js';
import { createInfluxReader } from '../../backend/src/adapters/influx.js';
import { createApp } from '../../backend/src/app.js';
import { createThumbnailIndex } from '../../backend/src/index-reader.js';
import { createMetrics } from '../../backend/src/metrics.js';
import { serve } from '../../backend/test/http.js';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { ANALYSIS_BYTES, ANALYSIS_HEIGHT, ANALYSIS_WIDTH } from '../src/analysis/motion-score.js';
import { MotionTracker } from '../src/analysis/motion-tracker.js';
import { analysisFilterGraph, analysisOutput } from '../src/capture/ffmpeg-args.js';
import { type FeedHandlerChild, FeedHandlers, flux, sleep } from './harness.js';

const influx = inject('influx');
const CAMERA = `motion-${Date.now().toString(36)}`;
const PERIOD_S = 60;
/** Left: a move along the bottom; right: a jump there and a move along the top; a lighting step between. */
const SCRIPT = {
  period: PERIOD_S,
  moves: [
    { start: 8, end: 12, from: [0.12, 0.7], to: [0.32, 0.7], size: 0.12 },
    { start: 30, end: 34, from: [0.7, 0.3], to: [0.88, 0.3], size: 0.12 },
  ],
  lights: [{ start: 45, end: 50, gain: 1.35 }],
};
const LEFT = '0,0,0.45,1';
const RIGHT = '0.55,0,0.45,1';
/** A frame's capture time trails the painted time by the server's send delay (about 22 ms here). */
const CAPTURE_SLACK_MS = 50;

interface ApiEvent {
  /** The thumbnail before the first moving one: motion began after it. */
  start: string;
  firstMotion: { time: string };
  end: string;
  frames: number;
  peak: { time: string; motion: number };
}

/** Every scripted change inside [fromMs, toMs]: the moves, and the cycle's wrap (the square jumps back). */
function scriptedChanges(fromMs: number, toMs: number, options: { partial?: boolean } = {}) {
  const changes: { kind: string; startMs: number; endMs: number }[] = [];
  for (let cycle = Math.floor(fromMs / (PERIOD_S * 1000)) * PERIOD_S * 1000; cycle <= toMs; cycle += PERIOD_S * 1000) {
    changes.push({ kind: 'wrap', startMs: cycle, endMs: cycle });
    for (const [i, move] of SCRIPT.moves.entries()) {
      changes.push({ kind: `move${i + 1}`, startMs: cycle + move.start * 1000, endMs: cycle + move.end * 1000 });
    }
  }
  // Whole changes only, unless asked: one cut by the window's edges has a truncated event.
  return options.partial ? changes : changes.filter((c) => c.startMs > fromMs + 2_000 && c.endMs + 1_000 < toMs);
}

describe('motion on a scripted scene', () => {
  let rtsp: RtspServerHandle;
  let api: { url: string; close(): Promise<void> };
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-motion-'));
  let firstMs = 0;
  let lastMs = 0;
  let feedHandler: FeedHandlerChild;

  const get = async (path: string) => {
    const res = await fetch(`${api.url}${path}`);
    return { status: res.status, body: await res.json() };
  };
  const sec = (ms: number) => (ms / 1000).toFixed(3);

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['scene'],
      source: 'scene',
      fps: 10,
      keyframeSeconds: 1,
      env: { RTSP_SCENE_SCRIPT: JSON.stringify(SCRIPT), RTSP_SCENE_NOISE: '20' },
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const reader = createInfluxReader({ url: influx.url, token: influx.token, org: influx.org }, metrics.observeQuery);
    api = await serve(
      createApp({
        index: createThumbnailIndex(reader, influx.bucket),
        files: createBackendFiles(thumbnailDir),
        activity: createActivityIndex(reader, { index: influx.bucket, activity: `${influx.bucket}_activity` }),
        clock: { nowNs: () => BigInt(Date.now()) * 1_000_000n },
        logger: pino({ level: 'silent' }),
        metrics,
        settings: { groupMinutes: { default: 10, max: 60 }, corsOrigins: [] },
      }),
    );
    feedHandler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [{ id: CAMERA, url: rtsp.url('scene') }],
      env: { DECODE_MODE: 'keyframes', CHUNKS_ENABLED: 'false' },
    });
    firstMs = await waitFor(
      'the first thumbnail with a motion value',
      async () => {
        const rows = await flux(
          influx,
          `from(bucket: "${influx.bucket}") |> range(start: -5m) |> filter(fn: (r) => r._measurement == "filepaths" and r._field == "motion" and r.camera == "${CAMERA}") |> first()`,
        );
        return rows[0] ? Date.parse(rows[0]._time as string) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // A whole cycle of the script after the first scored frame, and the index's flush.
    await sleep(PERIOD_S * 1000 + 6_000);
    lastMs = Date.now() - 2_000;
  }, 180_000);

  afterAll(async () => {
    await handlers.stopAll();
    await api?.close();
    await rtsp?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
  });

  it('finds every scripted movement as an event, start and end within 1 s, and nothing else', async () => {
    const { status, body } = await get(`/events?camera=${CAMERA}&from=${sec(firstMs)}&to=${sec(lastMs)}`);
    expect(status).toBe(200);
    const events = (body.events as ApiEvent[]).map((e) => ({ startMs: Date.parse(e.start), endMs: Date.parse(e.end) }));
    const expected = scriptedChanges(firstMs, lastMs);
    expect(expected.filter((c) => c.kind.startsWith('move')).length).toBeGreaterThanOrEqual(2);
    const errors: { kind: string; startErrMs: number; endErrMs: number }[] = [];
    for (const change of expected) {
      const match = events.find((e) => e.startMs <= change.endMs + 1_500 && e.endMs >= change.startMs);
      expect(
        match,
        `no event for ${change.kind} at ${new Date(change.startMs).toISOString()}: ${JSON.stringify(events)}`,
      ).toBeDefined();
      if (!match) continue;
      errors.push({
        kind: change.kind,
        startErrMs: match.startMs - change.startMs,
        endErrMs: match.endMs - change.endMs,
      });
    }
    console.log(`motion events vs script (ms): ${JSON.stringify(errors)}`);
    for (const e of errors) {
      expect(Math.abs(e.startErrMs), JSON.stringify(e)).toBeLessThanOrEqual(1_000);
      expect(Math.abs(e.endErrMs), JSON.stringify(e)).toBeLessThanOrEqual(1_000);
    }
    // No event that no scripted change explains: none in the still stretches, none at the lighting steps.
    // Changes cut by the window's edges explain events too; only these are not checked for timing.
    const all = scriptedChanges(firstMs, lastMs, { partial: true });
    const unexplained = events.filter(
      (e) => !all.some((c) => e.startMs <= c.endMs + 1_500 && e.endMs >= c.startMs) && e.startMs > firstMs + 2_000,
    );
    expect(unexplained).toEqual([]);
  });

  it('flags the lighting steps as lighting, with no motion', async () => {
    const rows = await flux(
      influx,
      `from(bucket: "${influx.bucket}") |> range(start: time(v: ${BigInt(firstMs) * 1_000_000n}), stop: time(v: ${BigInt(lastMs) * 1_000_000n}))
        |> filter(fn: (r) => r._measurement == "filepaths" and r.camera == "${CAMERA}" and (r._field == "lighting" or r._field == "motion"))
        |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`,
    );
    const lit = rows.filter((r) => r.lighting === 'true').map((r) => Date.parse(r._time as string));
    const cycle = (ms: number) => ((ms % (PERIOD_S * 1000)) + PERIOD_S * 1000) % (PERIOD_S * 1000);
    // One flagged frame right after each step (up at 45 s, down at 50 s of the cycle), none elsewhere.
    const steps = [45_000, 50_000];
    expect(lit.length).toBeGreaterThanOrEqual(1);
    for (const ms of lit)
      expect(steps.some((s) => cycle(ms) > s && cycle(ms) <= s + 1_000 + CAPTURE_SLACK_MS)).toBe(true);
    for (const r of rows.filter((row) => row.lighting === 'true')) expect(Number(r.motion)).toBe(0);
  });

  it('region search finds only the movements inside the region', async () => {
    const left = await get(`/events?camera=${CAMERA}&from=${sec(firstMs)}&to=${sec(lastMs)}&region=${LEFT}`);
    const right = await get(`/events?camera=${CAMERA}&from=${sec(firstMs)}&to=${sec(lastMs)}&region=${RIGHT}`);
    const span = (e: ApiEvent) => ({ startMs: Date.parse(e.start), endMs: Date.parse(e.end) });
    const changes = scriptedChanges(firstMs, lastMs);
    const move1 = changes.filter((c) => c.kind === 'move1');
    const move2 = changes.filter((c) => c.kind === 'move2');
    const overlaps = (e: { startMs: number; endMs: number }, c: { startMs: number; endMs: number }, afterMs = 0) =>
      e.startMs <= c.endMs + 1_000 && e.endMs > c.startMs + afterMs;
    const leftEvents = (left.body.events as ApiEvent[]).map(span);
    const rightEvents = (right.body.events as ApiEvent[]).map(span);
    // Move 1 (bottom left) is found on the left only; move 2 (top right) on the right, and on the
    // left only in its first second, when the square leaves the left for the right.
    for (const c of move1) {
      expect(leftEvents.some((e) => overlaps(e, c))).toBe(true);
      expect(rightEvents.some((e) => overlaps(e, c))).toBe(false);
    }
    for (const c of move2) {
      expect(rightEvents.some((e) => overlaps(e, c))).toBe(true);
      expect(leftEvents.some((e) => overlaps(e, c, 1_000 + CAPTURE_SLACK_MS))).toBe(false);
    }
  });

  it('/motion jumps land on the scripted starts', async () => {
    const move1 = scriptedChanges(firstMs, lastMs).find((c) => c.kind === 'move1');
    expect(move1).toBeDefined();
    if (!move1) return;
    const next = await get(`/motion?camera=${CAMERA}&ts=${sec(move1.startMs - 4_000)}&dir=next`);
    expect(next.status).toBe(200);
    const landed = Date.parse(next.body.frame.time) - move1.startMs;
    // The jump lands on the first thumbnail that shows the move: the one /events names firstMotion.
    const events = await get(
      `/events?camera=${CAMERA}&from=${sec(move1.startMs - 4_000)}&to=${sec(move1.endMs + 3_000)}`,
    );
    expect(next.body.frame.time).toBe(events.body.events[0]?.firstMotion.time);
    const prev = await get(`/motion?camera=${CAMERA}&ts=${sec(move1.endMs + 8_000)}&dir=prev`);
    const landedPrev = Date.parse(prev.body.frame.time) - move1.endMs;
    console.log(`/motion next landed ${landed} ms after the scripted start; prev ${landedPrev} ms after the end`);
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThanOrEqual(1_000 + CAPTURE_SLACK_MS);
    expect(landedPrev).toBeGreaterThan(0);
    expect(landedPrev).toBeLessThanOrEqual(1_000 + CAPTURE_SLACK_MS);
  });

  it('the InfluxDB task sums the minutes into the activity bucket', { timeout: 200_000 }, async () => {
    const activityLog = () =>
      feedHandler
        .logs()
        .split('\n')
        .filter((line) => line.includes('"component":"activity"'))
        .join('\n');
    const minutes = await waitFor(
      'activity minutes from the task',
      async () => {
        const rows = await flux(
          influx,
          `from(bucket: "${influx.bucket}_activity") |> range(start: -10m) |> filter(fn: (r) => r.camera == "${CAMERA}" and r._field == "frames")`,
        );
        // A whole minute of thumbnails (about 60): the task has run after a minute the camera filled.
        return rows.some((r) => Number(r._value) >= 55) ? rows : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 2_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nfeed-handler activity log:\n${activityLog()}`);
    });
    expect(Math.max(...minutes.map((r) => Number(r._value)))).toBeLessThanOrEqual(61);
  });
});

describe('motion on ten minutes of a static scene', () => {
  it('scores no motion in any frame', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fathom-static-'));
    try {
      const clip = join(dir, 'static.mp4');
      // A still picture (one frame of testsrc2) with fresh sensor noise in every frame, 10 minutes at 5 fps.
      await run('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=1:duration=1',
        '-frames:v',
        '1',
        join(dir, 'still.png'),
      ]);
      await run('ffmpeg', [
        '-v',
        'error',
        '-loop',
        '1',
        '-framerate',
        '5',
        '-i',
        join(dir, 'still.png'),
        '-t',
        '600',
        '-vf',
        'noise=alls=16:allf=t',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '5',
        '-b:v',
        '800k',
        '-pix_fmt',
        'yuv420p',
        clip,
      ]);
      const frames = await analyseFile(clip, dir);
      const tracker = new MotionTracker();
      let scored = 0;
      let moving = 0;
      let lighting = 0;
      let maxMotion = 0;
      frames.forEach((frame, i) => {
        const metrics = tracker.next('static', i * 1000, frame);
        if (!metrics) return;
        scored++;
        if (metrics.motion > 0) moving++;
        if (metrics.lighting) lighting++;
        maxMotion = Math.max(maxMotion, metrics.motion);
      });
      console.log(`static scene: ${frames.length} frames, ${scored} scored, ${moving} with motion, max ${maxMotion}`);
      expect(frames.length).toBeGreaterThanOrEqual(599);
      expect(scored).toBe(frames.length - 1);
      expect(moving).toBe(0);
      expect(lighting).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

/** The capture's own filter graph and analysis output over a file: its gray frames, one per second of stream time. */
async function analyseFile(clip: string, dir: string): Promise<Uint8Array[]> {
  const socket = join(dir, 'analysis.sock');
  let bytes = Buffer.alloc(0);
  const server = createServer((s) =>
    s.on('data', (d: Buffer) => {
      bytes = Buffer.concat([bytes, d]);
    }),
  );
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const output = analysisOutput({ width: ANALYSIS_WIDTH, height: ANALYSIS_HEIGHT, target: `unix:${socket}` });
    const graph = analysisFilterGraph({ width: 320, analysis: { width: ANALYSIS_WIDTH, height: ANALYSIS_HEIGHT } });
    await run('ffmpeg', [
      '-v',
      'error',
      '-i',
      clip,
      '-copyts',
      '-filter_complex',
      graph,
      '-map',
      '[jpeg]',
      '-c:v',
      'mjpeg',
      '-f',
      'null',
      '-',
      ...output.options,
      output.target,
    ]);
    await sleep(200);
  } finally {
    server.close();
  }
  const frames: Uint8Array[] = [];
  for (let i = 0; i + ANALYSIS_BYTES <= bytes.length; i += ANALYSIS_BYTES)
    frames.push(new Uint8Array(bytes.subarray(i, i + ANALYSIS_BYTES)));
  return frames;
}
