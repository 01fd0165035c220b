/**
 * Pictures in the scripted scene (RTSP_SOURCE=scene, `pictures` in RTSP_SCENE_SCRIPT) against a
 * real client: GStreamer serves, ffmpeg pulls ~25 s over RTSP and scales every frame down to a
 * 64x36 yuv420p thumbnail (luma and chroma), and each thumbnail is placed in the script's
 * epoch-aligned cycle by the wall-clock time at which its packet arrived. No timing is
 * asserted: only what the picture shows well inside the scripted intervals (never within
 * 0.75 s of a boundary). Also: the script's picture rules, each problem on its own exit-2 line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../test/support/rtsp-server.js';

const execFileAsync = promisify(execFile);

/** 1280x1158; its top-left 156x156 is a standing woman on white. */
const SAMPLES = join(REPO_ROOT, 'node_modules', '@vladmandic', 'human', 'assets', 'samples.jpg');

const PERIOD = 20;
const PICTURE = { start: 4, end: 10, image: SAMPLES, crop: [0, 0, 156, 156], at: [0.5, 0.55], height: 0.6 } as const;
const SCRIPT = { period: PERIOD, pictures: [PICTURE] };

const SERVER_W = 640;
const SERVER_H = 360;
const W = 64;
const H = 36;
const CW = W / 2;
const CH = H / 2;
const LUMA_BYTES = W * H;
const CHROMA_BYTES = CW * CH;
const FRAME_BYTES = LUMA_BYTES + 2 * CHROMA_BYTES; // yuv420p: luma, then the 32x18 U and V planes
// 25 s at 15 fps: every window up to 5 s long lies whole inside the capture at least once.
const FRAMES = 375;

/** Cycle windows (seconds), each 0.75 s from every scripted boundary (0, 4, 10). */
const WINDOWS = {
  before: [0.75, 3.25],
  shown: [4.75, 9.25],
  after: [10.75, 19.25],
} as const satisfies Record<string, readonly [number, number]>;
type WindowName = keyof typeof WINDOWS;

/**
 * The picture's rectangle in thumbnail pixels (the picture is square: its crop is), shrunk by
 * `inset` thumbnail pixels on every side; with a negative inset, grown.
 */
function pictureBox(inset: number): { x0: number; y0: number; x1: number; y1: number } {
  const half = (PICTURE.height * H) / 2;
  const cx = PICTURE.at[0] * W;
  const cy = PICTURE.at[1] * H;
  return {
    x0: Math.ceil(cx - half + inset),
    y0: Math.ceil(cy - half + inset),
    x1: Math.floor(cx + half - inset),
    y1: Math.floor(cy + half - inset),
  };
}
const INNER = pictureBox(1.5);
const OUTER = pictureBox(-1.5);

interface Thumb {
  /** Wall-clock epoch ms at which ffmpeg read the frame's packet (-use_wallclock_as_timestamps). */
  epochMs: number;
  luma: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

interface Placed extends Thumb {
  cycle: number;
  seconds: number;
}

function splitPlanes(frame: Uint8Array): Pick<Thumb, 'luma' | 'u' | 'v'> {
  return {
    luma: frame.subarray(0, LUMA_BYTES),
    u: frame.subarray(LUMA_BYTES, LUMA_BYTES + CHROMA_BYTES),
    v: frame.subarray(LUMA_BYTES + CHROMA_BYTES, FRAME_BYTES),
  };
}

/** As rtsp/scene.int.spec.ts: showinfo's pts is the packet's wall-clock arrival time. */
async function captureThumbs(url: string): Promise<Thumb[]> {
  const { stdout, stderr } = await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'info',
      '-rtsp_transport',
      'tcp',
      '-use_wallclock_as_timestamps',
      '1',
      '-i',
      url,
      '-copyts',
      '-vf',
      `scale=${W}:${H}:flags=area,showinfo`,
      '-fps_mode',
      'passthrough',
      '-frames:v',
      String(FRAMES),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      'pipe:1',
    ],
    { encoding: 'buffer', timeout: 100_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const log = stderr.toString();
  const timeBase = /showinfo.*config in time_base: (\d+)\/(\d+)/.exec(log);
  if (!timeBase) throw new Error(`no showinfo time base in ffmpeg's output:\n${log.slice(-2_000)}`);
  const secondsPerTick = Number(timeBase[1]) / Number(timeBase[2]);
  const infos = [...log.matchAll(/showinfo[^\]]*\] n:\s*(\d+) pts:\s*(-?\d+) .*?mean:\[(\d+)/g)].map((m) => ({
    n: Number(m[1]),
    epochMs: Number(m[2]) * secondsPerTick * 1000,
    mean: Number(m[3]),
  }));
  const count = Math.floor(stdout.length / FRAME_BYTES);
  expect(count, 'frames written').toBeGreaterThanOrEqual(FRAMES - 1);
  const thumbs: Thumb[] = [];
  for (let i = 0; i < count; i++) {
    const info = infos[i];
    const planes = splitPlanes(new Uint8Array(stdout.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES)));
    // Frame i of the pipe is showinfo's frame n = i: its mean luma proves the pairing.
    expect(info?.n, `showinfo line for frame ${i}`).toBe(i);
    expect(
      Math.abs(Math.round(mean(planes.luma)) - (info?.mean ?? -99)),
      `frame ${i} is showinfo's`,
    ).toBeLessThanOrEqual(1);
    // The first frame can come out before ffmpeg has any timestamp (pts 0): unplaceable.
    if (info && info.epochMs > 1e12) thumbs.push({ epochMs: info.epochMs, ...planes });
  }
  return thumbs;
}

