/**
 * `npm run bench:activity`: what the activity index costs and how fast it answers.
 *
 * 1. Feed-handler CPU with motion scoring on against off, same stream, same run:
 *    4 cameras of the GStreamer test pattern (1280×720, 25 fps, 1 s keyframes), each
 *    mode twice, alternating, CPU of the whole process tree (node + ffmpeg) from /proc.
 * 2. API latency on a fixed data set: 30 days of one camera at one thumbnail a second
 *    with motion fields (bursts of motion, and 7 quiet days in the middle), and its
 *    per-minute bucket filled by the feed-handler's own aggregation Flux. Measured
 *    through the real backend (`node backend/dist/main.js`), closed loop, c = 1:
 *    /activity over 30 days at 2,000 buckets, over 24 h at 1,440; /motion next and prev
 *    across the 7 quiet days; /events over a busy day.
 *
 * Prints a table and writes it to docs/benchmarks.md between the bench:activity markers.
 * The data set is cached in ~/.cache/fathom/bench/activity-v2 (FATHOM_CACHE_DIR moves it).
 *   node --import tsx bench/activity.ts [--skip-cpu] [--cpu-seconds 30]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGrid, GRID_CELLS, regionCells, thumbnailRelativePath } from '@fathom/index-contract';
import { activityBackfillFlux } from '../feed-handler/src/index/activity-flux.js';
import { camerasEnv, filesOnDisk, sleep, startFeedHandler } from '../feed-handler/test/harness.js';
import { provideInfluxd, setupInfluxd, startInfluxd } from '../influx/influxd.js';
import { freePort, REPO_ROOT, stopChild, waitFor } from '../scripts/lib/process.js';
import { startRtspServer } from '../test/support/rtsp-server.js';
import { treesTicks } from './ingest/process-tree.js';
import { clockTicksPerSecond, readProcessTable } from './ingest/procfs.js';
import { type InfluxTarget, queryRows, recreateBucket, writeLines } from './lib/influx.js';
import { runLoad } from './lib/load.js';
import { markdownTable, ms, replaceSection } from './lib/markdown.js';
import { progressBar } from './lib/progress.js';
import { seededRandom } from './lib/rng.js';
import { buildBackend, startBackend } from './lib/services.js';
import { summarise } from './lib/stats.js';

const SECTION_START = '<!-- bench:activity:start -->';
const SECTION_END = '<!-- bench:activity:end -->';
const DATASET_VERSION = 'v2';
const DAY = 86_400_000;
const END_MS = Date.UTC(2026, 10, 1);
const START_MS = END_MS - 30 * DAY;
const QUIET = { fromMs: START_MS + 10 * DAY, toMs: START_MS + 17 * DAY };
const CAMERA = 'cam-00';
const BUCKET = 'bench-activity';
const ACTIVITY_BUCKET = `${BUCKET}_activity`;
const args = process.argv.slice(2);
const skipCpu = args.includes('--skip-cpu');
const cpuSeconds = Number(args[args.indexOf('--cpu-seconds') + 1] ?? 30) || 30;

const STILL = encodeGrid(new Uint8Array(GRID_CELLS));
const MOVING = (() => {
  const levels = new Uint8Array(GRID_CELLS);
  for (const cell of regionCells({ x: 0.5, y: 0.4, w: 0.2, h: 0.3 })) levels[cell] = 2;
  return encodeGrid(levels);
})();

/** Seconds with motion: about six bursts an hour of 5-30 s, none in the quiet week. */
function motionSeconds(): Map<number, number> {
  const random = seededRandom(20261129);
  const moving = new Map<number, number>();
  for (let hour = START_MS; hour < END_MS; hour += 3_600_000) {
    if (hour >= QUIET.fromMs && hour < QUIET.toMs) continue;
    for (let b = 0; b < 6; b++) {
      const start = hour + Math.floor(random() * 3_500) * 1000;
      const length = 5 + Math.floor(random() * 25);
      for (let s = 0; s < length; s++)
        moving.set(start + s * 1000, Math.round((0.005 + random() * 0.1) * 10_000) / 10_000);
    }
  }
  return moving;
}

