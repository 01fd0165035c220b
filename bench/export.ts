/**
 * `npm run bench:export`: issue 19's timelapse targets, measured on this machine in one run.
 *
 * 1. A camera-day: 86,400 stills (640×360 JPEG, one a second on 2026-10-01 UTC) on disk under
 *    the feed-handler's names, and their index points in a fresh influxd.
 * 2. N cameras recording throughout (default 4): the real feed-handler (`node feed-handler/dist/main.js`,
 *    default settings) pulling 1280×720 15 fps H.264 streams (1 s GOP) from the GStreamer RTSP server.
 * 3. The real backend (`node backend/dist/main.js`) serving that index and thumbnail dir, exports on.
 * 4. A baseline window without an export, then `POST /exports` for the whole day at 320 px, polled
 *    on `GET /exports/{id}` until done: its duration, and in the same run each camera's thumbnails
 *    per second and CPU of every process tree, per phase (planning, encoding, the whole job).
 *
 * Prints the table and the two target lines; for a full day writes them to docs/benchmarks.md between
 * the bench:export markers. The stills and the thumbnail tree are cached in
 * ~/.cache/fathom/bench/export-v1/ (FATHOM_CACHE_DIR moves it). Flags: bench/export/options.ts USAGE;
 * `--smoke` is a 3,600-still, 2-camera check of a minute or two.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, waitFor } from '../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../test/support/rtsp-server.js';
import {
  DATASET_VERSION,
  DAY_START_MS,
  EXPORT_CAMERA,
  exportRequestBody,
  STILL_QUALITY,
  STILL_SIZE,
} from './export/dataset.js';
import { type ExportBenchOptions, parseOptions, USAGE } from './export/options.js';
import { checkFreeDisk, provideDistinctStills, provideStillTree, writeStillIndex } from './export/provide.js';
import {
  busiestOthers,
  busiestText,
  contentionLine,
  EXPORT_SECTION,
  type ExportOutcome,
  exportSection,
  otherCores,
  type PhaseFigures,
  phaseTable,
  rateRatio,
  targetLines,
} from './export/report.js';
import type { ClipSpec } from './ingest/clip.js';
import { buildFeedHandler, type FeedHandlerChild, startFeedHandler } from './ingest/feed-handler-child.js';
import { provideClip } from './ingest/ffmpeg.js';
import { makeTempDir, readTextOrNull, removeDir, thumbnailTimesMs, writeText } from './ingest/files.js';
import { type ProcessTable, treePids, treesTicks } from './ingest/process-tree.js';
import { clockTicksPerSecond, readMachineCpu, readProcessTable } from './ingest/procfs.js';
import { thumbnailRate } from './ingest/rate.js';
import { runBench } from './lib/entry.js';
import { type InfluxTarget, startThrowawayInfluxd } from './lib/influx.js';
import { machineInfo } from './lib/machine.js';
import { replaceSection } from './lib/markdown.js';
import { progressBar } from './lib/progress.js';
import { benchLog, loadAverages } from './lib/run-log.js';
import { type BackendChild, buildBackend, startBackend } from './lib/services.js';

const log = benchLog('export');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = loadAverages;
/** A throwaway influxd on 127.0.0.1 that holds only bench points; the token guards nothing else. */
const TOKEN = 'fathom-bench-export-token-not-a-secret';
const BUCKET = 'fathom';
const CACHE_ROOT = join(process.env.FATHOM_CACHE_DIR ?? join(homedir(), '.cache/fathom'), 'bench');
const DOCS = join(REPO_ROOT, 'docs/benchmarks.md');
const POLL_MS = 250;
/** The recording cameras' footage: modest, as many homes' cameras send (relayed without re-encoding). */
const CLIP: ClipSpec = { width: 1280, height: 720, fps: 15, bitrateKbps: 2000, keyframeSeconds: 1, seconds: 16 };

let options: ExportBenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

interface Snapshot {
  at: number;
  wallMs: number;
  table: ProcessTable;
  machine: { busy: number; total: number };
  self: NodeJS.CpuUsage;
  /** Newest capture time on disk per recording camera, at this moment. */
  newestMs: number[];
}

