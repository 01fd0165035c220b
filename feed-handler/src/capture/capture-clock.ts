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

  /** Feeds one frame's stream time and the wall-clock time we saw it. `restarted`: the window started over. */
  add(streamMs: number, arrivalMs: number): { restarted: boolean } {
    const offset = arrivalMs - streamMs;
    const current = this.offsetMs;
    const restarted = current !== null && Math.abs(offset - current) > this.discontinuityMs;
    if (restarted) this.samples = [];
    this.samples.push(offset);
    if (this.samples.length > this.windowFrames) this.samples.shift();
    return { restarted };
  }

  /** Feeds one frame: its stream time and the wall-clock time we saw it; returns its capture time (epoch ms). */
  capturedAt(streamMs: number, arrivalMs: number): number {
    this.add(streamMs, arrivalMs);
    return Math.round(streamMs + (this.offsetMs as number));
  }

  /** Capture time of a stream time by the current offset, without feeding a sample; null before any. */
  map(streamMs: number): number | null {
    const offset = this.offsetMs;
    return offset === null ? null : Math.round(streamMs + offset);
  }

  /** Samples behind the current offset (since the last start-over): the more, the better the anchor. */
  get size(): number {
    return this.samples.length;
  }

  /** The current offset (wall clock minus stream time, ms); null before any sample. */
  get offsetMs(): number | null {
    return this.samples.length === 0 ? null : Math.min(...this.samples);
  }
}