async function loadData(target: InfluxTarget): Promise<{ loadSeconds: number; minuteSeconds: number }> {
  await recreateBucket(target, BUCKET);
  await recreateBucket(target, ACTIVITY_BUCKET);
  const moving = motionSeconds();
  const total = (END_MS - START_MS) / 1000;
  const bar = progressBar('loading 30 days with motion', total);
  const started = Date.now();
  let lines: string[] = [];
  for (let t = START_MS; t < END_MS; t += 1000) {
    const motion = moving.get(t) ?? 0;
    const path = thumbnailRelativePath(CAMERA, t);
    lines.push(
      `filepaths,camera=${CAMERA},location=driveway filepath="${path}",bytes=7100i,width=320i,height=180i,motion=${motion},grid="${motion > 0 ? MOVING : STILL}",luma=112.5,lighting=false ${t}`,
    );
    if (lines.length === 20_000) {
      await writeLines(target, BUCKET, lines);
      bar.advance(lines.length);
      lines = [];
    }
  }
  if (lines.length) await writeLines(target, BUCKET, lines);
  bar.finish();
  const loadSeconds = (Date.now() - started) / 1000;
  // The per-minute bucket, through the feed-handler's own aggregation (the task's Flux over explicit days).
  const minuteStarted = Date.now();
  const minutesBar = progressBar('summing minutes (task Flux), days', 30);
  for (let day = 0; day < 30; day++) {
    const from = START_MS + day * DAY;
    await queryRows(target, activityBackfillFlux(BUCKET, ACTIVITY_BUCKET, from, from + DAY - 60_000));
    minutesBar.advance(1);
  }
  minutesBar.finish();
  return { loadSeconds, minuteSeconds: (Date.now() - minuteStarted) / 1000 };
}

interface LatencyRow {
  name: string;
  target: string;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  met: boolean | null;
}

async function latencies(target: InfluxTarget, dataDir: string): Promise<LatencyRow[]> {
  buildBackend();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-bench-activity-'));
  const backend = await startBackend({
    influx: target,
    bucket: BUCKET,
    logFile: join(dataDir, 'backend.log'),
    logLevel: 'warn',
    thumbnailDir,
  });
  const random = seededRandom(7);
  const sec = (t: number) => (t / 1000).toFixed(3);
  const within = (from: number, to: number) => from + Math.floor(random() * (to - from));
  const cases: { name: string; target: string; limitMs: number | null; path: () => string }[] = [
    {
      name: '/activity, 30 days, 2,000 buckets (minute bucket)',
      target: 'p99 ≤ 150 ms',
      limitMs: 150,
      path: () => {
        const to = END_MS - Math.floor(random() * 3_600) * 1000;
        return `/activity?camera=${CAMERA}&from=${sec(to - 30 * DAY)}&to=${sec(to)}&buckets=2000`;
      },
    },
    {
      name: '/activity, 24 h, 1,440 buckets (thumbnails)',
      target: '',
      limitMs: null,
      path: () => {
        const from = within(START_MS, END_MS - DAY);
        return `/activity?camera=${CAMERA}&from=${sec(from)}&to=${sec(from + DAY)}&buckets=1440`;
      },
    },
    {
      name: '/motion next across the 7 quiet days',
      target: 'p99 ≤ 100 ms',
      limitMs: 100,
      path: () => `/motion?camera=${CAMERA}&ts=${sec(within(QUIET.fromMs, QUIET.fromMs + 3_600_000))}&dir=next`,
    },
    {
      name: '/motion prev across the 7 quiet days',
      target: 'p99 ≤ 100 ms',
      limitMs: 100,
      path: () => `/motion?camera=${CAMERA}&ts=${sec(within(QUIET.toMs - 3_600_000, QUIET.toMs))}&dir=prev`,
    },
    {
      name: '/motion next across the quiet days, in a region',
      target: '',
      limitMs: null,
      path: () =>
        `/motion?camera=${CAMERA}&ts=${sec(within(QUIET.fromMs, QUIET.fromMs + 3_600_000))}&dir=next&region=0.5,0.4,0.2,0.3`,
    },
    {
      name: '/events, one busy day',
      target: '',
      limitMs: null,
      path: () => {
        const from = within(START_MS, QUIET.fromMs - DAY);
        return `/events?camera=${CAMERA}&from=${sec(from)}&to=${sec(from + DAY)}`;
      },
    },
  ];
  const rows: LatencyRow[] = [];
  try {
    for (const c of cases) {
      // Every answer is checked once before timing: a jump across the quiet week lands after it.
      const probe = await fetch(`${backend.url}${c.path()}`);
      const body = (await probe.json()) as { frame?: { time: string } };
      if (probe.status !== 200) throw new Error(`${c.name}: HTTP ${probe.status} ${JSON.stringify(body)}`);
      if (c.name.startsWith('/motion next') && Date.parse(body.frame?.time ?? '') < QUIET.toMs) {
        throw new Error(`${c.name}: landed at ${body.frame?.time}, inside the quiet week`);
      }
      if (c.name.startsWith('/activity, 30 days')) checkHeatmap(body as unknown as Heatmap);
      const result = await runLoad({
        baseUrl: backend.url,
        nextPath: c.path,
        concurrency: 1,
        requests: 200,
        warmup: 20,
      });
      const s = summarise(result.latenciesMs);
      rows.push({
        name: c.name,
        target: c.target,
        p50: s.p50,
        p99: s.p99,
        max: s.max,
        requests: result.latenciesMs.length,
        errors: result.errors,
        met: c.limitMs === null ? null : s.p99 <= c.limitMs && result.errors === 0,
      });
      process.stderr.write(`${c.name}: p50 ${ms(s.p50)} p99 ${ms(s.p99)} ms\n`);
    }
  } finally {
    await backend.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
  }
  return rows;
}

