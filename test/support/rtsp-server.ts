/**
 * Starts the real GStreamer RTSP server (rtsp/server.py) for tests, benchmarks and
 * `npm run stack`. It runs under die-with-parent (spawnBound), so it cannot outlive us.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, SYSTEM_PYTHON, spawnBound, stopChild, tailOf } from '../../scripts/lib/process.js';

export type RtspSource = 'testpattern' | 'timecode' | 'scene' | 'v4l2' | 'file' | 'rtsp';

export interface RtspServerOptions {
  port: number;
  mounts?: string[];
  source?: RtspSource;
  /** Extra RTSP_* settings (RTSP_FILE, RTSP_FILE_COPY, RTSP_UPSTREAM_URL, RTSP_BIND...); win over the fields. */
  env?: Record<string, string>;
  width?: number;
  height?: number;
  fps?: number;
  keyframeSeconds?: number;
  /**
   * RTSP_SUBSTREAM: every mount `<m>` also serves a low-resolution sub-stream at `<m>/sub`
   * (the same source at this size, its own encoder), like a camera's main and sub-stream.
   */
  substream?: { width: number; height: number };
}

export interface RtspServerHandle {
  port: number;
  mounts: string[];
  /** rtsp://HOST:PORT/<mount>, the first mount by default. */
  url(mount?: string): string;
  /** The sub-stream paths (`<mount>/sub`, one per mount) when started with `substream`, else empty. */
  subMounts: string[];
  /** rtsp://HOST:PORT/<mount>/sub, the first mount's by default; throws without `substream`. */
  subUrl(mount?: string): string;
  pid: number;
  /** The last few KB of the server's stdout and stderr (JSON log lines), for assertions and error messages. */
  output(): string;
  stop(): Promise<void>;
}

export const RTSP_SERVER_PATH = join(REPO_ROOT, 'rtsp', 'server.py');
const READY_TIMEOUT_MS = 20_000;

interface ReadyLine {
  event: 'ready';
  port: number;
  mounts: string[];
  /** Only with RTSP_SUBSTREAM. */
  sub_mounts?: string[];
}

function isReadyLine(value: unknown): value is ReadyLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Record<string, unknown>;
  return line.event === 'ready' && typeof line.port === 'number' && Array.isArray(line.mounts);
}

/** The environment the server sees: ours without inherited RTSP_* (a stray one would change the test). */
function serverEnv(options: RtspServerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RTSP_')) env[key] = value;
  env.RTSP_BIND = '127.0.0.1';
  env.RTSP_PORT = String(options.port);
  if (options.mounts) env.RTSP_MOUNTS = options.mounts.join(',');
  if (options.source) env.RTSP_SOURCE = options.source;
  if (options.width !== undefined) env.RTSP_WIDTH = String(options.width);
  if (options.height !== undefined) env.RTSP_HEIGHT = String(options.height);
  if (options.fps !== undefined) env.RTSP_FPS = String(options.fps);
  if (options.keyframeSeconds !== undefined) env.RTSP_KEYFRAME_SECONDS = String(options.keyframeSeconds);
  if (options.substream) env.RTSP_SUBSTREAM = `${options.substream.width}x${options.substream.height}`;
  return { ...env, ...options.env };
}

function waitForReady(child: ChildProcess, tail: () => string): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
        if (!line.startsWith('{')) continue;
        try {
          const parsed: unknown = JSON.parse(line);
          if (isReadyLine(parsed)) {
            cleanup();
            resolve(parsed);
            return;
          }
        } catch {
          // not JSON: keep waiting for the ready line
        }
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`rtsp/server.py exited (${signal ?? `code ${code}`}) before it was ready:\n${tail()}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`rtsp/server.py could not be started: ${error.message}\n${tail()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`rtsp/server.py was not ready within ${READY_TIMEOUT_MS} ms:\n${tail()}`));
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/**
 * Spawns rtsp/server.py bound to 127.0.0.1 (unless `env.RTSP_BIND` says otherwise) and resolves
 * once it prints its ready line (20 s at most; the error then carries the server's output).
 * RTSP_* variables of this process are not inherited: the options are the whole config.
 */
export async function startRtspServer(options: RtspServerOptions): Promise<RtspServerHandle> {
  const env = serverEnv(options);
  const child = spawnBound(SYSTEM_PYTHON, [RTSP_SERVER_PATH], { env, cwd: REPO_ROOT });
  // tailOf keeps both pipes drained for the server's whole life, so its logging never blocks.
  const tail = tailOf(child);
  let ready: ReadyLine;
  try {
    ready = await waitForReady(child, tail);
  } catch (error) {
    await stopChild(child, 2_000);
    throw error;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('rtsp/server.py has no pid');
  const host = env.RTSP_BIND === '0.0.0.0' || env.RTSP_BIND === '::' ? '127.0.0.1' : (env.RTSP_BIND ?? '127.0.0.1');
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let stopping: Promise<void> | undefined;
  const subMounts = Array.isArray(ready.sub_mounts) ? ready.sub_mounts : [];
  return {
    port: ready.port,
    mounts: ready.mounts,
    subMounts,
    pid,
    output: tail,
    url(mount = ready.mounts[0]) {
      return `rtsp://${hostInUrl}:${ready.port}/${mount}`;
    },
    subUrl(mount = ready.mounts[0]) {
      const path = `${mount}/sub`;
      if (!subMounts.includes(path)) {
        throw new Error(`rtsp/server.py serves no sub-stream ${path} (sub-streams: ${subMounts.join(', ') || 'none'})`);
      }
      return `rtsp://${hostInUrl}:${ready.port}/${path}`;
    },
    stop() {
      stopping ??= stopChild(child, 5_000);
      return stopping;
    },
  };
}
