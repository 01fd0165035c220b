/**
 * Capture time of a frame = its stream time (RTP timestamp, as ffmpeg's pts)
 * plus an offset to the wall clock. The RTP timestamp is stamped by the camera
 * at capture, so frame-to-frame it is exact; our arrival time carries the
 * network/server delay plus scheduling jitter (tens of ms on a loaded host).
 * The offset is therefore the smallest (arrival - stream time) seen over a
 * sliding window of recent arrivals: the frame that was delayed least tells
 * the truth best, and a window (not all history) follows a camera clock that
 * drifts against ours. The window is a span of time, not a number of frames:
 * the stream clock's showinfo reports every decoded frame (10–30 a second when
 * every frame is decoded, one a second with keyframes only), and a window of
 * 30 s holds the least delayed of all of them whatever the rate.
 */
export class CaptureClock {
  /** Candidates for the minimum, oldest first, offsets increasing (a monotonic queue: O(1) per arrival). */
  private candidates: { arrivalMs: number; offset: number }[] = [];
  private head = 0;
  private count = 0;

  constructor(
    /** How far back (arrival time) the least delayed arrival is looked for. */
    private readonly windowMs = 30_000,
    /** A jump larger than this between stream time and arrival is a stream discontinuity (camera restart, RTP jump). */
    private readonly discontinuityMs = 1_000,
  ) {}

  /** Feeds one frame's stream time and the wall-clock time we saw it. `restarted`: the window started over. */
  add(streamMs: number, arrivalMs: number): { restarted: boolean } {
    const offset = arrivalMs - streamMs;
    const current = this.offsetMs;
    const restarted = current !== null && Math.abs(offset - current) > this.discontinuityMs;
    if (restarted) {
      this.candidates = [];
      this.head = 0;
      this.count = 0;
    }
    this.push(arrivalMs, offset);
    this.count++;
    return { restarted };
  }

  /**
   * Takes another clock's capture time for one frame of this stream (the same frame seen by a run that has
   * timed the camera for a while): an offset as good as that clock's, which ages out of the window like an
   * arrival seen at `arrivalMs`. The caller has checked that the frame is the same one.
   */
  seed(streamMs: number, captureMs: number, arrivalMs: number): void {
    this.push(arrivalMs, captureMs - streamMs);
  }

  private push(arrivalMs: number, offset: number): void {
    // An older candidate with a larger offset can never be the minimum again.
    while (this.candidates.length > this.head && (this.candidates.at(-1)?.offset as number) >= offset) {
      this.candidates.pop();
    }
    this.candidates.push({ arrivalMs, offset });
    while ((this.candidates[this.head]?.arrivalMs as number) < arrivalMs - this.windowMs) this.head++;
    // Compact now and then, so the array does not grow with the stream.
    if (this.head > 1024) {
      this.candidates = this.candidates.slice(this.head);
      this.head = 0;
    }
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

  /** Arrivals behind the current offset (since the last start-over): the more, the better the anchor. */
  get size(): number {
    return this.count;
  }

  /** The current offset (wall clock minus stream time, ms): the least delayed arrival in the window; null before any. */
  get offsetMs(): number | null {
    return this.candidates[this.head]?.offset ?? null;
  }
}
