/**
 * `npm run bench:ingest`: what the feed-handler costs per camera on this machine, against the
 * obvious alternative (one full-decode ffmpeg per camera), in one run.
 *
 * For each keyframe interval (1 s, then 4 s for the fallback path): a cached 1080p30 ~6 Mbit/s
 * H.264 clip is relayed to N RTSP mounts without re-encoding; N goes up until the feed-handler
 * no longer keeps every camera at >= 0.99 thumbnails/s; at each N the naive pulls are measured
 * right after (until they cannot keep up either). Prints the tables and writes them to
 * docs/benchmarks.md between the bench:ingest markers. Flags: see bench/ingest/options.ts
 * (`--quick` for a 2-minute sanity run).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { provideInfluxd, setupInfluxd, startInfluxd } from '../influx/influxd.js';
import { freePort, REPO_ROOT } from '../scripts/lib/process.js';
import type { ClipSpec } from './ingest/clip.js';
import { buildFeedHandler } from './ingest/feed-handler-child.js';
import { provideClip } from './ingest/ffmpeg.js';
import { makeTempDir, readTextOrNull, removeDir, writeText } from './ingest/files.js';
import {
  type FeedHandlerResult,
  type MeasureContext,
  measureFeedHandler,
  measureNaive,
  type NaiveResult,
} from './ingest/measure.js';
import { type IngestOptions, parseOptions, USAGE } from './ingest/options.js';
import {
  feedHandlerTable,
  type GopResults,
  ingestSection,
  naiveTable,
  replaceIngestSection,
  targets,
  targetsTable,
} from './ingest/report.js';
import { largestSustained, nextCameraCount } from './ingest/sweep.js';
import { machineInfo } from './lib/machine.js';

const log = (message: string) =>
  process.stderr.write(`[bench:ingest ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A throwaway influxd on 127.0.0.1 that holds only bench points; the token guards nothing else. */
const TOKEN = 'fathom-bench-ingest-token-not-a-secret';
const CACHE_DIR = join(process.env.FATHOM_CACHE_DIR ?? join(homedir(), '.cache/fathom'), 'bench');
const DOCS = join(REPO_ROOT, 'docs/benchmarks.md');

let options: IngestOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

/** The shared machine: wait (bounded) for a quiet moment, so other work distorts the figures less. */
async function waitForQuiet(): Promise<string> {
  const started = performance.now();
  if ((loadavg()[0] as number) < options.maxLoad) return `quiet at start: 1-min load < ${options.maxLoad}`;
  log(`load average ${load()}; waiting up to ${options.waitQuietSeconds} s for < ${options.maxLoad} ...`);
  while ((performance.now() - started) / 1000 < options.waitQuietSeconds) {
    await sleep(15_000);
    if ((loadavg()[0] as number) < options.maxLoad) {
      return `waited ${Math.round((performance.now() - started) / 1000)} s for 1-min load < ${options.maxLoad}`;
    }
  }
  return options.waitQuietSeconds > 0
    ? `NOT quiet: 1-min load stayed >= ${options.maxLoad} for ${options.waitQuietSeconds} s, measured anyway`
    : `no wait for quiet (1-min load ${loadavg()[0]?.toFixed(2)})`;
}

