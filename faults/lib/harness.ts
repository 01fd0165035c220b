/**
 * The stack under test: the native stack (scripts/lib/stack.ts) with 2 cameras,
 * THUMBNAIL_DIR on a size-limited tmpfs (for the full-disk fault), an API token,
 * a distinctive InfluxDB token (to search for it), and every service log line kept.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StackHandle, startStack } from '../../scripts/lib/stack.js';
import { scanThumbnails } from './disk.js';
import { compareCensus, isConsistent } from './gaps.js';
import { createIndexProbe, type IndexProbe } from './index-db.js';
import { mountSizedTmpfs, type SizedFilesystem } from './tmpfs.js';

export interface FaultProfile {
  name: 'quick' | 'full';
  /** Extra feed-handler settings (the quick profile shortens its timeouts). */
  env: Record<string, string>;
  thumbnailFsMb: number;
}

export const QUICK: FaultProfile = {
  name: 'quick',
  env: {
    STALL_SECONDS: '6',
    RTSP_TIMEOUT_SECONDS: '5',
    RESTART_BACKOFF_BASE_MS: '300',
    RESTART_BACKOFF_MAX_MS: '1500',
  },
  thumbnailFsMb: 64,
};

/** The services' own defaults: the figures are what a real deployment sees. */
export const FULL: FaultProfile = { name: 'full', env: {}, thumbnailFsMb: 256 };

export interface FaultStack {
  stack: StackHandle;
  profile: FaultProfile;
  workDir: string;
  thumbnailDir: string;
  /** null when no size-limited filesystem could be mounted (then `diskUnavailable` says why). */
  disk: SizedFilesystem | null;
  diskUnavailable: string | null;
  apiToken: string;
  influxToken: string;
  /** Every service log line, "<service> <line>". */
  logs: string[];
  index: IndexProbe;
  startedAtMs: number;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFaultStack(
  profile: FaultProfile,
  options: { onLog?: (service: string, line: string) => void; skipBuild?: boolean } = {},
): Promise<FaultStack> {
  const workDir = mkdtempSync(join(tmpdir(), 'fathom-faults-'));
  const thumbnailDir = join(workDir, 'thumbnails');
  const mounted = mountSizedTmpfs(thumbnailDir, profile.thumbnailFsMb);
  const disk = 'unavailable' in mounted ? null : mounted;
  const apiToken = `fathom-faults-api-${randomBytes(12).toString('hex')}`;
  const influxToken = `fathom-faults-influx-${randomBytes(12).toString('hex')}`;
  const logs: string[] = [];
  const startedAtMs = Date.now();
  let stack: StackHandle;
  try {
    stack = await startStack({
      workDir,
      thumbnailDir,
      cameras: 2,
      dashboard: false,
      skipBuild: options.skipBuild ?? false,
      env: {
        DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: influxToken,
        INFLUX_TOKEN: influxToken,
        FATHOM_API_TOKEN: apiToken,
        LOG_LEVEL: 'info',
        // Retention's free-space floor (default 1 GB) would delete footage on this small volume all
        // the time, and answer the full-disk fault by deleting old footage; the fault tests the write path.
        RETENTION_MIN_FREE_GB: '0',
        ...profile.env,
      },
      log: (service, line) => {
        logs.push(`${service} ${line}`);
        options.onLog?.(service, line);
      },
    });
  } catch (error) {
    disk?.unmount();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  const index = createIndexProbe(stack.influx);
  return {
    stack,
    profile,
    workDir,
    thumbnailDir,
    disk,
    diskUnavailable: 'unavailable' in mounted ? mounted.unavailable : null,
    apiToken,
    influxToken,
    logs,
    index,
    startedAtMs,
    async close() {
      await stack.stop();
      disk?.unmount();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Waits until every camera has `frames` thumbnails on disk and the index holds exactly them. */
export async function waitForSteadyState(ctx: FaultStack, frames: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const to = Date.now() - 3_000;
    const disk = await scanThumbnails(ctx.thumbnailDir, ctx.startedAtMs - 60_000, to);
    const enough = ctx.stack.cameras.every((c) => (disk.times.get(c)?.length ?? 0) >= frames);
    if (enough) {
      const census = compareCensus(
        disk.times,
        await ctx.index.thumbnailTimes(ctx.startedAtMs - 60_000, to).catch(() => new Map()),
      );
      if (isConsistent(census)) return;
      last = `lost ${census.lost.length}, phantom ${census.phantom.length}`;
    } else {
      last = ctx.stack.cameras.map((c) => `${c}: ${disk.times.get(c)?.length ?? 0} files`).join(', ');
    }
    await sleep(500);
  }
  throw new Error(`the stack did not reach a steady state in ${timeoutMs} ms (${last})`);
}
