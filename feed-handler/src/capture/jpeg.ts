/**
 * JPEG framing for ffmpeg's image2pipe output. A JPEG is found by walking its
 * marker segments (not by searching for FFD9, which can occur inside a
 * segment's payload), then scanning the entropy-coded data, where a literal
 * 0xFF is always followed by 0x00 or a restart marker.
 */

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

/** Splits a byte stream into whole JPEGs; bytes before a start-of-image are skipped. */
export class JpegSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes thrown away because they were not part of a JPEG: non-zero means corrupt input. */
  discardedBytes = 0;

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      const start = this.findStart();
      if (start < 0) break;
      const end = jpegEnd(this.buffer, start);
      if (end === INCOMPLETE) break;
      if (end === CORRUPT) {
        // Skip this SOI and look for the next image rather than stalling on garbage.
        this.discardedBytes += 2;
        this.buffer = this.buffer.subarray(start + 2);
        continue;
      }
      images.push(Buffer.from(this.buffer.subarray(start, end)));
      this.buffer = this.buffer.subarray(end);
    }
    return images;
  }

  /** Bytes held for an image not yet complete. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  private findStart(): number {
    for (let i = 0; i + 1 < this.buffer.length; i++) {
      if (this.buffer[i] === 0xff && this.buffer[i + 1] === SOI) {
        if (i > 0) {
          this.discardedBytes += i;
          this.buffer = this.buffer.subarray(i);
        }
        return 0;
      }
    }
    // Keep a trailing 0xFF: it may be the first half of the next SOI.
    const keep = this.buffer.length > 0 && this.buffer[this.buffer.length - 1] === 0xff ? 1 : 0;
    this.discardedBytes += this.buffer.length - keep;
    this.buffer = this.buffer.subarray(this.buffer.length - keep);
    return -1;
  }
}

export const INCOMPLETE = -1;
export const CORRUPT = -2;

/** Offset just past the EOI of the JPEG starting at `start`; INCOMPLETE if more bytes are needed; CORRUPT. */
export function jpegEnd(data: Buffer, start: number): number {
  let i = start + 2;
  for (;;) {
    // Marker segments: FF xx, then a 2-byte big-endian length that includes itself.
    while (i < data.length && data[i] === 0xff && data[i + 1] === 0xff) i++; // fill bytes
    if (i + 1 >= data.length) return INCOMPLETE;
    if (data[i] !== 0xff) return CORRUPT;
    const marker = data[i + 1] as number;
    if (marker === EOI) return i + 2;
    if (marker === SOI || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (i + 3 >= data.length) return INCOMPLETE;
    const length = data.readUInt16BE(i + 2);
    const next = i + 2 + length;
    if (marker !== SOS) {
      i = next;
      continue;
    }
    // Entropy-coded data follows the SOS header until a marker that is neither stuffing nor a restart.
    let j = next;
    for (;;) {
      if (j + 1 >= data.length) return INCOMPLETE;
      if (data[j] === 0xff) {
        const following = data[j + 1] as number;
        if (following === 0x00 || (following >= 0xd0 && following <= 0xd7) || following === 0xff) {
          j += following === 0xff ? 1 : 2;
          continue;
        }
        break;
      }
      j++;
    }
    i = j;
  }
}

/** Width and height from the first start-of-frame segment, or null. */
export function jpegDimensions(data: Buffer): { width: number; height: number } | null {
  if (data[0] !== 0xff || data[1] !== SOI) return null;
  let i = 2;
  while (i + 9 < data.length) {
    if (data[i] !== 0xff) return null;
    const marker = data[i + 1] as number;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
    }
    if (marker === SOS || marker === EOI) return null;
    i += 2 + data.readUInt16BE(i + 2);
  }
  return null;
}
