/**
 * The ffmpeg adapter: the only module that starts ffmpeg in the backend. It runs one
 * encode at a time for the export jobs, at low priority, reports frames from `-progress`,
 * keeps only the end of stderr (a bounded buffer), and stops in stages when cancelled:
 * SIGTERM, then SIGKILL if ffmpeg has not left after a grace period.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lastFrameCount } from '../exports/progress.js';
import { lowPriorityCommand } from '../exports/timelapse-args.js';

const STDERR_KEEP_BYTES = 8 * 1024;
const KILL_GRACE_MS = 3_000;
/** A timelapse frame takes milliseconds; this long without one more means ffmpeg is stuck (a hung mount, say). */
export const STALL_MS = 60_000;

export class EncodeError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'EncodeError';
  }
}

export interface Encoder {
  /** The binary this encoder runs and its version line, or an error when there is none. */
  probe(): { ok: true; version: string } | { ok: false; detail: string };
  /** Runs ffmpeg with `args` (a `-progress pipe:1` invocation); resolves on exit 0, rejects otherwise or when aborted. */
  run(args: string[], signal: AbortSignal, onFrames: (frames: number) => void): Promise<void>;
}

const firstExisting = (paths: string[]) => paths.find((path) => existsSync(path));

export function createFfmpegEncoder(options: {
  ffmpegPath?: string | undefined;
  niceness: number;
  stallMs?: number;
}): Encoder {
  const stallMs = options.stallMs ?? STALL_MS;
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const tools = {
    nice: firstExisting(['/usr/bin/nice', '/bin/nice']),
    ionice: firstExisting(['/usr/bin/ionice', '/bin/ionice']),
    niceness: options.niceness,
  };
  return {
    probe() {
      const result = spawnSync(ffmpeg, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
      if (result.error) return { ok: false, detail: `cannot run ${ffmpeg}: ${result.error.message}` };
      if (result.status !== 0) return { ok: false, detail: `${ffmpeg} -version exited with ${result.status}` };
      return { ok: true, version: result.stdout.split('\n')[0] ?? '' };
    },

    run(args, signal, onFrames) {
      return new Promise<void>((resolve, reject) => {
        signal.throwIfAborted();
        const { command, args: fullArgs } = lowPriorityCommand(ffmpeg, args, tools);
        const child = spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        let killTimer: NodeJS.Timeout | undefined;
        let stalled = false;
        let lastFrames = -1;
        const stop = () => {
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
          killTimer.unref();
        };
        // The stall watchdog: re-armed by every frame that moves the count on.
        const watchdog = setTimeout(() => {
          stalled = true;
          stop();
        }, stallMs);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (text: string) => {
          const frames = lastFrameCount(text);
          if (frames === undefined || frames <= lastFrames) return;
          lastFrames = frames;
          onFrames(frames);
          watchdog.refresh();
        });
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (text: string) => {
          stderr = (stderr + text).slice(-STDERR_KEEP_BYTES);
        });
        const onAbort = stop;
        signal.addEventListener('abort', onAbort, { once: true });
        child.once('error', (error) => {
          clearTimeout(watchdog);
          signal.removeEventListener('abort', onAbort);
          reject(new EncodeError(`cannot start ffmpeg (${ffmpeg}): ${error.message}`, stderr));
        });
        child.once('close', (code, killedBy) => {
          clearTimeout(watchdog);
          signal.removeEventListener('abort', onAbort);
          if (killTimer) clearTimeout(killTimer);
          if (signal.aborted) return reject(signal.reason);
          if (stalled)
            return reject(new EncodeError(`ffmpeg made no progress for ${stallMs / 1000} s and was stopped`, stderr));
          if (code === 0) return resolve();
          const lastLine = stderr.trim().split('\n').at(-1) ?? '';
          reject(
            new EncodeError(
              `ffmpeg ${killedBy ? `was killed by ${killedBy}` : `exited with ${code}`}: ${lastLine}`,
              stderr,
            ),
          );
        });
      });
    },
  };
}
