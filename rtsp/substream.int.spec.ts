/**
 * Two streams per camera (RTSP_SUBSTREAM): every mount `<m>` also serves `<m>/sub`, the same
 * source at a low resolution with its own encoder. With the timecode source, both streams
 * must be one camera on one clock: the same painted capture time for the same instant, the
 * same keyframe ticks, and stream times (RTP) that differ by a constant. Real server, real
 * ffmpeg reading both URLs at once; no timing is asserted.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../test/support/rtsp-server.js';
import { decodeTimecodeFromGray } from '../test/support/timecode.js';

const execFileAsync = promisify(execFile);

const MAIN = { width: 1280, height: 720 };
const SUB = { width: 640, height: 360 };
const FPS = 15;
const FRAMES = 5 * FPS; // ~5 s of each stream

interface Frame {
  /** showinfo's frame number: the n-th frame written to stdout. */
  n: number;
  /** Stream time in units of `timeBase` (RTP clock), null without one. */
  pts: number | null;
  key: boolean;
  size: string;
  epochMs: number | null;
}

interface Capture {
  frames: Frame[];
  /** showinfo's input time base, e.g. [1, 90000]. */
  timeBase: [number, number];
}

/**
 * Reads `count` frames of an RTSP URL with ffmpeg as 8-bit gray at their own size, decoding
 * each frame's timecode as it arrives (a 1280x720 frame is 0.9 MB: nothing is kept but the
 * decoded time). showinfo, last in the filter chain, prints each written frame's pts, size
 * and key flag, in order (-fps_mode passthrough: no frame dropped or duplicated).
 */
function captureTimecodes(url: string, width: number, height: number, count: number): Promise<Capture> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostats',
        '-loglevel',
        'info',
        '-rtsp_transport',
        'tcp',
        '-i',
        url,
        '-vf',
        'format=gray,showinfo',
        '-fps_mode',
        'passthrough',
        '-frames:v',
        String(count),
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const frameBytes = width * height;
    const frame = Buffer.alloc(frameBytes);
    let filled = 0;
    const times: (number | null)[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          times.push(decodeTimecodeFromGray(frame, width, height));
          filled = 0;
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`ffmpeg ${url} exited ${signal ?? code}:\n${stderr.slice(-2_000)}`));
        return;
      }
      const base = /config in time_base: (\d+)\/(\d+)/.exec(stderr);
      const frames: Frame[] = [];
      for (const match of stderr.matchAll(/\bn:\s*(\d+)\s+pts:\s*(\S+)\s.*?\bs:(\d+x\d+)\s.*?\biskey:(\d)/g)) {
        const n = Number(match[1]);
        const pts = Number(match[2]);
        frames.push({
          n,
          pts: Number.isFinite(pts) ? pts : null,
          size: match[3] ?? '',
          key: match[4] === '1',
          epochMs: times[n] ?? null,
        });
      }
      // showinfo may see one frame more than -frames:v lets through to the output.
      if (frames.length < times.length || frames.length > times.length + 1) {
        reject(new Error(`ffmpeg ${url}: ${times.length} frames written, ${frames.length} showinfo lines`));
        return;
      }
      frames.length = times.length;
      resolve({ frames, timeBase: [Number(base?.[1] ?? 1), Number(base?.[2] ?? 90_000)] });
    });
  });
}

async function ffprobe(url: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', ...args, url], {
    timeout: 60_000,
  });
  return stdout;
}

/** "codec WIDTHxHEIGHT" of the first video stream. */
async function probeSize(url: string): Promise<string> {
  const out = await ffprobe(url, [
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height',
    '-of',
    'json',
  ]);
  const stream = (JSON.parse(out) as { streams: { codec_name: string; width: number; height: number }[] }).streams[0];
  return stream ? `${stream.codec_name} ${stream.width}x${stream.height}` : 'none';
}

