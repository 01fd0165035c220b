/**
 * Integration-test harness for the feed-handler: runs the real service as a
 * child process (`node <production flags> --import tsx feed-handler/src/main.ts`), so tests can
 * SIGTERM or SIGKILL it, and reads back what it left on disk and in InfluxDB.
 * A spec starts its children through `FeedHandlers` (index, footage folder and
 * cameras in, the env built here; `stopAll` in its after-hook).
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MEASUREMENT, parseChunkPath, parseThumbnailPath, rfc3339ToMs, TAG } from '@fathom/index-contract';
import { provideFeedHandlerFfmpeg } from '../../scripts/lib/feed-handler-ffmpeg.js';
import { FEED_HANDLER_NODE_ENV, FEED_HANDLER_NODE_FLAGS } from '../../scripts/lib/feed-handler-node.js';
import { percentile } from '../../scripts/lib/percentile.js';
import { freePort, REPO_ROOT, spawnBound, stopChild, tailOf, waitFor } from '../../scripts/lib/process.js';

export interface InfluxTarget {
  url: string;
  token: string;
  org: string;
  bucket: string;
}

export interface FeedHandlerChild {
  child: ChildProcess;
  httpUrl: string;
  logs(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startFeedHandler(env: Record<string, string>): Promise<FeedHandlerChild> {
  const port = await freePort();
  // Node runs as in the image (its flags and malloc settings); tsx compiles the source on the fly.
  const script = join(REPO_ROOT, 'feed-handler/src/main.ts');
  const child = spawnBound(process.execPath, [...FEED_HANDLER_NODE_FLAGS, '--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: {
      ...FEED_HANDLER_NODE_ENV,
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      FEED_HANDLER_HOST: '127.0.0.1',
      FEED_HANDLER_PORT: String(port),
      LOG_LEVEL: 'info',
      // The ffmpeg its image runs, not whichever is on PATH (a caller's FFMPEG_PATH wins).
      FFMPEG_PATH: await provideFeedHandlerFfmpeg(),
      ...env,
    },
  });
  const logs = tailOf(child, 200_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const httpUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    'feed-handler /healthz',
    async () => {
      if (child.exitCode !== null) throw new Error(`feed-handler exited: ${logs()}`);
      await fetch(`${httpUrl}/healthz`);
      return true;
    },
    { timeoutMs: 30_000 },
  );
  return { child, httpUrl, logs, exited };
}

/** SIGTERM, and the clean stop the service promises: exit code 0 once ffmpeg is stopped and points are flushed. */
export async function stopCleanly(handler: FeedHandlerChild): Promise<void> {
  handler.child.kill('SIGTERM');
  const exit = await handler.exited;
  if (exit.code !== 0 || exit.signal !== null) {
    throw new Error(`feed-handler did not stop cleanly on SIGTERM: ${JSON.stringify(exit)}\n${handler.logs()}`);
  }
}

export interface CameraEntry {
  id: string;
  url: string;
  /** `lab` when not given. */
  location?: string;
  width?: number;
  /** How the feed-handler reads it (config.ts cameraSchema); tcp when not given. */
  transport?: 'tcp' | 'udp';
  /** The camera's sub-stream: thumbnails from it, chunks from `url`. */
  thumbnailUrl?: string;
  /** RTMP targets the camera is sent on to (config.ts restreamTargetSchema). */
  restream?: { name?: string; url: string; key: string; enabled?: boolean }[];
}

export function camerasEnv(cameras: CameraEntry[]): string {
  return JSON.stringify(cameras.map((c) => ({ location: 'lab', ...c })));
}

/** What a spec's feed-handler runs against: the index it writes, its footage folder and its cameras. */
export interface FeedHandlerSetup {
  influx: InfluxTarget;
  thumbnailDir: string;
  cameras: CameraEntry[];
  /** Any other settings (DECODE_MODE, CHUNK_SECONDS, …); they win over the above. */
  env?: Record<string, string>;
}

export function feedHandlerEnv(setup: FeedHandlerSetup): Record<string, string> {
  const { influx } = setup;
  return {
    INFLUX_URL: influx.url,
    INFLUX_TOKEN: influx.token,
    INFLUX_ORG: influx.org,
    INFLUX_BUCKET: influx.bucket,
    THUMBNAIL_DIR: setup.thumbnailDir,
    CAMERAS: camerasEnv(setup.cameras),
    ...setup.env,
  };
}

/**
 * The feed-handler children of one spec file. `start` runs one for a setup, over the spec's `defaults`;
 * `stopAll` (the spec's afterEach or afterAll) stops those still running: SIGTERM, SIGKILL after `graceMs`.
 */
export class FeedHandlers {
  private readonly running: FeedHandlerChild[] = [];

  constructor(
    private readonly defaults: Record<string, string> = {},
    private readonly graceMs?: number,
  ) {}

  async start(setup: FeedHandlerSetup): Promise<FeedHandlerChild> {
    const handler = await startFeedHandler({ ...this.defaults, ...feedHandlerEnv(setup) });
    this.running.push(handler);
    return handler;
  }

