/** ffmpeg's `-progress` output and the job's expected end (pure). */

/**
 * Reads the frame counts from a chunk of `-progress pipe:1` output (key=value lines, one
 * block per report). Returns the last `frame=` value seen, or undefined.
 */
export function lastFrameCount(text: string): number | undefined {
  let frames: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^frame=(\d+)\s*$/.exec(line);
    if (match) frames = Number(match[1]);
  }
  return frames;
}

/** When the job should end at the rate seen so far; undefined until there is a rate. */
export function expectedEndMs(startedMs: number, nowMs: number, done: number, total: number): number | undefined {
  if (done <= 0 || nowMs <= startedMs) return undefined;
  if (done >= total) return nowMs;
  const msPerStill = (nowMs - startedMs) / done;
  return Math.round(nowMs + (total - done) * msPerStill);
}
