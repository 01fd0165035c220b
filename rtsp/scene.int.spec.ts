/**
 * The scripted motion-detection scene (RTSP_SOURCE=scene) against a real client: GStreamer
 * serves, ffmpeg pulls ~25 s over RTSP and scales every frame down to a 64x36 luma thumbnail,
 * and each thumbnail is placed in the script's epoch-aligned cycle by the wall-clock time at
 * which its packet arrived. No timing is asserted: only what the picture shows well inside
 * the scripted intervals (never within 0.75 s of a boundary).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/process.js';
import { type RtspServerHandle, startRtspServer } from '../test/support/rtsp-server.js';

const execFileAsync = promisify(execFile);

const PERIOD = 20;
const MOVE = { start: 4, end: 8, from: [0.2, 0.6], to: [0.6, 0.6], size: 0.12 } as const;
const LIGHT = { start: 12, end: 16, gain: 1.35 } as const;
const SCRIPT = { period: PERIOD, moves: [MOVE], lights: [LIGHT] };

const W = 64;
const H = 36;
const LUMA_BYTES = W * H;
const FRAME_BYTES = LUMA_BYTES * 1.5; // yuv420p: the luma plane, then two 32x18 chroma planes
// 25 s at 15 fps (a frame the server skips only makes the capture longer): every window,
// 2.5 s long, then lies whole inside the capture at least once, wherever in the cycle it starts.
const FRAMES = 375;

/**
 * Cycle windows (seconds), each 0.75 s from every scripted boundary (0, 4, 8, 12, 16): a
 * frame's packet arrives a few ms after its capture, and a loaded machine may add a few
 * hundred; the margin keeps such frames in their window.
 */
const WINDOWS = {
  beforeMove: [0.75, 3.25], // resting at `from`
  moving: [4.75, 7.25],
  afterMove: [8.75, 11.25], // resting at `to`
  lit: [12.75, 15.25], // resting at `to`, gain 1.35
  afterLight: [16.75, 19.25], // resting at `to`
} as const satisfies Record<string, readonly [number, number]>;
type WindowName = keyof typeof WINDOWS;

interface Thumb {
  /** Wall-clock epoch ms at which ffmpeg read the frame's packet (-use_wallclock_as_timestamps). */
  epochMs: number;
  luma: Uint8Array;
}

interface Placed extends Thumb {
  cycle: number;
  seconds: number;
}

/**
 * Pulls `FRAMES` frames as 64x36 yuv420p. showinfo (last in the filter chain, so it sees
 * exactly the frames written, in order) prints each frame's pts, which with
 * -use_wallclock_as_timestamps and -copyts is the wall-clock time its packet arrived.
 */
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
    const luma = new Uint8Array(stdout.subarray(i * FRAME_BYTES, i * FRAME_BYTES + LUMA_BYTES));
    // Frame i of the pipe is showinfo's frame n = i: its mean luma proves the pairing.
    expect(info?.n, `showinfo line for frame ${i}`).toBe(i);
    expect(Math.abs(Math.round(mean(luma)) - (info?.mean ?? -99)), `frame ${i} is showinfo's`).toBeLessThanOrEqual(1);
    // The first frame can come out before ffmpeg has any timestamp (pts 0): unplaceable.
    if (info && info.epochMs > 1e12) thumbs.push({ epochMs: info.epochMs, luma });
  }
  return thumbs;
}

function mean(luma: Uint8Array): number {
  let sum = 0;
  for (const v of luma) sum += v;
  return sum / luma.length;
}

function diff(a: Uint8Array, b: Uint8Array): { mean: number; max: number; pixels: number[] } {
  let sum = 0;
  let max = 0;
  const pixels: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    sum += d;
    max = Math.max(max, d);
    pixels.push(d);
  }
  return { mean: sum / a.length, max, pixels };
}

/** Centre of the bright square (luma above every background level), as fractions of the frame. */
function squareCentre(luma: Uint8Array): { x: number; y: number; count: number } {
  let sx = 0;
  let sy = 0;
  let count = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if ((luma[y * W + x] ?? 0) > 195) {
        sx += x + 0.5;
        sy += y + 0.5;
        count++;
      }
    }
  }
  return { x: sx / count / W, y: sy / count / H, count };
}

/** The script's square centre x at a cycle position (moves linearly during the move). */
function expectedX(seconds: number): number {
  if (seconds < MOVE.start) return MOVE.from[0];
  if (seconds >= MOVE.end) return MOVE.to[0];
  return MOVE.from[0] + ((seconds - MOVE.start) / (MOVE.end - MOVE.start)) * (MOVE.to[0] - MOVE.from[0]);
}

