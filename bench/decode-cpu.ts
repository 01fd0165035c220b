/**
 * CPU of the feed-handler process tree (node + its ffmpeg) per camera, with
 * keyframe-only decoding against full decoding of the same stream.
 *
 *   node --import tsx bench/decode-cpu.ts [seconds=30] [width=1280] [height=720] [fps=25]
 *
 * Uses a real RTSP server (GStreamer test pattern, 1 s keyframes) and a real
 * influxd; CPU is read from /proc (utime + stime of every process in the tree)
 * over a window that starts once thumbnails flow.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camerasEnv, filesOnDisk, sleep, startFeedHandler } from '../feed-handler/test/harness.js';
import { provideInfluxd, setupInfluxd, startInfluxd } from '../influx/influxd.js';
import { freePort, stopChild, waitFor } from '../scripts/lib/process.js';
import { startRtspServer } from '../test/support/rtsp-server.js';

const [seconds = 30, width = 1280, height = 720, fps = 25] = process.argv.slice(2).map(Number);
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

function treeCpuSeconds(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 20; depth++) {
      if (p === rootPid) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks / CLOCK_TICKS;
}

const dataDir = mkdtempSync(join(tmpdir(), 'fathom-bench-influx-'));
const influxd = await startInfluxd({ bin: await provideInfluxd(), dataDir, port: await freePort() });
const init = {
  username: 'bench',
  password: 'bench-password',
  org: 'fathom',
  bucket: 'fathom',
  token: 'bench-token',
  retentionSeconds: 0,
};
await setupInfluxd(influxd.url, init);
const rtsp = await startRtspServer({
  port: await freePort(),
  mounts: ['cam'],
  source: 'testpattern',
  width,
  height,
  fps,
  keyframeSeconds: 1,
});
const results: Record<string, unknown> = {
  stream: `${width}x${height} ${fps} fps, keyframe every 1 s`,
  windowSeconds: seconds,
};
try {
  for (const mode of ['keyframes', 'all'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `fathom-bench-${mode}-`));
    const handler = await startFeedHandler({
      INFLUX_URL: influxd.url,
      INFLUX_TOKEN: init.token,
      THUMBNAIL_DIR: dir,
      CAMERAS: camerasEnv([{ id: 'bench', url: rtsp.url('cam') }]),
      DECODE_MODE: mode,
      LOG_LEVEL: 'warn',
    });
    const pid = handler.child.pid as number;
    await waitFor('thumbnails', async () => (filesOnDisk(dir, 'bench').length >= 3 ? true : undefined));
    await sleep(3_000);
    const cpu0 = treeCpuSeconds(pid);
    const files0 = filesOnDisk(dir, 'bench').length;
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const cpu1 = treeCpuSeconds(pid);
    const elapsed = (Date.now() - t0) / 1000;
    results[mode] = {
      cpuPercentOfOneCore: Math.round(((cpu1 - cpu0) / elapsed) * 1000) / 10,
      thumbnails: filesOnDisk(dir, 'bench').length - files0,
    };
    await stopChild(handler.child, 10_000);
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  await rtsp.stop();
  await influxd.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
