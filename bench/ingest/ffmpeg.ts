/**
 * The bench's ffmpeg adapter (Debian's ffmpeg/ffprobe CLI): encodes and probes the cached
 * clip, and runs the naive pulls. Arguments come from clip.ts.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnBound, stopChild, tailOf } from '../../scripts/lib/process.js';
import {
  type ClipSpec,
  type ClipStats,
  clipEncodeArgs,
  clipFileName,
  clipStatsFromPackets,
  naivePullArgs,
} from './clip.js';

const execFileAsync = promisify(execFile);

export interface ClipInfo extends ClipStats {
  path: string;
  /** Whether this run encoded it (false: found in the cache). */
  encoded: boolean;
}

async function probeClip(path: string): Promise<ClipStats> {
  const packets = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size,flags', '-of', 'csv=p=0', path],
    { maxBuffer: 64 << 20 },
  );
  const duration = await execFileAsync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    path,
  ]);
  return clipStatsFromPackets(packets.stdout, Number(duration.stdout.trim()));
}

/** The cached clip, encoding it first if needed (about 10 s per 16 s of 1080p on 2 cores). */
export async function provideClip(spec: ClipSpec, cacheDir: string, log: (m: string) => void): Promise<ClipInfo> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, clipFileName(spec));
  let encoded = false;
  if (!existsSync(path)) {
    log(`encoding ${path} (once; cached for the next runs) ...`);
    // Written aside and renamed, so an interrupted encode never leaves a truncated clip in the cache.
    const partial = `${path}.partial-${process.pid}`;
    try {
      await execFileAsync('ffmpeg', clipEncodeArgs(spec, partial), { maxBuffer: 16 << 20 });
      renameSync(partial, path);
    } finally {
      rmSync(partial, { force: true });
    }
    encoded = true;
  }
  return { path, encoded, ...(await probeClip(path)) };
}

export interface NaivePull {
  pid: number;
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** One `ffmpeg -i URL -vf fps=1 out%d.jpg` writing into `outputDir`, bound to this process. */
export function startNaivePull(url: string, outputDir: string): NaivePull {
  mkdirSync(outputDir, { recursive: true });
  const child: ChildProcess = spawnBound('ffmpeg', naivePullArgs(url, join(outputDir, 'out%d.jpg')), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tailOf(child, 4_000);
  return {
    pid: child.pid ?? -1,
    output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    // ffmpeg finishes the file it is writing on SIGTERM; SIGKILL after the grace time.
    stop: () => stopChild(child, 3_000),
  };
}