function clipSpec(keyframeSeconds: number): ClipSpec {
  return { width: 1920, height: 1080, fps: 30, bitrateKbps: 6000, keyframeSeconds, seconds: 16 };
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const quiet = await waitForQuiet();
  const loadAtStart = load();
  if (options.build) {
    log('building the contract and the feed-handler (tsc -b) ...');
    buildFeedHandler();
  }
  const ffmpegPath = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  const workDir = makeTempDir('fathom-bench-ingest-');
  removeBulkyOutput = () => {
    for (const name of readdirSync(workDir)) if (!name.endsWith('.log')) removeDir(join(workDir, name));
  };
  const cpuProfileDir = options.cpuProfileDir ? resolve(options.cpuProfileDir) : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const influxBin = await provideInfluxd();
  const influxData = join(workDir, 'influxd');
  const influxd = await startInfluxd({
    bin: influxBin,
    dataDir: influxData,
    port: await freePort(),
    logFile: join(workDir, 'influxd.log'),
  });
  const influx = { url: influxd.url, token: TOKEN, org: 'fathom', bucket: 'fathom', pid: influxd.pid };
  await setupInfluxd(influxd.url, {
    username: 'bench',
    password: 'bench-password-not-a-secret',
    org: influx.org,
    bucket: influx.bucket,
    token: TOKEN,
    retentionSeconds: 0,
  });
  log(`influxd ${influxd.url}; logs in ${workDir}`);

  const gops: GopResults[] = [];
  const clips: string[] = [];
  try {
    for (const keyframeSeconds of options.keyframeSeconds) {
      const spec = clipSpec(keyframeSeconds);
      const clip = await provideClip(spec, CACHE_DIR, log);
      clips.push(
        `${keyframeSeconds} s GOP: ${spec.width}x${spec.height} ${spec.fps} fps H.264 (libx264 veryfast, high profile, no B-frames, testsrc2 + temporal noise), ${spec.seconds} s looped, ${clip.frames} frames / ${clip.keyframes} keyframes, ${(clip.bitrateKbps / 1000).toFixed(2)} Mbit/s measured (\`${clip.path.replace(homedir(), '~')}\`)`,
      );
      const ctx: MeasureContext = {
        clipPath: clip.path,
        keyframeSeconds,
        warmupSeconds: options.warmupSeconds,
        windowSeconds: options.windowSeconds,
        influx,
        ffmpegPath,
        workDir,
        cpuProfileDir: cpuProfileDir ? join(cpuProfileDir, `gop${keyframeSeconds}s`) : undefined,
        decodeMode: options.decodeMode,
        log,
      };
      const list = options.cameraCounts.get(keyframeSeconds) ?? [1];
      const naiveList = options.naiveCounts.get(keyframeSeconds) ?? [];
      const tested = new Map<number, boolean>();
      const feedHandler: FeedHandlerResult[] = [];
      const naive: NaiveResult[] = [];
      let naiveKeepsUp = options.naive;
      for (
        let n = nextCameraCount(list, tested, options.refineSteps);
        n !== null;
        n = nextCameraCount(list, tested, options.refineSteps)
      ) {
        log(`GOP ${keyframeSeconds} s, ${n} cameras: feed-handler (load ${load()}) ...`);
        const f = await measureFeedHandler(ctx, n);
        feedHandler.push(f);
        tested.set(n, f.sustained);
        log(
          `  feed-handler: ${(f.treeCores * 100).toFixed(1)} % of a core (${((f.treeCores / n) * 100).toFixed(1)} %/camera), min ${f.rateMin.toFixed(3)} thumbnails/s, node RSS ${f.rssNodeMiB.toFixed(1)} MiB, mode ${f.decodeModes}, machine ${(f.machineBusyCores * 100).toFixed(0)} %: ${f.sustained ? 'sustained' : `NOT sustained ${f.note}`}`,
        );
        // The naive pulls are measured at their own (shorter) list of N, until they fall behind.
        if (naiveKeepsUp && naiveList.includes(n)) {
          log(`GOP ${keyframeSeconds} s, ${n} cameras: naive ffmpeg pulls ...`);
          const r = await measureNaive(ctx, n);
          naive.push(r);
          log(
            `  naive: ${(r.treeCores * 100).toFixed(1)} % of a core (${((r.treeCores / n) * 100).toFixed(1)} %/camera), min ${r.rateMin.toFixed(3)} thumbnails/s, machine ${(r.machineBusyCores * 100).toFixed(0)} %: ${r.sustained ? 'sustained' : `NOT sustained ${r.note}`}`,
          );
          naiveKeepsUp = r.sustained;
        }
      }
      feedHandler.sort((a, b) => a.cameras - b.cameras);
      gops.push({
        keyframeSeconds,
        feedHandler,
        naive,
        largestSustained: largestSustained(tested),
        endedOnFailure: [...tested.values()].includes(false),
      });
    }
  } finally {
    await influxd.stop();
    removeDir(influxData);
  }

  const machine = machineInfo(influxBin);
  const command = `npm run bench:ingest${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const section = ingestSection(
    {
      command,
      date: machine.date,
      machine: `${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM (shared with other work); Node ${machine.node}; ${machine.influxd}; ${execFileSync(ffmpegPath, ['-version'], { encoding: 'utf8' }).split('\n')[0]?.split(' Copyright')[0]}`,
      loadAtStart,
      loadAtEnd: load(),
      quiet,
      clips,
      settings: `${options.decodeMode ? `**DECODE_MODE=${options.decodeMode} forced** (not the default auto probe). ` : ''}${options.warmupSeconds} s warm-up after every camera has delivered, then a ${options.windowSeconds} s window, per measurement; N swept over ${[...options.cameraCounts].map(([g, l]) => `${l.join(',')} (${g} s GOP)`).join(' and ')} until the first failure${options.refineSteps ? `, then ${options.refineSteps} bisection step(s)` : ''}.`,
      durationSeconds: (performance.now() - startedAt) / 1000,
    },
    gops,
  );
  for (const g of gops) {
    process.stdout.write(
      `\nKeyframe every ${g.keyframeSeconds} s: Fathom feed-handler\n\n${feedHandlerTable(g.feedHandler)}\n`,
    );
    process.stdout.write(`\nLargest N sustained: ${g.largestSustained}\n`);
    if (g.naive.length)
      process.stdout.write(
        `\nKeyframe every ${g.keyframeSeconds} s: naive vs Fathom\n\n${naiveTable(g.naive, g.feedHandler)}\n`,
      );
  }
  process.stdout.write(`\nTargets\n\n${targetsTable(targets(gops))}\n`);
  if (options.docs) {
    writeText(DOCS, replaceIngestSection(readTextOrNull(DOCS), section));
    log(`wrote ${DOCS}`);
  }
  log(
    `done in ${Math.round((performance.now() - startedAt) / 1000)} s; feed-handler logs in ${workDir}${cpuProfileDir ? `; CPU profiles in ${cpuProfileDir}` : ''}`,
  );
}

/** Set once the work dir exists: an interrupted run leaves only the logs behind, not gigabytes of footage. */
let removeBulkyOutput: () => void = () => {};

process.on('SIGINT', () => {
  log('interrupted; the children die with this process');
  removeBulkyOutput();
  process.exit(130);
});

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest failed: ${String((error as Error)?.stack ?? error)}\n${USAGE}\n`);
  process.exit(1);
});
