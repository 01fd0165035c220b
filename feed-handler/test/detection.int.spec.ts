/**
 * Object detection on real services: the GStreamer `scene` source composites the
 * detector package's own sample photo (a standing person) into a static scene during
 * scripted intervals, the real feed-handler runs its detector thread on the moving
 * frames, and influxd holds what it found. A second camera shows the same kind of scene
 * (a moving square, a lighting step) with nobody in it. Scripted times are wall-clock
 * times (the scene's cycle is aligned to the epoch), so every expectation comes from the
 * script alone. A second part starts the detector with no model: thumbnails and the
 * index carry on, and /healthz and /metrics say what is wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { type FeedHandlerChild, FeedHandlers, flux, indexedThumbnails, sleep } from './harness.js';

const influx = inject('influx');
const require = createRequire(import.meta.url);
const SAMPLE = join(dirname(require.resolve('@vladmandic/human')), '..', 'assets', 'samples.jpg');
const RUN = Date.now().toString(36);
const DOOR = `door-${RUN}`;
const EMPTY = `empty-${RUN}`;

const PERIOD_S = 40;
/** The person stands in view during [12, 24) of each cycle; a square crosses the top meanwhile (someone moving). */
const PERSON = { start: 12, end: 24 };
const DOOR_SCRIPT = {
  period: PERIOD_S,
  pictures: [{ ...PERSON, image: SAMPLE, crop: [0, 0, 156, 156], at: [0.5, 0.56], height: 0.8 }],
  moves: [{ ...PERSON, from: [0.08, 0.09], to: [0.92, 0.09], size: 0.1 }],
};
/** Nobody: a square moves and the light steps, so the detector looks at frames that moved. */
const EMPTY_SCRIPT = {
  period: PERIOD_S,
  moves: [
    { start: 5, end: 15, from: [0.1, 0.7], to: [0.9, 0.7], size: 0.15 },
    { start: 20, end: 30, from: [0.9, 0.3], to: [0.1, 0.3], size: 0.15 },
  ],
  lights: [{ start: 33, end: 37, gain: 1.35 }],
};
/** Cycles watched after the detector is ready. */
const CYCLES = 3;

interface Detection {
  atMs: number;
  camera: string;
  label: string;
  score: number;
}

async function detections(fromMs: number, toMs: number): Promise<Detection[]> {
  const rows = await flux(
    influx,
    `from(bucket: "${influx.bucket}") |> range(start: time(v: ${BigInt(fromMs) * 1_000_000n}), stop: time(v: ${BigInt(toMs) * 1_000_000n}))
      |> filter(fn: (r) => r._measurement == "detections" and r._field == "score" and (r.camera == "${DOOR}" or r.camera == "${EMPTY}"))`,
  );
  return rows
    .map((r) => ({
      atMs: Date.parse(r._time as string),
      camera: r.camera as string,
      label: r.label as string,
      score: Number(r._value),
    }))
    .sort((a, b) => a.atMs - b.atMs);
}

/** The scripted person intervals wholly inside [fromMs, toMs]. */
function scriptedPeople(fromMs: number, toMs: number): { startMs: number; endMs: number }[] {
  const out: { startMs: number; endMs: number }[] = [];
  const cycleMs = PERIOD_S * 1000;
  for (let c = Math.floor(fromMs / cycleMs) * cycleMs; c <= toMs; c += cycleMs) {
    const startMs = c + PERSON.start * 1000;
    const endMs = c + PERSON.end * 1000;
    if (startMs - 1_000 > fromMs && endMs + 1_000 < toMs) out.push({ startMs, endMs });
  }
  return out;
}

