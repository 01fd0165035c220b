/**
 * One capture ffmpeg as the feed-handler runs it, minus the feed-handler: the same argument
 * vector, JPEGs read from its stdout, stderr read line by line, the analysis frames taken from
 * a unix socket this process listens on (as capture/ffmpeg.ts does), stdin left open (fluent-ffmpeg
 * keeps it for "q"). Bound to this process (die-with-parent), so it cannot outlive the bench.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { spawnBound, stopChild } from '../../scripts/lib/process.js';
import { countJpegEnds, isShowinfoFrameLine } from './streams.js';

export interface FfmpegChild {
  pid: number;
  startedAt: number;
  /** performance.now() of each JPEG's end on stdout, and of each showinfo frame line on stderr. */
  jpegEnds: number[];
  showinfo: number[];
  /** performance.now() when each whole analysis frame (frameBytes) had arrived on the socket. */
  analysisEnds: number[];
  analysisBytes(): number;
  exited(): boolean;
  /** The last few KB of stderr, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/** Inherited variables that would change what is measured (glibc malloc tunables), dropped from ffmpeg's environment. */
const MEASURED_ENV = /^(MALLOC_|GLIBC_TUNABLES$|LD_PRELOAD$)/;

function listen(path: string, onBytes: (n: number) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => onBytes(chunk.length));
      socket.on('error', () => {});
    });
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

export async function startFfmpeg(options: {
  binary: string;
  argv: string[];
  env: Record<string, string>;
  /** The unix socket path behind the analysis target (unix:<path>), when the command has one. */
  analysisSocket?: string | undefined;
  /** Bytes of one analysis frame (64 × 36 gray). */
  analysisFrameBytes: number;
}): Promise<FfmpegChild> {
  let analysisBytes = 0;
  const analysisEnds: number[] = [];
  const server = options.analysisSocket
    ? await listen(options.analysisSocket, (n) => {
        const now = performance.now();
        const framesBefore = Math.floor(analysisBytes / options.analysisFrameBytes);
        analysisBytes += n;
        const frames = Math.floor(analysisBytes / options.analysisFrameBytes);
        for (let i = framesBefore; i < frames; i++) analysisEnds.push(now);
      })
    : undefined;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !MEASURED_ENV.test(key)) env[key] = value;
  }
  const startedAt = performance.now();
  const child: ChildProcess = spawnBound(options.binary, options.argv, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...env, ...options.env },
  });
  const jpegEnds: number[] = [];
  const showinfo: number[] = [];
  let lastByte = -1;
  child.stdout?.on('data', (chunk: Buffer) => {
    const ends = countJpegEnds(lastByte, chunk);
    lastByte = chunk[chunk.length - 1] ?? lastByte;
    const now = performance.now();
    for (let i = 0; i < ends; i++) jpegEnds.push(now);
  });
  let tail = '';
  let pending = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const text = chunk.toString();
    tail = (tail + text).slice(-4_000);
    pending += text;
    const lines = pending.split(/\r?\n|\r/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (isShowinfoFrameLine(line)) showinfo.push(now);
  });
  child.stdin?.on('error', () => {});
  return {
    pid: child.pid ?? -1,
    startedAt,
    jpegEnds,
    showinfo,
    analysisEnds,
    analysisBytes: () => analysisBytes,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    tail: () => tail,
    async stop() {
      await stopChild(child, 3_000);
      server?.close();
      if (options.analysisSocket) rmSync(options.analysisSocket, { force: true });
    },
  };
}
