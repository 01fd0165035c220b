/**
 * The checks that are not faults, shared by `npm run faults` and the quick test:
 * hostile input against the canaries, the API token on every route, and the
 * search for the InfluxDB token in the built frontend, the responses and the logs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { thumbnailRelativePath } from '@fathom/index-contract';
import { readStackEnvFile } from '../../scripts/lib/env-file.js';
import { REPO_ROOT } from '../../scripts/lib/process.js';
import { type AuthCase, checkAuth } from './auth-check.js';
import { plantCanary } from './canary.js';
import { scanThumbnails, someThumbnailPath } from './disk.js';
import type { FaultStack } from './harness.js';
import { hostileRequests, targetedRequests } from './hostile-requests.js';
import { type HostileResult, runHostile } from './hostile-run.js';
import { searchLines, searchTree } from './token-leak.js';

/** Every InfluxDB token in play: this run's, and the ones in .env / .env.example (a build may have seen those). */
export function influxTokens(ctx: FaultStack): Record<string, string> {
  const needles: Record<string, string> = { 'InfluxDB token (this run)': ctx.influxToken };
  const { file, values } = readStackEnvFile();
  for (const key of ['INFLUX_TOKEN', 'DOCKER_INFLUXDB_INIT_ADMIN_TOKEN'] as const) {
    const value = values[key];
    if (value && value.length >= 8) needles[`${key} from ${file}`] = value;
  }
  return needles;
}

export interface HostileReport {
  result: HostileResult;
  canaryProblems: string[];
  /** /cameras must not list the canary's camera (it lives in another measurement and bucket). */
  canaryListed: boolean;
  /** How many of the requests were the targeted probes (the rest are random). */
  targeted: number;
}

export async function runHostileSuite(ctx: FaultStack, count: number, seed: number): Promise<HostileReport> {
  const canary = await plantCanary(ctx.thumbnailDir, ctx.index, ctx.stack.influx.bucket);
  const now = Date.now();
  const scan = await scanThumbnails(ctx.thumbnailDir, ctx.startedAtMs, now);
  const realPaths = [...scan.times]
    .flatMap(([camera, times]) => times.slice(0, 25).map((t) => ({ camera, t })))
    .map(({ camera, t }) => thumbnailRelativePath(camera, t));
  const hostileContext = {
    apiToken: ctx.apiToken,
    realPaths,
    symlinkPaths: canary.symlinkPaths,
    cameras: ctx.stack.cameras,
    fromSeconds: ctx.startedAtMs / 1000,
    toSeconds: now / 1000,
  };
  // The targeted probes come on top of the `count` random requests.
  const targeted = targetedRequests(hostileContext);
  const requests = [...targeted, ...hostileRequests(hostileContext, count, seed)];
  const result = await runHostile({
    baseUrl: ctx.stack.urls.backend,
    requests,
    concurrency: 8,
    needles: { 'canary marker': canary.marker, ...influxTokens(ctx) },
  });
  const cameras = await fetch(`${ctx.stack.urls.backend}/cameras`, {
    headers: { authorization: `Bearer ${ctx.apiToken}` },
  }).then((r) => r.text());
  return {
    result,
    canaryProblems: await canary.verify(),
    canaryListed: /"camera"\s*:\s*"canary"/.test(cameras),
    targeted: targeted.length,
  };
}

export async function runAuthSuite(ctx: FaultStack): Promise<AuthCase[]> {
  const thumbnailPath = await someThumbnailPath(ctx.thumbnailDir, ctx.stack.cameras[0] as string);
  if (!thumbnailPath) throw new Error('no thumbnail on disk to ask for');
  const { cases } = await checkAuth({ baseUrl: ctx.stack.urls.backend, apiToken: ctx.apiToken, thumbnailPath });
  return cases;
}

export interface TokenSearch {
  frontendFilesScanned: number;
  frontendHits: string[];
  logLines: number;
  logHits: string[];
  frontendBuilt: boolean;
}

export async function searchInfluxToken(ctx: FaultStack): Promise<TokenSearch> {
  const dist = join(REPO_ROOT, 'frontend/dist');
  let frontendBuilt = false;
  if (!existsSync(join(dist, 'index.html'))) {
    execFileSync('npm', ['run', 'build', '-w', '@fathom/frontend'], { cwd: REPO_ROOT, stdio: 'ignore' });
    frontendBuilt = true;
  }
  const needles = influxTokens(ctx);
  const tree = await searchTree(dist, needles);
  return {
    frontendFilesScanned: tree.scanned,
    frontendHits: tree.hits,
    logLines: ctx.logs.length,
    logHits: searchLines(ctx.logs, needles),
    frontendBuilt,
  };
}

export interface WholeRunCensus {
  cameras: { camera: string; onDisk: number; counted: number }[];
  equal: boolean;
}

/** Files on disk against count() of points per camera over the whole run (up to 3 s ago: the flush interval). */
export async function wholeRunCensus(ctx: FaultStack): Promise<WholeRunCensus> {
  const to = Date.now() - 3_000;
  const from = ctx.startedAtMs - 60_000;
  const [scan, counts] = await Promise.all([
    scanThumbnails(ctx.thumbnailDir, from, to),
    ctx.index.thumbnailCounts(from, to),
  ]);
  const names = [...new Set([...scan.times.keys(), ...Object.keys(counts)])].sort();
  const cameras = names.map((camera) => ({
    camera,
    onDisk: scan.times.get(camera)?.length ?? 0,
    counted: counts[camera] ?? 0,
  }));
  return { cameras, equal: cameras.every((c) => c.onDisk === c.counted) };
}

export const describeCensus = (c: WholeRunCensus) =>
  c.cameras.map((x) => `${x.camera}: ${x.onDisk} files, ${x.counted} points`).join('; ');
