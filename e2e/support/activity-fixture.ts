/**
 * A real stack for the motion features, with seeded motion instead of cameras: a
 * throwaway influxd, the real backend (run from its TypeScript source, with the
 * shared packages from source too, so no build of anyone's work in progress is
 * needed) and the built dashboard served by frontend/server.mjs.
 *
 * The feed-handler's motion pipeline is not used: frames are written the way it
 * writes them (a `filepaths` point per thumbnail with motion, grid, luma and
 * lighting fields, and a real JPEG at THUMBNAIL_DIR/<thumbnailRelativePath>), and
 * the per-minute activity bucket the way its InfluxDB task fills it. What was
 * seeded is returned as the truth the browser test checks against.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ACTIVITY_BUCKET_SUFFIX,
  ACTIVITY_FIELD,
  encodeGrid,
  GRID_CELLS,
  MEASUREMENT,
  type Region,
  regionCells,
  TAG,
  THUMBNAIL_FIELD,
  thumbnailRelativePath,
} from '@fathom/index-contract';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { API_STACK_INIT, type ApiStack, startApiStack } from './api-stack.js';

export const CAMERA = 'yard';
export const LOCATION = 'lab';
const MINUTE = 60_000;
const DAY = 86_400_000;
const INIT = API_STACK_INIT;

export const LEFT: Region = { x: 0, y: 0, w: 0.25, h: 1 };
export const RIGHT: Region = { x: 0.75, y: 0, w: 0.25, h: 1 };
const STILL_GRID = encodeGrid(new Uint8Array(GRID_CELLS));

function gridIn(region: Region, level: number): string {
  const levels = new Uint8Array(GRID_CELLS);
  for (const cell of regionCells(region)) levels[cell] = level;
  return encodeGrid(levels);
}

/** A scripted run of moving frames, one a second. */
export interface Burst {
  name: string;
  startMs: number;
  seconds: number;
  motion: number;
  side: 'left' | 'right';
  /** The last moving frame. */
  lastMs: number;
}

export interface SeededFrame {
  ms: number;
  motion: number;
  side: 'left' | 'right' | null;
}

export interface Seed {
  /** The recent footage ends here (exclusive): a few minutes before the test started, so every minute is settled. */
  endMs: number;
  /** Start of the recent footage (3 hours before endMs). */
  recentFromMs: number;
  /** No frames at all in [fromMs, toMs). */
  gap: { fromMs: number; toMs: number };
  /** A 30-second dropout: the minutes around it are only partly covered. */
  dropout: { fromMs: number; toMs: number };
  bursts: { a: Burst; b: Burst; weak: Burst; c: Burst; old: Burst };
  /** Every frame written, oldest first. */
  frames: SeededFrame[];
}

/**
 * Three hours of one-a-second frames ending a few minutes ago, motion 0 except:
 * a (left), b (right), a weak one (left, 0.4 %) and c (left), a 20-minute gap
 * between b and the weak one; and half an hour three days ago with one burst
 * (right). Bursts start 7 s after a minute, so no moving frame sits on a clip boundary;
 * a 30-second dropout three quarters of an hour ago leaves its minute partly covered.
 */
export function planSeed(nowMs: number): Seed {
  const endMs = Math.floor(nowMs / MINUTE) * MINUTE - 5 * MINUTE;
  const recentFromMs = endMs - 180 * MINUTE;
  const burst = (name: string, startMs: number, seconds: number, motion: number, side: Burst['side']): Burst => ({
    name,
    startMs,
    seconds,
    motion,
    side,
    lastMs: startMs + (seconds - 1) * 1000,
  });
  const bursts = {
    a: burst('a', endMs - 150 * MINUTE + 7_000, 20, 0.05, 'left'),
    b: burst('b', endMs - 120 * MINUTE + 7_000, 15, 0.08, 'right'),
    weak: burst('weak', endMs - 60 * MINUTE + 7_000, 10, 0.004, 'left'),
    c: burst('c', endMs - 30 * MINUTE + 7_000, 20, 0.03, 'left'),
    old: burst('old', endMs - 3 * DAY + 7_000, 30, 0.1, 'right'),
  };
  const gap = { fromMs: endMs - 100 * MINUTE, toMs: endMs - 80 * MINUTE };
  const dropout = { fromMs: endMs - 45 * MINUTE + 10_000, toMs: endMs - 45 * MINUTE + 40_000 };
  const moving = new Map<number, { motion: number; side: Burst['side'] }>();
  for (const b of Object.values(bursts)) {
    for (let s = 0; s < b.seconds; s++) moving.set(b.startMs + s * 1000, { motion: b.motion, side: b.side });
  }
  const frames: SeededFrame[] = [];
  const stretch = (fromMs: number, toMs: number) => {
    for (let ms = fromMs; ms < toMs; ms += 1000) {
      if ((ms >= gap.fromMs && ms < gap.toMs) || (ms >= dropout.fromMs && ms < dropout.toMs)) continue;
      const m = moving.get(ms);
      frames.push({ ms, motion: m?.motion ?? 0, side: m?.side ?? null });
    }
  };
  stretch(bursts.old.startMs - 15 * MINUTE - 7_000, bursts.old.startMs + 15 * MINUTE - 7_000);
  stretch(recentFromMs, endMs);
  return { endMs, recentFromMs, gap, dropout, bursts, frames };
}