/** Stream times (s) of `seconds` of a stream's frames; the very first frame may carry none. */
async function probePts(url: string, seconds: number): Promise<number[]> {
  const out = await ffprobe(url, [
    '-select_streams',
    'v',
    '-show_entries',
    'frame=pts_time',
    '-read_intervals',
    `%+${seconds}`,
    '-of',
    'json',
  ]);
  const frames = (JSON.parse(out) as { frames?: { pts_time?: string }[] }).frames ?? [];
  return frames.map((f) => Number(f.pts_time)).filter((pts) => Number.isFinite(pts));
}

describe('rtsp/server.py sub-streams: timecode at two resolutions on one clock', () => {
  let server: RtspServerHandle;
  beforeAll(async () => {
    server = await startRtspServer({
      port: await freePort(),
      source: 'timecode',
      mounts: ['cam'],
      ...MAIN,
      fps: FPS,
      substream: SUB,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('announces cam/sub and answers its URL', () => {
    expect(server.mounts).toEqual(['cam']);
    expect(server.subMounts).toEqual(['cam/sub']);
    expect(server.subUrl()).toBe(`rtsp://127.0.0.1:${server.port}/cam/sub`);
    expect(server.subUrl('cam')).toBe(server.subUrl());
    expect(() => server.subUrl('nope')).toThrow(/no sub-stream nope\/sub/);
  });

  it('paints the same capture times into both streams, keyframes on the same ticks, stream times a constant apart', async () => {
    // Both URLs read at the same time.
    const [main, sub] = await Promise.all([
      captureTimecodes(server.url('cam'), MAIN.width, MAIN.height, FRAMES),
      captureTimecodes(server.subUrl('cam'), SUB.width, SUB.height, FRAMES),
    ]);

    // Each stream at its own size, every frame a valid timecode.
    expect(new Set(main.frames.map((f) => f.size))).toEqual(new Set([`${MAIN.width}x${MAIN.height}`]));
    expect(new Set(sub.frames.map((f) => f.size))).toEqual(new Set([`${SUB.width}x${SUB.height}`]));
    expect(main.frames.filter((f) => f.epochMs === null)).toEqual([]);
    expect(sub.frames.filter((f) => f.epochMs === null)).toEqual([]);

    // The window both captures cover: there, the same set of painted times (to the ms).
    const mainTimes = main.frames.map((f) => f.epochMs ?? 0);
    const subTimes = sub.frames.map((f) => f.epochMs ?? 0);
    const from = Math.max(Math.min(...mainTimes), Math.min(...subTimes));
    const to = Math.min(Math.max(...mainTimes), Math.max(...subTimes));
    const inWindow = (frames: Frame[]) => frames.filter((f) => (f.epochMs ?? 0) >= from && (f.epochMs ?? 0) <= to);
    const mainWindow = inWindow(main.frames);
    const subWindow = inWindow(sub.frames);
    const onlyMain = mainWindow.filter((f) => !subTimes.includes(f.epochMs ?? 0)).map((f) => f.epochMs);
    const onlySub = subWindow.filter((f) => !mainTimes.includes(f.epochMs ?? 0)).map((f) => f.epochMs);
    console.log(
      `substream: ${main.frames.length} main frames, ${sub.frames.length} sub frames; ` +
        `overlap ${from}..${to} (${to - from} ms): ${mainWindow.length} main, ${subWindow.length} sub; ` +
        `only in main: [${onlyMain.join(', ')}], only in sub: [${onlySub.join(', ')}]`,
    );
    expect(mainWindow.length).toBeGreaterThanOrEqual(FRAMES / 2);
    expect(onlyMain).toEqual([]);
    expect(onlySub).toEqual([]);
    // One time per frame (the painted time moves on every tick of the grid).
    expect(new Set(mainWindow.map((f) => f.epochMs)).size).toBe(mainWindow.length);

    // Keyframes: the same painted times in both (each stream's first frame is left out: a
    // stream starts with a keyframe wherever it starts).
    const keys = (frames: Frame[]) => frames.filter((f) => f.key && f.n > 0).map((f) => f.epochMs ?? 0);
    const mainKeys = keys(mainWindow);
    const subKeys = keys(subWindow);
    console.log(`substream: keyframes (painted ms) main [${mainKeys.join(', ')}], sub [${subKeys.join(', ')}]`);
    expect(mainKeys.length).toBeGreaterThanOrEqual(2);
    expect(subKeys).toEqual(mainKeys);

    // Stream time of the same painted time in main and sub: a constant difference. ffmpeg's
    // first decoded frame of a stream carries no RTP time of its own (it gets the second's),
    // so it is left out.
    expect(main.timeBase).toEqual(sub.timeBase);
    const [num, den] = main.timeBase;
    const subPts = new Map(sub.frames.filter((f) => f.n > 0 && f.pts !== null).map((f) => [f.epochMs, f.pts ?? 0]));
    const differences = mainWindow
      .filter((f) => f.n > 0 && f.pts !== null && subPts.has(f.epochMs))
      .map((f) => (f.pts ?? 0) - (subPts.get(f.epochMs) ?? 0));
    const low = Math.min(...differences);
    const high = Math.max(...differences);
    const ms = (ticks: number) => ((ticks * num * 1000) / den).toFixed(3);
    console.log(
      `substream: pts(main) - pts(sub) for ${differences.length} painted times: ` +
        `${ms(low)}..${ms(high)} ms (spread ${high - low} ticks of ${num}/${den} s)`,
    );
    expect(differences.length).toBeGreaterThanOrEqual(FRAMES / 2);
    // One clock reading stamps both frames of a tick; each stream's RTP time rounds it to the
    // 90 kHz clock on its own, so the difference may move by one tick, never by a frame.
    expect(high - low).toBeLessThanOrEqual(1);
  });
});

describe('rtsp/server.py sub-streams: testpattern', () => {
  let server: RtspServerHandle;
  beforeAll(async () => {
    server = await startRtspServer({
      port: await freePort(),
      mounts: ['test', 'cam2'],
      substream: { width: 320, height: 180 },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves every mount at its size and its sub-stream at the sub size', async () => {
    expect(server.subMounts).toEqual(['test/sub', 'cam2/sub']);
    const urls = server.mounts.flatMap((mount) => [server.url(mount), server.subUrl(mount)]);
    const sizes = await Promise.all(urls.map((url) => probeSize(url)));
    expect(sizes).toEqual(['h264 640x360', 'h264 320x180', 'h264 640x360', 'h264 320x180']);
  });

  it('a client joining the sub-stream does not restart the stream time of one already watching it', async () => {
    // The first reader watches 6 s; the second joins 2 s in (ffmpeg's PLAY asks for a range from 0).
    const watching = probePts(server.subUrl('cam2'), 6);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const joined = await probePts(server.subUrl('cam2'), 2);
    const seen = await watching;
    expect(joined.length).toBeGreaterThan(0);
    const backwards = seen.filter((pts, i) => i > 0 && pts <= (seen[i - 1] ?? 0));
    expect(backwards).toEqual([]);
    expect((seen.at(-1) ?? 0) - (seen[0] ?? 0)).toBeGreaterThan(4);
  });
});

describe('rtsp/server.py RTSP_SUBSTREAM settings', () => {
  const startFails = (env: Record<string, string>, source?: 'rtsp' | 'timecode') =>
    startRtspServer({ port: 0, source, env }).then(
      () => new Error('server started'),
      (e: unknown) => e as Error,
    );

  it('exits 2 naming RTSP_SUBSTREAM for a bad size', async () => {
    for (const value of ['640', '641x360', '640x360p']) {
      const error = await startFails({ RTSP_SUBSTREAM: value }, 'timecode');
      expect(error.message).toContain('code 2');
      expect(error.message).toContain(`RTSP_SUBSTREAM: '${value}'`);
    }
  });

  it('exits 2 naming RTSP_SUBSTREAM for a relayed source (nothing to scale)', async () => {
    const error = await startFails({ RTSP_SUBSTREAM: '640x360', RTSP_UPSTREAM_URL: 'rtsp://127.0.0.1:1/x' }, 'rtsp');
    expect(error.message).toContain('code 2');
    expect(error.message).toContain('RTSP_SUBSTREAM: not available with RTSP_SOURCE=rtsp');
  });
});
