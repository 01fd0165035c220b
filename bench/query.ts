/**
 * `npm run bench:query`: lookup latency through HTTP at 1 day and 30 days of footage
 * (and 10 cameras x 7 days), at concurrency 1 and 50, against the naive Flux the seed's
 * approach implies; prints the tables and writes them to docs/benchmarks.md.
 *
 * The data set lives in a cached influxd data dir outside the repo and is loaded once.
 * Environment (all optional):
 *   BENCH_QUERY_CACHE_DIR  where the data dir lives (default ~/.cache/fathom/bench/query-<version>)
 *   BENCH_SCALE            multiplies every request count (e.g. 0.2 for a quick look)
 *   BENCH_SEED             seed of the random moments (default 8)
 *   BENCH_LOG_LEVEL        the backend's LOG_LEVEL (default info, as in production)
 *   BENCH_CPU_PROF         a directory: the backends write V8 CPU profiles there (node --cpu-prof)
 *   BENCH_ONLY             comma list of data set keys to measure (day1,day30,cams10day7)
 *   BENCH_SKIP_NAIVE=1     skip the naive Flux (it takes minutes)
 *   BENCH_NO_DOCS=1        print only; leave docs/benchmarks.md alone
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParameterizedQuery } from '@influxdata/influxdb-client';
import { batchedSidesQuery } from '../backend/src/flux/queries.js';
import { ringFor } from '../backend/src/nearest.js';
import { provideInfluxd, setupInfluxd, startInfluxd } from '../influx/influxd.js';
import { freePort, REPO_ROOT } from '../scripts/lib/process.js';
import {
  DATASET_VERSION,
  DATASETS,
  type DatasetSpec,
  framesPerCamera,
  frameTimeMs,
  pointCount,
} from './lib/dataset.js';
import { type InfluxTarget, queryClient, queryRows, streamRows } from './lib/influx.js';
import { getJson, runLoad } from './lib/load.js';
import { loadDatasets } from './lib/loader.js';
import { type MachineInfo, machineInfo } from './lib/machine.js';
import { markdownTable, ms, replaceSection } from './lib/markdown.js';
import { closestTracker, naiveFetchAllFlux, naiveGroupFlux, naiveNearestFlux } from './lib/naive.js';
import { formatCount } from './lib/progress.js';
import { type Random, randomInt, seededRandom } from './lib/rng.js';
import { type BackendChild, buildBackend, cpuSeconds, startBackend, waitUntilIdle } from './lib/services.js';
import { type LatencySummary, linearFit, summarise } from './lib/stats.js';

const env = process.env;
const SCALE = Number(env.BENCH_SCALE ?? '1');
const SEED = Number(env.BENCH_SEED ?? '8');
const GROUP_MINUTES = 10;
const ORG = 'fathom';
/** A throwaway influxd on 127.0.0.1 that holds only synthetic data; the token guards nothing else. */
const TOKEN = 'fathom-bench-query-token-not-a-secret';
const CACHE_DIR =
  env.BENCH_QUERY_CACHE_DIR ??
  join(env.FATHOM_CACHE_DIR ?? join(homedir(), '.cache/fathom'), `bench/query-${DATASET_VERSION}`);
const MARKER = join(CACHE_DIR, 'complete.json');
const DOCS = join(REPO_ROOT, 'docs/benchmarks.md');

const log = (message: string) => process.stderr.write(`[bench:query] ${message}\n`);
/** The highest 1-minute load average seen (sampled between scenarios): other work skews a run. */
let peakLoad = loadavg()[0] ?? 0;
const sampleLoad = () => {
  peakLoad = Math.max(peakLoad, loadavg()[0] ?? 0);
};
const cpuMs = (value: number) => value.toFixed(2);
const requestsScaled = (n: number) => Math.max(10, Math.round(n * SCALE));

// ---------------------------------------------------------------------------------------------
// Scenarios

/**
 * How the backend sends nearest lookups to InfluxDB: `coalesced` (the default: lookups that
 * arrive while requests are busy share the next Flux script) or `single` (LOOKUP_MAX_BATCH=1:
 * one Flux request per lookup, as before issue 16). Same process, same data, same run.
 */
type LookupMode = 'coalesced' | 'single';
const MODE_ENV: Record<LookupMode, Record<string, string>> = {
  coalesced: {},
  single: { LOOKUP_MAX_BATCH: '1', LOOKUP_MAX_IN_FLIGHT: '64' },
};

interface Scenario {
  dataset: DatasetSpec;
  endpoint: 'thumbnail' | 'thumbnail-camera' | 'thumbnail-far' | 'group' | 'group-camera' | 'group-all' | 'wall';
  mode: LookupMode;
  label: string;
  concurrency: number;
  requests: number;
  warmup: number;
}

