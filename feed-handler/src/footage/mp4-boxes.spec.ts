import { describe, expect, it } from 'vitest';
import { isCompleteMp4, parseBoxHeader } from './mp4-boxes.js';

const box = (type: string, size: number) => {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return header;
};

/** A reader over a fake file made of (type, size) boxes. */
function fakeFile(boxes: [string, number][]): { read: (offset: number) => Promise<Buffer>; size: number } {
  const starts = new Map<number, Buffer>();
  let offset = 0;
  for (const [type, size] of boxes) {
    starts.set(offset, box(type, size));
    offset += size;
  }
  return { read: async (at) => starts.get(at) ?? Buffer.alloc(16), size: offset };
}

describe('MP4 completeness', () => {
  it('accepts boxes that tile the file with moov and mdat', async () => {
    const f = fakeFile([
      ['ftyp', 32],
      ['moov', 900],
      ['free', 8],
      ['mdat', 100_000],
    ]);
    expect(await isCompleteMp4(f.read, f.size)).toBe(true);
  });

  it('refuses a file whose tail is missing, or without an index', async () => {
    const f = fakeFile([
      ['ftyp', 32],
      ['moov', 900],
      ['mdat', 100_000],
    ]);
    expect(await isCompleteMp4(f.read, f.size - 1)).toBe(false);
    const noMoov = fakeFile([
      ['ftyp', 32],
      ['mdat', 100_000],
    ]);
    expect(await isCompleteMp4(noMoov.read, noMoov.size)).toBe(false);
  });

  it('reads 64-bit sizes and rejects size 0 (still open) and junk', () => {
    const large = Buffer.alloc(16);
    large.writeUInt32BE(1, 0);
    large.write('mdat', 4, 'latin1');
    large.writeBigUInt64BE(5_000_000_000n, 8);
    expect(parseBoxHeader(large, 0, 6_000_000_000)).toEqual({ type: 'mdat', size: 5_000_000_000 });
    expect(parseBoxHeader(box('mdat', 0), 0, 100)).toBeNull();
    expect(parseBoxHeader(box('\u0000\u0001ab', 16), 0, 100)).toBeNull();
    expect(parseBoxHeader(box('moov', 200), 0, 100)).toBeNull();
  });
});
