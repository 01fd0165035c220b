/**
 * The real processes a bench measures: the cached influxd and backend children
 * (`node backend/dist/main.js`, as in production), each bound to this process.
 */
import { execFileSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, REPO_ROOT, spawnBound, stopChild, waitFor } from '../../scripts/lib/process.js';
import { parseStatLine } from '../ingest/process-tree.js';
import { clockTicksPerSecond } from '../ingest/procfs.js';

export interface BackendChild {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Compiles the contract and the backend, so the bench never measures a stale dist/. */
export function buildBackend(): void {
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-b', 'packages/index-contract', 'backend'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

export async function startBackend(options: {
  influx: { url: string; token: string; org: string };
  bucket: string;
  logFile: string;
  logLevel: string;
  thumbnailDir: string;
  /** When set, the child writes a V8 CPU profile there on exit (node --cpu-prof). */
  cpuProfileDir?: string | undefined;
  /** More settings for the child (e.g. EXPORT_DIR); they win over the ones above. */
  env?: Record<string, string> | undefined;
}): Promise<BackendChild> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawnBound(process.execPath, [...nodeArgs, join(REPO_ROOT, 'backend/dist/main.js')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      INFLUX_URL: options.influx.url,
      INFLUX_TOKEN: options.influx.token,
      INFLUX_ORG: options.influx.org,
      INFLUX_BUCKET: options.bucket,
      BACKEND_HOST: '127.0.0.1',
      BACKEND_PORT: String(port),
      THUMBNAIL_DIR: options.thumbnailDir,
      LOG_LEVEL: options.logLevel,
      // Set but empty means "unset" to the backend, and keeps a developer's .env token out of the bench.
      FATHOM_API_TOKEN: '',
      GROUP_MINUTES: '10',
      GROUP_MINUTES_MAX: '60',
      // Exports only where a bench asks for them (with its own EXPORT_DIR), never into the checkout.
      EXPORTS_ENABLED: 'false',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `backend for ${options.bucket} at ${url}/readyz`,
    async () => {
      if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}; see ${options.logFile}`);
      return (await fetch(`${url}/readyz`)).ok ? true : undefined;
    },
    { timeoutMs: 30_000 },
  );
  return { url, pid: child.pid ?? -1, stop: () => stopChild(child, 10_000) };
}

/** CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = parseStatLine(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) throw new Error(`unreadable /proc/${pid}/stat`);
  return stat.ownTicks / clockTicksPerSecond();
}

/**
 * Waits until influxd stops working on its own (WAL snapshots, TSM compactions after a
 * load or a restart), so they do not land inside a measurement: below `busyFraction` of one
 * core over a `windowMs` window, or `timeoutMs` at most.
 */
export async function waitUntilIdle(
  pid: number,
  log: (message: string) => void,
  { windowMs = 3_000, busyFraction = 0.05, timeoutMs = 15 * 60_000, minimumMs = 0 } = {},
): Promise<number> {
  const started = performance.now();
  // influxd compacts only after its "cold" durations; idle before then proves nothing.
  if (minimumMs > 0) await new Promise((r) => setTimeout(r, minimumMs));
  for (;;) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, windowMs));
    const busy = (cpuSeconds(pid) - before) / (windowMs / 1000);
    const waited = (performance.now() - started) / 1000;
    if (busy < busyFraction) return waited;
    if (waited * 1000 > timeoutMs) {
      log(`influxd still busy (${(busy * 100).toFixed(0)} % of a core) after ${waited.toFixed(0)} s; measuring anyway`);
      return waited;
    }
    log(`influxd busy (${(busy * 100).toFixed(0)} % of a core: compacting?), waiting ...`);
  }
}
