/**
 * Recorded video the way the feed-handler records it, without a camera: real
 * ffmpeg encodes what a camera would send (H.264 or H.265, optionally with AAC
 * sound) as an MPEG-TS stream, then copies it into an MP4 the way the chunk
 * recorder does (`-c copy`, timestamps from zero, `+faststart`). The chunk is
 * then published and indexed by the feed-handler's own code: its footage
 * store's publishChunk (the contract's file name under CHUNK_DIR, only once the
 * MP4 is whole) and its chunkToPoint (the `chunks` point), so the schema is
 * not copied here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChunkPoint } from '@fathom/index-contract';
import { InfluxDB } from '@influxdata/influxdb-client';
import { createFootageStore } from '../../feed-handler/src/footage/footage-store.js';
import { chunkToPoint } from '../../feed-handler/src/index/influx.js';
import { systemClock } from '../../feed-handler/src/shared/clock.js';
import type { InfluxTarget } from './seed-detections.js';

export type VideoCodec = 'h264' | 'h265';

export interface CameraStreamSpec {
  video: VideoCodec;
  /** AAC sound beside the picture, as a camera with a microphone sends it. */
  audio: boolean;
  seconds: number;
  width: number;
  height: number;
  fps: number;
}

const ENCODERS: Record<VideoCodec, string> = { h264: 'libx264', h265: 'libx265' };

/** Whether this ffmpeg has the encoder (Debian's does have libx264 and libx265; other builds may not). */
export function hasEncoder(name: string): boolean {
  const list = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8', maxBuffer: 4 << 20 });
  return list.split('\n').some((line) => line.trim().split(/\s+/)[1] === name);
}

export function encoderFor(codec: VideoCodec): string {
  return ENCODERS[codec];
}

/** What a camera would send, as a file: a test picture with a running clock, 1 keyframe a second, and a tone. */
export function encodeCameraStream(dir: string, name: string, spec: CameraStreamSpec): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.ts`);
  const video =
    spec.video === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main']
      : ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'];
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}`,
    ...(spec.audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-t',
    String(spec.seconds),
    ...video,
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(spec.fps),
    ...(spec.audio ? ['-c:a', 'aac', '-b:a', '64k', '-ac', '1'] : []),
    '-f',
    'mpegts',
    out,
  ]);
  return out;
}

/** The chunk recorder's copy: every stream as received into an MP4 with its index first. */
export function recordChunk(stream: string, stagingPath: string): void {
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-i',
    stream,
    '-map',
    '0:v:0',
    '-map',
    '0:a?',
    '-c',
    'copy',
    '-avoid_negative_ts',
    'make_zero',
    '-f',
    'mp4',
    '-movflags',
    '+faststart',
    stagingPath,
  ]);
}

/** One picture of the stream as a JPEG `width` wide, for the clip's thumbnails. */
export function extractStill(stream: string, jpeg: string, width: number): void {
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-i',
    stream,
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:-2`,
    jpeg,
  ]);
}

export interface StreamInfo {
  codec_type: string;
  codec_name: string;
  codec_tag_string: string;
  width?: number;
}

/** The streams of a file as ffprobe sees them. */
export function probeStreams(file: string): StreamInfo[] {
  const json = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,codec_tag_string,width', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  return (JSON.parse(json) as { streams: StreamInfo[] }).streams;
}

/**
 * Publishes a finished MP4 from staging under CHUNK_DIR and indexes it, both with the
 * feed-handler's own code; resolves once InfluxDB has the point.
 */
export async function seedChunk(
  influx: InfluxTarget,
  dirs: { thumbnailDir: string; chunkDir: string },
  chunk: { camera: string; location: string; startMs: number; endMs: number },
  stagingPath: string,
): Promise<ChunkPoint> {
  const footage = createFootageStore({
    thumbnailRoot: dirs.thumbnailDir,
    chunkRoot: dirs.chunkDir,
    clock: systemClock,
  });
  const published = await footage.publishChunk(stagingPath, chunk, 10_000);
  if (!published) throw new Error(`${stagingPath} is not a whole MP4: the feed-handler would not publish it`);
  const point: ChunkPoint = { ...chunk, filepath: published.filepath, bytes: published.bytes };
  const failures: Error[] = [];
  const api = new InfluxDB({ url: influx.url, token: influx.token }).getWriteApi(influx.org, influx.bucket, 'ms', {
    batchSize: 2,
    maxRetries: 0,
    writeFailed: (error) => void failures.push(error),
  });
  api.writePoint(chunkToPoint(point));
  await api.close();
  if (failures.length) throw failures[0];
  return point;
}
