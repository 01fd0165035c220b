/**
 * Capture time of a frame = its stream time (RTP timestamp, as ffmpeg's pts)
 * plus an offset to the wall clock. The RTP timestamp is stamped by the camera
 * at capture, so frame-to-frame it is exact; our arrival time carries the
 * network/server delay plus scheduling jitter (tens of ms on a loaded host).
 * The offset is therefore the smallest (arrival - stream time) seen over a
 * sliding window of recent frames: the frame that was delayed least tells
 * the truth best, and a window (not all history) follows a camera clock that
 * drifts against ours.
 */
export class CaptureClock {
  private samples: number[] = [];

  constructor(
    private readonly windowFrames = 30,
    /** A jump larger than this between stream time and arrival is a stream discontinuity (camera restart, RTP jump). */
    private readonly discontinuityMs = 1_000,
  ) {}

  /** Feeds one frame: its stream time and the wall-clock time we saw it; returns its capture time (epoch ms). */
  capturedAt(streamMs: number, arrivalMs: number): number {
    const offset = arrivalMs - streamMs;
    const current = this.offset();
    if (current !== null && Math.abs(offset - current) > this.discontinuityMs) this.samples = [];
    this.samples.push(offset);
    if (this.samples.length > this.windowFrames) this.samples.shift();
    return Math.round(streamMs + (this.offset() as number));
  }

  /** Capture time of a stream time by the current offset, without feeding a sample; null before any. */
  map(streamMs: number): number | null {
    const offset = this.offset();
    return offset === null ? null : Math.round(streamMs + offset);
  }

  private offset(): number | null {
    return this.samples.length === 0 ? null : Math.min(...this.samples);
  }
}
