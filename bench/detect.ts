/**
 * `npm run bench:detect`: what the object detector costs, in one run so the figures compare
 * side by side.
 *
 * 1. The detector alone: the feed-handler's worker thread (from source, under tsx) on real
 *    320 × 180 thumbnails of the sample person, back to back: load time, frames/s, inference
 *    p50/p95, CPU seconds per frame, the thread's RSS.
 * 2. Live: N cameras (default 8) of the GStreamer scene (640 × 360, 10 fps, a keyframe a second,
 *    the sample person always in view, a square always moving) recorded by the real feed-handler
 *    (keyframe decoding, no chunks) into a throwaway influxd, first with the detector off, then on
 *    (DETECT_MAX_FPS=2, DETECT_MOTION_MIN=0: every frame is a candidate, the budget limits):
 *    thumbnail and index rates, CPU and RSS, frames analysed and dropped, capture → stored detection.
 * 3. A verdict per target: the detector's CPU within its budget, thumbnails and index unchanged.
 *
 * Prints the tables and writes them to docs/benchmarks.md between the bench:detect markers
 * (BENCH_NO_DOCS=1: print only). Flags: bench/detect/options.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { provideFeedHandlerFfmpeg } from '../scripts/lib/feed-handler-ffmpeg.js';
import { freePort, REPO_ROOT } from '../scripts/lib/process.js';
import { startRtspServer } from '../test/support/rtsp-server.js';
import { measureDetectorAlone } from './detect/alone.js';
import { compare, type PhaseResult } from './detect/figures.js';
import { type LiveContext, measurePhase, POLL_EVERY_MS } from './detect/live.js';
import { type DetectBenchOptions, parseOptions, USAGE } from './detect/options.js';
import { aloneTable, detectSection, latencyLine, liveTable, replaceDetectSection, verdicts } from './detect/report.js';
import { detectScene, PERSON_HEIGHT } from './detect/scene.js';
import { makeThumbnails, SAMPLE_PATH } from './detect/thumbnails.js';
import { buildFeedHandler } from './ingest/feed-handler-child.js';
import { makeTempDir, readTextOrNull, removeDir, writeText } from './ingest/files.js';
import { runBench } from './lib/entry.js';
import { startThrowawayInfluxd } from './lib/influx.js';
import { machineInfo } from './lib/machine.js';
import { benchLog, loadAverages } from './lib/run-log.js';

const log = benchLog('detect');
const load = loadAverages;
/** A throwaway influxd on 127.0.0.1 that holds only bench points; the token guards nothing else. */
const TOKEN = 'fathom-bench-detect-token-not-a-secret';
const DOCS = join(REPO_ROOT, 'docs/benchmarks.md');
/** The feed-handler's defaults DETECT_MAX_FPS and DETECT_CPU_BUDGET: the limits under test. */
const MAX_FPS = 2;
const CPU_BUDGET = 0.5;
const SCENE = { width: 640, height: 360, fps: 10, keyframeSeconds: 1 };