interface Pids {
  feedHandler: number | null;
  backend: number;
  influxd: number;
  source: number | null;
}

function snapshot(recordedDir: string | null, cameras: readonly string[]): Snapshot {
  const newestMs = recordedDir
    ? cameras.map((c) => Math.max(...thumbnailTimesMs(recordedDir, c), Number.NEGATIVE_INFINITY))
    : [];
  return {
    at: performance.now(),
    wallMs: Date.now(),
    table: readProcessTable(),
    machine: readMachineCpu(),
    self: process.cpuUsage(),
    newestMs,
  };
}

function phaseFigures(
  phase: string,
  a: Snapshot,
  b: Snapshot,
  pids: Pids,
  stills: number | null,
  cameraTimes: readonly number[][],
  cores: number,
): PhaseFigures {
  const hz = clockTicksPerSecond();
  const tree = (pid: number | null) =>
    pid === null ? 0 : (treesTicks(b.table, [pid]) - treesTicks(a.table, [pid])) / hz;
  const own = (pid: number) => ((b.table.get(pid)?.ownTicks ?? 0) - (a.table.get(pid)?.ownTicks ?? 0)) / hz;
  const seconds = (b.at - a.at) / 1000;
  const machineTotal = b.machine.total - a.machine.total;
  const ages = b.newestMs.map((newest) => (b.wallMs - newest) / 1000);
  return {
    phase,
    seconds,
    stills,
    rates: cameraTimes.map((times) => thumbnailRate(times, a.wallMs, b.wallMs - a.wallMs)),
    newestAgeSeconds: ages.length ? Math.max(...ages) : null,
    cpu: {
      feedHandler: tree(pids.feedHandler),
      backend: own(pids.backend),
      // The export's ffmpeg is the backend's child: alive, its own ticks; reaped, the backend's cutime.
      ffmpeg: tree(pids.backend) - own(pids.backend),
      influxd: tree(pids.influxd),
      source: tree(pids.source),
      bench: (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6,
    },
    machineBusyCores: machineTotal > 0 ? ((b.machine.busy - a.machine.busy) / machineTotal) * cores : 0,
  };
}

/** What else the shared machine is doing: other processes' CPU over a few seconds, in cores. */
async function otherWorkSample(seconds: number): Promise<{ cores: number; busiest: string }> {
  const before = readProcessTable();
  await sleep(seconds * 1000);
  const after = readProcessTable();
  const ours = new Set([...treePids(before, process.pid), ...treePids(after, process.pid)]);
  const all = busiestOthers(before, after, ours, clockTicksPerSecond(), Number.POSITIVE_INFINITY);
  const cores = all.reduce((sum, t) => sum + t.seconds, 0) / seconds;
  return { cores, busiest: busiestText(all.slice(0, 5), seconds, 2) };
}

interface JobView {
  id: string;
  state: string;
  stills: { done: number; total: number; missing: number };
  frames: number | null;
  bytes: number | null;
  height: number | null;
  width: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: { error: string; detail: string } | null;
}

async function getJob(backend: BackendChild, id: string): Promise<JobView> {
  const res = await fetch(`${backend.url}/exports/${id}`);
  if (res.status !== 200) throw new Error(`GET /exports/${id}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as JobView;
}

function probeVideo(path: string): { width: number; height: number; packets: number } {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_packets',
      '-show_entries',
      'stream=width,height,nb_read_packets',
      '-of',
      'csv=p=0',
      path,
    ],
    { encoding: 'utf8' },
  ).trim();
  const [width, height, packets] = out.split(',').map(Number);
  return { width: width ?? 0, height: height ?? 0, packets: packets ?? 0 };
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = load();
  const busyBefore = await otherWorkSample(5);
  log(`load ${loadAtStart}; other processes over 5 s: ${busyBefore.cores.toFixed(2)} cores (${busyBefore.busiest})`);
  if (options.build) {
    log('building the contract, the feed-handler and the backend (tsc -b) ...');
    buildFeedHandler();
    buildBackend();
  }
  const cacheDir = join(CACHE_ROOT, `export-v${DATASET_VERSION}`);
  checkFreeDisk(cacheDir, options.distinct, log);
  const distinct = await provideDistinctStills(cacheDir, options.distinct, log);
  const thumbnailDir = provideStillTree(
    cacheDir,
    { dir: distinct.dir, distinct: options.distinct },
    options.stills,
    log,
  );
  const meanKB = distinct.sizes.reduce((a, b) => a + b, 0) / distinct.sizes.length / 1000;

  const workDir = makeTempDir('fathom-bench-export-');
  removeBulkyOutput = () => {
    for (const name of readdirSync(workDir)) if (!name.endsWith('.log')) removeDir(join(workDir, name));
  };
  const recordedDir = join(workDir, 'recorded');
  const exportDir = join(workDir, 'exports');
  const cameras = Array.from({ length: options.cameras }, (_, i) => `rec${String(i + 1).padStart(2, '0')}`);
  const { influxd, bin: influxBin } = await startThrowawayInfluxd(workDir, TOKEN, BUCKET);
  let rtsp: RtspServerHandle | undefined;
  let feedHandler: FeedHandlerChild | undefined;
  let backend: BackendChild | undefined;
  const cores = machineInfo(influxBin).cores;
  try {
    const target: InfluxTarget = { url: influxd.url, token: TOKEN, org: 'fathom' };
    const indexSeconds = await writeStillIndex(target, BUCKET, options.stills, distinct.sizes);
    log(`influxd ${influxd.url}; ${options.stills} index points in ${indexSeconds.toFixed(1)} s; logs in ${workDir}`);

    let clipNote = '';
    if (cameras.length > 0) {
      const clip = await provideClip(CLIP, CACHE_ROOT, log);
      clipNote = `${(clip.bitrateKbps / 1000).toFixed(2)} Mbit/s measured`;
      rtsp = await startRtspServer({
        port: await freePort(),
        mounts: cameras,
        source: 'file',
        env: { RTSP_FILE: clip.path, RTSP_FILE_COPY: '1' },
      });
      const source = rtsp;
      feedHandler = await startFeedHandler({
        cameras: cameras.map((id) => ({ id, url: source.url(id) })),
        influx: { ...target, bucket: BUCKET },
        thumbnailDir: recordedDir,
        logFile: join(workDir, 'feed-handler.log'),
      });
      const fh = feedHandler;
      await waitFor(
        `first thumbnails of ${cameras.length} cameras`,
        async () => {
          if (fh.exited()) throw new Error(`feed-handler exited; see ${workDir}/feed-handler.log`);
          const health = await fh.health();
          return health.cameras.length === cameras.length && health.cameras.every((c) => c.frames >= 2)
            ? true
            : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      log(`${cameras.length} cameras recording`);
    }
    backend = await startBackend({
      influx: target,
      bucket: BUCKET,
      logFile: join(workDir, 'backend.log'),
      logLevel: 'info',
      thumbnailDir,
      env: { EXPORTS_ENABLED: 'true', EXPORT_DIR: exportDir },
    });
    const pids: Pids = {
      feedHandler: feedHandler?.pid ?? null,
      backend: backend.pid,
      influxd: influxd.pid,
      source: rtsp?.pid ?? null,
    };
    /** The cameras' source must live through the run, or the thumbnail figures say nothing about the export. */
    const checkSource = (when: string) => {
      if (rtsp && !existsSync(`/proc/${rtsp.pid}`)) {
        throw new Error(
          `the RTSP source (pid ${rtsp.pid}) died ${when}, so the cameras stopped for a reason of their own; figures void. Its last output:\n${rtsp.output().slice(-3_000)}`,
        );
      }
    };
    const restarts = async () =>
      feedHandler ? (await feedHandler.health()).cameras.reduce((n, c) => n + c.restarts, 0) : 0;
    await sleep(options.warmupSeconds * 1000);

    const snap = () => snapshot(cameras.length ? recordedDir : null, cameras);
    log(`baseline: ${options.baselineSeconds} s of recording without an export (load ${load()}) ...`);
    const restartsBefore = await restarts();
    const baseStart = snap();
    await sleep(options.baselineSeconds * 1000);
    const baseEnd = snap();
    checkSource('during the baseline');

    log(`export: ${options.stills} stills at ${options.width} px, ${options.fps} fps (load ${load()}) ...`);
    const exportStart = snap();
    const res = await fetch(`${backend.url}/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(exportRequestBody(options)),
    });
    if (res.status !== 202) throw new Error(`POST /exports: HTTP ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    let job = await getJob(backend, id);
    let encodeStart: Snapshot | undefined;
    let bar: ReturnType<typeof progressBar> | undefined;
    let shown = 0;
    const deadline = performance.now() + options.timeoutSeconds * 1000;
    while (!['done', 'failed', 'cancelled', 'interrupted'].includes(job.state)) {
      if (performance.now() > deadline) throw new Error(`export still ${job.state} after ${options.timeoutSeconds} s`);
      await sleep(POLL_MS);
      job = await getJob(backend, id);
      checkSource(`during the export (${job.state}, ${job.stills.done} stills encoded)`);
      if (job.state === 'encoding' && !encodeStart) {
        encodeStart = snap();
        log(
          `  planned ${job.stills.total} stills (${job.stills.missing} missing) in ${((encodeStart.at - exportStart.at) / 1000).toFixed(1)} s; encoding ...`,
        );
        bar = progressBar('  encoding', job.stills.total, process.stderr, 'stills');
      }
      if (bar && job.stills.done > shown) {
        bar.advance(job.stills.done - shown);
        shown = job.stills.done;
      }
    }
    const exportEnd = snap();
    bar?.finish();
    if (job.state !== 'done') throw new Error(`export ${job.state}: ${JSON.stringify(job.error)}`);
    const restartsDuring = (await restarts()) - restartsBefore;
    const decodeModes = feedHandler
      ? [...new Set((await feedHandler.health()).cameras.map((c) => c.mode ?? 'unknown'))].sort().join('+')
      : '';
    const busyDuring = busiestOthers(
      exportStart.table,
      exportEnd.table,
      new Set([...treePids(exportStart.table, process.pid), ...treePids(exportEnd.table, process.pid)]),
      clockTicksPerSecond(),
    );
    const exportSeconds = (exportEnd.at - exportStart.at) / 1000;
    log(`  done: ${job.frames} frames, ${job.bytes} bytes (load ${load()})`);
    // Thumbnails of the last moments are written a moment after capture.
    await sleep(2_500);
    const cameraTimes = cameras.map((c) => thumbnailTimesMs(recordedDir, c));
    const video = probeVideo(join(exportDir, `${id}.mp4`));

    const total = job.stills.total;
    const phases: PhaseFigures[] = [
      phaseFigures('baseline, no export', baseStart, baseEnd, pids, null, cameraTimes, cores),
    ];
    if (encodeStart) {
      phases.push(
        phaseFigures('export: planning (index, files)', exportStart, encodeStart, pids, total, cameraTimes, cores),
        phaseFigures('export: encoding (ffmpeg)', encodeStart, exportEnd, pids, total, cameraTimes, cores),
      );
    }
    phases.push(phaseFigures('export: whole job', exportStart, exportEnd, pids, total, cameraTimes, cores));
    const whole = phases.at(-1) as PhaseFigures;
    const ratio = rateRatio(phases[0]?.rates ?? [], whole.rates);
    const outcome: ExportOutcome = {
      stills: total,
      jobSeconds: job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000 : exportSeconds,
      frames: job.frames ?? 0,
      bytes: job.bytes ?? 0,
      videoWidth: video.width,
      videoHeight: video.height,
      probedFrames: video.packets,
    };
    if (outcome.frames !== options.stills || video.packets !== options.stills) {
      log(
        `WARNING: ${options.stills} stills asked for, the job reports ${outcome.frames} frames, ffprobe ${video.packets}`,
      );
    }

    const machine = machineInfo(influxBin);
    const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' })
      .split('\n')[0]
      ?.split(' Copyright')[0];
    const args = process.argv.slice(2);
    const info = {
      command: `npm run bench:export${args.length ? ` -- ${args.join(' ')}` : ''}`,
      date: machine.date,
      machine: `${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM; Node ${machine.node}; ${machine.influxd}; ${ffmpegVersion}`,
      contention: [
        contentionLine({
          loadAtStart,
          loadAtEnd: load(),
          before: busyBefore,
          baselineCores: otherCores(phases[0] as PhaseFigures),
          during: { cores: otherCores(whole), busiest: busiestText(busyDuring) },
        }),
      ],
      dataset: `${options.stills.toLocaleString('en-US')} stills of camera \`${EXPORT_CAMERA}\`, one a second from ${new Date(DAY_START_MS).toISOString().slice(0, 10)}T00:00Z (37 ms past each second), ${STILL_SIZE.width}×${STILL_SIZE.height} JPEG at q ${STILL_QUALITY} (mean ${meanKB.toFixed(1)} KB; the feed-handler's default THUMBNAIL_WIDTH is 320, so these are the heavier case). ${options.distinct.toLocaleString('en-US')} distinct stills (ffmpeg testsrc2 + noise), still i a hard link to distinct still i mod ${options.distinct.toLocaleString('en-US')}${options.distinct < options.stills ? `, so the page cache holds ${options.distinct.toLocaleString('en-US')} distinct files (${((meanKB * options.distinct) / 1000).toFixed(0)} MB), not ${options.stills.toLocaleString('en-US')}: warm reads, no disk` : ''}. Index points written with the feed-handler's \`thumbnailToPoint\` into a fresh influxd (${indexSeconds.toFixed(1)} s; in its cache/WAL, not yet compacted to TSM).`,
      recording:
        cameras.length > 0
          ? `${cameras.length} cameras through the real feed-handler (\`node feed-handler/dist/main.js\`, default settings: DECODE_MODE auto (it chose ${decodeModes}), chunks on, motion on, 320 px thumbnails), each pulling ${CLIP.width}×${CLIP.height} ${CLIP.fps} fps H.264 (1 s GOP, ${clipNote}) relayed without re-encoding by the GStreamer RTSP server; ${options.warmupSeconds} s warm-up after every camera delivered, then the ${options.baselineSeconds} s baseline; camera restarts during the export: ${restartsDuring}.`
          : 'none (--cameras 0).',
      request: `\`POST /exports\` \`${JSON.stringify(exportRequestBody(options))}\` to the real backend (\`node backend/dist/main.js\`, exports on, EXPORT_NICE 19), polled every ${POLL_MS} ms on \`GET /exports/{id}\`; the phases split where the poll first saw \`encoding\`.`,
      durationSeconds: (performance.now() - startedAt) / 1000,
    };
    const section = exportSection(info, phases, outcome, ratio, cameras.length, cores);
    process.stdout.write(`\n${phaseTable(phases, cameras.length, cores)}\n\n`);
    const duringMin = whole.rates.length ? Math.min(...whole.rates) : null;
    for (const line of targetLines(outcome, ratio, duringMin, whole.seconds)) process.stdout.write(`${line}\n`);
    process.stdout.write(
      `\nper camera, baseline → export: ${cameras.map((c, i) => `${c} ${phases[0]?.rates[i]?.toFixed(3)} → ${whole.rates[i]?.toFixed(3)}`).join(', ') || 'n/a'}\n`,
    );
    process.stdout.write(`${info.contention.join('\n')}\n`);
    if (options.docs) {
      writeText(DOCS, replaceSection(readTextOrNull(DOCS), section, EXPORT_SECTION));
      log(`wrote ${DOCS}`);
    } else log('docs/benchmarks.md left alone (not a full-day run, or --no-docs)');
  } finally {
    if (rtsp) writeText(join(workDir, 'rtsp.log'), rtsp.output());
    await backend?.stop();
    await feedHandler?.stop();
    await rtsp?.stop();
    await influxd.stop();
    removeBulkyOutput();
    log(`done in ${Math.round((performance.now() - startedAt) / 1000)} s; logs in ${workDir}`);
  }
}

/** Set once the work dir exists: an interrupted run leaves only the logs behind, not the recordings. */
let removeBulkyOutput: () => void = () => {};

runBench('export', USAGE, main, () => removeBulkyOutput());