interface ScenarioResult {
  scenario: Scenario;
  latency: LatencySummary;
  requestsPerSecond: number;
  errors: number;
  /** CPU milliseconds per request (warm-up included) of the backend, influxd and the load generator. */
  cpu: { backend: number; influxd: number; client: number };
}

/** A moment uniformly inside the data (whole group windows fit), at ms resolution, as unix seconds. */
function randomMomentMs(random: Random, spec: DatasetSpec): number {
  const margin = (GROUP_MINUTES + 1) * 60_000;
  return randomInt(random, spec.startMs + margin, spec.endMs - margin);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function pathFor(scenario: Scenario, random: Random): string {
  const spec = scenario.dataset;
  const ts = seconds(randomMomentMs(random, spec));
  const camera = spec.cameras[randomInt(random, 0, spec.cameras.length)]?.camera ?? '';
  switch (scenario.endpoint) {
    case 'thumbnail':
      return `/thumbnail?ts=${ts}`;
    case 'thumbnail-far':
      // 100 to 300 days after the last frame: the search widens through 5 rings (up to 1 year).
      return `/thumbnail?ts=${seconds(spec.endMs + randomInt(random, 100, 300) * 86_400_000)}`;
    case 'thumbnail-camera':
      return `/thumbnail?ts=${ts}&camera=${camera}`;
    case 'group':
    case 'group-all':
      return `/thumbnailGroup?ts=${ts}&minutes=${GROUP_MINUTES}`;
    case 'group-camera':
      return `/thumbnailGroup?ts=${ts}&minutes=${GROUP_MINUTES}&camera=${camera}`;
    case 'wall':
      return `/wall?ts=${ts}`;
  }
}

/** Before timing: the answers must be right (dense 1/s data: the closest frame is <= 0.5 s away; 600 per camera). */
function checkAnswer(scenario: Scenario, path: string, status: number, body: unknown): string | null {
  if (status !== 200) return `${path}: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`;
  const b = body as { distanceSeconds?: number; count?: number; camera?: string | null };
  if (scenario.endpoint === 'thumbnail-far') {
    const spec = scenario.dataset;
    const last = Math.max(...spec.cameras.map((cam) => frameTimeMs(spec, cam, framesPerCamera(spec) - 1)));
    const time = (body as { time?: string }).time;
    return time && Date.parse(time) === last ? null : `${path}: time ${time}, expected the last frame`;
  }
  if (scenario.endpoint === 'wall') {
    const cameras = (body as { cameras?: { frame: { distanceSeconds: number } | null }[] }).cameras ?? [];
    const ok =
      cameras.length === scenario.dataset.cameras.length &&
      cameras.every((c) => c.frame && c.frame.distanceSeconds <= 0.5);
    return ok ? null : `${path}: ${cameras.length} cameras, not all within 0.5 s`;
  }
  if (scenario.endpoint.startsWith('thumbnail')) {
    return typeof b.distanceSeconds === 'number' && b.distanceSeconds <= 0.5
      ? null
      : `${path}: distanceSeconds ${b.distanceSeconds}`;
  }
  const cameras = scenario.endpoint === 'group-camera' ? 1 : scenario.dataset.cameras.length;
  const expected = GROUP_MINUTES * 60 * cameras;
  return b.count === expected ? null : `${path}: count ${b.count}, expected ${expected}`;
}

function scenarios(datasets: readonly DatasetSpec[]): Scenario[] {
  const list: Scenario[] = [];
  const at = (concurrency: number, heavy = false) => ({
    concurrency,
    requests: requestsScaled(heavy ? (concurrency === 1 ? 200 : 500) : concurrency === 1 ? 2000 : 5000),
    warmup: requestsScaled(heavy ? 20 : concurrency === 1 ? 200 : 500),
  });
  const single = datasets.filter((d) => d.cameras.length === 1);
  // 1 day and 30 days back to back for each endpoint and concurrency, so slow drift on a
  // shared machine hits both alike; /thumbnail in both lookup modes, side by side.
  for (const concurrency of [1, 50]) {
    for (const mode of ['coalesced', 'single'] as const) {
      for (const dataset of single) {
        list.push({ dataset, endpoint: 'thumbnail', mode, label: `/thumbnail (${mode})`, ...at(concurrency) });
      }
    }
  }
  for (const concurrency of [1, 50]) {
    for (const dataset of single) {
      list.push({
        dataset,
        endpoint: 'group',
        mode: 'coalesced',
        label: `/thumbnailGroup ${GROUP_MINUTES} min`,
        ...at(concurrency),
      });
    }
  }
  // The widening search's slow case: a moment long after the footage ends (5 round trips).
  for (const dataset of single) {
    list.push({
      dataset,
      endpoint: 'thumbnail-far',
      mode: 'coalesced',
      label: '/thumbnail, 100-300 days after the last frame',
      concurrency: 1,
      requests: requestsScaled(300),
      warmup: requestsScaled(20),
    });
  }
  for (const dataset of datasets.filter((d) => d.cameras.length > 1)) {
    const n = dataset.cameras.length;
    for (const concurrency of [1, 50]) {
      list.push({
        dataset,
        endpoint: 'thumbnail',
        mode: 'coalesced',
        label: '/thumbnail (any camera)',
        ...at(concurrency),
      });
      for (const mode of ['coalesced', 'single'] as const) {
        list.push({
          dataset,
          endpoint: 'thumbnail-camera',
          mode,
          label: `/thumbnail&camera= (${mode})`,
          ...at(concurrency),
        });
      }
      list.push({
        dataset,
        endpoint: 'group-camera',
        mode: 'coalesced',
        label: `/thumbnailGroup ${GROUP_MINUTES} min &camera=`,
        ...at(concurrency),
      });
      list.push({
        dataset,
        endpoint: 'group-all',
        mode: 'coalesced',
        label: `/thumbnailGroup ${GROUP_MINUTES} min, all ${n} cameras`,
        ...at(concurrency, true),
      });
    }
    // /wall asks all cameras in one script of its own (not through the lookup batcher): one backend is enough.
    list.push({ dataset, endpoint: 'wall', mode: 'coalesced', label: `/wall, all ${n} cameras`, ...at(1, true) });
  }
  return list;
}

async function measure(
  scenario: Scenario,
  backend: BackendChild,
  influxdPid: number,
  random: Random,
): Promise<ScenarioResult> {
  const baseUrl = backend.url;
  for (let i = 0; i < 20; i++) {
    const path = pathFor(scenario, random);
    const { status, body } = await getJson(baseUrl, path);
    const problem = checkAnswer(scenario, path, status, body);
    if (problem) throw new Error(`wrong answer before timing ${scenario.label} on ${scenario.dataset.key}: ${problem}`);
  }
  const cpuBefore = { backend: cpuSeconds(backend.pid), influxd: cpuSeconds(influxdPid), client: process.cpuUsage() };
  const result = await runLoad({
    baseUrl,
    nextPath: () => pathFor(scenario, random),
    concurrency: scenario.concurrency,
    requests: scenario.requests,
    warmup: scenario.warmup,
  });
  if (result.errors) log(`  ${result.errors} errors, first: ${result.firstError}`);
  const perRequest = (cpuSecondsUsed: number) => (cpuSecondsUsed * 1000) / (scenario.requests + scenario.warmup);
  const client = process.cpuUsage(cpuBefore.client);
  return {
    cpu: {
      backend: perRequest(cpuSeconds(backend.pid) - cpuBefore.backend),
      influxd: perRequest(cpuSeconds(influxdPid) - cpuBefore.influxd),
      client: perRequest((client.user + client.system) / 1e6),
    },
    scenario,
    latency: summarise(result.latenciesMs),
    requestsPerSecond: result.requestsPerSecond,
    errors: result.errors,
  };
}

// ---------------------------------------------------------------------------------------------
// influxd CPU against the number of lookups per Flux script

interface BatchPoint {
  lookups: number;
  scripts: number;
  /** influxd CPU per script and per lookup, ms. */
  perScriptMs: number;
  perLookupMs: number;
  lookupsPerSecond: number;
}

/**
 * Scripts of k nearest lookups (the backend's own batchedSidesQuery: each lookup a before and an
 * after chain over its 60 s ring, at a random moment of the 30-day set), sent straight to influxd
 * two at a time; influxd's CPU per script against k gives the fixed and the per-lookup cost.
 */
async function measureBatchFit(target: InfluxTarget, influxdPid: number, spec: DatasetSpec, random: Random) {
  const api = queryClient(target);
  const points: BatchPoint[] = [];
  for (const k of [1, 2, 4, 8, 16, 32]) {
    const scripts = Math.max(10, Math.round(requestsScaled(1600) / k));
    const queries = Array.from({ length: scripts }, () =>
      batchedSidesQuery(
        spec.bucket,
        Array.from({ length: k }, () => {
          const tNs = BigInt(randomMomentMs(random, spec)) * 1_000_000n;
          return { camera: undefined, request: ringFor(tNs, 60n * 1_000_000_000n, -1n) };
        }),
      ),
    );
    await api.collectRows(queries[0] as ParameterizedQuery); // warm
    const cpuBefore = cpuSeconds(influxdPid);
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < queries.length) await api.collectRows(queries[next++] as ParameterizedQuery);
    };
    await Promise.all([worker(), worker()]);
    const seconds = (performance.now() - started) / 1000;
    const cpuMsTotal = (cpuSeconds(influxdPid) - cpuBefore) * 1000;
    const point = {
      lookups: k,
      scripts,
      perScriptMs: cpuMsTotal / scripts,
      perLookupMs: cpuMsTotal / (scripts * k),
      lookupsPerSecond: (scripts * k) / seconds,
    };
    points.push(point);
    log(
      `  ${k} lookups/script: influxd ${point.perScriptMs.toFixed(2)} ms/script, ${point.perLookupMs.toFixed(2)} ms/lookup, ${point.lookupsPerSecond.toFixed(0)} lookups/s`,
    );
  }
  return { points, fit: linearFit(points.map((p) => ({ x: p.lookups, y: p.perScriptMs }))) };
}

