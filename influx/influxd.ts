/**
 * Starts a real influxd 2.x natively and sets it up the way the official
 * Docker image does (DOCKER_INFLUXDB_INIT_* names), so the native stack, the
 * tests and `docker compose up` are configured by the same variables.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portIsFree, REPO_ROOT, spawnBound, stopChild, tailOf, waitFor } from '../scripts/lib/process.js';

const execFileAsync = promisify(execFile);

export interface InfluxInit {
  username: string;
  password: string;
  org: string;
  bucket: string;
  token: string;
  /** Seconds; 0 keeps data forever. InfluxDB requires 0 or at least 3600. */
  retentionSeconds: number;
}

export interface InfluxdHandle {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/** Runs influx/provide-influxd.sh: INFLUXD_BIN, else the cached build, else builds it. */
export async function provideInfluxd(): Promise<string> {
  const { stdout } = await execFileAsync('bash', [join(REPO_ROOT, 'influx/provide-influxd.sh')], {
    maxBuffer: 1 << 20,
    timeout: 60 * 60_000,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Reads the init settings from an env map using the official image's names.
 * DOCKER_INFLUXDB_INIT_RETENTION takes the image's duration form (e.g. "30d", "1w", "0" or empty = forever).
 */
export function influxInitFromEnv(env: Record<string, string | undefined>): InfluxInit {
  const missing = ['USERNAME', 'PASSWORD', 'ORG', 'BUCKET', 'ADMIN_TOKEN'].filter(
    (k) => !env[`DOCKER_INFLUXDB_INIT_${k}`],
  );
  if (missing.length) {
    throw new Error(`missing InfluxDB settings: ${missing.map((k) => `DOCKER_INFLUXDB_INIT_${k}`).join(', ')}`);
  }
  return {
    username: env.DOCKER_INFLUXDB_INIT_USERNAME as string,
    password: env.DOCKER_INFLUXDB_INIT_PASSWORD as string,
    org: env.DOCKER_INFLUXDB_INIT_ORG as string,
    bucket: env.DOCKER_INFLUXDB_INIT_BUCKET as string,
    token: env.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN as string,
    retentionSeconds: parseRetention(env.DOCKER_INFLUXDB_INIT_RETENTION ?? ''),
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export function parseRetention(value: string): number {
  if (value === '' || value === '0') return 0;
  const m = /^(\d+)([smhdw])$/.exec(value.trim());
  if (!m) throw new Error(`DOCKER_INFLUXDB_INIT_RETENTION must look like 30d, 12h or 1w (got "${value}")`);
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  if (seconds !== 0 && seconds < 3600) throw new Error('DOCKER_INFLUXDB_INIT_RETENTION must be 0 or at least 1h');
  return seconds;
}

/**
 * Settings measured by `npm run bench:query` (its influxd A/B table) and adopted because they paid in
 * both runs: --pprof-disabled 1.06x and 1.06x the lookups a second of the defaults, a query
 * concurrency of 4 (queue 1,024) 1.09x and 1.40x. GOGC=400 was left out: 1.34x once, 0.95x the next
 * time. Compose sets the same through INFLUXD_* variables (docker-compose.yml).
 */
export const INFLUXD_TUNING_ARGS: readonly string[] = [
  '--pprof-disabled',
  '--query-concurrency=4',
  '--query-queue-size=1024',
];

export async function startInfluxd(options: {
  bin: string;
  dataDir: string;
  port: number;
  host?: string;
  logFile?: string;
  /** More flags and environment (for the bench's A/B of influxd settings). */
  extraArgs?: readonly string[];
  /** Leave out INFLUXD_TUNING_ARGS: the A/B's baseline. */
  untuned?: boolean;
  env?: Record<string, string>;
}): Promise<InfluxdHandle> {
  const host = options.host ?? '127.0.0.1';
  // Another server on the port would answer /health in our stead.
  if (!(await portIsFree(host, options.port))) {
    throw new Error(`cannot start influxd: ${host}:${options.port} is already in use`);
  }
  mkdirSync(options.dataDir, { recursive: true });
  const child = spawnBound(
    options.bin,
    [
      `--bolt-path=${join(options.dataDir, 'influxd.bolt')}`,
      `--engine-path=${join(options.dataDir, 'engine')}`,
      `--sqlite-path=${join(options.dataDir, 'influxd.sqlite')}`,
      // Its default listens on every interface; ours never does unless asked.
      `--http-bind-address=${host}:${options.port}`,
      '--reporting-disabled',
      '--log-level=warn',
      ...(options.untuned ? [] : INFLUXD_TUNING_ARGS),
      ...(options.extraArgs ?? []),
    ],
    options.env ? { env: { ...process.env, ...options.env } } : {},
  );
  const tail = tailOf(child);
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://${host}:${options.port}`;
  await waitFor(
    `influxd /health at ${url}`,
    async () => {
      if (exited) throw new Error(`influxd exited (code ${child.exitCode}): ${tail()}`);
      const res = await fetch(`${url}/health`);
      return res.ok ? true : undefined;
    },
    { timeoutMs: 60_000 },
  ).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return {
    url,
    port: options.port,
    dataDir: options.dataDir,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, 10_000),
  };
}

/**
 * POST /api/v2/setup, idempotently: a data dir that is already set up is reused
 * (setup answers 422 "already been completed", and GET /api/v2/setup says allowed:false).
 */
export async function setupInfluxd(url: string, init: InfluxInit): Promise<'created' | 'existing'> {
  const allowed = (await (await fetch(`${url}/api/v2/setup`)).json()) as { allowed: boolean };
  if (!allowed.allowed) return 'existing';
  const res = await fetch(`${url}/api/v2/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: init.username,
      password: init.password,
      org: init.org,
      bucket: init.bucket,
      token: init.token,
      retentionPeriodSeconds: init.retentionSeconds,
    }),
  });
  if (res.status === 201) return 'created';
  if (res.status === 422 && (await res.text()).includes('already')) return 'existing';
  throw new Error(`influxd setup failed: HTTP ${res.status} ${await res.text()}`);
}
