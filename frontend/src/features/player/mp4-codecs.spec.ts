import { describe, expect, it } from 'vitest';
import { mp4Codecs } from './mp4-codecs';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(ascii(type), 4);
  let at = 8;
  for (const p of payload) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const zeros = (n: number) => new Uint8Array(n);
const concat = (...parts: Uint8Array[]) => box('xxxx', ...parts).subarray(8);

/** A track as ffmpeg's mp4 muxer nests it: trak > tkhd, mdia > mdhd, hdlr, minf > stbl > stsd > entry, stts… */
function trak(handler: string, entry: string, tableBytes = 64): Uint8Array {
  const hdlr = box('hdlr', zeros(8), ascii(handler), zeros(13));
  const stsd = box('stsd', zeros(4), Uint8Array.of(0, 0, 0, 1), box(entry, zeros(78)));
  const stbl = box('stbl', stsd, box('stts', zeros(tableBytes)));
  return box(
    'trak',
    box('tkhd', zeros(84)),
    box('mdia', box('mdhd', zeros(24)), hdlr, box('minf', box('vmhd', zeros(12)), stbl)),
  );
}

const ftyp = box('ftyp', ascii('isom'), zeros(4), ascii('isomiso2mp41'));

describe('mp4Codecs', () => {
  it('reads the sample entry of the video and the sound track of a faststart MP4', () => {
    const file = concat(
      ftyp,
      box('moov', box('mvhd', zeros(100)), trak('vide', 'hev1'), trak('soun', 'mp4a')),
      box('mdat', zeros(500)),
    );
    expect(mp4Codecs(file)).toEqual({ video: 'hev1', audio: 'mp4a' });
  });

  it('finds the first track of each kind, in any order, and skips others', () => {
    const moov = box('moov', trak('soun', 'mp4a'), trak('text', 'tx3g'), trak('vide', 'avc1'), trak('vide', 'hvc1'));
    expect(mp4Codecs(concat(ftyp, moov))).toEqual({ video: 'avc1', audio: 'mp4a' });
    expect(mp4Codecs(concat(ftyp, box('moov', trak('vide', 'avc1'))))).toEqual({ video: 'avc1', audio: null });
  });

  it('works from a prefix: the video entry is read even when the file goes on past the bytes', () => {
    const file = concat(
      ftyp,
      box('moov', trak('vide', 'hvc1', 10_000), trak('soun', 'mp4a')),
      box('mdat', zeros(1000)),
    );
    const entryTypeEnd = Buffer.from(file).indexOf('hvc1') + 4;
    expect(mp4Codecs(file.subarray(0, entryTypeEnd))).toEqual({ video: 'hvc1', audio: null });
    expect(mp4Codecs(file.subarray(0, entryTypeEnd - 1))).toEqual({ video: null, audio: null });
    expect(mp4Codecs(file.subarray(0, 40))).toEqual({ video: null, audio: null });
  });

  it('says nothing when the index comes after the media (no faststart) and is not in the bytes', () => {
    const file = concat(ftyp, box('mdat', zeros(4000)), box('moov', trak('vide', 'avc1')));
    expect(mp4Codecs(file.subarray(0, 2000))).toEqual({ video: null, audio: null });
    expect(mp4Codecs(file)).toEqual({ video: 'avc1', audio: null });
  });

  it('follows a 64-bit box size', () => {
    const mdat = box('mdat', zeros(8), zeros(100));
    const view = new DataView(mdat.buffer);
    view.setUint32(0, 1);
    view.setBigUint64(8, BigInt(mdat.length));
    expect(mp4Codecs(concat(ftyp, mdat, box('moov', trak('vide', 'av01'))))).toEqual({ video: 'av01', audio: null });
  });

  it('gives nulls for bytes that are not an MP4 and for broken sizes', () => {
    expect(mp4Codecs(ascii('<!doctype html><html><body>Not here</body></html>'))).toEqual({ video: null, audio: null });
    expect(mp4Codecs(new Uint8Array(0))).toEqual({ video: null, audio: null });
    const broken = concat(ftyp, box('moov', trak('vide', 'avc1')));
    new DataView(broken.buffer, broken.byteOffset).setUint32(ftyp.length + 8, 3);
    expect(mp4Codecs(broken)).toEqual({ video: null, audio: null });
  });
});
