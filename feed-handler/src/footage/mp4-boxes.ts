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

/** True when the top-level boxes tile the file exactly and include moov and mdat. */
export async function isCompleteMp4(read: BoxReader, fileSize: number): Promise<boolean> {
  const seen = new Set<string>();
  let offset = 0;
  // A finished chunk has a handful of top-level boxes; a bound stops a corrupt file looping.
  for (let boxes = 0; offset < fileSize && boxes < 64; boxes++) {
    const header = parseBoxHeader(await read(offset), offset, fileSize);
    if (!header) return false;
    seen.add(header.type);
    offset += header.size;
  }
  return offset === fileSize && seen.has('moov') && seen.has('mdat');
}
