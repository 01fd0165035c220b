/**
 * The read side of the stack with nothing recorded: a throwaway influxd, the
 * real backend (from its TypeScript source, the shared packages from source
 * too, so no one's work in progress has to build) and the built dashboard
 * served by frontend/server.mjs. No RTSP server and no feed-handler: a test
 * writes footage the way the feed-handler writes it (e.g. ./seed-chunks.ts)
 * and checks what the browser makes of it. (./activity-fixture.ts starts it
 * with its own seed, through `prepare`.)
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_CHUNK_SUBDIR } from '@fathom/index-contract';
import { type InfluxInit, provideInfluxd, setupInfluxd, startInfluxd } from '../../influx/influxd.js';
import { freePort, REPO_ROOT, spawnBound, stopChild, tailOf, waitFor } from '../../scripts/lib/process.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

/** The stack's influxd: org, bucket and token, for tests that write footage into it with the real client. */
export const API_STACK_INIT: InfluxInit = {
  username: 'fathom-e2e',
  password: 'fathom-e2e-password',
  org: 'fathom',
  bucket: 'fathom',
  token: 'fathom-e2e-api-stack-token',
  retentionSeconds: 0,
};

export interface ApiStack {
  backend: string;
  dashboard: string;
  influx: { url: string; token: string; org: string; bucket: string };
  /** THUMBNAIL_DIR of the backend. */
  thumbnailDir: string;
  /** Where the backend serves /chunks from (CHUNK_DIR unset: THUMBNAIL_DIR/_chunks, as the feed-handler's default). */
  chunkDir: string;
  /** Scratch space that goes away with the stack. */
  workDir: string;
  logTail(): string;
  stop(): Promise<void>;
}

function startNode(
  name: string,
  args: string[],
  env: Record<string, string>,
  log: (line: string) => void,
): { child: ChildProcess; tail: () => string } {
  const child = spawnBound(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  const tail = tailOf(child);
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(`${name}| ${line}`));
  }
  return { child, tail };
}

async function waitHttp(name: string, url: string, child: ChildProcess, tail: () => string): Promise<void> {
  await waitFor(
    `${name} at ${url}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${tail()}`);
      return (await fetch(url).catch(() => undefined)) ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

export interface ApiStackOptions {
  /** Name of the scratch folder (default fathom-e2e-api-). */
  workDirPrefix?: string;
  /** Writes footage once influxd is set up and before the backend starts, so its first answers include it. */
  prepare?(stack: { influxUrl: string; thumbnailDir: string; workDir: string }): Promise<void>;
}

export async function startApiStack(options: ApiStackOptions = {}): Promise<ApiStack> {
  ensureDashboardBuilt();
  const workDir = mkdtempSync(join(tmpdir(), options.workDirPrefix ?? 'fathom-e2e-api-'));
  const thumbnailDir = join(workDir, 'thumbnails');
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    if (lines.length > 400) lines.shift();
  };
  const children: ChildProcess[] = [];
  let influxd: Awaited<ReturnType<typeof startInfluxd>> | undefined;
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child, 10_000).catch(() => {});
    await influxd?.stop().catch(() => {});
    rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  try {
    influxd = await startInfluxd({
      bin: await provideInfluxd(),
      dataDir: join(workDir, 'influx'),
      port: await freePort(),
    });
    await setupInfluxd(influxd.url, API_STACK_INIT);
    await options.prepare?.({ influxUrl: influxd.url, thumbnailDir, workDir });

    const backendUrl = `http://127.0.0.1:${await freePort()}`;
    const dashboardUrl = `http://127.0.0.1:${await freePort()}`;
    // The backend from source: tsx maps the workspace packages to their sources too.
    const tsconfig = join(workDir, 'tsconfig.tsx.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          paths: {
            '@fathom/index-contract': [join(REPO_ROOT, 'packages/index-contract/src/index.ts')],
            '@fathom/service-kit': [join(REPO_ROOT, 'packages/service-kit/src/index.ts')],
          },
        },
      }),
    );
    const backend = startNode(
      'backend',
      ['--import', 'tsx', join(REPO_ROOT, 'backend/src/main.ts')],
      {
        TSX_TSCONFIG_PATH: tsconfig,
        NODE_ENV: 'production',
        INFLUX_URL: influxd.url,
        INFLUX_TOKEN: API_STACK_INIT.token,
        INFLUX_ORG: API_STACK_INIT.org,
        INFLUX_BUCKET: API_STACK_INIT.bucket,
        THUMBNAIL_DIR: thumbnailDir,
        BACKEND_HOST: '127.0.0.1',
        BACKEND_PORT: new URL(backendUrl).port,
        CORS_ORIGINS: dashboardUrl,
        LOG_LEVEL: 'warn',
      },
      log,
    );
    children.push(backend.child);
    await waitHttp('backend', `${backendUrl}/healthz`, backend.child, backend.tail);

    const dashboard = startNode(
      'dashboard',
      [join(REPO_ROOT, 'frontend/server.mjs')],
      {
        DASHBOARD_HOST: '127.0.0.1',
        DASHBOARD_PORT: new URL(dashboardUrl).port,
        FATHOM_API_URL: backendUrl,
        LOG_LEVEL: 'warn',
      },
      log,
    );
    children.push(dashboard.child);
    await waitHttp('dashboard', `${dashboardUrl}/healthz`, dashboard.child, dashboard.tail);

    return {
      backend: backendUrl,
      dashboard: dashboardUrl,
      influx: { url: influxd.url, token: API_STACK_INIT.token, org: API_STACK_INIT.org, bucket: API_STACK_INIT.bucket },
      thumbnailDir,
      chunkDir: join(thumbnailDir, DEFAULT_CHUNK_SUBDIR),
      workDir,
      logTail: () => lines.slice(-80).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n--- service logs ---\n${lines.slice(-80).join('\n')}`);
  }
}
