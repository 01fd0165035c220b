/**
 * `npm run bench:memory`: what one camera's capture ffmpeg holds in memory, what holds it, and
 * which arguments cut it (issue 17).
 *
 * The camera is bench:ingest's cached 1080p30 ~6 Mbit/s H.264 clip (1 s GOP) relayed without
 * re-encoding by rtsp/server.py. Each variant of the feed-handler's own ffmpeg arguments
 * (bench/memory/variants.ts) runs as one process, after a warm-up, for a window; then production
 * and the combined cuts run as N processes at once, in rounds there and back (shared pages,
 * per-camera Pss, CPU ratio); optionally the whole feed-handler (node)
 * at a few camera counts. Prints the tables and writes them to docs/benchmarks.md between the
 * bench:memory markers. Flags: bench/memory/options.ts.
 */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { provideFeedHandlerFfmpeg } from '../scripts/lib/feed-handler-ffmpeg.js';
import { FEED_HANDLER_NODE_ENV, FEED_HANDLER_NODE_FLAGS } from '../scripts/lib/feed-handler-node.js';
import { freePort, REPO_ROOT } from '../scripts/lib/process.js';
import { startRtspServer } from '../test/support/rtsp-server.js';
import type { ClipSpec } from './ingest/clip.js';
import { buildFeedHandler } from './ingest/feed-handler-child.js';
import { provideClip } from './ingest/ffmpeg.js';
import { makeTempDir, readTextOrNull, removeDir, writeText } from './ingest/files.js';
import { runBench } from './lib/entry.js';
import { startThrowawayInfluxd } from './lib/influx.js';
import { machineInfo } from './lib/machine.js';
import { benchLog, loadAverages } from './lib/run-log.js';
import { measureVariant, type VariantResult } from './memory/measure.js';
import { measureBareNode, measureNode, type NodeSetting } from './memory/node-baseline.js';
import { type MemoryOptions, parseOptions, USAGE } from './memory/options.js';
import {
  breakdownTable,
  cpuRatio,
  librariesLine,
  meanOf,
  meanRollup,
  medianDelayMs,
  memorySection,
  mib,
  type NodeRow,
  nodeTable,
  pooled,
  pssAmongOnly,
  type Row,
  replaceMemorySection,
  sharedTable,
  variantsTable,
} from './memory/report.js';
import { byCategory, uss } from './memory/smaps.js';
import {
  buildCommand,
  FEED_HANDLER_MALLOC_TEXT,
  PRODUCTION,
  sameCommand,
  type Variant,
  variantById,
} from './memory/variants.js';

const log = benchLog('memory');
const load = loadAverages;
const CACHE_DIR = join(process.env.FATHOM_CACHE_DIR ?? join(homedir(), '.cache/fathom'), 'bench');
const DOCS = join(REPO_ROOT, 'docs/benchmarks.md');
/** A throwaway influxd on 127.0.0.1 for the node baseline; the token guards nothing else. */
const TOKEN = 'fathom-bench-memory-token-not-a-secret';
/** bench:ingest's 1 s GOP camera, so both benches measure the same stream. */
const CLIP: ClipSpec = { width: 1920, height: 1080, fps: 30, bitrateKbps: 6000, keyframeSeconds: 1, seconds: 16 };
/**
 * The node baseline's camera: 720p15 at 2 Mbit/s, so 32 cameras fit this 2-core machine (node
 * handles the 320 px JPEGs, one a second per camera, whatever the source size).
 */
const NODE_CLIP: ClipSpec = { width: 1280, height: 720, fps: 15, bitrateKbps: 2000, keyframeSeconds: 1, seconds: 16 };

/**
 * How the feed-handler's node runs: production's settings at every camera count; at the largest, the settings
 * before them and node's own defaults too, in rounds there and back (A B C C B A), to compare in one run.
 */
const NODE_SETTINGS: NodeSetting[] = [
  { label: 'production', flags: FEED_HANDLER_NODE_FLAGS, env: { ...FEED_HANDLER_NODE_ENV } },
  { label: 'young generation only', flags: ['--max-semi-space-size=1'], env: {} },
  { label: "node's and glibc's defaults", flags: [], env: {} },
];
const NODE_PRODUCTION = NODE_SETTINGS[0] as NodeSetting;