// ---------------------------------------------------------------------------------------------
// influxd settings, A/B

interface InfluxdVariant {
  name: string;
  args: string[];
  env: Record<string, string>;
}

/** Each against influxd's own defaults, in one run; see ../shared notes on Flux throughput for why these. */
const INFLUXD_VARIANTS: InfluxdVariant[] = [
  { name: 'influxd defaults', args: [], env: {} },
  { name: '--pprof-disabled', args: ['--pprof-disabled'], env: {} },
  {
    name: '--pprof-disabled, GOGC=400, GOMEMLIMIT=2GiB',
    args: ['--pprof-disabled'],
    env: { GOGC: '400', GOMEMLIMIT: '2GiB' },
  },
  {
    name: '--pprof-disabled, --query-concurrency=4, --query-queue-size=1024',
    args: ['--pprof-disabled', '--query-concurrency=4', '--query-queue-size=1024'],
    env: {},
  },
];

interface VariantResult {
  variant: InfluxdVariant;
  result: ScenarioResult;
}

// ---------------------------------------------------------------------------------------------
// Naive Flux

interface NaiveResult {
  dataset: DatasetSpec;
  lookup: 'thumbnail' | 'group';
  method: string;
  runsMs: number[];
  p50: number;
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function measureNaive(target: InfluxTarget, spec: DatasetSpec, api: string, random: Random) {
  const results: NaiveResult[] = [];
  const runs = (n: number) => Math.max(1, Math.min(n, Math.round(n * SCALE)));
  const apiNearestMs = async (tMs: number) => {
    const { body } = await getJson(api, `/thumbnail?ts=${seconds(tMs)}`);
    return Date.parse((body as { time: string }).time);
  };

  const filterRuns: number[] = [];
  for (let i = 0; i < runs(5); i++) {
    const tMs = randomMomentMs(random, spec);
    let rows: Record<string, unknown>[] = [];
    filterRuns.push(
      await timeIt(async () => {
        rows = await queryRows(target, naiveNearestFlux(spec.bucket, tMs));
      }),
    );
    const tracker = closestTracker(tMs);
    for (const row of rows) tracker.offer(Date.parse(String(row._time)));
    const expected = await apiNearestMs(tMs);
    if (tracker.best?.timeMs !== expected) {
      throw new Error(`naive and API disagree at ${tMs}: ${tracker.best?.timeMs} vs ${expected}`);
    }
  }
  results.push({
    dataset: spec,
    lookup: 'thumbnail',
    method: 'range(start: 0) |> filter(_time < t) |> last(), and >= t |> first()',
    runsMs: filterRuns,
    p50: summarise(filterRuns).p50,
  });
  log(`  naive nearest (Flux _time filter): p50 ${ms(summarise(filterRuns).p50)} ms`);

  const fetchRuns: number[] = [];
  for (let i = 0; i < runs(3); i++) {
    const tMs = randomMomentMs(random, spec);
    const tracker = closestTracker(tMs);
    fetchRuns.push(
      await timeIt(async () => {
        await streamRows(target, naiveFetchAllFlux(spec.bucket), (values, timeIndex) => {
          tracker.offer(Date.parse(values[timeIndex] as string));
        });
      }),
    );
    const expected = await apiNearestMs(tMs);
    if (tracker.best?.timeMs !== expected) {
      throw new Error(`fetch-all and API disagree at ${tMs}: ${tracker.best?.timeMs} vs ${expected}`);
    }
  }
  results.push({
    dataset: spec,
    lookup: 'thumbnail',
    method: 'range(start: 0), every row to the client, arg-min in JS',
    runsMs: fetchRuns,
    p50: summarise(fetchRuns).p50,
  });
  log(`  naive nearest (fetch all, arg-min in JS): p50 ${ms(summarise(fetchRuns).p50)} ms`);

  const groupRuns: number[] = [];
  for (let i = 0; i < runs(5); i++) {
    const tMs = randomMomentMs(random, spec);
    let count = 0;
    groupRuns.push(
      await timeIt(async () => {
        count = (await queryRows(target, naiveGroupFlux(spec.bucket, tMs, GROUP_MINUTES))).length;
      }),
    );
    const expected = GROUP_MINUTES * 60 * spec.cameras.length;
    if (count !== expected) throw new Error(`naive group at ${tMs}: ${count} rows, expected ${expected}`);
  }
  results.push({
    dataset: spec,
    lookup: 'group',
    method: 'range(start: 0) |> filter(_time > t and _time <= t + 10 min)',
    runsMs: groupRuns,
    p50: summarise(groupRuns).p50,
  });
  log(`  naive group (Flux _time filter): p50 ${ms(summarise(groupRuns).p50)} ms`);
  return results;
}

// ---------------------------------------------------------------------------------------------
// Report

interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

function find(
  results: ScenarioResult[],
  key: DatasetSpec['key'],
  endpoint: Scenario['endpoint'],
  concurrency: number,
  mode: LookupMode = 'coalesced',
) {
  return results.find(
    (r) =>
      r.scenario.dataset.key === key &&
      r.scenario.endpoint === endpoint &&
      r.scenario.concurrency === concurrency &&
      r.scenario.mode === mode,
  );
}

function targets(results: ScenarioResult[], naive: NaiveResult[]): Target[] {
  const list: Target[] = [];
  const add = (name: string, goal: string, value: number | undefined, limit: number, unit: string, atLeast = false) => {
    if (value === undefined || !Number.isFinite(value)) {
      list.push({ name, goal, measured: 'not measured', met: null });
      return;
    }
    list.push({
      name,
      goal,
      measured: `${unit === 'x' ? value.toFixed(2) : unit === 'req/s' || unit === 'errors' ? value.toFixed(0) : ms(value)} ${unit}`,
      met: goal === '(ratio)' ? null : atLeast ? value >= limit : value <= limit,
    });
  };
  const thumb30 = find(results, 'day30', 'thumbnail', 1);
  const thumb1 = find(results, 'day1', 'thumbnail', 1);
  const group30 = find(results, 'day30', 'group', 1);
  const group1 = find(results, 'day1', 'group', 1);
  add('/thumbnail p99, 30 days, c=1', '<= 15 ms', thumb30?.latency.p99, 15, 'ms');
  add('/thumbnailGroup 10 min p99, 30 days, c=1', '<= 40 ms', group30?.latency.p99, 40, 'ms');
  for (const [name, a, b] of [
    ['/thumbnail', thumb30, thumb1],
    ['/thumbnailGroup', group30, group1],
  ] as const) {
    if (!a || !b) continue;
    add(`${name} p50 30 days / 1 day`, '<= 1.5x', a.latency.p50 / b.latency.p50, 1.5, 'x');
    add(`${name} p99 30 days / 1 day`, '<= 1.5x', a.latency.p99 / b.latency.p99, 1.5, 'x');
  }
  for (const lookup of ['thumbnail', 'group'] as const) {
    const api = find(results, 'day30', lookup, 1);
    const slowest = naive
      .filter((n) => n.dataset.key === 'day30' && n.lookup === lookup)
      .sort((a, b) => a.p50 - b.p50)[0];
    if (api && slowest) {
      add(
        `${lookup === 'thumbnail' ? '/thumbnail' : '/thumbnailGroup'} vs fastest naive Flux, 30 days (p50)`,
        '>= 50x',
        slowest.p50 / api.latency.p50,
        50,
        'x',
        true,
      );
    }
  }
  for (const key of ['day1', 'day30'] as const) {
    for (const endpoint of ['thumbnail', 'group'] as const) {
      const r = find(results, key, endpoint, 50);
      add(
        `${endpoint === 'thumbnail' ? '/thumbnail' : '/thumbnailGroup'} throughput, ${key === 'day1' ? '1 day' : '30 days'}, c=50${endpoint === 'thumbnail' ? ' (coalesced)' : ''}`,
        '>= 500 req/s',
        r?.requestsPerSecond,
        500,
        'req/s',
        true,
      );
      const errors = r?.errors;
      if (endpoint === 'thumbnail')
        add(`/thumbnail errors, ${key === 'day1' ? '1 day' : '30 days'}, c=50`, '0', errors, 0, 'errors');
    }
  }
  const coalesced = find(results, 'day30', 'thumbnail', 50);
  const one = find(results, 'day30', 'thumbnail', 50, 'single');
  if (coalesced && one) {
    add(
      '/thumbnail c=50, 30 days: coalesced / one query per lookup',
      '(ratio)',
      coalesced.requestsPerSecond / one.requestsPerSecond,
      0,
      'x',
      true,
    );
  }
  add(
    '/wall of 10 cameras p99, 7 days x 10 cameras, c=1',
    '<= 30 ms',
    find(results, 'cams10day7', 'wall', 1)?.latency.p99,
    30,
    'ms',
  );
  add(
    '/thumbnailGroup all 10 cameras (6,000 frames) p99, c=1',
    '<= 60 ms',
    find(results, 'cams10day7', 'group-all', 1)?.latency.p99,
    60,
    'ms',
  );
  return list;
}

function renderSection(
  machine: MachineInfo,
  results: ScenarioResult[],
  naive: NaiveResult[],
  loadNote: string,
  batchFit?: { points: BatchPoint[]; fit: { a: number; b: number; r2: number } },
  variants: VariantResult[] = [],
) {
  const base = variants[0]?.result.requestsPerSecond;
  const variantSection = variants.length
    ? `### influxd settings, A/B (/thumbnail, 30 days, c=50, coalesced; influxd restarted on the same data for each)

${markdownTable(
  ['influxd', 'req/s', 'vs defaults', 'p99 ms', 'errors', 'CPU ms/req: API / influxd'],
  variants.map(({ variant, result }) => [
    variant.name,
    result.requestsPerSecond.toFixed(0),
    base ? `${(result.requestsPerSecond / base).toFixed(2)}x` : '-',
    ms(result.latency.p99),
    String(result.errors),
    `${cpuMs(result.cpu.backend)} / ${cpuMs(result.cpu.influxd)}`,
  ]),
  ['l', 'r', 'r', 'r', 'r', 'r'],
)}
`
    : '';
  const fitSection = batchFit
    ? `### influxd CPU against lookups per Flux script (30 days, 2 scripts in flight)

${markdownTable(
  ['lookups per script', 'scripts', 'influxd ms per script', 'influxd ms per lookup', 'lookups/s'],
  batchFit.points.map((p) => [
    String(p.lookups),
    String(p.scripts),
    p.perScriptMs.toFixed(2),
    p.perLookupMs.toFixed(2),
    p.lookupsPerSecond.toFixed(0),
  ]),
  ['r', 'r', 'r', 'r', 'r'],
)}

Fit: influxd CPU per script = **${batchFit.fit.a.toFixed(2)} ms + ${batchFit.fit.b.toFixed(2)} ms × lookups** (R² ${batchFit.fit.r2.toFixed(3)}): the fixed part is what one-query-per-lookup pays for every lookup; at 16 lookups a script it is shared 16 ways.
`
    : '';
  const apiTable = markdownTable(
    [
      'data',
      'request',
      'concurrency',
      'requests',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'req/s',
      'errors',
      'CPU ms/req: API / influxd / client',
    ],
    results.map((r) => [
      r.scenario.dataset.label,
      r.scenario.label,
      String(r.scenario.concurrency),
      String(r.latency.count),
      ms(r.latency.p50),
      ms(r.latency.p95),
      ms(r.latency.p99),
      ms(r.latency.max),
      r.requestsPerSecond.toFixed(0),
      String(r.errors),
      `${cpuMs(r.cpu.backend)} / ${cpuMs(r.cpu.influxd)} / ${cpuMs(r.cpu.client)}`,
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const naiveTable = markdownTable(
    ['data', 'lookup', 'naive Flux', 'runs', 'naive p50 ms', 'Fathom p50 ms (HTTP, c=1)', 'speed-up'],
    naive.map((n) => {
      const api = find(results, n.dataset.key, n.lookup, 1);
      return [
        n.dataset.label,
        n.lookup === 'thumbnail' ? 'closest frame' : `${GROUP_MINUTES}-minute group`,
        // A | must be escaped inside a table cell, even in a code span.
        `\`${n.method.replaceAll('|', '\\|')}\``,
        String(n.runsMs.length),
        ms(n.p50),
        api ? ms(api.latency.p50) : 'n/a',
        api ? `${Math.round(n.p50 / api.latency.p50)}x` : 'n/a',
      ];
    }),
    ['l', 'l', 'l', 'r', 'r', 'r', 'r'],
  );
  const targetTable = markdownTable(
    ['target', 'goal', 'measured', 'met'],
    targets(results, naive).map((t) => [t.name, t.goal, t.measured, t.met === null ? '-' : t.met ? 'yes' : 'NO']),
  );
  const datasets = DATASETS.map((d) => `\`bench-${d.key}\` ${d.label} (${formatCount(pointCount(d))} points)`);
  sampleLoad();
  const busiest = peakLoad;
  const busyNote =
    busiest >= machine.cores
      ? `\n> **The machine was busy during this run** (1-minute load average up to ${busiest.toFixed(1)} on ${machine.cores} cores, from other work): latencies and req/s are pessimistic; the CPU ms per request are the steadier figures.\n`
      : '';
  return `## Query latency: \`npm run bench:query\`
${busyNote}
- **Command:** \`npm run bench:query\` (bench/query.ts; README in bench/README.md)
- **Date:** ${machine.date}
- **Machine:** ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, load average ${machine.loadAverage} at the start and ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at the end (the machine is shared: other work runs alongside); Node ${machine.node}; ${machine.influxd}
- **Data:** one influxd, three buckets ending 2026-11-01T00:00Z, one frame per second per camera, points shaped like the feed-handler's (\`filepaths\`, tags \`camera\` \`location\`, fields \`filepath\` \`bytes\` \`width\` \`height\`): ${datasets.join('; ')}. ${loadNote}
- **Method:** one backend per bucket, each a child \`node backend/dist/main.js\` (LOG_LEVEL=${env.BENCH_LOG_LEVEL ?? 'info'}, as in production), driven over HTTP keep-alive by a closed-loop load generator in the bench process (N workers, one connection each); \`ts\` is seeded-random (seed ${SEED}) over the data, so no two requests ask for the same moment. Answers are checked before timing (closest frame <= 0.5 s away, 600 frames per camera per group, the far case answers the last frame). Latency is request start to last body byte; percentiles are nearest-rank. The naive queries are run directly against influxd by the official client, without the HTTP API in front (so their times are if anything flattering), and their answers are checked against the API's.

### Fathom API, through HTTP

${apiTable}

${fitSection}
${variantSection}
### Naive Flux (the seed's approach) vs Fathom

${naiveTable}

### Targets

${targetTable}
`;
}

// ---------------------------------------------------------------------------------------------
// Main

async function ensureData(target: InfluxTarget, pid: number): Promise<string> {
  if (existsSync(MARKER)) {
    const marker = JSON.parse(readFileSync(MARKER, 'utf8')) as { loadedAt: string; loadSeconds: number };
    log(`data set cached (loaded ${marker.loadedAt} in ${marker.loadSeconds.toFixed(0)} s); skipping the load`);
    return `Loaded once and cached (${marker.loadSeconds.toFixed(0)} s to load on ${marker.loadedAt.slice(0, 10)}).`;
  }
  const started = performance.now();
  await loadDatasets(target, DATASETS);
  for (const spec of DATASETS) {
    const rows = await queryRows(
      target,
      `from(bucket: "${spec.bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "filepaths" and r._field == "filepath") |> group() |> count()`,
    );
    const count = Number(rows[0]?._value ?? 0);
    if (count !== pointCount(spec))
      throw new Error(`${spec.bucket} holds ${count} points, expected ${pointCount(spec)}`);
  }
  const loadSeconds = (performance.now() - started) / 1000;
  log(`loaded and verified in ${loadSeconds.toFixed(0)} s; waiting for influxd to snapshot and compact`);
  await waitUntilIdle(pid, log, { minimumMs: 45_000 });
  const loadedAt = new Date().toISOString();
  writeFileSync(MARKER, `${JSON.stringify({ version: DATASET_VERSION, loadedAt, loadSeconds }, null, 2)}\n`);
  return `Loaded in ${loadSeconds.toFixed(0)} s by this run (cached for the next).`;
}

async function main() {
  if (!Number.isFinite(SCALE) || SCALE <= 0) throw new Error('BENCH_SCALE must be a positive number');
  const only = env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const measured = DATASETS.filter((d) => !only || only.includes(d.key));

  log('building the backend');
  buildBackend();
  const bin = await provideInfluxd();
  const machine = machineInfo(bin);

  if (!existsSync(MARKER) && existsSync(CACHE_DIR)) {
    log(`removing an incomplete data set at ${CACHE_DIR}`);
    rmSync(CACHE_DIR, { recursive: true, force: true });
  }
  mkdirSync(join(CACHE_DIR, 'logs'), { recursive: true });
  // Settle the data the way a running system has settled days-old data: WAL snapshotted and
  // TSM fully compacted soon after the writes stop (defaults: 10 min and 4 h), before measuring.
  process.env.INFLUXD_STORAGE_CACHE_SNAPSHOT_WRITE_COLD_DURATION ??= '10s';
  process.env.INFLUXD_STORAGE_COMPACT_FULL_WRITE_COLD_DURATION ??= '30s';
  const influxdPort = await freePort();
  const startOurInfluxd = (variant?: InfluxdVariant) =>
    startInfluxd({
      bin,
      dataDir: join(CACHE_DIR, 'influxd'),
      port: influxdPort,
      logFile: join(CACHE_DIR, 'logs/influxd.log'),
      ...(variant ? { untuned: true, extraArgs: variant.args, env: variant.env } : {}),
    });
  let influxd = await startOurInfluxd();
  await setupInfluxd(influxd.url, {
    username: 'bench',
    password: 'bench-password-not-a-secret',
    org: ORG,
    bucket: 'bench-setup',
    token: TOKEN,
    retentionSeconds: 0,
  });
  const target: InfluxTarget = { url: influxd.url, token: TOKEN, org: ORG };
  log(`influxd ${machine.influxd} at ${influxd.url}, data in ${CACHE_DIR}`);

  const loadNote = await ensureData(target, influxd.pid);
  // A restart replays the WAL and snapshots it once it is "cold" (10 s, set above).
  const idle = await waitUntilIdle(influxd.pid, log, { minimumMs: 12_000 });
  if (idle > 16) log(`influxd idle after ${idle.toFixed(0)} s`);

  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-bench-thumbnails-'));
  const backends = new Map<string, BackendChild>();
  const stops: (() => Promise<void>)[] = [];
  for (const spec of measured) {
    for (const mode of ['coalesced', 'single'] as const) {
      const backend = await startBackend({
        influx: target,
        bucket: spec.bucket,
        logFile: join(CACHE_DIR, `logs/backend-${spec.key}-${mode}.log`),
        logLevel: env.BENCH_LOG_LEVEL ?? 'info',
        thumbnailDir,
        cpuProfileDir: env.BENCH_CPU_PROF,
        env: { ...MODE_ENV[mode], EXPORTS_ENABLED: 'false' },
      });
      backends.set(`${spec.key}/${mode}`, backend);
      stops.push(backend.stop);
    }
  }

  const random = seededRandom(SEED);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios(measured)) {
    const backend = backends.get(`${scenario.dataset.key}/${scenario.mode}`) as BackendChild;
    log(
      `${scenario.dataset.label}: ${scenario.label}, concurrency ${scenario.concurrency}, ${scenario.requests} requests`,
    );
    sampleLoad();
    const result = await measure(scenario, backend, influxd.pid, random);
    sampleLoad();
    results.push(result);
    log(
      `  p50 ${ms(result.latency.p50)}  p95 ${ms(result.latency.p95)}  p99 ${ms(result.latency.p99)} ms, ${result.requestsPerSecond.toFixed(0)} req/s; CPU ms/request: backend ${cpuMs(result.cpu.backend)}, influxd ${cpuMs(result.cpu.influxd)}, client ${cpuMs(result.cpu.client)}`,
    );
  }

  const day30 = measured.find((d) => d.key === 'day30');
  let batchFit: Awaited<ReturnType<typeof measureBatchFit>> | undefined;
  if (day30) {
    log('influxd CPU against lookups per script (30 days)');
    batchFit = await measureBatchFit(target, influxd.pid, day30, random);
  }

  const naive: NaiveResult[] = [];
  if (env.BENCH_SKIP_NAIVE !== '1') {
    for (const spec of measured.filter((d) => d.cameras.length === 1)) {
      log(`${spec.label}: naive Flux`);
      naive.push(
        ...(await measureNaive(target, spec, (backends.get(`${spec.key}/coalesced`) as BackendChild).url, random)),
      );
    }
  }

  // influxd settings: the same /thumbnail load (30 days, c=50, coalesced) against each variant, influxd restarted on the same data.
  const variants: VariantResult[] = [];
  const abBackend = backends.get('day30/coalesced');
  if (abBackend && day30 && env.BENCH_SKIP_INFLUXD_AB !== '1') {
    for (const variant of INFLUXD_VARIANTS) {
      log(`influxd A/B: ${variant.name}`);
      await influxd.stop();
      influxd = await startOurInfluxd(variant);
      await waitUntilIdle(influxd.pid, log, { minimumMs: 12_000 });
      const scenario: Scenario = {
        dataset: day30,
        endpoint: 'thumbnail',
        mode: 'coalesced',
        label: `/thumbnail (coalesced), influxd: ${variant.name}`,
        concurrency: 50,
        requests: requestsScaled(3000),
        warmup: requestsScaled(300),
      };
      const result = await measure(scenario, abBackend, influxd.pid, random);
      variants.push({ variant, result });
      log(
        `  ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${ms(result.latency.p99)} ms, influxd ${cpuMs(result.cpu.influxd)} ms/req`,
      );
    }
  }

  for (const stop of stops) await stop();
  await influxd.stop();
  rmSync(thumbnailDir, { recursive: true, force: true });

  const section = renderSection(machine, results, naive, loadNote, batchFit, variants);
  process.stdout.write(`\n${section}\n`);
  const resultsDir = join(CACHE_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, `${machine.date.replace(/:/g, '')}.json`),
    JSON.stringify(
      {
        machine,
        seed: SEED,
        scale: SCALE,
        results: results.map((r) => ({ ...r, scenario: { ...r.scenario, dataset: r.scenario.dataset.key } })),
        naive: naive.map((n) => ({ ...n, dataset: n.dataset.key })),
      },
      null,
      2,
    ),
  );
  if (env.BENCH_NO_DOCS !== '1') {
    mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
    writeFileSync(DOCS, replaceSection(existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : null, section));
    log(`wrote ${DOCS}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
