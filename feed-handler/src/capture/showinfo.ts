/**
 * Parses ffmpeg's showinfo filter lines on stderr. The frame's pts is in the
 * filter's input time base (90 kHz for RTSP video); with wall-clock timestamps
 * pts / 90 is the arrival time in epoch milliseconds.
 */

export type ShowinfoLine =
  | { kind: 'timebase'; num: number; den: number; frameRate: { num: number; den: number } | null }
  | { kind: 'frame'; n: number; pts: number; keyframe: boolean };

const patterns = (instance: string) => ({
  timebase: new RegExp(
    `\\[${instance} @ [^\\]]+\\] config in time_base: (\\d+)\\/(\\d+)(?:, frame_rate: (\\d+)\\/(\\d+))?`,
  ),
  frame: new RegExp(`\\[${instance} @ [^\\]]+\\] n:\\s*(\\d+) pts:\\s*(-?\\d+) .*?iskey:([01])`),
});
/** The unnamed showinfo that counts the JPEGs. */
const JPEG_LINES = patterns('Parsed_showinfo_\\d+');
/** The stream clock's showinfo (ffmpeg-args.ts CLOCK_SHOWINFO_NAME): every decoded frame. */
const CLOCK_LINES = patterns('showinfo@clock');

/** A line of the stream clock's showinfo (every decoded frame), or null. */
export function parseClockShowinfoLine(line: string): ShowinfoLine | null {
  return line.includes('[showinfo@clock @') ? parseWith(CLOCK_LINES, line) : null;
}

export function parseShowinfoLine(line: string): ShowinfoLine | null {
  return parseWith(JPEG_LINES, line);
}

function parseWith(
  { timebase: TIMEBASE, frame: FRAME }: ReturnType<typeof patterns>,
  line: string,
): ShowinfoLine | null {
  const frame = FRAME.exec(line);
  if (frame) {
    return { kind: 'frame', n: Number(frame[1]), pts: Number(frame[2]), keyframe: frame[3] === '1' };
  }
  const timebase = TIMEBASE.exec(line);
  if (timebase) {
    const num = Number(timebase[1]);
    const den = Number(timebase[2]);
    const rateNum = Number(timebase[3] ?? 0);
    const rateDen = Number(timebase[4] ?? 0);
    const frameRate = rateNum > 0 && rateDen > 0 ? { num: rateNum, den: rateDen } : null;
    if (num > 0 && den > 0) return { kind: 'timebase', num, den, frameRate };
  }
  return null;
}

/** pts in a num/den time base to epoch ms, rounded to the nearest ms. */
export function ptsToMs(pts: number, num: number, den: number): number {
  // BigInt keeps this exact: a 90 kHz wall-clock pts times 1000 exceeds 2^53.
  const scaled = BigInt(pts) * BigInt(num) * 1000n;
  const d = BigInt(den);
  const half = d / 2n;
  return Number((scaled >= 0n ? scaled + half : scaled - half) / d);
}