/** Every pair of frames of one window instance (same cycle) about a second apart, like 1/s thumbnails. */
function pairsOneSecondApart(frames: Placed[]): [Placed, Placed][] {
  const pairs: [Placed, Placed][] = [];
  for (const a of frames) {
    const b = frames.find((f) => f.cycle === a.cycle && f.epochMs >= a.epochMs + 1_000);
    if (b && b.epochMs <= a.epochMs + 1_300) pairs.push([a, b]);
  }
  return pairs;
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

describe('rtsp/server.py scene (scripted motion and lighting)', () => {
  let server: RtspServerHandle;
  const inWindow: Record<WindowName, Placed[]> = {
    beforeMove: [],
    moving: [],
    afterMove: [],
    lit: [],
    afterLight: [],
  };

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
    console.log(`scene: ${thumbs.length} thumbnails; per window: ${counts.join(', ')}`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs scene-started with the effective script', () => {
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('"event":"scene-started"'));
    expect(line).toBeDefined();
    const started = JSON.parse(line ?? '{}') as { mount: string; script: unknown; noise: number };
    expect(started.mount).toBe('scene');
    expect(started.script).toEqual(SCRIPT);
    expect(started.noise).toBe(6);
  });

  it('changes only by noise outside the scripted events', () => {
    const stats: { mean: number; max: number }[] = [];
    for (const name of ['beforeMove', 'afterMove', 'lit', 'afterLight'] as const) {
      const pairs = pairsOneSecondApart(inWindow[name]);
      expect(pairs.length, `frame pairs a second apart in ${name}`).toBeGreaterThanOrEqual(5);
      for (const [a, b] of pairs) stats.push(diff(a.luma, b.luma));
    }
    const worstMean = Math.max(...stats.map((s) => s.mean));
    const worstMax = Math.max(...stats.map((s) => s.max));
    console.log(`scene static: ${stats.length} pairs, worst mean |diff| ${round(worstMean)}, worst max ${worstMax}`);
    expect(worstMean).toBeLessThan(3);
    expect(worstMax).toBeLessThanOrEqual(25);
  });

  it('rests at `from` before the move and at `to` after it', () => {
    for (const [name, x] of [
      ['beforeMove', MOVE.from[0]],
      ['afterMove', MOVE.to[0]],
      ['afterLight', MOVE.to[0]],
    ] as const) {
      expect(inWindow[name].length, `frames in ${name}`).toBeGreaterThan(0);
      for (const frame of inWindow[name]) {
        const centre = squareCentre(frame.luma);
        expect(centre.count, `square visible in ${name}`).toBeGreaterThanOrEqual(4);
        expect(Math.abs(centre.x - x), `square x in ${name}: ${round(centre.x)} vs ${x}`).toBeLessThan(0.04);
        expect(Math.abs(centre.y - MOVE.from[1]), `square y in ${name}`).toBeLessThan(0.06);
      }
    }
  });

  it('moves the square along the scripted path during the move', () => {
    const pairs = pairsOneSecondApart(inWindow.moving);
    expect(pairs.length, 'frame pairs a second apart during the move').toBeGreaterThanOrEqual(5);
    const maxDiffs: number[] = [];
    for (const [a, b] of pairs) {
      const d = diff(a.luma, b.luma);
      maxDiffs.push(d.max);
      // A clear change...
      expect(d.max).toBeGreaterThan(60);
      // ...confined to the square's band of the frame (rows around y = 0.6, between the path's ends).
      for (let i = 0; i < d.pixels.length; i++) {
        if ((d.pixels[i] ?? 0) <= 25) continue;
        const x = (i % W) / W;
        const y = Math.floor(i / W) / H;
        expect(y, 'changed row').toBeGreaterThan(0.42);
        expect(y, 'changed row').toBeLessThan(0.78);
        expect(x, 'changed column').toBeGreaterThan(0.08);
        expect(x, 'changed column').toBeLessThan(0.72);
      }
      // ...in the scripted direction: rightwards, 0.4 of the width in 4 s, so about 0.1 a second.
      const step = squareCentre(b.luma).x - squareCentre(a.luma).x;
      expect(step).toBeGreaterThan(0.06);
      expect(step).toBeLessThan(0.14);
    }
    const offsets: number[] = [];
    for (const frame of inWindow.moving) {
      const centre = squareCentre(frame.luma);
      expect(centre.count).toBeGreaterThanOrEqual(4);
      offsets.push(centre.x - expectedX(frame.seconds));
      expect(Math.abs(centre.y - MOVE.from[1])).toBeLessThan(0.06);
    }
    console.log(
      `scene move: ${pairs.length} pairs, max |diff| ${Math.min(...maxDiffs)}..${Math.max(...maxDiffs)}, ` +
        `square x - scripted x ${round(Math.min(...offsets), 3)}..${round(Math.max(...offsets), 3)}`,
    );
    // Within 0.75 s of the script (the windows' margin), i.e. 0.075 of the width.
    for (const offset of offsets) expect(Math.abs(offset)).toBeLessThan(0.075);
  });

  it('brightens the whole picture by the gain during the lighting interval, and back after it', () => {
    const unlit = [...inWindow.afterMove, ...inWindow.afterLight];
    expect(inWindow.lit.length, 'frames while lit').toBeGreaterThan(0);
    expect(inWindow.afterMove.length, 'frames before the light').toBeGreaterThan(0);
    expect(inWindow.afterLight.length, 'frames after the light').toBeGreaterThan(0);
    const average = (frames: Placed[]) => frames.reduce((sum, f) => sum + mean(f.luma), 0) / frames.length;
    const before = average(inWindow.afterMove);
    const after = average(inWindow.afterLight);
    const lit = average(inWindow.lit);
    const ratio = lit / average(unlit);
    console.log(
      `scene light: mean luma before ${round(before)}, lit ${round(lit)}, after ${round(after)}; ratio ${round(ratio, 3)} (gain ${LIGHT.gain})`,
    );
    expect(ratio).toBeGreaterThan(LIGHT.gain * 0.85);
    expect(ratio).toBeLessThan(LIGHT.gain * 1.15);
    // Global: every part of the picture brightens, not just some of it.
    const litFrame = inWindow.lit[0]?.luma ?? new Uint8Array(LUMA_BYTES);
    const unlitFrame = unlit[0]?.luma ?? new Uint8Array(LUMA_BYTES);
    let brighter = 0;
    for (let i = 0; i < LUMA_BYTES; i++) if ((litFrame[i] ?? 0) > (unlitFrame[i] ?? 0) + 10) brighter++;
    expect(brighter / LUMA_BYTES).toBeGreaterThan(0.9);
    // And back: the picture after the light is the picture before it.
    expect(Math.abs(after / before - 1)).toBeLessThan(0.03);
  });
});