let options: DetectBenchOptions;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = load();
  if (options.build) {
    log('building the contract and the feed-handler (tsc -b) ...');
    buildFeedHandler();
  }
  const ffmpegPath = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  const workDir = makeTempDir('fathom-bench-detect-');
  removeBulky = () => {
    removeDir(join(workDir, 'influxd'));
    removeDir(join(workDir, 'frames'));
  };

  // 1. The detector alone, before anything else runs.
  log(`detector alone: making ${options.frames} thumbnails with ffmpeg ...`);
  const framesDir = join(workDir, 'frames');
  mkdirSync(framesDir);
  const jpegs = makeThumbnails(ffmpegPath, framesDir, options.frames);
  const alone = await measureDetectorAlone(jpegs, log);
  log(
    `  ${alone.framesPerSecond.toFixed(2)} frames/s, inference p50 ${alone.inferenceP50Ms.toFixed(0)} ms, ${alone.cpuSecondsPerFrame.toFixed(3)} CPU s per frame, person in ${alone.withPerson}/${alone.frames}`,
  );

  // 2. Live, detector off then on, against one influxd and one scene server.
  const { influxd, bin: influxBin } = await startThrowawayInfluxd(workDir, TOKEN);
  const phases: PhaseResult[] = [];
  try {
    const mounts = Array.from({ length: options.cameras }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
    const rtsp = await startRtspServer({
      port: await freePort(),
      mounts,
      source: 'scene',
      ...SCENE,
      env: { RTSP_SCENE_SCRIPT: JSON.stringify(detectScene(SAMPLE_PATH)) },
    });
    log(`influxd ${influxd.url}, scene server with ${options.cameras} mounts; logs in ${workDir}`);
    try {
      const ctx: LiveContext = {
        source: { pid: rtsp.pid, urls: mounts.map((m) => rtsp.url(m)) },
        influx: { url: influxd.url, token: TOKEN, org: 'fathom', bucket: 'fathom', pid: influxd.pid },
        // The feed-handler runs its own build; Debian's made the thumbnails above (lavfi sources, an encoder).
        ffmpegPath: await provideFeedHandlerFfmpeg(),
        workDir,
        warmupSeconds: options.warmupSeconds,
        windowSeconds: options.seconds,
        graceSeconds: options.graceSeconds,
        maxFps: MAX_FPS,
        cpuBudget: CPU_BUDGET,
        log: (m) => log(`  ${m}`),
      };
      for (const spec of [
        { name: 'A: detector off', prefix: 'off-', detect: false },
        { name: 'B: detector on', prefix: 'on-', detect: true },
      ]) {
        log(`${spec.name}, ${options.cameras} cameras (load ${load()}) ...`);
        const p = await measurePhase(ctx, spec);
        phases.push(p);
        log(
          `  thumbnails/s worst ${p.thumbnails.worst.toFixed(3)}, index ${p.index.total.toFixed(2)} points/s, node ${p.nodeCores.toFixed(3)} cores, tree ${p.treeCores.toFixed(3)}, RSS ${p.rssNodeMiB.toFixed(0)} MiB${p.detector ? `, analysed ${p.detector.analysedPerSecond.toFixed(2)}/s, dropped ${p.detector.droppedPerSecond.toFixed(2)}/s, latency p50 ${(p.detector.latency.p50Ms / 1000).toFixed(2)} s` : ''}; camera restarts ${p.restartsInWindow}`,
        );
      }
    } finally {
      await rtsp.stop();
    }
  } finally {
    await influxd.stop();
    removeBulky();
  }

  const [off, on] = phases as [PhaseResult, PhaseResult];
  const comparison = compare(off, on, alone, MAX_FPS, CPU_BUDGET);
  const machine = machineInfo(influxBin);
  const ffmpegVersion = execFileSync(ffmpegPath, ['-version'], { encoding: 'utf8' })
    .split('\n')[0]
    ?.split(' Copyright')[0];
  const command = `npm run bench:detect${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const section = detectSection(
    {
      command,
      date: machine.date,
      durationSeconds: (performance.now() - startedAt) / 1000,
      machine: `${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM (shared with other work); Node ${machine.node}; ${machine.influxd}; ${ffmpegVersion}`,
      loadAtStart,
      loadAtEnd: load(),
      alone: `the feed-handler's detector thread (\`createDetectorThread\`, CenterNet on tfjs WASM, default labels, min score 0.5) in the bench process, ${alone.frames} frames back to back after 3 untimed; 320×180 JPEG (q 5) of a noisy grey scene with the sample's standing woman (\`samples.jpg\` crop 156×156 at 0,0, 560 px of 720 high) at a different x in each.`,
      live: `${options.cameras} cameras from the GStreamer RTSP server (\`scene\`, ${SCENE.width}×${SCENE.height}, ${SCENE.fps} fps, a keyframe every ${SCENE.keyframeSeconds} s; the sample woman in view the whole cycle at ${PERSON_HEIGHT} of the frame height, a square always moving), recorded by the real feed-handler (\`node feed-handler/dist/main.js\`; DECODE_MODE=all, CHUNKS_ENABLED=false, motion on, 320 px thumbnails) into a throwaway influxd; phase A \`DETECT_ENABLED=false\`, then phase B \`DETECT_ENABLED=true DETECT_MAX_FPS=${MAX_FPS} DETECT_CPU_BUDGET=${CPU_BUDGET} DETECT_MOTION_MIN=0\` (every frame a candidate: the budget limits), each a fresh feed-handler, ${options.warmupSeconds} s warm-up after every camera delivered (B: and the detector analysed a frame), then a ${options.seconds} s window. In both phases the bench polls InfluxDB every ${POLL_EVERY_MS} ms (Flux through the official client) for the phase's \`detections\` points, so both carry that load; in B it polls ${options.graceSeconds} s past the window for late ones. Camera restarts in the windows: ${off.restartsInWindow} (A), ${on.restartsInWindow} (B).`,
    },
    alone,
    phases,
    comparison,
  );
  process.stdout.write(`\nDetector alone\n\n${aloneTable(alone)}\n`);
  process.stdout.write(`\nLive, ${options.cameras} cameras, detector off vs on\n\n${liveTable(phases)}\n`);
  process.stdout.write(`\n${latencyLine(on)}\n\nTargets\n\n${verdicts(comparison, options.cameras).join('\n')}\n`);
  if (options.docs) {
    writeText(DOCS, replaceDetectSection(readTextOrNull(DOCS), section));
    log(`wrote ${DOCS}`);
  } else log('BENCH_NO_DOCS=1: docs/benchmarks.md left alone');
  log(`done in ${Math.round((performance.now() - startedAt) / 1000)} s; feed-handler logs in ${workDir}`);
}

/** Set once the work dir exists: an interrupted run leaves only the logs behind. */
let removeBulky: () => void = () => {};

runBench('detect', USAGE, main, () => removeBulky());
