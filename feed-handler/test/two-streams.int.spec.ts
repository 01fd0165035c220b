/**
 * Two streams per camera (issue #17) on real services: the GStreamer RTSP server painting each frame's
 * capture time (timecode source) into a 1280×720 main stream and, on the same wall-clock grid, a 640×360
 * sub-stream (`<mount>/sub`); one real feed-handler with the camera's `url` = main and `thumbnailUrl` = sub,
 * 10 s chunks, and influxd. Thumbnails come from the sub-stream, chunks from the main one (copied: the main
 * stream's size), and both are timed on one clock: a thumbnail and the same instant in the chunk around it
 * (the frame of the chunk that carries the same painted time) agree to within 50 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { decodeTimecodeFromGray, decodeTimecodeFromJpeg } from '../../test/support/timecode.js';
import { chunksOnDisk, FeedHandlers, filesOnDisk, quantile, stopCleanly } from './harness.js';

const influx = inject('influx');
const CAMERA = `two-${Date.now().toString(36)}`;
const CHUNK_SECONDS = 10;
const FPS = 10;
/** The bound: a thumbnail and the chunk around it agree to within this. */
const ONE_CLOCK_MS = 50;
const PROBE_WIDTH = 320;
const PROBE_HEIGHT = 180;

/** Every frame of a chunk: its time in the file (s) and the capture time painted in it. */
function paintedFrames(path: string, scratch: string): { seconds: number; paintedMs: number | null }[] {
  const times = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=best_effort_timestamp_time',
      '-of',
      'csv=p=0',
      path,
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map(Number);
  const raw = join(scratch, 'frames.gray');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    path,
    '-map',
    '0:v:0',
    '-fps_mode',
    'passthrough',
    '-vf',
    `scale=${PROBE_WIDTH}:${PROBE_HEIGHT}:flags=area,format=gray`,
    '-f',
    'rawvideo',
    raw,
  ]);
  const bytes = readFileSync(raw);
  const size = PROBE_WIDTH * PROBE_HEIGHT;
  return times.map((seconds, k) => ({
    seconds,
    paintedMs:
      (k + 1) * size <= bytes.length
        ? decodeTimecodeFromGray(bytes.subarray(k * size, (k + 1) * size), PROBE_WIDTH, PROBE_HEIGHT)
        : null,
  }));
}

describe('two streams per camera: thumbnails from the sub-stream, chunks from the main one, one clock', () => {
  let rtsp: RtspServerHandle;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-two-'));
  const chunkDir = join(thumbnailDir, '_chunks');
  const scratch = mkdtempSync(join(tmpdir(), 'fathom-two-frames-'));

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['cam'],
      source: 'timecode',
      width: 1280,
      height: 720,
      fps: FPS,
      keyframeSeconds: 1,
      substream: { width: 640, height: 360 },
    });
  });
  afterAll(async () => {
    await handlers.stopAll();
    await rtsp?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('records the main stream whole and takes thumbnails from the sub-stream, on one clock (<= 50 ms)', async () => {
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [{ id: CAMERA, url: rtsp.url('cam'), thumbnailUrl: rtsp.subUrl('cam') }],
      env: { CHUNK_SECONDS: String(CHUNK_SECONDS) },
    });
    await waitFor(
      'three published chunks',
      async () => (chunksOnDisk(chunkDir, CAMERA).length >= 3 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    const health = (await (await fetch(`${handler.httpUrl}/healthz`)).json()) as {
      ok: boolean;
      cameras: { camera: string; ok: boolean; recording?: { state: string } }[];
    };
    await stopCleanly(handler);
    expect(health.ok).toBe(true);
    expect(health.cameras[0]).toMatchObject({ camera: CAMERA, ok: true, recording: { state: 'online' } });

    const chunks = chunksOnDisk(chunkDir, CAMERA);
    const thumbnails = filesOnDisk(thumbnailDir, CAMERA);
    // Thumbnails from the sub-stream: one a second (the same rate as from the main stream).
    const spanS = ((thumbnails.at(-1)?.capturedAtMs ?? 0) - (thumbnails[0]?.capturedAtMs ?? 0)) / 1000;
    expect(thumbnails.length).toBeGreaterThanOrEqual(Math.floor(spanS * 0.95));

    const errors: number[] = [];
    const report: string[] = [];
    for (const chunk of chunks) {
      const path = join(chunkDir, chunk.filepath);
      // The main stream, copied: its size, not the sub-stream's.
      const video = JSON.parse(
        execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-of', 'json', path], {
          encoding: 'utf8',
        }),
      ).streams[0] as { codec_name: string; width: number; height: number };
      expect(video).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
      const frames = paintedFrames(path, scratch);
      const byPainted = new Map(frames.filter((f) => f.paintedMs !== null).map((f) => [f.paintedMs as number, f]));
      const inside = thumbnails.filter((t) => t.capturedAtMs >= chunk.startMs && t.capturedAtMs < chunk.endMs);
      let matched = 0;
      for (const thumbnail of inside) {
        const painted = await decodeTimecodeFromJpeg(join(thumbnailDir, thumbnail.filepath));
        const frame = painted === null ? undefined : byPainted.get(painted);
        if (!frame) continue;
        matched++;
        // Where the chunk's own timeline puts that instant, against the thumbnail's capture time.
        errors.push(Math.round(chunk.startMs + frame.seconds * 1000 - thumbnail.capturedAtMs));
      }
      report.push(`${chunk.filepath}: ${frames.length} frames, ${inside.length} thumbnails inside, ${matched} matched`);
    }
    const abs = errors.map(Math.abs);
    console.log(
      `${report.join('\n')}\nchunk time - thumbnail capture time, same painted instant: n=${errors.length} ` +
        `p50 ${quantile(errors, 0.5)} ms, min ${Math.min(...errors)} ms, max ${Math.max(...errors)} ms`,
    );
    expect(errors.length).toBeGreaterThanOrEqual(15);
    expect(Math.max(...abs)).toBeLessThanOrEqual(ONE_CLOCK_MS);
  });
});
