/**
 * One measurement: K ffmpegs with the same command line, each on its own RTSP mount of the
 * same server, until each has delivered two JPEGs; then a warm-up, then a window; at the window's
 * end every process's status (VmHWM: the kernel's own peak), smaps_rollup and CPU (utime + stime
 * since the window's start), and the first process's full smaps, are read. Nothing is read in
 * between: smaps_rollup walks page tables, CPU that would land inside the measured window.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../scripts/lib/process.js';
import { clockTicksPerSecond } from '../ingest/procfs.js';
import { type FfmpegChild, startFfmpeg } from './ffmpeg-child.js';
import { type MemorySample, readMappings, readMemory } from './procfs.js';
import type { ProcessDelivery } from './report.js';
import { classify, fileCount, type Part } from './smaps.js';
import { pairedDelaysMs, ratePerSecond } from './streams.js';
import { buildCommand, type Variant } from './variants.js';

export interface MeasureContext {
  ffmpeg: string;
  /** rtsp://127.0.0.1:PORT/<mount> for process i (0-based). */
  url(i: number): string;
  workDir: string;
  warmupSeconds: number;
  windowSeconds: number;
  log(message: string): void;
}

export interface ProcessResult extends ProcessDelivery {
  /** At the window's end. */
  end: MemorySample;
  /** Anonymous at the window's start (KiB), to tell steady state from growth. */
  startAnonymousKb: number;
}

export interface VariantResult {
  variant: Variant;
  processes: ProcessResult[];
  /** The first process's mappings, classified; and how many files it maps. */
  parts: Part[];
  files: number;
  windowSeconds: number;
  /** Set when the variant could not be measured (ffmpeg failed, no JPEGs). */
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ANALYSIS_FRAME_BYTES = 64 * 36;

function bytesUnder(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // renamed meanwhile
    }
  }
  return total;
}

export async function measureVariant(ctx: MeasureContext, variant: Variant, count: number): Promise<VariantResult> {
  const runDir = join(ctx.workDir, `${variant.id}-${count}-${Date.now()}`);
  const children: FfmpegChild[] = [];
  const chunkDirs: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const chunkDir = join(runDir, `p${i + 1}`);
      mkdirSync(chunkDir, { recursive: true });
      chunkDirs.push(chunkDir);
      const socket = join(runDir, `p${i + 1}.sock`);
      const command = buildCommand(variant.change, {
        url: ctx.url(i),
        stagingPattern: join(chunkDir, 'run-%06d.mp4'),
        analysisTarget: `unix:${socket}`,
      });
      children.push(
        await startFfmpeg({
          binary: ctx.ffmpeg,
          argv: command.argv,
          env: command.env,
          analysisSocket: command.analysis ? socket : undefined,
          analysisFrameBytes: ANALYSIS_FRAME_BYTES,
        }),
      );
    }
    try {
      await waitFor(
        `two JPEGs from each of ${count} ffmpeg(s)`,
        async () => {
          const dead = children.find((c) => c.exited());
          if (dead) throw new Error(`ffmpeg exited: ${dead.tail().slice(-1_500)}`);
          return children.every((c) => c.jpegEnds.length >= 2) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
    } catch (error) {
      return { variant, processes: [], parts: [], files: 0, windowSeconds: 0, error: String((error as Error).message) };
    }
    await sleep(ctx.warmupSeconds * 1000);

    const start = performance.now();
    const before = children.map((c) => readMemory(c.pid));
    const chunkBytesBefore = chunkDirs.map(bytesUnder);
    const analysisBefore = children.map((c) => c.analysisBytes());
    await sleep(ctx.windowSeconds * 1000);
    const end = performance.now();
    const after = children.map((c) => readMemory(c.pid));
    const { mappings, stackPointers } = readMappings(children[0]?.pid ?? -1);
    const seconds = (end - start) / 1000;
    const processes: ProcessResult[] = [];
    for (const [i, c] of children.entries()) {
      const b = before[i];
      const a = after[i];
      if (!a || !b || c.exited()) {
        return {
          variant,
          processes: [],
          parts: [],
          files: 0,
          windowSeconds: seconds,
          error: `ffmpeg ${i + 1} exited during the window: ${c.tail().slice(-1_500)}`,
        };
      }
      processes.push({
        end: a,
        startAnonymousKb: b.rollup.Anonymous,
        cpuCores: (a.ticks - b.ticks) / clockTicksPerSecond() / seconds,
        jpegsPerSecond: ratePerSecond(c.jpegEnds, start, end),
        analysisFramesPerSecond: (c.analysisBytes() - (analysisBefore[i] as number)) / ANALYSIS_FRAME_BYTES / seconds,
        chunkBytes: bytesUnder(chunkDirs[i] as string) - (chunkBytesBefore[i] as number),
        firstJpegSeconds: ((c.jpegEnds[0] as number) - c.startedAt) / 1000,
        encodeDelaysMs: pairedDelaysMs(c.showinfo, c.jpegEnds, start, end),
        analysisDelaysMs: pairedDelaysMs(c.showinfo, c.analysisEnds, start, end),
      });
    }
    return {
      variant,
      processes,
      parts: classify(mappings, stackPointers),
      files: fileCount(mappings),
      windowSeconds: seconds,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    // The chunks are a few MB per process and second: gone with the run.
    rmSync(runDir, { recursive: true, force: true });
  }
}
