/**
 * Top-level MP4 boxes, read from their 8- or 16-byte headers only. A finished
 * MP4 is a run of boxes whose sizes add up to exactly the file size and that
 * include a `moov` (the index) and an `mdat` (the media). A chunk is published
 * only when that holds, so a reader never gets a file whose tail is still in
 * ffmpeg's buffers.
 */
export interface BoxHeader {
  type: string;
  /** Bytes of the whole box, header included. */
  size: number;
}

/** Bytes to read at a box's offset to know its type and size. */
export const BOX_HEADER_BYTES = 16;

/** Parses the header at the start of `bytes`; null when it is not a plausible box there. */
export function parseBoxHeader(bytes: Buffer, offset: number, fileSize: number): BoxHeader | null {
  if (bytes.length < 8) return null;
  const size32 = bytes.readUInt32BE(0);
  const type = bytes.toString('latin1', 4, 8);
  if (!/^[\x20-\x7e]{4}$/.test(type)) return null;
  let size: number;
  if (size32 === 1) {
    if (bytes.length < 16) return null;
    size = Number(bytes.readBigUInt64BE(8));
  } else if (size32 === 0) {
    // "to the end of the file": the muxer never leaves it so in a finished file.
    return null;
  } else size = size32;
  if (size < 8 || offset + size > fileSize) return null;
  return { type, size };
}

export type BoxReader = (offset: number) => Promise<Buffer>;

export interface TopLevelBox extends BoxHeader {
  offset: number;
}

/**
 * The top-level boxes from the file's start, one header read each, at most `maxBoxes` (a bound stops a
 * corrupt file looping). `tiled`: they were read to the end and cover the file exactly.
 */
export async function topLevelBoxes(
  read: BoxReader,
  fileSize: number,
  maxBoxes: number,
): Promise<{ boxes: TopLevelBox[]; tiled: boolean }> {
  const boxes: TopLevelBox[] = [];
  let offset = 0;
  while (offset < fileSize && boxes.length < maxBoxes) {
    const header = parseBoxHeader(await read(offset), offset, fileSize);
    if (!header) return { boxes, tiled: false };
    boxes.push({ ...header, offset });
    offset += header.size;
  }
  return { boxes, tiled: offset === fileSize };
}

/** True when the top-level boxes tile the file exactly and include moov and mdat. */
export async function isCompleteMp4(read: BoxReader, fileSize: number): Promise<boolean> {
  // A finished chunk has a handful of top-level boxes.
  const { boxes, tiled } = await topLevelBoxes(read, fileSize, 64);
  const types = new Set(boxes.map((b) => b.type));
  return tiled && types.has('moov') && types.has('mdat');
}

/** The child boxes of a box body (or of a whole file), as [type, body] pairs; stops at anything implausible. */
function childBoxes(bytes: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const size32 = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    let size = size32;
    if (size32 === 1) {
      if (offset + 16 > bytes.length) break;
      size = Number(bytes.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size32 === 0) size = bytes.length - offset;
    if (size < header || offset + size > bytes.length) break;
    out.push([type, bytes.subarray(offset + header, offset + size)]);
    offset += size;
  }
  return out;
}

const child = (bytes: Buffer, type: string) => childBoxes(bytes).find(([t]) => t === type)?.[1];

/**
 * Where the video starts in an MP4's timeline (seconds), from the body of its `moov`: the
 * empty edits (media_time -1) that lead the video track's edit list. ffmpeg's mp4 muxer writes
 * one when the video's first packet comes after the file's time 0: in a chunk whose sound
 * began before the first keyframe (a reader that joined mid-GOP), time 0 is the sound's.
 * 0 when the video starts at 0; null when there is no video: no video track, or one without a sample (a
 * chunk that ended at the first keyframe holds only the sound before it), or a moov it cannot read.
 */
export function videoStartSeconds(moov: Buffer): number | null {
  const mvhd = child(moov, 'mvhd');
  if (!mvhd || mvhd.length < 20) return null;
  const movieTimescale = mvhd[0] === 1 ? mvhd.readUInt32BE(20) : mvhd.readUInt32BE(12);
  if (!movieTimescale) return null;
  for (const [type, trak] of childBoxes(moov)) {
    if (type !== 'trak') continue;
    const mdia = child(trak, 'mdia') ?? Buffer.alloc(0);
    const hdlr = child(mdia, 'hdlr');
    if (!hdlr || hdlr.length < 12 || hdlr.toString('latin1', 8, 12) !== 'vide') continue;
    const mdhd = child(mdia, 'mdhd');
    // mdhd v0: flags 4, created 4, modified 4, timescale 4, duration 4; v1: the times and duration 8 each.
    if (mdhd && mdhd.length >= (mdhd[0] === 1 ? 32 : 20)) {
      const duration = mdhd[0] === 1 ? Number(mdhd.readBigUInt64BE(24)) : mdhd.readUInt32BE(16);
      if (duration === 0) return null;
    }
    const elst = child(child(trak, 'edts') ?? Buffer.alloc(0), 'elst');
    if (!elst || elst.length < 8) return 0;
    const version = elst[0];
    const count = elst.readUInt32BE(4);
    const entryBytes = version === 1 ? 20 : 12;
    let empty = 0;
    for (let i = 0; i < count && 8 + (i + 1) * entryBytes <= elst.length; i++) {
      const at = 8 + i * entryBytes;
      const duration = version === 1 ? Number(elst.readBigUInt64BE(at)) : elst.readUInt32BE(at);
      const mediaTime = version === 1 ? Number(elst.readBigInt64BE(at + 8)) : elst.readInt32BE(at + 4);
      if (mediaTime !== -1) break;
      empty += duration;
    }
    return empty / movieTimescale;
  }
  return null;
}
