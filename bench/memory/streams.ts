/** What one ffmpeg delivers, counted as it streams by: pure helpers over its stdout bytes and stderr lines. */

/**
 * JPEGs that end in `chunk` (an EOI marker, FF D9; entropy-coded data never holds FF D9 because
 * JPEG stuffs every FF there with 00), given the last byte of the previous chunk (-1 at the start).
 */
export function countJpegEnds(previousLastByte: number, chunk: Uint8Array): number {
  let count = 0;
  let previous = previousLastByte;
  for (const byte of chunk) {
    if (previous === 0xff && byte === 0xd9) count += 1;
    previous = byte;
  }
  return count;
}

/** The thumbnail branch's showinfo frame line (one per JPEG, in order), not its config lines. */
export function isShowinfoFrameLine(line: string): boolean {
  return /\[Parsed_showinfo_\d+ @ [^\]]+\] n:\s*\d+ /.test(line);
}

/** Rate over a window: events with time in [startMs, endMs), per second. */
export function ratePerSecond(times: readonly number[], startMs: number, endMs: number): number {
  const seconds = (endMs - startMs) / 1000;
  if (seconds <= 0) return Number.NaN;
  return times.filter((t) => t >= startMs && t < endMs).length / seconds;
}

/** k-th event (a JPEG end, a gray frame) minus the k-th showinfo line, for events in the window: encoding and the pipe. */
export function pairedDelaysMs(
  showinfoMs: readonly number[],
  jpegEndMs: readonly number[],
  startMs: number,
  endMs: number,
): number[] {
  const out: number[] = [];
  const n = Math.min(showinfoMs.length, jpegEndMs.length);
  for (let k = 0; k < n; k++) {
    const end = jpegEndMs[k] as number;
    if (end >= startMs && end < endMs) out.push(end - (showinfoMs[k] as number));
  }
  return out;
}
