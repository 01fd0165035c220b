import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SYSTEM_PYTHON } from '../../scripts/lib/process.js';
import { decodeTimecodeFromGray, TIMECODE_COLUMNS, TIMECODE_ROWS, timecodeGridHeight } from './timecode.js';

const ONE = 235;
const ZERO = 16;

/** Paints a frame the way rtsp/server.py does (independently written: the spec, not the code). */
function paint(epochMs: number, width: number, height: number, checkWord?: number): Uint8Array {
  const pixels = new Uint8Array(width * height).fill(128);
  const grid = timecodeGridHeight(height);
  const check = checkWord ?? ~(epochMs % 0x10000) & 0xffff;
  const bits: number[] = [];
  for (let i = 47; i >= 0; i--) bits.push(Math.floor(epochMs / 2 ** i) % 2);
  for (let i = 15; i >= 0; i--) bits.push((check >> i) & 1);
  bits.forEach((bit, index) => {
    const row = Math.floor(index / TIMECODE_COLUMNS);
    const column = index % TIMECODE_COLUMNS;
    const y0 = Math.floor((row * grid) / TIMECODE_ROWS);
    const y1 = Math.floor(((row + 1) * grid) / TIMECODE_ROWS);
    const x0 = Math.floor((column * width) / TIMECODE_COLUMNS);
    const x1 = Math.floor(((column + 1) * width) / TIMECODE_COLUMNS);
    for (let y = y0; y < y1; y++) pixels.fill(bit ? ONE : ZERO, y * width + x0, y * width + x1);
  });
  return pixels;
}

/** Box-filter downscale, like ffmpeg's scale filter roughly does; blurs the cell edges. */
function downscale(pixels: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Uint8Array {
  const out = new Uint8Array(toWidth * toHeight);
  for (let y = 0; y < toHeight; y++) {
    for (let x = 0; x < toWidth; x++) {
      const sy0 = Math.floor((y * height) / toHeight);
      const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * height) / toHeight));
      const sx0 = Math.floor((x * width) / toWidth);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * width) / toWidth));
      let sum = 0;
      for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += pixels[sy * width + sx] ?? 0;
      out[y * toWidth + x] = Math.round(sum / ((sy1 - sy0) * (sx1 - sx0)));
    }
  }
  return out;
}

/** Deterministic noise of +-amplitude, standing in for compression artefacts. */
function addNoise(pixels: Uint8Array, amplitude: number): Uint8Array {
  let seed = 12345;
  return pixels.map((value) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const delta = Math.round(((seed / 2 ** 31) * 2 - 1) * amplitude);
    return Math.min(255, Math.max(0, value + delta));
  });
}

describe('decodeTimecodeFromGray', () => {
  const now = 1_764_000_000_123; // 2025-11-24, a 41-bit number

  it('decodes the painted epoch ms at the native size', () => {
    expect(decodeTimecodeFromGray(paint(now, 640, 360), 640, 360)).toBe(now);
  });

  it('decodes 0, the 48-bit maximum and values whose low 16 bits are all 0 or all 1', () => {
    for (const value of [0, 2 ** 48 - 1, 0x1234_5678_0000, 0x0abc_dead_ffff]) {
      expect(decodeTimecodeFromGray(paint(value, 640, 360), 640, 360)).toBe(value);
    }
  });

  it('decodes sizes that do not divide by 16 or 5', () => {
    expect(decodeTimecodeFromGray(paint(now, 1000, 562), 1000, 562)).toBe(now);
    expect(decodeTimecodeFromGray(paint(now, 1920, 1080), 1920, 1080)).toBe(now);
  });

  it('survives scaling 640x360 down to 320x180 and noise of +-60', () => {
    const small = downscale(paint(now, 640, 360), 640, 360, 320, 180);
    expect(decodeTimecodeFromGray(addNoise(small, 60), 320, 180)).toBe(now);
  });

  it('survives 1920x1080 scaled to 320x180', () => {
    expect(decodeTimecodeFromGray(downscale(paint(now, 1920, 1080), 1920, 1080, 320, 180), 320, 180)).toBe(now);
  });

  it('returns null when the check word does not match', () => {
    const wrongCheck = (~(now % 0x10000) & 0xffff) ^ 0x0001;
    expect(decodeTimecodeFromGray(paint(now, 640, 360, wrongCheck), 640, 360)).toBeNull();
  });

  it('returns null when one time bit is flipped', () => {
    const pixels = paint(now, 640, 360);
    // Invert cell (row 2, column 15): bit 47, the least significant time bit.
    const grid = timecodeGridHeight(360);
    for (let y = Math.floor((2 * grid) / 4); y < Math.floor((3 * grid) / 4); y++) {
      for (let x = 600; x < 640; x++) pixels[y * 640 + x] = 255 - (pixels[y * 640 + x] ?? 0);
    }
    expect(decodeTimecodeFromGray(pixels, 640, 360)).toBeNull();
  });

  it('returns null for a frame without a code (flat grey, all black, all white)', () => {
    expect(decodeTimecodeFromGray(new Uint8Array(640 * 360).fill(128), 640, 360)).toBeNull();
    expect(decodeTimecodeFromGray(new Uint8Array(640 * 360).fill(0), 640, 360)).toBeNull();
    expect(decodeTimecodeFromGray(new Uint8Array(640 * 360).fill(255), 640, 360)).toBeNull();
  });

  it('returns null for a buffer smaller than the stated size', () => {
    expect(decodeTimecodeFromGray(new Uint8Array(10), 640, 360)).toBeNull();
  });

  // The contract across languages: the server's own painter, decoded here.
  it('decodes the luma plane painted by rtsp/server.py', () => {
    const script = [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(join(REPO_ROOT, 'rtsp'))})`,
      'from server import TimecodePainter',
      'p = TimecodePainter(int(sys.argv[1]), int(sys.argv[2]))',
      'frame = p.frame(int(sys.argv[3]), 7)',
      'sys.stdout.buffer.write(frame[: p.width * p.height])',
    ].join('\n');
    for (const [width, height] of [
      [640, 360],
      [1920, 1080],
      [1000, 562],
    ] as const) {
      const luma = execFileSync(SYSTEM_PYTHON, ['-c', script, String(width), String(height), String(now)], {
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(luma.length).toBe(width * height);
      expect(decodeTimecodeFromGray(new Uint8Array(luma), width, height)).toBe(now);
      expect(decodeTimecodeFromGray(downscale(new Uint8Array(luma), width, height, 320, 180), 320, 180)).toBe(now);
    }
  });
});
