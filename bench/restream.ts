/**
 * `npm run bench:restream`: what one restream costs. The feed-handler's own
 * restream stage (RestreamSupervisor and its ffmpeg adapter) sends a source to
 * a local nginx-rtmp server; the CPU of its ffmpeg child (utime + stime from
 * /proc/<pid>/stat) is measured over a window that starts once video flows.
 *
 * Three sources, one after the other, 1280×720 25 fps H.264 with a keyframe a second:
 *  - an RTSP camera without audio (the GStreamer test server): video copied, silent AAC generated;
 *  - the same picture from a file without audio, read in real time: video copied, silent AAC generated;
 *  - a file with H.264 and AAC (48 kHz stereo): video and audio copied.
 * The two file rows differ only in the audio, so their difference is what the silent track costs.
 *
 * Prints a table and writes it to docs/benchmarks.md between the bench:restream markers.
 *   npx tsx bench/restream.ts [--seconds 30]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveFfmpegBinary } from '../feed-handler/src/capture/ffmpeg.js';
import { keyRedactor } from '../feed-handler/src/restream/redaction.js';
import type { RestreamInput } from '../feed-handler/src/restream/restream-args.js';
import { createRestreamRunner } from '../feed-handler/src/restream/restream-process.js';
import { RestreamSupervisor } from '../feed-handler/src/restream/restream-supervisor.js';
import { systemClock } from '../feed-handler/src/shared/clock.js';
import { freePort, REPO_ROOT, waitFor } from '../scripts/lib/process.js';
import { rtmpServerAvailable, startRtmpServer } from '../test/support/rtmp-server.js';
import { startRtspServer } from '../test/support/rtsp-server.js';
import { clockTicksPerSecond, memoryMiB } from './ingest/procfs.js';
import { markdownTable, replaceSection } from './lib/markdown.js';

const SECTION_START = '<!-- bench:restream:start -->';
const SECTION_END = '<!-- bench:restream:end -->';
const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;
const BITRATE_KBPS = 2_000;
const args = process.argv.slice(2);
const secondsArg = args.indexOf('--seconds');
const seconds = (secondsArg >= 0 ? Number(args[secondsArg + 1]) : 30) || 30;

interface Row {
  source: string;
  audio: string;
  cpuPercent: number;
  rssMiB: number;
  sentKbps: number;
  restarts: number;
}

/** utime + stime of one process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** The ffmpeg publishing with this key: its command line ends in the publish URL. */
function childPid(key: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith(`/live/${key}`)) && !argv[0]?.includes('setpriv')) return Number(entry);
    } catch {
      // gone while we looked
    }
  }
  return null;
}