/**
 * What the picture should look like in a thumbnail: the crop scaled to the server's size, put
 * where the script says on a 640x360 canvas, scaled down like the captured frames (ffmpeg, area).
 */
async function expectedThumb(): Promise<Pick<Thumb, 'luma' | 'u' | 'v'>> {
  const [cx, cy, cw, ch] = PICTURE.crop;
  const side = Math.round((PICTURE.height * SERVER_H) / 2) * 2;
  const x0 = Math.round((PICTURE.at[0] * SERVER_W - side / 2) / 2) * 2;
  const y0 = Math.round((PICTURE.at[1] * SERVER_H - side / 2) / 2) * 2;
  const { stdout } = await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      SAMPLES,
      '-vf',
      `crop=${cw}:${ch}:${cx}:${cy},scale=${side}:${side},pad=${SERVER_W}:${SERVER_H}:${x0}:${y0}:gray,` +
        `format=yuv420p,scale=${W}:${H}:flags=area`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      'pipe:1',
    ],
    { encoding: 'buffer', timeout: 30_000 },
  );
  expect(stdout.length).toBe(FRAME_BYTES);
  return splitPlanes(new Uint8Array(stdout));
}

function mean(values: Uint8Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

type Box = { x0: number; y0: number; x1: number; y1: number };

/** Mean |a - b| over the luma pixels inside (or, with outside, outside) a box. */
function lumaDiff(a: Uint8Array, b: Uint8Array, box: Box, outside = false): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inBox = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
      if (inBox === outside) continue;
      sum += Math.abs((a[y * W + x] ?? 0) - (b[y * W + x] ?? 0));
      count++;
    }
  }
  return sum / count;
}

/** Chroma inside a box (luma coordinates): the largest |U - 128| + |V - 128| and how many cells exceed `threshold`. */
function chromaInBox(thumb: Pick<Thumb, 'u' | 'v'>, box: Box, threshold: number): { max: number; coloured: number } {
  let max = 0;
  let coloured = 0;
  for (let y = Math.ceil(box.y0 / 2); y < Math.floor(box.y1 / 2); y++) {
    for (let x = Math.ceil(box.x0 / 2); x < Math.floor(box.x1 / 2); x++) {
      const d = Math.abs((thumb.u[y * CW + x] ?? 128) - 128) + Math.abs((thumb.v[y * CW + x] ?? 128) - 128);
      max = Math.max(max, d);
      if (d > threshold) coloured++;
    }
  }
  return { max, coloured };
}

/** Chroma of a whole thumbnail: the largest |U - 128| + |V - 128|. */
function chromaMax(thumb: Pick<Thumb, 'u' | 'v'>): number {
  return chromaInBox(thumb, { x0: 0, y0: 0, x1: W, y1: H }, 255).max;
}