describe('detection on a scripted scene', () => {
  let door: RtspServerHandle;
  let empty: RtspServerHandle;
  let feedHandler: FeedHandlerChild;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-detect-'));
  let fromMs = 0;
  let toMs = 0;

  beforeAll(async () => {
    const common = { source: 'scene' as const, fps: 10, keyframeSeconds: 1, width: 640, height: 360 };
    door = await startRtspServer({
      ...common,
      port: await freePort(),
      mounts: ['door'],
      env: { RTSP_SCENE_SCRIPT: JSON.stringify(DOOR_SCRIPT) },
    });
    empty = await startRtspServer({
      ...common,
      port: await freePort(),
      mounts: ['empty'],
      env: { RTSP_SCENE_SCRIPT: JSON.stringify(EMPTY_SCRIPT) },
    });
    feedHandler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [
        { id: DOOR, url: door.url('door') },
        { id: EMPTY, url: empty.url('empty') },
      ],
      env: { DECODE_MODE: 'keyframes', CHUNKS_ENABLED: 'false', DETECT_ENABLED: 'true' },
    });
    await waitFor(
      'the detector ready',
      async () => {
        const health = (await (await fetch(`${feedHandler.httpUrl}/healthz`)).json()) as {
          detector?: { state: string };
        };
        return health.detector?.state === 'ready' ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    fromMs = Date.now();
    await sleep(CYCLES * PERIOD_S * 1000 + 1_000);
    toMs = Date.now();
    // Let the last detections reach InfluxDB (one index flush, one inference).
    await sleep(3_000);
  }, 300_000);

  afterAll(async () => {
    await handlers.stopAll();
    await door?.stop();
    await empty?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
  });

  it('finds the person in every scripted interval, first and last seen within 2 s', async () => {
    const found = (await detections(fromMs, toMs)).filter((d) => d.camera === DOOR && d.label === 'person');
    const expected = scriptedPeople(fromMs, toMs);
    expect(expected.length).toBeGreaterThanOrEqual(CYCLES - 1);
    const errors = expected.map((interval) => {
      const inside = found.filter((d) => d.atMs >= interval.startMs - 3_000 && d.atMs <= interval.endMs + 3_000);
      const first = inside[0]?.atMs ?? Number.NaN;
      const last = inside.at(-1)?.atMs ?? Number.NaN;
      return {
        interval: new Date(interval.startMs).toISOString(),
        frames: inside.length,
        firstErrMs: first - interval.startMs,
        // The last frame that can show her is the one before `end`: up to a second before it.
        lastErrMs: last - interval.endMs,
        bestScore: Math.max(...inside.map((d) => d.score)),
      };
    });
    console.log(`person appearances vs script: ${JSON.stringify(errors)}`);
    for (const e of errors) {
      expect(e.frames, JSON.stringify(e)).toBeGreaterThanOrEqual(3);
      expect(Math.abs(e.firstErrMs), JSON.stringify(e)).toBeLessThanOrEqual(2_000);
      expect(Math.abs(e.lastErrMs), JSON.stringify(e)).toBeLessThanOrEqual(2_000);
    }
    // Nothing outside the intervals (a second of slack for a frame captured on the edge).
    const cycleMs = PERIOD_S * 1000;
    const outside = found.filter((d) => {
      const s = (d.atMs % cycleMs) / 1000;
      return s < PERSON.start - 1 || s > PERSON.end + 1;
    });
    expect(outside).toEqual([]);
  });

  it('finds nothing in the empty scene, though it looked at its moving frames', async () => {
    const found = (await detections(fromMs, toMs)).filter((d) => d.camera === EMPTY);
    expect(found).toEqual([]);
    const metrics = await (await fetch(`${feedHandler.httpUrl}/metrics`)).text();
    const analysed = Number(
      metrics.match(
        new RegExp(`fathom_feed_detector_frames_total\\{camera="${EMPTY}",outcome="analysed"\\} (\\d+)`),
      )?.[1] ?? 0,
    );
    console.log(`empty scene: ${analysed} frames analysed, 0 detections`);
    expect(analysed).toBeGreaterThanOrEqual(CYCLES * 15);
  });

  it('reports the detector in /healthz and /metrics', async () => {
    const health = (await (await fetch(`${feedHandler.httpUrl}/healthz`)).json()) as Record<string, never>;
    expect(health).toMatchObject({ ok: true, detector: { ok: true, state: 'ready', reason: null } });
    const metrics = await (await fetch(`${feedHandler.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^fathom_feed_detector_up 1$/m);
    expect(metrics).toMatch(new RegExp(`fathom_feed_detections_total\\{camera="${DOOR}",label="person"\\} \\d+`));
    expect(metrics).toMatch(/fathom_feed_detection_latency_seconds_count \d+/);
  });
});

describe('a detector that cannot load', () => {
  let rtsp: RtspServerHandle;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-detect-fail-'));
  const camera = `nomodel-${RUN}`;

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['cam'],
      source: 'timecode',
      fps: 10,
      keyframeSeconds: 1,
    });
  });

  afterAll(async () => {
    await handlers.stopAll();
    await rtsp?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
  });

  it('keeps thumbnails and the index going, and says why in /healthz and /metrics', async () => {
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [{ id: camera, url: rtsp.url('cam') }],
      env: {
        DECODE_MODE: 'keyframes',
        CHUNKS_ENABLED: 'false',
        DETECT_ENABLED: 'true',
        // Every frame is a candidate: the queue fills and drops while the detector is down.
        DETECT_SAMPLE_SECONDS: '1',
        DETECT_MODEL_DIR: join(thumbnailDir, 'no-model-here'),
      },
    });
    const startMs = Date.now();
    const health = await waitFor(
      'the detector failing',
      async () => {
        const h = (await (await fetch(`${handler.httpUrl}/healthz`)).json()) as {
          ok: boolean;
          detector?: { ok: boolean; state: string; reason: string | null; dropped: number };
        };
        return h.detector?.state === 'failing' && h.detector.dropped > 0 ? h : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(health.ok).toBe(true);
    expect(health.detector).toMatchObject({ ok: false, state: 'failing' });
    expect(health.detector?.reason).toMatch(/model did not load.*centernet\.json/);
    const metrics = await (await fetch(`${handler.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^fathom_feed_detector_up 0$/m);
    expect(metrics).toMatch(
      new RegExp(`fathom_feed_detector_frames_total\\{camera="${camera}",outcome="dropped"\\} [1-9]`),
    );
    await sleep(Math.max(0, startMs + 15_000 - Date.now()));
    const indexed = (await indexedThumbnails(influx, camera)).filter((t) => t.timeMs >= startMs);
    console.log(
      `detector down: ${indexed.length} thumbnails indexed in ${((Date.now() - startMs) / 1000).toFixed(1)} s`,
    );
    expect(indexed.length).toBeGreaterThanOrEqual(10);
  });
});
