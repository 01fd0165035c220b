/**
 * Decoder for the capture-time code that `rtsp/server.py` paints into every frame in
 * `RTSP_SOURCE=timecode` mode (spec: rtsp/README.md, "Timecode"). Tests use it to prove
 * that a thumbnail's recorded time is the frame's capture time.
 *
 * Layout: the top floor(2*H/5) rows hold a 4 x 16 grid, cell (r, c) spanning
 * rows floor(r*G/4)..floor((r+1)*G/4) and columns floor(c*W/16)..floor((c+1)*W/16).
 * Bits run left to right, top to bottom, MSB first: bits 0..47 are the epoch ms,
 * bits 48..63 the bitwise NOT of its low 16 bits. White = 1, black = 0.
 * Geometry is proportional, so the same code decodes a downscaled copy.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const TIMECODE_ROWS = 4;
export const TIMECODE_COLUMNS = 16;
const THRESHOLD = 128;

/** Height of the code area: the top 40 %, in integer maths so encoder and decoder agree. */
export function timecodeGridHeight(height: number): number {
  return Math.floor((2 * height) / 5);
}

/** Mean luma of the middle half of cell (row, column): away from edges blurred by scaling/JPEG. */
function cellMean(pixels: Uint8Array, width: number, gridHeight: number, row: number, column: number): number {
  const y0 = Math.floor((row * gridHeight) / TIMECODE_ROWS);
  const y1 = Math.floor(((row + 1) * gridHeight) / TIMECODE_ROWS);
  const x0 = Math.floor((column * width) / TIMECODE_COLUMNS);
  const x1 = Math.floor(((column + 1) * width) / TIMECODE_COLUMNS);
  const ys = y0 + Math.floor((y1 - y0) / 4);
  const ye = Math.max(ys + 1, y1 - Math.floor((y1 - y0) / 4));
  const xs = x0 + Math.floor((x1 - x0) / 4);
  const xe = Math.max(xs + 1, x1 - Math.floor((x1 - x0) / 4));
  let sum = 0;
  for (let y = ys; y < ye; y++) {
    const line = y * width;
    for (let x = xs; x < xe; x++) sum += pixels[line + x] ?? 0;
  }
  return sum / ((ye - ys) * (xe - xs));
}

/**
 * Epoch milliseconds painted into a frame, from its 8-bit luma (one byte a pixel, row-major),
 * or null when the check word does not match (not a timecode frame, or a corrupted one).
 */
export function decodeTimecodeFromGray(pixels: Uint8Array, width: number, height: number): number | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < TIMECODE_COLUMNS || height < 10) return null;
  if (pixels.length < width * height) return null;
  const gridHeight = timecodeGridHeight(height);
  if (gridHeight < TIMECODE_ROWS) return null;
  let epochMs = 0; // 48 bits: exact in a double (< 2^53)
  let check = 0;
  for (let bit = 0; bit < TIMECODE_ROWS * TIMECODE_COLUMNS; bit++) {
    const row = Math.floor(bit / TIMECODE_COLUMNS);
    const column = bit % TIMECODE_COLUMNS;
    const one = cellMean(pixels, width, gridHeight, row, column) >= THRESHOLD ? 1 : 0;
    if (bit < 48) epochMs = epochMs * 2 + one;
    else check = check * 2 + one;
  }
  // ~x & 0xFFFF on the low 16 bits; `%` because bitwise ops would truncate 48 bits to 32.
  const expected = ~(epochMs % 0x10000) & 0xffff;
  return check === expected ? epochMs : null;
}

/** Width and height from a JPEG's SOFn header, or null when it has none we recognise. */
async function jpegSize(path: string): Promise<{ width: number; height: number } | null> {
  const file = await open(path, 'r');
  try {
    // Headers sit before the scan data; 256 KiB covers any EXIF/ICC block ffmpeg or a camera writes.
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) return null;
      const marker = bytes[offset + 1] ?? 0;
      if (marker === 0xff) {
        offset += 1; // fill byte
        continue;
      }
      const length = bytes.readUInt16BE(offset + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
      }
      if (marker === 0xda) return null; // start of scan without a frame header
      offset += 2 + length;
    }
    return null;
  } finally {
    await file.close();
  }
}

async function probeSize(path: string): Promise<{ width: number; height: number }> {
  const { stdout } = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', path],
    { timeout: 30_000 },
  );
  const match = /^(\d+)x(\d+)/.exec(stdout.trim());
  if (!match) throw new Error(`ffprobe reported no video size for ${path}: ${stdout.trim()}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * Decodes the timecode of a JPEG (or any image ffmpeg reads) on disk. The size comes from
 * the JPEG header, else from ffprobe, unless the caller already knows it.
 */
export async function decodeTimecodeFromJpeg(
  path: string,
  size?: { width: number; height: number },
): Promise<number | null> {
  const { width, height } = size ?? (await jpegSize(path)) ?? (await probeSize(path));
  const { stdout } = await execFileAsync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
  );
  if (stdout.length !== width * height) {
    throw new Error(`ffmpeg gave ${stdout.length} bytes of gray for ${path}, expected ${width}x${height}`);
  }
  return decodeTimecodeFromGray(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length), width, height);
}