let options: MemoryOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

function toRow(result: VariantResult, label = result.variant.label): Row {
  const command = buildCommand(result.variant.change, {
    url: 'rtsp://x/y',
    stagingPattern: 'x',
    analysisTarget: 'unix:x',
  });
  return {
    id: result.variant.id,
    label,
    windowSeconds: result.windowSeconds,
    expectsChunks: command.chunks,
    expectsAnalysis: command.analysis,
    error: result.error,
    processes: result.processes.map(({ end, startAnonymousKb, ...delivery }) => ({
      ...delivery,
      vmRss: end.status.vmRss,
      vmHwm: end.status.vmHwm,
      threads: end.status.threads,
      rollup: end.rollup,
      startAnonymous: startAnonymousKb,
    })),
  };
}

const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)} %`;
const threads = (count: string) => `${count} thread${count === '1' ? '' : 's'}`;
const signedMib = (kb: number) => `${kb >= 0 ? '+' : '−'}${Math.abs(kb / 1024).toFixed(1)}`;

/** The variants of `ids` that run distinct commands, first one kept (production's duplicate is production). */
function distinct(ids: readonly string[]): Variant[] {
  const out: Variant[] = [];
  for (const id of ids) {
    const v = variantById(id);
    if (!out.some((o) => sameCommand(o.change, v.change))) out.push(v);
  }
  return out;
}

/** A variant's label, saying so when it runs the same command as production (a change production already makes). */
function labelOf(v: Variant): string {
  if (v === PRODUCTION) {
    const same = ['cuts', 'auto-threads'].find((id) => sameCommand(PRODUCTION.change, variantById(id).change));
    return same ? `${v.label} (= ${same})` : v.label;
  }
  return sameCommand(v.change, PRODUCTION.change) ? `${v.label} (= production)` : v.label;
}

/** Production, the automatic threads, the argument cuts and the cuts with malloc settings, each once, there and back (A B C C B A). */
function sharedOrder(): Variant[] {
  const there = distinct(['production', 'auto-threads', 'cuts', 'cuts-malloc']);
  return [...there, ...[...there].reverse()];
}

/** The findings that follow from the figures of this run (re-computed on every run, whatever production pins). */
function findings(single: Row[], singleResults: VariantResult[], shared: Row[], other: Row[]): string[] {
  const out: string[] = [];
  /** The row that ran this variant's command (production's row when they are the same). */
  const rowFor = (rows: readonly Row[], id: string) => {
    const change = variantById(id).change;
    return rows.find((r) => !r.error && sameCommand(variantById(r.id).change, change));
  };
  const find = (id: string) => rowFor(single, id);
  const prod = find('production');
  const prodResult = singleResults.find((r) => r.variant.id === 'production' && !r.error);
  if (!prod || !prodResult) return out;
  const anonOf = (r: Row) => meanRollup(r, 'Anonymous');
  const threadsOf = (r: Row) => meanOf(r, (p) => p.threads).toFixed(0);
  const rss = meanOf(prod, (p) => p.vmRss);
  const anon = anonOf(prod);
  const file = rss - anon;
  const pins = sameCommand(PRODUCTION.change, variantById('cuts').change)
    ? 'one thread per encoder and filter graph, as the cuts'
    : sameCommand(PRODUCTION.change, variantById('auto-threads').change)
      ? 'automatic encoder and filter threads'
      : 'some threads pinned';
  out.push(
    `Production (${pins}): VmRSS ${mib(rss)} MiB, ${threads(threadsOf(prod))}; ${mib(file)} MiB (${percent(file, rss)}) are pages of the ${prodResult.files} files it maps (ffmpeg and the shared libraries it links), the same physical pages in every camera's ffmpeg, and ${mib(anon)} MiB are its own (anonymous).`,
  );
  const reloc = byCategory(prodResult.parts).find((c) => c.category === 'library pages written at load (relocations)');
  if (reloc) {
    out.push(
      `${mib(reloc.kb.Anonymous)} MiB of the anonymous part are library pages the dynamic loader writes at start-up (relocations): no ffmpeg argument changes them; an ffmpeg linked against fewer libraries (a minimal or static build) would.`,
    );
  }
  const sharedProd = rowFor(
    pooled(shared).map((p) => p.row),
    'production',
  );
  const roundsOf = (row: Row) => pooled(shared).find((p) => p.row.id === row.id)?.rounds ?? 1;
  if (sharedProd) {
    const n = sharedProd.processes.length / roundsOf(sharedProd);
    const u = meanOf(sharedProd, (p) => uss(p.rollup));
    const bound = pssAmongOnly(
      n,
      u,
      meanOf(sharedProd, (p) => p.rollup.Rss),
    );
    out.push(
      `Per camera, what the machine really spends is the Pss: ${mib(meanRollup(sharedProd, 'Pss'))} MiB measured at N = ${n} production ffmpegs (≤ ${mib(bound)} MiB if nothing else mapped the libraries; USS ${mib(u)} MiB), against ${mib(meanOf(sharedProd, (p) => p.vmRss))} MiB VmRSS: adding VmRSS over the cameras counts the shared libraries once per camera.`,
    );
  }
  const auto = find('auto-threads');
  const cuts = find('cuts');
  const cutsMalloc = find('cuts-malloc');
  if (auto && cuts) {
    const saved = anonOf(auto) - anonOf(cuts);
    out.push(
      `The argument cuts (\`-threads 1\` on the JPEG output and on the analysis output, \`-filter_threads 1\`, \`-filter_complex_threads 1\`) against ffmpeg's automatic threads: ${threadsOf(auto)} threads down to ${threadsOf(cuts)}, ${mib(saved)} MiB less anonymous memory per ffmpeg on this 2-core machine (${percent(saved, anonOf(auto))})${cutsMalloc ? `; with env \`${FEED_HANDLER_MALLOC_TEXT}\` besides (the feed-handler's children inherit it), ${mib(anonOf(auto) - anonOf(cutsMalloc))} MiB less` : ''}.`,
    );
  }
  const big = find('auto-threads-cpucount-16');
  const bigCuts = find('cuts-cpucount-16');
  if (big && bigCuts) {
    out.push(
      `ffmpeg sizes its automatic thread counts by the host's cores: as on a 16-core host (\`-cpucount 16\`) the automatic threads are ${threadsOf(big)} and hold ${mib(anonOf(big))} MiB anonymous (${mib(meanOf(big, (p) => p.vmRss))} MiB VmRSS); with the cuts ${threads(threadsOf(bigCuts))} and ${mib(anonOf(bigCuts))} MiB, the same as on 2 cores.`,
    );
  }
  if (auto && cuts) {
    const d = (r: Row, w: 'jpeg' | 'gray') => medianDelayMs(r, w).toFixed(0);
    out.push(
      `Delay after the showinfo line (median): JPEG ${d(auto, 'jpeg')} ms and gray frame ${d(auto, 'gray')} ms with automatic threads, ${d(cuts, 'jpeg')} ms and ${d(cuts, 'gray')} ms with the cuts. The mjpeg and rawvideo encoders run frame-threaded by default and hand a frame's packet out only when the next frame comes in: one thumbnail interval (1 s) late. \`-threads 1\` on both outputs removes that second; on one output only, the JPEG and its gray frame would arrive a second apart.`,
    );
  }
  const sharedRows = pooled(shared).map((p) => p.row);
  const sharedAuto = rowFor(sharedRows, 'auto-threads');
  const sharedCuts = rowFor(sharedRows, 'cuts');
  const sharedMalloc = rowFor(sharedRows, 'cuts-malloc');
  if (sharedAuto && sharedCuts) {
    const n = sharedAuto.processes.length / roundsOf(sharedAuto);
    out.push(
      `CPU in the same run (N = ${n}, rounds there and back): cuts / automatic threads ${cpuRatio(shared, sharedAuto.id, sharedCuts.id).toFixed(2)}x${sharedMalloc ? `, cuts + malloc / automatic threads ${cpuRatio(shared, sharedAuto.id, sharedMalloc.id).toFixed(2)}x` : ''}. This 2-core machine is shared with other work, so read CPU as these ratios, not as absolute figures.`,
    );
  }
  // Thread counts are in the findings above: on 2 cores they weigh little, on bigger hosts a lot.
  const quiet = single.filter(
    (r) => !r.error && r !== prod && !/cuts|threads|cpucount/.test(r.id) && Math.abs(anonOf(r) - anon) < 1024,
  );
  if (quiet.length) {
    out.push(
      `No saving beyond the noise (within 1 MiB of production in anonymous memory; single runs of the same arguments differ by about ±0.5 MiB): ${quiet.map((r) => r.label).join('; ')}.`,
    );
  }
  const all = find('decode-all');
  if (all) {
    out.push(
      `Decoding every frame instead of keyframes only holds the same memory (${signedMib(anonOf(all) - anon)} MiB) but costs ${(meanOf(all, (p) => p.cpuCores) / meanOf(prod, (p) => p.cpuCores)).toFixed(1)}x the CPU.`,
    );
  }
  const otherBest = other.find((r, i) => i > 0 && r.id === 'cuts-malloc' && !r.error);
  const otherAuto = other.find((r, i) => i > 0 && r.id === 'auto-threads' && !r.error);
  if (otherBest && otherAuto) {
    const fileOf = (r: Row) => meanOf(r, (p) => p.vmRss) - anonOf(r);
    const perCamera = (n: number) => mib(anonOf(otherBest) + fileOf(otherBest) / n);
    out.push(
      `The other binary: VmRSS ${mib(meanOf(otherAuto, (p) => p.vmRss))} MiB with automatic threads (${mib(fileOf(otherAuto))} MiB file pages, ${mib(anonOf(otherAuto))} MiB anonymous, ${threadsOf(otherAuto)} threads), ${mib(meanOf(otherBest, (p) => p.vmRss))} MiB with the cuts and the malloc settings (${mib(anonOf(otherBest))} MiB anonymous, ${threadsOf(otherBest)} threads): about ${perCamera(8)} MiB a camera at 8 cameras and ${perCamera(32)} MiB at 32 (anonymous + file pages / N).`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = load();
  const ffmpegPath = options.ffmpeg ?? (await provideFeedHandlerFfmpeg());
  const ffmpegVersion = versionOf(ffmpegPath);
  const workDir = makeTempDir('fathom-bench-memory-');
  removeWorkDir = () => removeDir(workDir);
  const clip = await provideClip(CLIP, CACHE_DIR, log);
  const mounts = Math.max(1, options.processes);
  const server = await startRtspServer({
    port: await freePort(),
    mounts: Array.from({ length: mounts }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`),
    source: 'file',
    env: { RTSP_FILE: clip.path, RTSP_FILE_COPY: '1' },
  });
  const ctx = {
    ffmpeg: ffmpegPath,
    url: (i: number) => server.url(`cam${String(i + 1).padStart(2, '0')}`),
    workDir,
    warmupSeconds: options.warmupSeconds,
    windowSeconds: options.seconds,
    log,
  };
  const singleResults: VariantResult[] = [];
  const sharedResults: VariantResult[] = [];
  const otherResults: VariantResult[] = [];
  try {
    const ids = options.only.includes('production') ? options.only : ['production', ...options.only];
    for (const [i, id] of ids.entries()) {
      log(`${i + 1}/${ids.length} ${id} (1 process; load ${load()}) ...`);
      const r = await measureVariant(ctx, variantById(id), 1);
      singleResults.push(r);
      const p = r.processes[0];
      log(
        r.error
          ? `  failed: ${r.error.split('\n')[0]}`
          : `  VmRSS ${mib(p?.end.status.vmRss ?? Number.NaN)} MiB, Anonymous ${mib(p?.end.rollup.Anonymous ?? Number.NaN)} MiB, Pss ${mib(p?.end.rollup.Pss ?? Number.NaN)} MiB, ${p?.end.status.threads} threads`,
      );
    }
    if (options.processes > 0) {
      const order = sharedOrder();
      for (const [i, v] of order.entries()) {
        log(`N=${options.processes} round ${i + 1}/${order.length}: ${v.id} (load ${load()}) ...`);
        const r = await measureVariant(ctx, v, options.processes);
        sharedResults.push(r);
        if (r.error) log(`  failed: ${r.error.split('\n')[0]}`);
      }
    }
    if (options.alsoFfmpeg) {
      for (const id of ['auto-threads', 'cuts', 'cuts-malloc']) {
        log(`${options.alsoFfmpeg}: ${id} (1 process; load ${load()}) ...`);
        const r = await measureVariant({ ...ctx, ffmpeg: options.alsoFfmpeg }, variantById(id), 1);
        otherResults.push(r);
        if (r.error) log(`  failed: ${r.error.split('\n')[0]}`);
      }
    }
  } finally {
    await server.stop();
  }

  const nodeRows: NodeRow[] = [];
  let nodeClipLine = '';
  if (options.nodeCameras.length) {
    if (options.build) {
      log('building the contract and the feed-handler (tsc -b) ...');
      buildFeedHandler();
    }
    const nodeClip = await provideClip(NODE_CLIP, CACHE_DIR, log);
    nodeClipLine = `${NODE_CLIP.width}x${NODE_CLIP.height} ${NODE_CLIP.fps} fps, ${(nodeClip.bitrateKbps / 1000).toFixed(2)} Mbit/s, 1 s GOP`;
    const { influxd } = await startThrowawayInfluxd(workDir, TOKEN);
    try {
      const influx = { url: influxd.url, token: TOKEN, org: 'fathom', bucket: 'fathom' };
      const largest = options.nodeCameras.at(-1) as number;
      const runs: { cameras: number; setting: NodeSetting }[] = [
        ...options.nodeCameras.slice(0, -1).map((cameras) => ({ cameras, setting: NODE_PRODUCTION })),
        ...[...NODE_SETTINGS, ...[...NODE_SETTINGS].reverse()].map((setting) => ({ cameras: largest, setting })),
      ];
      for (const setting of NODE_SETTINGS) nodeRows.push(await measureBareNode(setting));
      for (const { cameras: n, setting } of runs) {
        log(`feed-handler with ${n} cameras, node: ${setting.label} (load ${load()}) ...`);
        const row = await measureNode(
          {
            clipPath: nodeClip.path,
            ffmpegPath,
            influx,
            workDir,
            warmupSeconds: options.warmupSeconds,
            windowSeconds: options.seconds,
            log,
          },
          n,
          setting,
        );
        nodeRows.push(row);
        log(
          row.error
            ? `  failed: ${row.error}`
            : `  node VmRSS ${mib(row.rssKb)} MiB (anon ${mib(row.anonKb)}), CPU ${row.nodeCpuPercent.toFixed(1)} %, ffmpeg Pss ${mib(row.ffmpegPssKb)} MiB each`,
        );
      }
    } finally {
      await influxd.stop();
    }
  }

  const single = singleResults.map((r) => toRow(r, labelOf(r.variant)));
  const shared = sharedResults.map((r) => toRow(r, labelOf(r.variant)));
  // Production on the measured binary first, so the Δ column compares the other binary with it.
  const otherRows = otherResults.length
    ? [single[0] as Row, ...otherResults.map((r) => toRow(r, `${r.variant.label}, other binary`))]
    : [];
  const otherVersion = options.alsoFfmpeg ? versionOf(options.alsoFfmpeg) : '';
  const breakdownRuns = distinct(['production', 'auto-threads', 'cuts', 'cuts-malloc', 'auto-threads-cpucount-16'])
    .map((v) => singleResults.find((r) => r.variant.id === v.id && !r.error))
    .filter((r) => r !== undefined)
    .map((r) => ({ label: r.variant.id, parts: r.parts }));
  const prodParts = singleResults.find((r) => r.variant.id === 'production')?.parts ?? [];
  const libs = librariesLine(prodParts);
  const machine = machineInfo('true');
  const home = (text: string) => text.replaceAll(homedir(), '~');
  const command = home(
    `npm run bench:memory${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  );
  const productionArgv = buildCommand(PRODUCTION.change, {
    url: 'rtsp://HOST/cam',
    stagingPattern: 'STAGING/RUN-%06d.mp4',
    analysisTarget: 'unix:SOCKET',
  }).argv;
  const section = memorySection({
    command,
    date: machine.date,
    durationSeconds: (performance.now() - startedAt) / 1000,
    machine: `${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, shared with other work (load average ${loadAtStart} at the start, ${load()} at the end); ${ffmpegVersion}; Node ${machine.node}`,
    clip: `${CLIP.width}x${CLIP.height} ${CLIP.fps} fps H.264, ${(clip.bitrateKbps / 1000).toFixed(2)} Mbit/s, a keyframe a second (bench:ingest's clip, \`${clip.path.replace(homedir(), '~')}\`), relayed by \`rtsp/server.py\` (RTSP_FILE_COPY=1), one mount per process.`,
    method: `each variant is the feed-handler's \`captureArgs\` (feed-handler/src/capture/ffmpeg-args.ts, as it was when the run started) with its production defaults (320 px JPEGs q 5, keyframes only, 600 s MP4 chunks, 64×36 gray analysis frames to a unix socket) in the order its adapter hands them to fluent-ffmpeg, changed as the row says; production: \`ffmpeg ${productionArgv.join(' ')}\`; one ffmpeg runs until it has written two JPEGs, then ${options.warmupSeconds} s of warm-up, then a ${options.seconds} s window. Figures are at the window's end from /proc/PID/status (VmRSS, VmHWM = peak) and /proc/PID/smaps_rollup (Pss, Private_Dirty, Anonymous, Shared_Clean; USS = Private_Clean + Private_Dirty); "growth" is Anonymous over the window; CPU is utime+stime over the window, noisy on this shared machine. JPEG (gray) delay = the JPEG's last byte on stdout (the gray frame's on the socket) minus its showinfo line on stderr, median. With one process, Pss, USS and Shared_Clean move with whatever else on the machine maps the same libraries at that moment (a library page nobody else maps counts as private): compare the variants by Anonymous (= Private_Dirty), which is the process's own; the N-process table below gives the Pss that counts.`,
    variants: variantsTable(single),
    shared: shared.length ? sharedTable(shared) : null,
    sharedNote: `Pss (measured) splits each shared page over every process on the machine that maps it, other tenants' ffmpegs included; "if only these N" is USS + (Rss − USS) / N. The N processes run on N mounts of one server; each distinct command among production, automatic threads, cuts and cuts + malloc runs twice, in rounds there and back (A B C C B A), and each row pools its two rounds.`,
    breakdown: breakdownTable(breakdownRuns),
    breakdownNote: `Categories (bench/memory/smaps.ts): a file mapping's anonymous pages are the pages the dynamic loader wrote (relocations: private to each process), its other pages are the file's (shared); an unnamed mapping right after a file's is its .bss; a glibc arena is a 64 MiB-aligned reservation of another thread's malloc; a thread stack is the mapping that holds the thread's stack pointer (/proc/PID/task/TID/syscall). Largest relocated libraries (production, MiB): ${libs.relocated}. Largest file pages: ${libs.filePages}.`,
    other: otherRows.length ? variantsTable(otherRows) : null,
    otherNote: `The first row is the measured ffmpeg (${ffmpegVersion}), the others \`${home(options.alsoFfmpeg ?? '')}\` (${otherVersion.trim()}), same arguments and camera, one process each. A static binary is mapped by this process alone, so its file pages count as private here (USS, Pss); N cameras would share them like the shared libraries above.`,
    node: nodeRows.length ? nodeTable(nodeRows) : null,
    nodeNote: `\`node feed-handler/dist/main.js\` with production settings except DECODE_MODE=keyframes, cameras of ${nodeClipLine} (lighter than the clip above, so 32 cameras fit this machine; node handles 320 px JPEGs, one a second per camera, whatever the source), a throwaway influxd; ${options.build ? 'feed-handler/dist built by the run' : 'feed-handler/dist as it was (`--no-build`), so its ffmpeg arguments may differ from the source measured above'}. Node settings: ${NODE_SETTINGS.map((x) => `**${x.label}** = ${[...x.flags.map((f) => `\`${f}\``), ...Object.entries(x.env).map(([k, v]) => `\`${k}=${v}\``)].join(' ') || 'no flags, no malloc settings'}`).join('; ')} (scripts/lib/feed-handler-node.ts; the ffmpeg children inherit the malloc settings). Production runs at every camera count; at ${options.nodeCameras.at(-1)} cameras each setting runs twice, in rounds there and back. "Node alone, idle" is \`node -e\` with the setting's flags and environment, 2 s after its start. Node's VmRSS, RssAnon and RssFile are the largest of the samples over the window; V8's heap and external memory are node's own /metrics (prom-client's \`nodejs_heap_size_*\`, \`nodejs_external_memory_bytes\`) at the window's end; node's CPU is its utime+stime over the window (the ffmpeg children apart); the ffmpegs' figures are at the window's end. "Σ Pss" = node's VmRSS + the cameras' ffmpeg Pss.`,
    findings: [...findings(single, singleResults, shared, otherRows), ...nodeFindings(nodeRows)],
  });
  process.stdout.write(`\nOne ffmpeg, each change alone (MiB)\n\n${variantsTable(single)}\n`);
  if (shared.length) process.stdout.write(`\nN ffmpegs at once (MiB per process)\n\n${sharedTable(shared)}\n`);
  process.stdout.write(`\nWhere one ffmpeg's memory is (MiB)\n\n${breakdownTable(breakdownRuns)}\n`);
  process.stdout.write(`\nRelocated: ${libs.relocated}\nFile pages: ${libs.filePages}\n`);
  if (otherRows.length) process.stdout.write(`\nAnother ffmpeg binary (MiB)\n\n${variantsTable(otherRows)}\n`);
  if (nodeRows.length) process.stdout.write(`\nThe feed-handler as a whole (MiB)\n\n${nodeTable(nodeRows)}\n`);
  if (options.docs) {
    writeText(DOCS, replaceMemorySection(readTextOrNull(DOCS), section));
    log(`wrote ${DOCS}`);
  }
  removeDir(workDir);
  log(`done in ${Math.round((performance.now() - startedAt) / 1000)} s`);
}

/** What the node settings did at the largest camera count: each setting's mean over its rounds, and the bare node. */
function nodeFindings(rows: readonly NodeRow[]): string[] {
  const ok = rows.filter((r) => !r.error && r.cameras > 0);
  const largest = Math.max(...ok.map((r) => r.cameras));
  const meanBy = (label: string, f: (r: NodeRow) => number) => {
    const xs = ok.filter((r) => r.cameras === largest && r.setting === label).map(f);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  };
  const out: string[] = [];
  const prod = NODE_PRODUCTION.label;
  const figures = (label: string) =>
    `VmRSS ${mib(meanBy(label, (r) => r.rssKb))} MiB, RssAnon ${mib(meanBy(label, (r) => r.anonKb))}, node CPU ${meanBy(label, (r) => r.nodeCpuPercent).toFixed(1)} % of a core`;
  if (!Number.isFinite(meanBy(prod, (r) => r.rssKb))) return out;
  const others = NODE_SETTINGS.slice(1).filter((x) => Number.isFinite(meanBy(x.label, (r) => r.rssKb)));
  out.push(
    `Node at ${largest} cameras (mean of its rounds): ${prod} ${figures(prod)}; ${others
      .map(
        (x) =>
          `${x.label} ${figures(x.label)} (production's VmRSS ${(meanBy(prod, (r) => r.rssKb) / meanBy(x.label, (r) => r.rssKb)).toFixed(2)}x of it)`,
      )
      .join('; ')}.`,
  );
  const bare = rows.find((r) => r.cameras === 0 && r.setting.startsWith(prod) && !r.error);
  if (bare) {
    out.push(
      `Of production's VmRSS at ${largest} cameras, ${mib(bare.rssKb)} MiB is node itself before any of Fathom's code (\`node -e\`, idle: ${mib(bare.fileKb)} MiB of it file pages, node's binary and libraries, shared with every other node process on the host); RssFile at ${largest} cameras ${mib(meanBy(prod, (r) => r.fileKb))} MiB, V8's heap ${meanBy(prod, (r) => r.heapUsedMib).toFixed(1)} MiB used of ${meanBy(prod, (r) => r.heapTotalMib).toFixed(1)}.`,
    );
  }
  return out;
}

/** Set once the work dir exists: an interrupted run leaves no chunks behind. */
let removeWorkDir: () => void = () => {};

function versionOf(binary: string): string {
  return execFileSync(binary, ['-version'], { encoding: 'utf8' }).split('\n')[0]?.split(' Copyright')[0] ?? '';
}

runBench('memory', USAGE, main, () => removeWorkDir());
