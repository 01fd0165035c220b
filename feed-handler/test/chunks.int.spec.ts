/**
 * Video chunks on real services: the GStreamer RTSP server painting each
 * frame's capture time (10 fps, a keyframe a second), the feed-handler with
 * 10-second chunks, ffmpeg and influxd. Three full chunks must be playable
 * MP4s of 10 s (ffprobe), copied, not re-encoded (the source's profile and
 * its keyframe every 10 frames survive), indexed once each with the times in
 * their names, and each chunk's start must be the capture time painted in its
 * first frame.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNK_FIELD, MEASUREMENT, TAG } from '@fathom/index-contract';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { decodeTimecodeFromJpeg } from '../../test/support/timecode.js';
import { type ChunkOnDisk, chunksOnDisk, FeedHandlers, filesOnDisk, flux, stopCleanly } from './harness.js';

const influx = inject('influx');
const CAMERA = `chunk-${Date.now().toString(36)}`;
const CHUNK_SECONDS = 10;
const FPS = 10;

function ffprobe(path: string): {
  format: { duration: string };
  streams: { codec_name: string; profile: string; width: number; height: number; nb_frames: string }[];
} {
  return JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path], {
      encoding: 'utf8',
    }),
  );
}

/** Flags of every video packet (K = keyframe), read without decoding. */
function packetFlags(path: string): string[] {
  return execFileSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', path],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n');
}

describe('feed-handler video chunks (10 s chunks, 10 fps, timecode source)', () => {
  let rtsp: RtspServerHandle;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-chunks-'));
  const chunkDir = join(thumbnailDir, '_chunks');
  const scratch = mkdtempSync(join(tmpdir(), 'fathom-chunk-frames-'));

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['c'],
      source: 'timecode',
      fps: FPS,
      keyframeSeconds: 1,
    });
  });
  afterAll(async () => {
    await handlers.stopAll();
    await rtsp?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('records clock-aligned MP4 chunks without re-encoding and indexes each at its capture times', async () => {
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [{ id: CAMERA, url: rtsp.url('c') }],
      env: { DECODE_MODE: 'keyframes', CHUNK_SECONDS: String(CHUNK_SECONDS) },
    });
    // The first chunk runs from the first frame to the next 10 s boundary; then three full ones.
    await waitFor(
      'four published chunks',
      async () => (chunksOnDisk(chunkDir, CAMERA).length >= 4 ? true : undefined),
      {
        timeoutMs: 100_000,
        intervalMs: 500,
      },
    );
    const metrics = await (await fetch(`${handler.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`fathom_feed_chunks_total\\{camera="${CAMERA}"\\} [4-9]`));
    await stopCleanly(handler);

    // SIGTERM finishes the chunk being recorded: it is published too.
    const chunks = chunksOnDisk(chunkDir, CAMERA);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    expect(readdirSync(join(chunkDir, '.staging', CAMERA))).toEqual([]);
    const full = chunks.slice(1, -1);
    expect(full.length).toBeGreaterThanOrEqual(3);

    const report: string[] = [];
    const thumbnailCounts: { thumbnails: number; seconds: number }[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const path = join(chunkDir, chunk.filepath);
      // Playable: decodes from end to end without a single error.
      // The chunk's own time base for the null muxer (see profiles.int.spec.ts inspectChunk).
      const decodeErrors = execFileSync(
        'ffmpeg',
        ['-v', 'error', '-i', path, '-enc_time_base:v', '-1', '-f', 'null', '-'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      expect(decodeErrors).toBe('');
      const probe = ffprobe(path);
      const video = probe.streams[0];
      const duration = Number(probe.format.duration);
      // Copied, not re-encoded: the camera's own profile, size and keyframe every FPS frames.
      expect(probe.streams).toHaveLength(1);
      expect(video).toMatchObject({ codec_name: 'h264', profile: 'Constrained Baseline', width: 640, height: 360 });
      const flags = packetFlags(path);
      expect(flags[0]).toMatch(/^K/);
      const keyframes = flags.map((f, n) => (f.startsWith('K') ? n : -1)).filter((n) => n >= 0);
      for (let k = 1; k < keyframes.length; k++) {
        expect((keyframes[k] as number) - (keyframes[k - 1] as number)).toBe(FPS);
      }
      // The times in the name agree with the file's own duration.
      expect(Math.abs((chunk.endMs - chunk.startMs) / 1000 - duration)).toBeLessThanOrEqual(0.15);
      if (i > 0 && i < chunks.length - 1) {
        expect(Math.abs(duration - CHUNK_SECONDS)).toBeLessThanOrEqual(1);
        // Cut at the first keyframe after a 10 s boundary of the clock.
        const sinceBoundary = ((chunk.startMs % 10_000) + 10_000) % 10_000;
        expect(sinceBoundary <= 1_200 || sinceBoundary >= 9_800, `start ${chunk.startMs}`).toBe(true);
      }
      if (i > 0) expect(chunk.startMs).toBe((chunks[i - 1] as ChunkOnDisk).endMs);
      // The start is the capture time painted in the chunk's first frame.
      const still = join(scratch, `${i}.jpg`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path, '-frames:v', '1', '-q:v', '2', still]);
      const painted = await decodeTimecodeFromJpeg(still);
      expect(painted, `timecode in the first frame of ${chunk.filepath}`).not.toBeNull();
      const error = chunk.startMs - (painted as number);
      expect(Math.abs(error)).toBeLessThanOrEqual(100);
      // The thumbnails of the same seconds are there too.
      const thumbs = filesOnDisk(thumbnailDir, CAMERA).filter(
        (t) => t.capturedAtMs >= chunk.startMs && t.capturedAtMs < chunk.endMs,
      );
      report.push(
        `#${i} ${duration.toFixed(3)} s, ${video?.nb_frames} frames, ${chunk.bytes} B, start-painted ${error} ms, ${thumbs.length} thumbnails (${thumbs.map((t) => t.capturedAtMs - chunk.startMs).join(' ')})`,
      );
      if (i > 0 && i < chunks.length - 1) thumbnailCounts.push({ thumbnails: thumbs.length, seconds: duration });
    }
    console.log(`chunks:\n${report.join('\n')}`);
    for (const c of thumbnailCounts) expect(Math.abs(c.thumbnails - c.seconds)).toBeLessThanOrEqual(1);

    // One point per chunk, at its start, with the fields of its name and size.
    const rows = await flux(
      influx,
      `from(bucket: "${influx.bucket}") |> range(start: 0)
        |> filter(fn: (r) => r._measurement == "${MEASUREMENT.chunks}" and r.${TAG.camera} == "${CAMERA}")
        |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
        |> keep(columns: ["_time", "${CHUNK_FIELD.filepath}", "${CHUNK_FIELD.start}", "${CHUNK_FIELD.end}", "${CHUNK_FIELD.bytes}"])`,
    );
    const points = rows
      .map((r) => ({
        timeMs: Date.parse(r._time as string),
        filepath: r[CHUNK_FIELD.filepath],
        startMs: Number(r[CHUNK_FIELD.start]),
        endMs: Number(r[CHUNK_FIELD.end]),
        bytes: Number(r[CHUNK_FIELD.bytes]),
      }))
      .sort((a, b) => a.timeMs - b.timeMs);
    expect(points).toEqual(chunks.map((c) => ({ timeMs: c.startMs, ...c })));
  });
});
