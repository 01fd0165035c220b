/**
 * The feed-handler as production runs it: a child `node feed-handler/dist/main.js`, bound to
 * this process, configured only through its environment; read back through /healthz and /metrics.
 */
import { execFileSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { provideFeedHandlerFfmpeg } from '../../scripts/lib/feed-handler-ffmpeg.js';
import { FEED_HANDLER_NODE_ENV, FEED_HANDLER_NODE_FLAGS } from '../../scripts/lib/feed-handler-node.js';
import { freePort, REPO_ROOT, spawnBound, stopChild, waitFor } from '../../scripts/lib/process.js';

/** Compiles the contract and the feed-handler, so the bench never measures a stale dist/. */
export function buildFeedHandler(): void {
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-b', 'packages/index-contract', 'feed-handler'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

export interface CameraHealth {
  camera: string;
  state: string;
  mode: string | null;
  /** How the mode was chosen: learning, learnt, remembered, fallback, override (absent in older feed-handlers). */
  modeSource?: string | null;
  frameAgeSeconds: number;
  frames: number;
  restarts: number;
  /** With a sub-stream (`thumbnailUrl`): the main stream's recorder. */
  recording?: { state: string; keyframeAgeSeconds: number; restarts: number };
}

export interface FeedHandlerChild {
  pid: number;
  url: string;
  /** Date.now() just before the process was spawned: where a cold start's times count from. */
  spawnedAtMs: number;
  exited(): boolean;
  health(): Promise<{ cameras: CameraHealth[] }>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startFeedHandler(options: {
  /** `thumbnailUrl`: the camera's sub-stream, which then gives the thumbnails (two-stream mode). */
  cameras: { id: string; url: string; thumbnailUrl?: string }[];
  influx: { url: string; token: string; org: string; bucket: string };
  thumbnailDir: string;
  logFile: string;
  /** Default: the feed-handler's own build (feed-handler/provide-ffmpeg.sh), as its image runs it. */
  ffmpegPath?: string | undefined;
  /** When set, node writes a V8 CPU profile there on exit (--cpu-prof). */
  cpuProfileDir?: string | undefined;
  decodeMode?: string | undefined;
  /** More of the service's settings (e.g. DETECT_*, CHUNKS_ENABLED); they win over the defaults above, not over CAMERAS. */
  env?: Record<string, string> | undefined;
  /**
   * How node runs, when not as production does (FEED_HANDLER_NODE_FLAGS and FEED_HANDLER_NODE_ENV): bench:memory's
   * comparison of node settings. `env` replaces production's malloc settings (an empty object: glibc's defaults).
   */
  node?: { flags: readonly string[]; env: Record<string, string> } | undefined;
}): Promise<FeedHandlerChild> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  const nodeArgs = [
    // As production runs it (scripts/lib/stack.ts, the Dockerfile).
    ...(options.node?.flags ?? FEED_HANDLER_NODE_FLAGS),
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    // BENCH_FEED_NODE_ARGS: node flags to try on the service (e.g. V8 heap sizes), measured like the rest.
    ...(process.env.BENCH_FEED_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const spawnedAtMs = Date.now();
  const child = spawnBound(process.execPath, [...nodeArgs, join(REPO_ROOT, 'feed-handler/dist/main.js')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', log, log],
    // Only what the service needs: a developer's .env or shell must not change what is measured
    // (the service's defaults fill the rest, as in production).
    env: {
      ...(options.node?.env ?? FEED_HANDLER_NODE_ENV),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      INFLUX_URL: options.influx.url,
      INFLUX_TOKEN: options.influx.token,
      INFLUX_ORG: options.influx.org,
      INFLUX_BUCKET: options.influx.bucket,
      THUMBNAIL_DIR: options.thumbnailDir,
      FEED_HANDLER_HOST: '127.0.0.1',
      FEED_HANDLER_PORT: String(port),
      FFMPEG_PATH: options.ffmpegPath ?? (await provideFeedHandlerFfmpeg()),
      LOG_LEVEL: 'info',
      ...(options.decodeMode ? { DECODE_MODE: options.decodeMode } : {}),
      ...options.env,
      CAMERAS: JSON.stringify(options.cameras.map((c) => ({ ...c, location: 'bench' }))),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  await waitFor(
    `feed-handler at ${url}/healthz`,
    async () => {
      if (exited()) throw new Error(`feed-handler exited with ${child.exitCode}; see ${options.logFile}`);
      await fetch(`${url}/healthz`);
      return true;
    },
    { timeoutMs: 30_000 },
  );
  return {
    pid: child.pid ?? -1,
    url,
    spawnedAtMs,
    exited,
    health: async () => (await (await fetch(`${url}/healthz`)).json()) as { cameras: CameraHealth[] },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: () => stopChild(child, 15_000),
  };
}
