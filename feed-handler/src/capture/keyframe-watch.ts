/**
 * The keyframe watch: one more output of the capture ffmpeg that reports the
 * stream's keyframes while every frame is decoded, so the keyframe interval is
 * learnt from the real pipeline instead of a probe in front of it.
 *
 * The decoder already hands every frame to every filter graph; this graph
 * keeps only keyframes (`select=key`, about one a second) and prints them
 * (`showinfo` without its checksum) into the null muxer, which writes nothing.
 * Its showinfo is named `showinfo@keyframes`, so its lines are told apart
 * from the thumbnail branch's (`Parsed_showinfo_N`), which the JPEG pairing
 * counts. Measured cost: see feed-handler/README.md (decode mode).
 */
import { ptsToMs } from './showinfo.js';

/** What the supervisor asks of the adapter beside a CaptureSpec. */
export interface KeyframeWatchSpec {
  /** Add the keyframe watch output (DECODE_MODE=auto while every frame is decoded). */
  watchKeyframes?: boolean;
}

export const KEYFRAME_WATCH_NAME = 'showinfo@keyframes';

/** The extra output: keyframes only, printed, then dropped by the null muxer. */
export function keyframeWatchOutput(): { target: string; options: string[] } {
  return {
    // The null muxer opens no file: the name is never used.
    target: '-',
    options: [
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-vf',
      `select=key,${KEYFRAME_WATCH_NAME}=checksum=0`,
      // No frame duplicated after the filter (the null muxer's default would pace it).
      '-fps_mode',
      'passthrough',
      '-f',
      'null',
    ],
  };
}

export type KeyframeWatchLine = { kind: 'timebase'; num: number; den: number } | { kind: 'keyframe'; pts: number };

const WATCH_TIMEBASE = /\[showinfo@keyframes @ [^\]]+\] config in time_base: (\d+)\/(\d+)/;
const WATCH_FRAME = /\[showinfo@keyframes @ [^\]]+\] n:\s*\d+ pts:\s*(-?\d+) /;

export function parseKeyframeWatchLine(line: string): KeyframeWatchLine | null {
  const frame = WATCH_FRAME.exec(line);
  if (frame) return { kind: 'keyframe', pts: Number(frame[1]) };
  const timebase = WATCH_TIMEBASE.exec(line);
  if (timebase) {
    const num = Number(timebase[1]);
    const den = Number(timebase[2]);
    if (num > 0 && den > 0) return { kind: 'timebase', num, den };
  }
  return null;
}

/** Turns the watch's lines into keyframe stream times (ms), in its own time base. */
export class KeyframeWatch {
  private timebase = { num: 1, den: 90_000 };

  /** Whether the line is the watch's (then it is not for the JPEG pairing nor the stderr tail). */
  static owns(line: string): boolean {
    return line.includes(`[${KEYFRAME_WATCH_NAME} @`);
  }

  /** The keyframe's stream time (ms) when the line reports one. */
  add(line: string): number | null {
    const parsed = parseKeyframeWatchLine(line);
    if (!parsed) return null;
    if (parsed.kind === 'timebase') {
      this.timebase = { num: parsed.num, den: parsed.den };
      return null;
    }
    return parsed.pts < 0 ? null : ptsToMs(parsed.pts, this.timebase.num, this.timebase.den);
  }
}