/** Per-pixel mean of many thumbnails' luma. */
function averageLuma(frames: Thumb[]): Uint8Array {
  const sums = new Float64Array(LUMA_BYTES);
  for (const f of frames) for (let i = 0; i < LUMA_BYTES; i++) sums[i] = (sums[i] ?? 0) + (f.luma[i] ?? 0);
  return Uint8Array.from(sums, (s) => Math.round(s / frames.length));
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

describe('rtsp/server.py scene pictures', () => {
  let server: RtspServerHandle;
  const inWindow: Record<WindowName, Placed[]> = { before: [], shown: [], after: [] };
  /** The background: the average thumbnail of the frames without the picture. */
  let background: Uint8Array;

  beforeAll(async () => {
    server = await startRtspServer({
      port: await freePort(),
      source: 'scene',
      mounts: ['scene'],
      env: { RTSP_SCENE_SCRIPT: JSON.stringify(SCRIPT) },
    });
    const thumbs = await captureThumbs(server.url('scene'));
    for (const thumb of thumbs) {
      const cycle = Math.floor(thumb.epochMs / (PERIOD * 1000));
      const seconds = (thumb.epochMs - cycle * PERIOD * 1000) / 1000;
      for (const [name, [start, end]] of Object.entries(WINDOWS) as [WindowName, readonly [number, number]][]) {
        if (seconds >= start && seconds <= end) inWindow[name].push({ ...thumb, cycle, seconds });
      }
    }
    const counts = Object.entries(inWindow).map(([name, frames]) => `${name} ${frames.length}`);
    console.log(`scene pictures: ${thumbs.length} thumbnails; per window: ${counts.join(', ')}`);
    background = averageLuma([...inWindow.before, ...inWindow.after]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs scene-started with the effective script, crop included', () => {
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('"event":"scene-started"'));
    expect(line).toBeDefined();
    const started = JSON.parse(line ?? '{}') as { mount: string; script: unknown };
    expect(started.mount).toBe('scene');
    expect(started.script).toEqual({ period: PERIOD, moves: [], lights: [], pictures: [PICTURE] });
  });

  it('shows the picture, in colour, where the script puts it, during its interval', async () => {
    const shown = inWindow.shown;
    expect(shown.length, 'frames while the picture is shown').toBeGreaterThanOrEqual(30);
    expect(inWindow.before.length + inWindow.after.length, 'frames without it').toBeGreaterThanOrEqual(30);
    const expected = await expectedThumb();
    const inside: number[] = [];
    const outside: number[] = [];
    const likeSource: number[] = [];
    const colour: number[] = [];
    for (const frame of shown) {
      // Inside its rectangle the picture replaces the background...
      inside.push(lumaDiff(frame.luma, background, INNER));
      // ...and nothing else changes...
      outside.push(lumaDiff(frame.luma, background, OUTER, true));
      // ...it is the scripted crop of the image, at the scripted place and size...
      likeSource.push(lumaDiff(frame.luma, expected.luma, INNER));
      // ...and in colour (the scene is otherwise neutral grey: chroma 128).
      const chroma = chromaInBox(frame, INNER, 6);
      colour.push(chroma.max);
      expect(chroma.coloured, 'chroma cells with |U-128|+|V-128| > 6 inside the picture').toBeGreaterThanOrEqual(3);
    }
    const source = chromaInBox(expected, INNER, 6);
    console.log(
      `scene picture shown: ${shown.length} frames; mean |luma - background| inside ${round(Math.min(...inside))}..` +
        `${round(Math.max(...inside))}, outside ${round(Math.min(...outside))}..${round(Math.max(...outside))}; ` +
        `mean |luma - expected picture| inside ${round(Math.min(...likeSource))}..${round(Math.max(...likeSource))}; ` +
        `max chroma deviation ${Math.min(...colour)}..${Math.max(...colour)} (expected picture ${source.max}, ` +
        `${source.coloured} cells > 6)`,
    );
    for (const d of inside) expect(d).toBeGreaterThan(40);
    for (const d of outside) expect(d).toBeLessThan(3);
    for (const d of likeSource) expect(d).toBeLessThan(12);
    for (const c of colour) expect(c).toBeGreaterThan(10);
  });

  it('shows only the grey background outside the interval', () => {
    const stats: { name: string; inside: number; chroma: number }[] = [];
    for (const name of ['before', 'after'] as const) {
      expect(inWindow[name].length, `frames in ${name}`).toBeGreaterThan(0);
      for (const frame of inWindow[name]) {
        stats.push({ name, inside: lumaDiff(frame.luma, background, INNER), chroma: chromaMax(frame) });
      }
    }
    const worstInside = Math.max(...stats.map((s) => s.inside));
    const worstChroma = Math.max(...stats.map((s) => s.chroma));
    console.log(
      `scene picture hidden: ${stats.length} frames; worst mean |luma - background| in its rectangle ` +
        `${round(worstInside)}, worst chroma deviation ${worstChroma}`,
    );
    expect(worstInside).toBeLessThan(3);
    expect(worstChroma).toBeLessThanOrEqual(2);
  });
});

describe('rtsp/server.py scene pictures: script rules', () => {
  /** Starts the server with a script that must be refused; returns its error output. */
  async function refused(script: unknown): Promise<string> {
    const error = await startRtspServer({
      port: 0,
      source: 'scene',
      env: { RTSP_SCENE_SCRIPT: JSON.stringify(script) },
    }).then(
      () => new Error('server started'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain('code 2');
    expect(error.message).toContain('invalid settings: RTSP_SCENE_SCRIPT');
    return error.message;
  }

  /** Each problem is its own `  RTSP_SCENE_SCRIPT: …` line. */
  function expectLine(output: string, pattern: RegExp): void {
    const lines = output.split('\n').filter((l) => /^\s+RTSP_SCENE_SCRIPT: /.test(l));
    expect(
      lines.some((l) => pattern.test(l)),
      `a line matching ${pattern} in:\n${lines.join('\n')}`,
    ).toBe(true);
  }

  it('reports every bad picture, each on its own line, and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fathom-scene-pictures-'));
    try {
      const notAnImage = join(dir, 'notes.jpg');
      writeFileSync(notAnImage, 'not a picture\n');
      const missing = join(dir, 'missing.jpg');
      const picture = { image: SAMPLES, at: [0.5, 0.5], height: 0.5 };
      const output = await refused({
        period: 60,
        pictures: [
          { ...picture, start: 10, end: 20 },
          { ...picture, start: 15, end: 25 }, // overlaps the first
          { ...picture, start: 30, end: 31, crop: [1200, 0, 156, 156] }, // reaches past x 1280
          { ...picture, start: 32, end: 33, image: missing },
          { ...picture, start: 34, end: 35, height: 1.5 },
          { ...picture, start: 36, end: 37, height: 0.01 },
          { ...picture, start: 38, end: 39, crop: [0, 0, 0, 10] },
          { ...picture, start: 40, end: 41, crop: [0, 0, 10] },
          { ...picture, start: 42, end: 43, image: notAnImage },
          { ...picture, start: 44, end: 45, at: [0.5, 1.2] },
          { ...picture, start: 46, end: 45 },
          { ...picture, start: 50, end: 51, size: 0.2 },
        ],
      });
      expectLine(output, /pictures\[0\] \(10\.\.20\) and pictures\[1\] \(15\.\.25\) overlap/);
      expectLine(output, /pictures\[2\]\.crop: .*\[1200, 0, 156, 156\] does not lie inside the image \(1280x1158\)/);
      expectLine(output, new RegExp(`pictures\\[3\\]\\.image: '${missing}' is not a readable file`));
      expectLine(output, /pictures\[4\]\.height: must be a number in 0\.05\.\.1\.0 .*got 1\.5/);
      expectLine(output, /pictures\[5\]\.height: must be a number in 0\.05\.\.1\.0 .*got 0\.01/);
      expectLine(output, /pictures\[6\]\.crop: must be \[x, y, w, h\]/);
      expectLine(output, /pictures\[7\]\.crop: must be \[x, y, w, h\]/);
      expectLine(output, new RegExp(`pictures\\[8\\]\\.image: '${notAnImage}' is not a JPEG or PNG file`));
      expectLine(output, /pictures\[9\]\.at: must be \[x, y\] with 0 <= x, y <= 1/);
      expectLine(output, /pictures\[10\]: needs 0 <= start < end <= period \(60\)/);
      expectLine(output, /pictures\[11\]: unknown field\(s\) size/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires the image', async () => {
    const output = await refused({ period: 60, pictures: [{ start: 1, end: 2, at: [0.5, 0.5], height: 0.5 }] });
    expectLine(output, /pictures\[0\]\.image: must be the path of a JPEG or PNG file, got None/);
  });
});
