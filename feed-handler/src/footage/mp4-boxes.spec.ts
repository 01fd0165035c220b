import { describe, expect, it } from 'vitest';
import { isCompleteMp4, parseBoxHeader, topLevelBoxes, videoStartSeconds } from './mp4-boxes.js';

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

  it('walks the top-level boxes with their offsets, up to a bound', async () => {
    const f = fakeFile([
      ['ftyp', 32],
      ['moov', 900],
      ['mdat', 100_000],
    ]);
    expect(await topLevelBoxes(f.read, f.size, 8)).toEqual({
      boxes: [
        { type: 'ftyp', size: 32, offset: 0 },
        { type: 'moov', size: 900, offset: 32 },
        { type: 'mdat', size: 100_000, offset: 932 },
      ],
      tiled: true,
    });
    expect(await topLevelBoxes(f.read, f.size, 2)).toMatchObject({ tiled: false });
    expect((await topLevelBoxes(f.read, f.size + 8, 8)).tiled).toBe(false);
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

describe('videoStartSeconds', () => {
  const box = (type: string, ...bodies: Buffer[]) => {
    const body = Buffer.concat(bodies);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const mvhd = (timescale: number) => {
    const body = Buffer.alloc(100);
    body.writeUInt32BE(timescale, 12);
    return box('mvhd', body);
  };
  const hdlr = (handler: string) => {
    const body = Buffer.alloc(24);
    body.write(handler, 8, 'latin1');
    return box('hdlr', body);
  };
  const elst = (entries: [number, number][]) => {
    const body = Buffer.alloc(8 + entries.length * 12);
    body.writeUInt32BE(entries.length, 4);
    entries.forEach(([duration, mediaTime], i) => {
      body.writeUInt32BE(duration, 8 + i * 12);
      body.writeInt32BE(mediaTime, 12 + i * 12);
      body.writeUInt32BE(0x10000, 16 + i * 12);
    });
    return box('elst', body);
  };
  const trak = (handler: string, edits?: [number, number][]) =>
    box('trak', ...(edits ? [box('edts', elst(edits))] : []), box('mdia', hdlr(handler)));
  const moovBody = (...children: Buffer[]) => Buffer.concat(children);

  it('reads the empty edit leading the video track (sound came first)', () => {
    const moov = moovBody(
      mvhd(1000),
      trak('soun', [[5000, 0]]),
      trak('vide', [
        [1400, -1],
        [3600, 0],
      ]),
    );
    expect(videoStartSeconds(moov)).toBeCloseTo(1.4, 6);
  });

  it('is 0 for a video track that starts at once, with or without an edit list', () => {
    expect(videoStartSeconds(moovBody(mvhd(1000), trak('vide', [[3600, 0]])))).toBe(0);
    expect(videoStartSeconds(moovBody(mvhd(1000), trak('vide')))).toBe(0);
  });

  it('is null for a video track without a sample (a chunk of sound only)', () => {
    const mdhd = box('mdhd', Buffer.alloc(24));
    const empty = box('trak', box('mdia', hdlr('vide'), mdhd));
    expect(videoStartSeconds(moovBody(mvhd(1000), trak('soun', [[5000, 0]]), empty))).toBeNull();
  });

  it('is null without a video track or a readable movie header', () => {
    expect(videoStartSeconds(moovBody(mvhd(1000), trak('soun', [[5000, 0]])))).toBeNull();
    expect(videoStartSeconds(moovBody(trak('vide')))).toBeNull();
  });
});
