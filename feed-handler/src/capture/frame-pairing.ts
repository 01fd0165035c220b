import { CaptureClock } from './capture-clock.js';
import { parseClockShowinfoLine, parseShowinfoLine, ptsToMs } from './showinfo.js';

/**
 * Matches the JPEGs on ffmpeg's stdout with the showinfo lines on its stderr,
 * and turns each line's stream time into a capture time (CaptureClock).
 * showinfo is the last filter and nothing after it drops or duplicates frames,
 * so the k-th JPEG is frame n = k. The two pipes are read independently, so
 * either side may arrive first; pairing by position never drifts.
 *
 * Right after ffmpeg starts, the clock's anchor rests on one arrival, which
 * may have been delayed by anything the host was doing. Stream times are
 * exact frame to frame, so the first frames are held back until the anchor
 * rests on `anchorSamples` arrivals and are then stamped with it
 * retroactively: every frame handed on is timed by a settled anchor. (A frame
 * held longer than `maxHoldMs`, or still held when ffmpeg exits, goes out
 * with the best anchor there is.)
 */
export interface TimedJpeg {
  jpeg: Buffer;
  /** showinfo's frame number, i.e. the JPEG's position in this ffmpeg run. */
  n: number;
  capturedAtMs: number;
}

export interface FramePairerOptions {
  /** Arrivals the anchor must rest on before a frame is stamped (default 3; 1: no holding back). */
  anchorSamples?: number;
  /** A frame is not held longer than this (ms of arrival time, default 3,000). */
  maxHoldMs?: number;
  /** No JPEGs come (a chunk recorder): the lines only time the stream, and are dropped once stamped. */
  withoutJpegs?: boolean;
}

interface FrameTime {
  n: number;
  streamMs: number;
  /** When its showinfo line was read (not corrected): for maxHoldMs. */
  seenAtMs: number;
  /** Capture time once stamped; null while held back. */
  ms: number | null;
}

export class FramePairer {
  private timebase: { num: number; den: number } = { num: 1, den: 90_000 };
  /** The stream clock's showinfo has its own config line (same input, so the same time base). */
  private clockTimebase: { num: number; den: number } = { num: 1, den: 90_000 };
  /**
   * ffmpeg's H.264 parser hands a frame on only when the next one begins, so
   * every line reaches us one input frame interval after its frame arrived.
   */
  private parserDelayMs = 0;
  private times: FrameTime[] = [];
  private jpegs: Buffer[] = [];
  private expectedN = 0;
  private readonly anchorSamples: number;
  private readonly maxHoldMs: number;
  private readonly withoutJpegs: boolean;
  /** Frame lines read so far (held back or not). */
  framesSeen = 0;
  /** Frame numbers that skipped or repeated: should stay 0. */
  sequenceErrors = 0;
  /** Stream time of this run's first frame (ms): where the chunk recorder's timeline starts. */
  firstStreamMs: number | null = null;

  private readonly captureClock = new CaptureClock();

  constructor(options: FramePairerOptions = {}) {
    this.anchorSamples = Math.max(1, options.anchorSamples ?? 3);
    this.maxHoldMs = options.maxHoldMs ?? 3_000;
    this.withoutJpegs = options.withoutJpegs ?? false;
  }

  /** Feeds one stderr line and the wall-clock time it was read; returns the pairs it completed. */
  addStderrLine(line: string, arrivalMs: number): TimedJpeg[] {
    const parsed = parseShowinfoLine(line);
    if (!parsed) return [];
    if (parsed.kind === 'timebase') {
      this.timebase = { num: parsed.num, den: parsed.den };
      this.parserDelayMs = parsed.frameRate ? (1000 * parsed.frameRate.den) / parsed.frameRate.num : 0;
      return [];
    }
    this.framesSeen++;
    if (parsed.n !== this.expectedN) this.sequenceErrors++;
    this.expectedN = parsed.n + 1;
    const streamMs = ptsToMs(parsed.pts, this.timebase.num, this.timebase.den);
    if (this.firstStreamMs === null) this.firstStreamMs = streamMs;
    this.addArrival(streamMs, arrivalMs);
    this.times.push({ n: parsed.n, streamMs, seenAtMs: arrivalMs, ms: null });
    if (this.captureClock.size >= this.anchorSamples) this.stampHeld();
    else this.releaseStaleHeld(arrivalMs);
    return this.drain();
  }