function makeFile(path: string, withAudio: boolean): void {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS}`,
    ...(withAudio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-t',
    '60',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-b:v',
    `${BITRATE_KBPS}k`,
    '-g',
    String(FPS),
    '-pix_fmt',
    'yuv420p',
    ...(withAudio ? ['-c:a', 'aac', '-ac', '2', '-b:a', '128k'] : []),
    path,
  ]);
}

async function measure(
  rtmpUrl: string,
  binary: string,
  source: string,
  input: RestreamInput,
  key: string,
): Promise<Row> {
  const supervisor = new RestreamSupervisor({
    camera: 'bench',
    input,
    target: { name: 'bench', url: rtmpUrl, key, enabled: true },
    settings: {
      stallMs: 15_000,
      backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 },
      stopGraceMs: 2_000,
      stderrLines: 40,
      probeTimeoutMs: 20_000,
      audioBitrateKbps: 128,
      stableLiveMs: 10_000,
    },
    runner: createRestreamRunner(binary),
    clock: systemClock,
    log: pino({ level: 'warn' }),
    redact: keyRedactor([key]),
  });
  supervisor.start();
  try {
    await waitFor('restream live', async () => (supervisor.snapshot().state === 'live' ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    // Past the start's burst (the RTSP analysis backlog goes out at once).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const pid = childPid(key);
    if (pid === null) throw new Error(`no ffmpeg child for ${source}`);
    const cpu0 = cpuSeconds(pid);
    const bytes0 = supervisor.snapshot().bytesSent;
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu1 = cpuSeconds(pid);
    const elapsed = (Date.now() - t0) / 1000;
    const snapshot = supervisor.snapshot();
    if (childPid(key) !== pid) throw new Error(`the ffmpeg child of ${source} was restarted during the window`);
    return {
      source,
      audio: snapshot.audio ?? 'unknown',
      cpuPercent: ((cpu1 - cpu0) / elapsed) * 100,
      rssMiB: memoryMiB(pid).rss,
      sentKbps: ((snapshot.bytesSent - bytes0) * 8) / elapsed / 1000,
      restarts: snapshot.restarts,
    };
  } finally {
    await supervisor.stop();
  }
}

function ffmpegVersion(binary: string): string {
  try {
    return (
      execFileSync(binary, ['-version'], { encoding: 'utf8' }).split('\n')[0]?.split(' ').slice(0, 3).join(' ') ?? ''
    );
  } catch {
    return 'unknown';
  }
}

function render(rows: Row[], binary: string, loadAtStart: number): string {
  const byAudio = (source: string) => rows.find((r) => r.source === source);
  const silentFile = byAudio('file, no audio');
  const copyFile = byAudio('file, H.264 + AAC');
  const out = [
    '## Restream cost (`npm run bench:restream`)',
    '',
    `Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}, load average ${loadAtStart.toFixed(2)} at the start), ${ffmpegVersion(binary)}, ${process.version}.`,
    `Source ${WIDTH}×${HEIGHT} ${FPS} fps H.264 (${BITRATE_KBPS} kbit/s target, a keyframe a second) to nginx-rtmp on 127.0.0.1;`,
    `CPU of the restream's ffmpeg child alone (utime + stime from /proc) over ${seconds} s from 5 s after video flows, one restream at a time.`,
    '',
    markdownTable(
      ['source', 'audio', '% of a core', 'RSS MiB', 'sent kbit/s', 'restarts'],
      rows.map((r) => [
        r.source,
        r.audio,
        r.cpuPercent.toFixed(2),
        r.rssMiB.toFixed(1),
        r.sentKbps.toFixed(0),
        String(r.restarts),
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r'],
    ),
    '',
  ];
  if (silentFile && copyFile) {
    out.push(
      `The silent AAC track costs about ${(silentFile.cpuPercent - copyFile.cpuPercent).toFixed(2)} % of a core over copying the camera's AAC (same picture, file rows). Video is copied, never decoded, so the cost follows the bitrate (packets moved), not the picture size; other sizes were not measured here.`,
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  if (!rtmpServerAvailable()) {
    throw new Error('nginx with the RTMP module is not installed: bash scripts/setup.sh (nginx, libnginx-mod-rtmp)');
  }
  const loadAtStart = loadavg()[0] ?? 0;
  const binary = resolveFfmpegBinary(undefined);
  const scratch = mkdtempSync(join(tmpdir(), 'fathom-bench-restream-'));
  const rtmp = await startRtmpServer({ port: await freePort() });
  const rtsp = await startRtspServer({
    port: await freePort(),
    mounts: ['cam'],
    source: 'testpattern',
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    keyframeSeconds: 1,
    env: { RTSP_BITRATE_KBPS: String(BITRATE_KBPS) },
  });
  const rows: Row[] = [];
  try {
    const silentFile = join(scratch, 'video.mp4');
    const aacFile = join(scratch, 'video-aac.mp4');
    process.stderr.write('making the source files...\n');
    makeFile(silentFile, false);
    makeFile(aacFile, true);
    const cases: [string, RestreamInput][] = [
      ['RTSP camera, no audio', { kind: 'rtsp', url: rtsp.url('cam'), socketTimeoutSeconds: 10 }],
      ['file, no audio', { kind: 'file', path: silentFile }],
      ['file, H.264 + AAC', { kind: 'file', path: aacFile }],
    ];
    for (const [i, [source, input]] of cases.entries()) {
      process.stderr.write(`measuring ${source} for ${seconds} s...\n`);
      rows.push(await measure(rtmp.url, binary, source, input, `bench-${i}-${Date.now().toString(36)}`));
    }
  } finally {
    await rtsp.stop();
    await rtmp.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const section = render(rows, binary, loadAtStart);
  process.stdout.write(`${section}\n`);
  const docs = join(REPO_ROOT, 'docs', 'benchmarks.md');
  writeFileSync(
    docs,
    replaceSection(existsSync(docs) ? readFileSync(docs, 'utf8') : null, section, {
      start: SECTION_START,
      end: SECTION_END,
    }),
  );
}

await main();