  async stopAll(): Promise<void> {
    for (const handler of this.running.splice(0)) await stopChild(handler.child, this.graceMs);
  }
}

/** Thumbnails on disk for a camera: relative path and the capture time in the name. */
export interface ChunkOnDisk {
  /** Relative to the chunk folder: camera/YYYY/MM/DD/HH/<start-ms>-<end-ms>.mp4. */
  filepath: string;
  startMs: number;
  endMs: number;
  bytes: number;
}

/** A camera's published chunks (contract names only, staging left out), oldest first. */
export function chunksOnDisk(chunkRoot: string, camera: string): ChunkOnDisk[] {
  const out: ChunkOnDisk[] = [];
  const walk = (relative: string) => {
    let names: string[];
    try {
      names = readdirSync(join(chunkRoot, relative));
    } catch {
      return;
    }
    for (const name of names) {
      const child = `${relative}/${name}`;
      const stat = statSync(join(chunkRoot, child));
      if (stat.isDirectory()) walk(child);
      else {
        const parsed = parseChunkPath(child);
        if (parsed) out.push({ filepath: child, startMs: parsed.startMs, endMs: parsed.endMs, bytes: stat.size });
      }
    }
  };
  walk(camera);
  return out.sort((a, b) => a.startMs - b.startMs);
}

export function filesOnDisk(root: string, camera: string): { filepath: string; capturedAtMs: number }[] {
  const out: { filepath: string; capturedAtMs: number }[] = [];
  const walk = (relative: string) => {
    const absolute = join(root, relative);
    for (const name of readdirSync(absolute)) {
      const child = `${relative}/${name}`;
      if (statSync(join(root, child)).isDirectory()) walk(child);
      else {
        const parsed = parseThumbnailPath(child);
        if (parsed) out.push({ filepath: child, capturedAtMs: parsed.capturedAtMs });
      }
    }
  };
  try {
    walk(camera);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return out.sort((a, b) => a.capturedAtMs - b.capturedAtMs);
}

export async function flux(influx: InfluxTarget, query: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${influx.url}/api/v2/query?org=${encodeURIComponent(influx.org)}`, {
    method: 'POST',
    headers: {
      authorization: `Token ${influx.token}`,
      'content-type': 'application/vnd.flux',
      accept: 'application/csv',
    },
    body: query,
  });
  if (!res.ok) throw new Error(`flux query failed: HTTP ${res.status} ${await res.text()}`);
  const rows: Record<string, string>[] = [];
  let header: string[] | null = null;
  for (const line of (await res.text()).split(/\r?\n/)) {
    if (line === '') {
      header = null;
      continue;
    }
    // Our values (paths, reasons) contain no commas or quotes.
    const cells = line.split(',');
    if (!header) header = cells;
    else rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  }
  return rows;
}

/** Indexed thumbnails of a camera: point time and filepath field. */
export async function indexedThumbnails(
  influx: InfluxTarget,
  camera: string,
): Promise<{ timeMs: number; filepath: string }[]> {
  const rows = await flux(
    influx,
    `from(bucket: "${influx.bucket}") |> range(start: 0)
      |> filter(fn: (r) => r._measurement == "${MEASUREMENT.thumbnails}" and r._field == "filepath" and r.${TAG.camera} == "${camera}")
      |> keep(columns: ["_time", "_value"])`,
  );
  return rows
    .map((r) => ({ timeMs: rfc3339ToMs(r._time as string), filepath: r._value as string }))
    .sort((a, b) => a.timeMs - b.timeMs);
}

export async function statusPoints(
  influx: InfluxTarget,
  camera: string,
): Promise<{ timeMs: number; online: boolean; reason: string }[]> {
  const rows = await flux(
    influx,
    `from(bucket: "${influx.bucket}") |> range(start: 0)
      |> filter(fn: (r) => r._measurement == "${MEASUREMENT.cameraStatus}" and r.${TAG.camera} == "${camera}")
      |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
      |> keep(columns: ["_time", "online", "reason"])`,
  );
  return rows
    .map((r) => ({ timeMs: rfc3339ToMs(r._time as string), online: r.online === 'true', reason: r.reason as string }))
    .sort((a, b) => a.timeMs - b.timeMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The q-quantile (0..1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    q * 100,
  );
}

/** Every file has exactly one point with the file's capture time, and every point has its file. */
export function compareIndexWithDisk(
  files: { filepath: string; capturedAtMs: number }[],
  points: { timeMs: number; filepath: string }[],
): { unindexed: string[]; orphans: string[]; timeMismatches: string[] } {
  const byPath = new Map(points.map((p) => [p.filepath, p]));
  const onDisk = new Set(files.map((f) => f.filepath));
  return {
    unindexed: files.filter((f) => !byPath.has(f.filepath)).map((f) => f.filepath),
    orphans: points.filter((p) => !onDisk.has(p.filepath)).map((p) => p.filepath),
    timeMismatches: files
      .filter((f) => byPath.has(f.filepath) && byPath.get(f.filepath)?.timeMs !== f.capturedAtMs)
      .map((f) => f.filepath),
  };
}
