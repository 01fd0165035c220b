/**
 * Which video chunk shows a moment, and where in it: pure, so the seek
 * arithmetic is unit-tested. Chunks are [startMs, endMs), oldest first.
 */
export interface TimedChunk {
  startMs: number;
  endMs: number;
}

/** The chunk holding `momentMs`; else the first one starting after it (a gap before); else null. */
export function chunkIndexFor(chunks: readonly TimedChunk[], momentMs: number): number | null {
  const holding = chunks.findIndex((c) => c.startMs <= momentMs && momentMs < c.endMs);
  if (holding >= 0) return holding;
  const after = chunks.findIndex((c) => c.startMs > momentMs);
  if (after >= 0) return after;
  return chunks.length > 0 ? chunks.length - 1 : null;
}

/** Seconds into the chunk for a moment, clamped to the chunk. */
export function offsetSeconds(chunk: TimedChunk, momentMs: number): number {
  const clamped = Math.min(Math.max(momentMs, chunk.startMs), chunk.endMs);
  return (clamped - chunk.startMs) / 1000;
}

/** The wall-clock moment (epoch ms) shown at `currentTime` seconds into a chunk. */
export function momentAt(chunk: TimedChunk, currentTimeSeconds: number): number {
  return chunk.startMs + Math.round(currentTimeSeconds * 1000);
}
