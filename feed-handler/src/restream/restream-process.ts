/**
 * The restream adapter: starts the ffmpeg children that send a camera to an
 * RTMP server, and the short probes before them, with node:child_process
 * (capture/ffmpeg.ts keeps fluent-ffmpeg to the capture children, whose
 * outputs it wires; a restream child has one output and needs none of that).
 * It runs the arguments built in restream-args.ts and reports raw progress
 * bytes, stderr lines and the exit; all interpretation is elsewhere.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ExitResult } from '../capture/ffmpeg.js';

export interface RestreamHandlers {
  /** stdout: the `-progress pipe:1` blocks. */
  onProgress(chunk: Buffer): void;
  onStderrLine(line: string): void;
  /** Called exactly once, after the process has exited and its pipes have closed. */
  onExit(result: ExitResult): void;
}

export interface RestreamProcess {
  /** ffmpeg's polite stop: "q" on stdin writes the FLV trailer and exits. */
  requestQuit(): void;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface ProbeOutput {
  /** The probe's stderr, first lines first (at most `maxLines`). */
  lines: string[];
  exit: ExitResult;
}

export interface RestreamRunner {
  spawn(args: readonly string[], handlers: RestreamHandlers): RestreamProcess;
  /** Runs a probe (probeArgs) to its end, or kills it after `timeoutMs` or when `signal` aborts. */
  probe(
    args: readonly string[],
    options: { timeoutMs: number; signal: AbortSignal; maxLines: number },
  ): Promise<ProbeOutput>;
}

/**
 * util-linux's setpriv, to give each child PR_SET_PDEATHSIG. ffmpeg ignores SIGPIPE
 * and a restream child writes nothing that reaches us, so without it a child would
 * go on broadcasting after a SIGKILLed feed-handler.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => process.platform === 'linux' && existsSync(path));

function spawnBoundToUs(binary: string, args: readonly string[]): ChildProcess {
  const [command, commandArgs] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]]
    : [binary, [...args]];
  return spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
}

/** Splits a stream into lines (ffmpeg ends some with \r), keeping a bounded partial line. */
function onLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split(/\r\n|\n|\r/);
    pending = (parts.pop() ?? '').slice(-8_192);
    for (const part of parts) onLine(part);
  });
  stream?.on('end', () => {
    if (pending) onLine(pending);
    pending = '';
  });
}

function watchExit(child: ChildProcess, onExit: (result: ExitResult) => void): void {
  let done = false;
  const finish = (result: ExitResult) => {
    if (done) return;
    done = true;
    onExit(result);
  };
  // 'close' comes after 'exit' once the pipes are drained: every line has been seen.
  child.once('close', (code, signal) => finish({ code, signal }));
  child.once('error', (error) => finish({ code: null, signal: null, error: error.message }));
}

export function createRestreamRunner(binary: string): RestreamRunner {
  return {
    spawn(args, handlers) {
      const child = spawnBoundToUs(binary, args);
      child.stdin?.on('error', () => {
        // ffmpeg may already be gone when "q" is written; the exit handler reports that.
      });
      child.stdout?.on('data', (chunk: Buffer) => handlers.onProgress(chunk));
      onLines(child.stderr, (line) => handlers.onStderrLine(line));
      watchExit(child, (result) => handlers.onExit(result));
      return {
        requestQuit: () => {
          if (child.exitCode === null && child.signalCode === null) child.stdin?.write('q');
        },
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      };
    },

    probe(args, { timeoutMs, signal, maxLines }) {
      return new Promise((resolve) => {
        const lines: string[] = [];
        const child = spawnBoundToUs(binary, args);
        child.stdin?.end();
        child.stdout?.resume();
        onLines(child.stderr, (line) => {
          if (lines.length < maxLines) lines.push(line);
        });
        const kill = () => child.kill('SIGKILL');
        const timer = setTimeout(kill, timeoutMs);
        signal.addEventListener('abort', kill, { once: true });
        watchExit(child, (exit) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', kill);
          resolve({ lines, exit });
        });
      });
    },
  };
}
