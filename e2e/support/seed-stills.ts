/**
 * Older footage for a running stack: one still a second for a stretch before
 * the live camera started, written the way the feed-handler writes them (a
 * real JPEG at THUMBNAIL_DIR/<thumbnailRelativePath> and a `filepaths` point
 * per still). A timelapse of a few minutes of live recording encodes in about
 * a second; with this behind it, an export runs long enough to be watched,
 * cancelled and measured against ingest, without a test that records for half
 * an hour.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MEASUREMENT, TAG, THUMBNAIL_FIELD, thumbnailRelativePath } from '@fathom/index-contract';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import type { StackHandle } from '../../scripts/lib/stack.js';

export interface SeededStills {
  camera: string;
  /** First still. */
  fromMs: number;
  /** After the last still (exclusive). */
  toMs: number;
  count: number;
}

const WIDTH = 320;
const HEIGHT = 180;
/** Distinct pictures, reused in turn by hard link: the encoder sees changing frames, the disk holds few files. */
const PICTURES = 60;

function makeJpegs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${WIDTH}x${HEIGHT}:rate=1`,
    '-frames:v',
    String(PICTURES),
    '-q:v',
    '5',
    join(dir, 'still-%03d.jpg'),
  ]);
  return Array.from({ length: PICTURES }, (_, i) => join(dir, `still-${String(i + 1).padStart(3, '0')}.jpg`));
}

/** Writes `count` stills of `camera`, one a second from `fromMs` (a whole second), and waits until InfluxDB has them. */
export async function seedStills(
  stack: StackHandle,
  options: { camera: string; fromMs: number; count: number; scratchDir: string },
): Promise<SeededStills> {
  const { camera, count, scratchDir } = options;
  const fromMs = Math.floor(options.fromMs / 1000) * 1000;
  const location = (JSON.parse(stack.serviceEnv.CAMERAS ?? '[]') as { id: string; location?: string }[]).find(
    (c) => c.id === camera,
  )?.location;
  const jpegs = makeJpegs(join(scratchDir, 'seed-jpegs'));
  const sizes = jpegs.map((file) => statSync(file).size);
  const folders = new Set<string>();
  const points: Point[] = [];
  for (let i = 0; i < count; i++) {
    const ms = fromMs + i * 1000;
    const relative = thumbnailRelativePath(camera, ms);
    const file = join(stack.thumbnailDir, relative);
    if (!folders.has(dirname(file))) {
      mkdirSync(dirname(file), { recursive: true });
      folders.add(dirname(file));
    }
    const source = jpegs[i % jpegs.length] as string;
    try {
      linkSync(source, file);
    } catch {
      copyFileSync(source, file);
    }
    const point = new Point(MEASUREMENT.thumbnails)
      .tag(TAG.camera, camera)
      .stringField(THUMBNAIL_FIELD.filepath, relative)
      .intField(THUMBNAIL_FIELD.bytes, sizes[i % sizes.length] as number)
      .intField(THUMBNAIL_FIELD.width, WIDTH)
      .intField(THUMBNAIL_FIELD.height, HEIGHT)
      .floatField(THUMBNAIL_FIELD.motion, 0)
      .timestamp(new Date(ms));
    points.push(location ? point.tag(TAG.location, location) : point);
  }
  const failures: Error[] = [];
  const writer = new InfluxDB({ url: stack.influx.url, token: stack.influx.token }).getWriteApi(
    stack.influx.org,
    stack.influx.bucket,
    'ms',
    { batchSize: count + 1, maxRetries: 0, writeFailed: (error) => void failures.push(error) },
  );
  writer.writePoints(points);
  await writer.close();
  if (failures.length) throw failures[0];
  return { camera, fromMs, toMs: fromMs + count * 1000, count };
}
