/**
 * The recorder's keyframe list: how a main-stream recorder (a camera whose thumbnails come from its sub-stream)
 * times its chunks without decoding a picture.
 *
 * Its chunks are copied packets, and their capture times need the stream clock's anchor: arrivals of frames
 * with their stream times. Decoding the keyframes only to time them cost most of the recorder's CPU (a 1080p
 * keyframe is ~24 ms of CABAC decoding; 40 of the bench clip's keyframes: 0.95 s of CPU, against 0.05 s to
 * copy all of its packets). This output copies the video into the segment muxer instead, cut at every keyframe
 * (`-segment_time` far below any GOP), into MP4 files at /dev/null (`-strftime 1` lets the name
 * go without a %d; the null muxer itself is refused by the segment muxer, since it opens no file). Each cut
 * prints a CSV line on stderr as the keyframe that makes it arrives: `null,<start>,<end>`, stream seconds from
 * the first packet copied. `start` is the previous keyframe's time, exactly; `end` is where the packets before
 * this keyframe end, which in an open GOP (B-frames shown before a keyframe sent after it) is not this
 * keyframe's time. So an arrival is timed by the next line's `start` (frame-pairing.ts addKeyframeListEntry;
 * keyframe-list.int.spec.ts checks both against ffprobe). The first line comes at the second keyframe, and its
 * `start` is 0 (the segment muxer never sets the first one): the first packet; the last line, when ffmpeg
 * stops, ends at the last packet.
 */
import { SEGMENTS_FROM_FIRST_PACKET } from './segment-list.js';

/** The file every cut "writes": the raw bytes go nowhere. Its base name starts each line. */
export const KEYFRAME_LIST_TARGET = '/dev/null';

/** The output's options (after the shared ones): the video copied, cut at every keyframe, the cuts listed. */
export function keyframeListOptions(): string[] {
  return [
    '-map',
    '0:v:0',
    '-c:v',
    'copy',
    '-an',
    // Its list's times and the chunk list's share their zero, the first keyframe.
    ...SEGMENTS_FROM_FIRST_PACKET,
    // MP4 keeps the stream's 90 kHz time base (the raw format's rounds times to whole frames), and it takes
    // H.264 and H.265 alike. Each cut's file is a few KiB of index written to /dev/null.
    '-segment_format',
    'mp4',
    '-strftime',
    '1',
    // A cut is made at the first keyframe past the next multiple of this (n ms after n cuts, times from 0):
    // keyframes come far more than a millisecond apart, so every keyframe cuts.
    '-segment_time',
    '0.001',
    '-segment_list',
    'pipe:2',
    '-segment_list_type',
    'csv',
  ];
}

export interface KeyframeListEntry {
  /** Stream time (ms) of the keyframe before: where the previous cut started. */
  startStreamMs: number;
  /**
   * Where the packets before the arriving keyframe end (ms). That keyframe's time only in a closed GOP: the next
   * entry's start is its time in every case. Kept to tell a backwards line apart.
   */
  endStreamMs: number;
}

const LINE = /^null,(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/;

/** A line of the keyframe list, or null. The chunk output's lines (`<run>-000001.mp4,…`) never match. */
export function parseKeyframeListLine(line: string): KeyframeListEntry | null {
  const m = LINE.exec(line.trim());
  if (!m) return null;
  // Seconds with six decimals: a 90 kHz tick is 11 µs.
  const startStreamMs = Math.round(Number(m[1]) * 1000);
  const endStreamMs = Math.round(Number(m[2]) * 1000);
  return endStreamMs >= startStreamMs ? { startStreamMs, endStreamMs } : null;
}