interface Heatmap {
  from: string;
  bucketSeconds: number;
  max: (number | null)[];
  coverage: number[];
}

/** A 30-day row must show the bursts, and the quiet week as fully covered and still. */
function checkHeatmap(row: Heatmap): void {
  const from = Date.parse(row.from);
  let quiet = 0;
  for (const [i, max] of row.max.entries()) {
    const start = from + i * row.bucketSeconds * 1000;
    const end = start + row.bucketSeconds * 1000;
    if (start >= QUIET.fromMs && end <= QUIET.toMs) {
      quiet++;
      if (max !== 0 || row.coverage[i] !== 1)
        throw new Error(`quiet bucket ${i} has max ${max}, coverage ${row.coverage[i]}`);
    }
  }
  if (quiet < 400 || !row.max.some((m) => (m ?? 0) > 0.005))
    throw new Error('the 30-day row does not look like the data set');
}

interface CpuRow {
  mode: 'motion on' | 'motion off';
  round: number;
  percentPerCamera: number;
  thumbnailsPerSecond: number;
}

async function cpu(target: InfluxTarget): Promise<CpuRow[]> {
  const cameras = ['c1', 'c2', 'c3', 'c4'];
  const rtsp = await startRtspServer({
    port: await freePort(),
    mounts: cameras,
    source: 'testpattern',
    width: 1280,
    height: 720,
    fps: 25,
    keyframeSeconds: 1,
  });
  const rows: CpuRow[] = [];
  const hz = clockTicksPerSecond();
  try {
    for (const [round, mode] of (['motion on', 'motion off', 'motion off', 'motion on'] as const).entries()) {
      const dir = mkdtempSync(join(tmpdir(), 'fathom-bench-cpu-'));
      const handler = await startFeedHandler({
        INFLUX_URL: target.url,
        INFLUX_TOKEN: target.token,
        INFLUX_ORG: target.org,
        INFLUX_BUCKET: 'fathom',
        THUMBNAIL_DIR: dir,
        CAMERAS: camerasEnv(cameras.map((id) => ({ id, url: rtsp.url(id) }))),
        DECODE_MODE: 'keyframes',
        CHUNKS_ENABLED: 'false',
        MOTION_ENABLED: mode === 'motion on' ? 'true' : 'false',
        LOG_LEVEL: 'warn',
      });
      const pid = handler.child.pid as number;
      await waitFor(
        'thumbnails from every camera',
        async () => (cameras.every((c) => filesOnDisk(dir, c).length >= 3) ? true : undefined),
        { timeoutMs: 60_000 },
      );
      await sleep(3_000);
      const count = () => cameras.reduce((n, c) => n + filesOnDisk(dir, c).length, 0);
      const ticks0 = treesTicks(readProcessTable(), [pid]);
      const files0 = count();
      const t0 = Date.now();
      await sleep(cpuSeconds * 1000);
      const ticks1 = treesTicks(readProcessTable(), [pid]);
      const elapsed = (Date.now() - t0) / 1000;
      rows.push({
        mode,
        round: Math.floor(round / 2) + 1,
        percentPerCamera: ((ticks1 - ticks0) / hz / elapsed / cameras.length) * 100,
        thumbnailsPerSecond: (count() - files0) / elapsed / cameras.length,
      });
      process.stderr.write(`${mode}: ${rows.at(-1)?.percentPerCamera.toFixed(2)} % of a core per camera\n`);
      await stopChild(handler.child, 10_000);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await rtsp.stop();
  }
  return rows;
}

async function main() {
  const cacheRoot = process.env.FATHOM_CACHE_DIR ?? join(homedir(), '.cache', 'fathom');
  const dataDir = join(cacheRoot, 'bench', `activity-${DATASET_VERSION}`);
  const marker = join(dataDir, 'complete.json');
  if (!existsSync(marker)) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const influxd = await startInfluxd({
    bin: await provideInfluxd(),
    dataDir: join(dataDir, 'influx'),
    port: await freePort(),
  });
  const init = {
    username: 'bench',
    password: 'bench-password',
    org: 'fathom',
    bucket: 'fathom',
    token: 'bench-token',
    retentionSeconds: 0,
  };
  await setupInfluxd(influxd.url, init);
  const target: InfluxTarget = { url: influxd.url, token: init.token, org: init.org };
  try {
    let load = existsSync(marker)
      ? (JSON.parse(readFileSync(marker, 'utf8')) as { loadSeconds: number; minuteSeconds: number })
      : null;
    if (!load) {
      load = await loadData(target);
      writeFileSync(marker, JSON.stringify(load));
    }
    const cpuRows = skipCpu ? [] : await cpu(target);
    const latencyRows = await latencies(target, dataDir);
    const section = render(load, cpuRows, latencyRows);
    process.stdout.write(`${section}\n`);
    const docs = join(REPO_ROOT, 'docs', 'benchmarks.md');
    writeFileSync(
      docs,
      replaceSection(existsSync(docs) ? readFileSync(docs, 'utf8') : null, section, {
        start: SECTION_START,
        end: SECTION_END,
      }),
    );
  } finally {
    await influxd.stop();
  }
}

function render(load: { loadSeconds: number; minuteSeconds: number }, cpuRows: CpuRow[], rows: LatencyRow[]): string {
  const out: string[] = ['## Activity index (`npm run bench:activity`)', ''];
  out.push(`Run ${new Date().toISOString()} on ${process.platform}, ${process.version}.`, '');
  if (cpuRows.length) {
    const mean = (mode: CpuRow['mode']) => {
      const r = cpuRows.filter((c) => c.mode === mode);
      return r.reduce((s, c) => s + c.percentPerCamera, 0) / r.length;
    };
    const on = mean('motion on');
    const off = mean('motion off');
    out.push(
      '### Feed-handler CPU with motion scoring (4 cameras, 1280×720 25 fps, keyframes, same run)',
      '',
      markdownTable(
        ['mode', 'round', '% of a core per camera', 'thumbnails/s per camera'],
        cpuRows.map((r) => [r.mode, String(r.round), r.percentPerCamera.toFixed(2), r.thumbnailsPerSecond.toFixed(3)]),
        ['l', 'r', 'r', 'r'],
      ),
      '',
      `Mean: on ${on.toFixed(2)} %, off ${off.toFixed(2)} %: **${(on / off).toFixed(3)}×** (target ≤ 1.10×).`,
      '',
    );
  }
  out.push(
    '### API latency on 30 days of one camera with motion (c = 1, 200 requests each)',
    '',
    `Data set: ${((END_MS - START_MS) / 1000).toLocaleString('en-US')} thumbnails with motion fields, 7 quiet days in the middle; loaded in ${load.loadSeconds.toFixed(0)} s, its 43,200 minutes summed by the task's Flux in ${load.minuteSeconds.toFixed(0)} s.`,
    '',
    markdownTable(
      ['request', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'target', 'met'],
      rows.map((r) => [
        r.name,
        ms(r.p50),
        ms(r.p99),
        ms(r.max),
        String(r.errors),
        r.target,
        r.met === null ? '' : r.met ? 'yes' : 'no',
      ]),
      ['l', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  return out.join('\n');
}

await main();