  /**
   * Feeds one line of the stream clock's showinfo (every decoded frame, ffmpeg-args.ts CLOCK_SHOWINFO_NAME):
   * one more arrival for the anchor, no frame to pair. Returns what it let go (an anchor now settled).
   */
  addClockLine(line: string, arrivalMs: number): TimedJpeg[] {
    const parsed = parseClockShowinfoLine(line);
    if (!parsed) return [];
    if (parsed.kind === 'timebase') {
      this.clockTimebase = { num: parsed.num, den: parsed.den };
      // The same input frame rate as the JPEGs' line says: its lines may come first.
      if (parsed.frameRate) this.parserDelayMs = (1000 * parsed.frameRate.den) / parsed.frameRate.num;
      return [];
    }
    // A frame without a time (before the first RTCP sync) tells the clock nothing.
    if (parsed.pts < 0) return [];
    this.addArrival(ptsToMs(parsed.pts, this.clockTimebase.num, this.clockTimebase.den), arrivalMs);
    if (this.captureClock.size >= this.anchorSamples) this.stampHeld();
    return this.drain();
  }

  /** Whether the line is the stream clock's (then it is neither a JPEG's line nor for the stderr tail). */
  static ownsClockLine(line: string): boolean {
    return line.includes('[showinfo@clock @');
  }

  private addArrival(streamMs: number, arrivalMs: number): void {
    const previousOffset = this.captureClock.offsetMs;
    const { restarted } = this.captureClock.add(streamMs, arrivalMs - this.parserDelayMs);
    // Frames held from before a discontinuity belong to the old timeline: stamp them by its anchor.
    if (restarted && previousOffset !== null) this.stampHeld((ms) => ms + previousOffset);
  }

  addJpeg(jpeg: Buffer): TimedJpeg[] {
    this.jpegs.push(jpeg);
    return this.drain();
  }

  /** Frames held longer than maxHoldMs as of `nowMs`, stamped with the anchor there is (call it now and then). */
  releaseStale(nowMs: number): TimedJpeg[] {
    this.releaseStaleHeld(nowMs);
    return this.drain();
  }

  /** Stamps whatever is held with the best anchor there is (ffmpeg has exited: no better one will come). */
  flush(): TimedJpeg[] {
    this.stampHeld();
    return this.drain();
  }

  /** True while frames wait for a settled anchor: capture times computed now would not match theirs. */
  get holding(): boolean {
    return this.times.some((t) => t.ms === null);
  }

  /** Capture time (epoch ms) of a stream time, by the same mapping as the frames; null before the first frame. */
  captureTimeOf(streamMs: number): number | null {
    return this.captureClock.map(streamMs);
  }

  /** Unpaired items (a JPEG whose time never came, or the reverse), e.g. at exit. */
  get pending(): { times: number; jpegs: number } {
    return { times: this.times.length, jpegs: this.jpegs.length };
  }

  private releaseStaleHeld(nowMs: number): void {
    const oldest = this.times.find((t) => t.ms === null);
    if (oldest && nowMs - oldest.seenAtMs >= this.maxHoldMs) this.stampHeld();
  }

  private stampHeld(map: (streamMs: number) => number | null = (ms) => this.captureClock.map(ms)): void {
    for (const time of this.times) {
      if (time.ms !== null) continue;
      const ms = map(time.streamMs);
      if (ms !== null) time.ms = Math.round(ms);
    }
  }

  private drain(): TimedJpeg[] {
    if (this.withoutJpegs) {
      while (this.times[0] && this.times[0].ms !== null) this.times.shift();
      return [];
    }
    const out: TimedJpeg[] = [];
    while (this.times.length > 0 && this.jpegs.length > 0) {
      const time = this.times[0] as FrameTime;
      if (time.ms === null) break;
      this.times.shift();
      out.push({ jpeg: this.jpegs.shift() as Buffer, n: time.n, capturedAtMs: time.ms });
    }
    return out;
  }
}