export interface ActivityStack extends ApiStack {
  /** What was seeded: the truth the browser tests check against. */
  seed: Seed;
}

async function createBucket(url: string, name: string): Promise<void> {
  const headers = { authorization: `Token ${INIT.token}`, 'content-type': 'application/json' };
  const orgs = (await (await fetch(`${url}/api/v2/orgs?org=${encodeURIComponent(INIT.org)}`, { headers })).json()) as {
    orgs: { id: string }[];
  };
  const res = await fetch(`${url}/api/v2/buckets`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ orgID: orgs.orgs[0]?.id, name, retentionRules: [] }),
  });
  if (res.status !== 201) throw new Error(`creating bucket ${name} failed: ${res.status} ${await res.text()}`);
}

/** Writes points and waits until InfluxDB has them all (one write API per chunk; a failure throws). */
async function writePoints(client: InfluxDB, bucket: string, points: Point[]): Promise<void> {
  const CHUNK = 5_000;
  for (let i = 0; i < points.length; i += CHUNK) {
    const failures: Error[] = [];
    const api = client.getWriteApi(INIT.org, bucket, 'ms', {
      batchSize: CHUNK + 1,
      maxRetries: 0,
      writeFailed: (error) => {
        failures.push(error);
      },
    });
    api.writePoints(points.slice(i, i + CHUNK));
    await api.close();
    if (failures.length) throw failures[0];
  }
}

/** A few real JPEGs (ffmpeg's testsrc2, 320×180), reused for every frame by hard link. */
function makeJpegs(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=1',
    '-frames:v',
    String(count),
    '-q:v',
    '5',
    join(dir, 'frame-%02d.jpg'),
  ]);
  return Array.from({ length: count }, (_, i) => join(dir, `frame-${String(i + 1).padStart(2, '0')}.jpg`));
}

async function seed(influxUrl: string, thumbnailDir: string, workDir: string, plan: Seed): Promise<void> {
  const jpegs = makeJpegs(join(workDir, 'jpegs'), 8);
  const sizes = jpegs.map((f) => statSync(f).size);
  const client = new InfluxDB({ url: influxUrl, token: INIT.token });
  const made = new Set<string>();
  const points: Point[] = [];
  const minutes = new Map<number, { max: number; sum: number; frames: number }>();
  for (const [i, frame] of plan.frames.entries()) {
    const filepath = thumbnailRelativePath(CAMERA, frame.ms);
    const file = join(thumbnailDir, filepath);
    const folder = dirname(file);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    const source = jpegs[i % jpegs.length] as string;
    try {
      linkSync(source, file);
    } catch {
      copyFileSync(source, file);
    }
    const grid = frame.side ? gridIn(frame.side === 'left' ? LEFT : RIGHT, 2) : STILL_GRID;
    points.push(
      new Point(MEASUREMENT.thumbnails)
        .tag(TAG.camera, CAMERA)
        .tag(TAG.location, LOCATION)
        .stringField(THUMBNAIL_FIELD.filepath, filepath)
        .intField(THUMBNAIL_FIELD.bytes, sizes[i % sizes.length] as number)
        .intField(THUMBNAIL_FIELD.width, 320)
        .intField(THUMBNAIL_FIELD.height, 180)
        .floatField(THUMBNAIL_FIELD.motion, frame.motion)
        .stringField(THUMBNAIL_FIELD.grid, grid)
        .floatField(THUMBNAIL_FIELD.luma, 110)
        .booleanField(THUMBNAIL_FIELD.lighting, false)
        .timestamp(new Date(frame.ms)),
    );
    const start = frame.ms - (frame.ms % MINUTE);
    const m = minutes.get(start) ?? { max: 0, sum: 0, frames: 0 };
    m.max = Math.max(m.max, frame.motion);
    m.sum += frame.motion;
    m.frames += 1;
    minutes.set(start, m);
  }
  await writePoints(client, INIT.bucket, points);
  // The per-minute bucket, as the InfluxDB task computes it from the thumbnails.
  await writePoints(
    client,
    `${INIT.bucket}${ACTIVITY_BUCKET_SUFFIX}`,
    [...minutes].map(([ms, m]) =>
      new Point(MEASUREMENT.activity)
        .tag(TAG.camera, CAMERA)
        .tag(TAG.location, LOCATION)
        .floatField(ACTIVITY_FIELD.motionMax, m.max)
        .floatField(ACTIVITY_FIELD.motionSum, Math.round(m.sum * 1e6) / 1e6)
        .intField(ACTIVITY_FIELD.frames, m.frames)
        .timestamp(new Date(ms)),
    ),
  );
}

export async function startActivityStack(nowMs = Date.now()): Promise<ActivityStack> {
  const plan = planSeed(nowMs);
  const stack = await startApiStack({
    workDirPrefix: 'fathom-e2e-activity-',
    prepare: async ({ influxUrl, thumbnailDir, workDir }) => {
      await createBucket(influxUrl, `${INIT.bucket}${ACTIVITY_BUCKET_SUFFIX}`);
      await seed(influxUrl, thumbnailDir, workDir, plan);
    },
  });
  return { ...stack, seed: plan };
}
