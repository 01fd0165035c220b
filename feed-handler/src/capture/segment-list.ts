/**
 * ffmpeg's segment muxer reports each finished chunk as one CSV line
 * (`-segment_list pipe:2 -segment_list_type csv`): "<file>,<start>,<end>",
 * times in seconds of the chunk output's timeline. The line is written after
 * the chunk's trailer, so it is the signal that a chunk is (nearly) done; the
 * chunk store still checks the MP4's boxes before publishing it.
 */
export interface SegmentListEntry {
  /** File name as given to the muxer's pattern, without folders. */
  file: string;
  startSeconds: number;
  endSeconds: number;
}

/**
 * How both segment outputs of a capture start (the chunks, and a recorder's keyframe list): no subtitle or data
 * streams, the segment muxer, and times from the first packet copied (-avoid_negative_ts make_zero): both lists
 * count from the same zero, the first keyframe, and the first chunk has no leading gap.
 */
export const SEGMENTS_FROM_FIRST_PACKET = ['-sn', '-dn', '-f', 'segment', '-avoid_negative_ts', 'make_zero'] as const;

const LINE = /^([A-Za-z0-9_-]+-\d{6}\.mp4),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/;

export function parseSegmentListLine(line: string): SegmentListEntry | null {
  const m = LINE.exec(line.trim());
  if (!m) return null;
  const startSeconds = Number(m[2]);
  const endSeconds = Number(m[3]);
  if (!(endSeconds >= startSeconds)) return null;
  return { file: m[1] as string, startSeconds, endSeconds };
}

/**
 * Stream time (ms) of a chunk's start and end. `-avoid_negative_ts make_zero`
 * shifts the chunk output so its first packet is at 0 (the first file would
 * otherwise begin with a gap as long as the stream's first timestamp), so the
 * list's times are relative to the first copied packet: the first keyframe,
 * which is also the first frame the thumbnail side decodes (showinfo n:0), or
 * a recorder's keyframe list's zero (keyframe-list.ts).
 */
export function segmentStreamTimesMs(
  entry: SegmentListEntry,
  firstStreamMs: number,
): { startStreamMs: number; endStreamMs: number } {
  return {
    startStreamMs: firstStreamMs + Math.round(entry.startSeconds * 1000),
    endStreamMs: firstStreamMs + Math.round(entry.endSeconds * 1000),
  };
}
