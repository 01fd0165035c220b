/**
 * The ffmpeg adapter: the only module that imports fluent-ffmpeg, and the one
 * that starts the capture children (restream/restream-process.ts
 * starts the restream children, with the binary resolved here). It runs the
 * arguments built in ffmpeg-args.ts and reports raw stdout bytes, stderr lines
 * and the exit; all interpretation is elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { redactCredentials } from '@fathom/service-kit';
import ffmpeg from 'fluent-ffmpeg';
import { exitFromFluentMessage } from './exit-reason.js';
import { type CaptureSpec, captureArgs } from './ffmpeg-args.js';
import { type KeyframeWatchSpec, keyframeWatchOutput } from './keyframe-watch.js';

export interface ExitResult {
  code: number | null;
  signal: string | null;
  /** Set when ffmpeg could not be started at all, or fluent-ffmpeg reported an error. */
  error?: string;
}

export interface CaptureHandlers {
  onStdout(chunk: Buffer): void;
  /** The analysis output's raw bytes (spec.analysis): fixed-size gray frames, in order. */
  onAnalysis?(chunk: Buffer): void;
  onStderrLine(line: string): void;
  /** Called exactly once, after the process has exited and its pipes have closed. */
  onExit(result: ExitResult): void;
}

export interface CaptureProcess {
  /** ffmpeg's polite stop: "q" on stdin finishes the current frame and exits 0. */
  requestQuit(): void;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface FfmpegRunner {
  readonly binary: string;
  /** With `watchKeyframes`, ffmpeg also reports every keyframe on stderr (keyframe-watch.ts). */
  spawnCapture(spec: CaptureSpec & KeyframeWatchSpec, handlers: CaptureHandlers): CaptureProcess;
}

export class FfmpegNotFoundError extends Error {
  constructor(tried: string[]) {
    super(`no ffmpeg binary found (tried ${tried.join(', ')}); set FFMPEG_PATH or install ffmpeg`);
    this.name = 'FfmpegNotFoundError';
  }
}

/** FFMPEG_PATH, else ffmpeg-static's binary if it was really downloaded, else `ffmpeg` on PATH. */
export function resolveFfmpegBinary(configured: string | undefined): string {
  const tried: string[] = [];
  if (configured) {
    if (existsSync(configured)) return configured;
    // A configured path that does not exist is a mistake, not a reason to fall back silently.
    throw new FfmpegNotFoundError([`FFMPEG_PATH=${configured}`]);
  }
  try {
    // Optional dependency: its install script downloads the binary, which may never have run.
    const fromStatic = createRequire(import.meta.url)('ffmpeg-static') as string | null;
    if (fromStatic && existsSync(fromStatic)) return fromStatic;
    tried.push(`ffmpeg-static (${fromStatic ?? 'no binary for this platform'})`);
  } catch {
    tried.push('ffmpeg-static (not installed)');
  }
  const probe = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  if (!probe.error) return 'ffmpeg';
  tried.push('ffmpeg on PATH');
  throw new FfmpegNotFoundError(tried);
}

export function createFfmpegRunner(binary: string): FfmpegRunner {
  return {
    binary,
    spawnCapture: (spec, handlers) => spawnCapture(binary, spec, handlers),
  };
}

type ChildLike = {
  stdin: NodeJS.WritableStream | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
};

/**
 * Where ffmpeg writes the analysis frames: a unix socket this process listens on.
 * fluent-ffmpeg gives a child only stdin, stdout and stderr, and stdout carries the
 * JPEGs, so the gray frames take their own channel.
 */
function listenForAnalysis(onData: (chunk: Buffer) => void): { server: Server; path: string } {
  const path = join(tmpdir(), `fathom-analysis-${process.pid}-${randomBytes(6).toString('hex')}.sock`);
  const server = createServer((socket) => {
    socket.on('data', onData);
    // ffmpeg gone: its exit is reported through the process, not the socket.
    socket.on('error', () => {});
  });
  return { server, path };
}

function spawnCapture(
  binary: string,
  spec: CaptureSpec & KeyframeWatchSpec,
  handlers: CaptureHandlers,
): CaptureProcess {
  const analysis = spec.analysis ? listenForAnalysis((chunk) => handlers.onAnalysis?.(chunk)) : undefined;
  const args = captureArgs(
    spec.analysis && analysis ? { ...spec, analysis: { ...spec.analysis, target: `unix:${analysis.path}` } } : spec,
  );
  const stdout = new PassThrough();
  stdout.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
  let child: ChildLike | undefined;
  let exitInfo: { code: number | null; signal: string | null } = { code: null, signal: null };
  let pendingSignal: 'SIGTERM' | 'SIGKILL' | 'quit' | undefined;
  let exited = false;
  const finish = (error?: string) => {
    if (exited) return;
    exited = true;
    if (analysis) {
      analysis.server.close();
      rmSync(analysis.path, { force: true });
    }
    handlers.onExit(error ? { ...exitInfo, error: redactCredentials(error) } : exitInfo);
  };

  const command = ffmpeg(spec.url)
    .setFfmpegPath(binary)
    .inputOptions(args.inputOptions)
    .outputOptions(args.outputOptions)
    .output(args.mainTarget ?? stdout, { end: false });
  // fluent-ffmpeg applies outputOptions to the output declared last: the chunk recorder's follow it.
  if (args.chunkOutput) command.output(args.chunkOutput.target).outputOptions(args.chunkOutput.options);
  if (args.analysisOutput) command.output(args.analysisOutput.target).outputOptions(args.analysisOutput.options);
  if (spec.watchKeyframes) {
    const watch = keyframeWatchOutput();
    command.output(watch.target).outputOptions(watch.options);
  }
  command
    .on('start', () => {
      child = (command as unknown as { ffmpegProc: ChildLike }).ffmpegProc;
      child.stdin?.on('error', () => {
        // ffmpeg may already be gone when "q" is written; the exit handler reports that.
      });
      child.once('exit', (code, signal) => {
        exitInfo = { code, signal };
      });
      if (pendingSignal === 'quit') quit();
      else if (pendingSignal) child.kill(pendingSignal);
    })
    .on('stderr', (line: string) => handlers.onStderrLine(line))
    .on('end', () => finish())
    .on('error', (error: Error) => {
      // fluent-ffmpeg reports a non-zero exit or a signal as an error; only a
      // failure to start at all (no exit code, no signal) is a real error.
      // Its error can come before the child's own 'exit' event: then its message says how it ended.
      if (exitInfo.code === null && exitInfo.signal === null) exitInfo = exitFromFluentMessage(error.message);
      const startedAndExited = exitInfo.code !== null || exitInfo.signal !== null;
      finish(startedAndExited ? undefined : error.message);
    });

  const quit = () => {
    child?.stdin?.write('q');
  };
  if (analysis) {
    // ffmpeg connects to the socket as it opens its outputs: listen first.
    analysis.server.once('error', (error) => finish(`analysis socket: ${error.message}`));
    analysis.server.listen(analysis.path, () => command.run());
  } else command.run();

  return {
    requestQuit() {
      if (child) quit();
      else pendingSignal = 'quit';
    },
    kill(signal) {
      if (child) child.kill(signal);
      else pendingSignal = signal;
    },
  };
}
