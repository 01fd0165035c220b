/**
 * The RTSP simulation server against real clients: GStreamer serves, ffprobe/ffmpeg pull.
 * Each suite starts its own server on a free port (independent of the global setup).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../test/support/rtsp-server.js';
import { decodeTimecodeFromJpeg } from '../test/support/timecode.js';

const execFileAsync = promisify(execFile);

async function run(command: string, args: string[], timeout = 60_000): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { timeout, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

interface ProbedStream {
  codec_name: string;
  width: number;
  height: number;
}

async function probeStream(url: string): Promise<ProbedStream> {
  const out = await run('ffprobe', [
    '-v',
    'error',
    '-rtsp_transport',
    'tcp',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height',
    '-of',
    'json',
    url,
  ]);
  const stream = (JSON.parse(out) as { streams: ProbedStream[] }).streams[0];
  if (!stream) throw new Error(`ffprobe found no video stream at ${url}: ${out}`);
  return stream;
}

interface ProbedFrame {
  key_frame: number;
  pts_time?: string;
}

/** Frames (pts, key flag) of `seconds` of the stream; with keyOnly, ffprobe decodes keyframes only. */
async function probeFrames(url: string, seconds: number, keyOnly: boolean): Promise<{ pts: number; key: boolean }[]> {
  const out = await run('ffprobe', [
    '-v',
    'error',
    '-rtsp_transport',
    'tcp',
    ...(keyOnly ? ['-skip_frame', 'nokey'] : []),
    '-select_streams',
    'v',
    '-show_entries',
    'frame=pts_time,key_frame',
    '-read_intervals',
    `%+${seconds}`,
    '-of',
    'json',
    url,
  ]);
  const frames = (JSON.parse(out) as { frames?: ProbedFrame[] }).frames ?? [];
  // The very first frame can come before any RTCP sync and carry no pts.
  return frames
    .filter((f) => f.pts_time !== undefined && f.pts_time !== 'N/A')
    .map((f) => ({ pts: Number(f.pts_time), key: f.key_frame === 1 }));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('rtsp/server.py testpattern (mounts test, cam2)', () => {
  let server: RtspServerHandle;
  beforeAll(async () => {
    server = await startRtspServer({ port: await freePort(), mounts: ['test', 'cam2'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('announces its port and mounts', () => {
    expect(server.mounts).toEqual(['test', 'cam2']);
    expect(server.url()).toBe(`rtsp://127.0.0.1:${server.port}/test`);
    expect(server.url('cam2')).toBe(`rtsp://127.0.0.1:${server.port}/cam2`);
  });

  it('serves H.264 640x360 on every mount', async () => {
    for (const mount of server.mounts) {
      const stream = await probeStream(server.url(mount));
      expect(stream).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    }
  });

  it('has a keyframe every second (GOP structure, not a timing measurement)', async () => {
    const keyframes = await probeFrames(server.url('test'), 6, true);
    const times = keyframes.filter((f) => f.key).map((f) => f.pts);
    console.log(`keyframe pts: ${times.join(', ')}`);
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
      expect(gap).toBeGreaterThanOrEqual(0.8);
      expect(gap).toBeLessThanOrEqual(1.2);
    }
  });

  it('a client that joins does not restart the stream time of one already watching (the pattern is not seekable)', async () => {
    // The first reader watches 6 s; the second joins 2 s in (ffmpeg's PLAY asks for a range from 0).
    const watching = probeFrames(server.url('cam2'), 6, false);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const joined = await probeFrames(server.url('cam2'), 2, true);
    const frames = await watching;
    expect(joined.length).toBeGreaterThan(0);
    const backwards = frames.filter((f, i) => i > 0 && f.pts <= (frames[i - 1]?.pts ?? 0));
    expect(backwards).toEqual([]);
    expect((frames.at(-1)?.pts ?? 0) - (frames[0]?.pts ?? 0)).toBeGreaterThan(4);
  });

  it('stop() ends the process', async () => {
    const { pid } = server;
    expect(processAlive(pid)).toBe(true);
    await server.stop();
    expect(processAlive(pid)).toBe(false);
    await server.stop(); // idempotent
  });
});

describe('rtsp/server.py timecode', () => {
  let server: RtspServerHandle;
  const dir = mkdtempSync(join(tmpdir(), 'fathom-timecode-'));
  beforeAll(async () => {
    server = await startRtspServer({ port: await freePort(), source: 'timecode' });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('paints the capture time into every frame, decodable after scaling to 320 px and JPEG', async () => {
    const startedAt = Date.now();
    // Every 4th frame for ~3 s, scaled down and JPEG-compressed like the feed-handler's thumbnails.
    await run('ffmpeg', [
      '-v',
      'error',
      '-rtsp_transport',
      'tcp',
      '-use_wallclock_as_timestamps',
      '1',
      '-i',
      server.url(),
      '-vf',
      'select=not(mod(n\\,4)),scale=320:-2',
      '-fps_mode',
      'vfr',
      '-q:v',
      '8',
      '-frames:v',
      '10',
      join(dir, 'out%02d.jpg'),
    ]);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jpg'))
      .sort();
    expect(files).toHaveLength(10);
    const decoded: number[] = [];
    const deltas: number[] = [];
    for (const file of files) {
      const path = join(dir, file);
      const epochMs = await decodeTimecodeFromJpeg(path);
      expect(epochMs, `${file} has a valid check word`).not.toBeNull();
      const writtenAt = statSync(path).mtimeMs;
      decoded.push(epochMs ?? 0);
      deltas.push(Math.round(writtenAt - (epochMs ?? 0)));
    }
    console.log(`timecode: JPEG written - capture time (ms): ${deltas.join(', ')}`);
    for (let i = 0; i < decoded.length; i++) {
      const epochMs = decoded[i] ?? 0;
      // Captured after we asked (less a little for the server's first frames) and before the JPEG existed.
      expect(epochMs).toBeGreaterThan(startedAt - 3_000);
      expect(epochMs).toBeLessThanOrEqual(Date.now());
      // The kernel stamps mtime from a coarse clock, a few ms behind Date.now().
      expect(deltas[i]).toBeGreaterThanOrEqual(-50);
      expect(deltas[i]).toBeLessThan(5_000);
      if (i > 0) expect(epochMs).toBeGreaterThan(decoded[i - 1] ?? 0);
    }
    // Every 4th frame at 15 fps: codes ~267 ms apart on average, i.e. one capture time per
    // frame, not a constant (wide bounds: a starved server may skip a frame).
    const spacing = ((decoded.at(-1) ?? 0) - (decoded[0] ?? 0)) / (decoded.length - 1);
    expect(spacing).toBeGreaterThan(180);
    expect(spacing).toBeLessThan(450);
  });
});

describe('rtsp/server.py file (copy, looped) and rtsp relay', () => {
  let upstream: RtspServerHandle;
  let fileServer: RtspServerHandle;
  const dir = mkdtempSync(join(tmpdir(), 'fathom-rtsp-file-'));
  const clip = join(dir, 'clip.mp4');
  beforeAll(async () => {
    // 2 s of 1280x720 H.264 with B-frames and a keyframe a second, like a real camera export.
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=15',
      '-t',
      '2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-bf',
      '2',
      '-g',
      '15',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    fileServer = await startRtspServer({
      port: await freePort(),
      source: 'file',
      env: { RTSP_FILE: clip, RTSP_FILE_COPY: '1' },
    });
    upstream = await startRtspServer({ port: await freePort(), source: 'testpattern' });
  });
  afterAll(async () => {
    await Promise.all([fileServer?.stop(), upstream?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays a 2 s clip without re-encoding and loops it seamlessly', async () => {
    const stream = await probeStream(fileServer.url());
    // The clip's own size: copied, not re-encoded to RTSP_WIDTH x RTSP_HEIGHT.
    expect(stream).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
    const frames = await probeFrames(fileServer.url(), 5, false);
    // 5 s at 15 fps across two loop points; evenly spaced, never backwards.
    expect(frames.length).toBeGreaterThanOrEqual(65);
    const sorted = frames.map((f) => f.pts).sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      const gap = (sorted[i] ?? 0) - (sorted[i - 1] ?? 0);
      expect(gap).toBeGreaterThan(0.06);
      expect(gap).toBeLessThan(0.075);
    }
    expect(fileServer.output()).toContain('"event":"file-looped"');
  });

  it('relays an upstream RTSP URL without printing its credentials', async () => {
    const relay = await startRtspServer({
      port: await freePort(),
      source: 'rtsp',
      env: { RTSP_UPSTREAM_URL: `rtsp://viewer:hunter2@127.0.0.1:${upstream.port}/test` },
    });
    try {
      expect(await probeStream(relay.url())).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      expect(relay.output()).toContain('rtsp://***@127.0.0.1');
      expect(relay.output()).not.toContain('hunter2');
    } finally {
      await relay.stop();
    }
    expect(relay.output()).not.toContain('hunter2');
  });
});

describe('rtsp/server.py settings', () => {
  it('exits 2 naming every bad key', async () => {
    const error = await startRtspServer({
      port: 0,
      source: 'nonsense' as 'file',
      fps: 0,
      width: 641,
      env: { RTSP_BITRATE_KBPS: 'fast' },
    }).then(
      () => new Error('server started'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain('code 2');
    for (const key of ['RTSP_SOURCE', 'RTSP_FPS', 'RTSP_WIDTH', 'RTSP_BITRATE_KBPS']) {
      expect(error.message).toContain(key);
    }
  });

  it('refuses RTSP_FILE_COPY for a file that is not H.264', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fathom-rtsp-bad-'));
    try {
      const clip = join(dir, 'clip.mkv');
      const args = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=5', '-t', '1', '-c:v', 'mpeg4'];
      await run('ffmpeg', [...args, clip]);
      const error = await startRtspServer({
        port: 0,
        source: 'file',
        env: { RTSP_FILE: clip, RTSP_FILE_COPY: '1' },
      }).then(
        () => new Error('server started'),
        (e: unknown) => e as Error,
      );
      expect(error.message).toContain('code 2');
      expect(error.message).toContain('RTSP_FILE_COPY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
