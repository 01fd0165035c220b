/**
 * Which codecs an MP4 holds, read from its first bytes: pure. The feed-handler
 * writes chunks with the index (moov) right after ftyp (`+faststart`), so the
 * sample entry of each track (avc1, hvc1, hev1, mp4a, …) is within the first
 * few kilobytes; the box tree is followed only as far as the bytes go, so a
 * prefix of the file is enough, and bytes that are not an MP4 give nulls.
 */

export interface Mp4Codecs {
  /** Sample entry type of the first video track, e.g. "avc1", "hvc1", "hev1"; null when not in the bytes. */
  video: string | null;
  /** Sample entry type of the first sound track, e.g. "mp4a"; null when there is none in the bytes. */
  audio: string | null;
}

interface Box {
  type: string;
  /** Where the box's payload starts. */
  body: number;
  /** Where the box ends: may lie past the bytes read. */
  end: number;
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** The boxes in [from, to), as far as their headers are within the bytes. */
function* boxes(bytes: Uint8Array, from: number, to: number): Generator<Box> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = Math.min(to, bytes.length);
  let at = from;
  while (at + 8 <= limit) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > bytes.length) return;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at; // to the end of its container (or of the file)
    }
    if (size < header) return; // not an MP4, or damaged
    yield { type: fourcc(bytes, at + 4), body: at + header, end: at + size };
    at += size;
  }
}

function child(bytes: Uint8Array, parent: Box, type: string): Box | undefined {
  for (const box of boxes(bytes, parent.body, parent.end)) if (box.type === type) return box;
  return undefined;
}

/** trak → mdia → hdlr's handler type ("vide", "soun") and minf → stbl → stsd's first entry type. */
function track(bytes: Uint8Array, trak: Box): { handler: string; entry: string } | null {
  const mdia = child(bytes, trak, 'mdia');
  if (!mdia) return null;
  const hdlr = child(bytes, mdia, 'hdlr');
  // FullBox header (4), pre_defined (4), handler_type (4).
  if (!hdlr || hdlr.body + 12 > bytes.length) return null;
  const handler = fourcc(bytes, hdlr.body + 8);
  const minf = child(bytes, mdia, 'minf');
  const stbl = minf && child(bytes, minf, 'stbl');
  const stsd = stbl && child(bytes, stbl, 'stsd');
  // FullBox header (4), entry_count (4), then the first sample entry: size (4), type (4).
  if (!stsd || stsd.body + 16 > bytes.length) return null;
  return { handler, entry: fourcc(bytes, stsd.body + 12) };
}

export function mp4Codecs(bytes: Uint8Array): Mp4Codecs {
  const found: Mp4Codecs = { video: null, audio: null };
  for (const top of boxes(bytes, 0, Number.MAX_SAFE_INTEGER)) {
    if (top.type !== 'moov') continue;
    for (const box of boxes(bytes, top.body, top.end)) {
      if (box.type !== 'trak') continue;
      const t = track(bytes, box);
      if (t?.handler === 'vide' && found.video === null) found.video = t.entry;
      if (t?.handler === 'soun' && found.audio === null) found.audio = t.entry;
    }
    break;
  }
  return found;
}
