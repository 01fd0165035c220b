import { CaptureClock } from './capture-clock.js';
import { parseShowinfoLine, ptsToMs } from './showinfo.js';

/**
 * Matches the JPEGs on ffmpeg's stdout with the showinfo lines on its stderr,
 * and turns each line's stream time into a capture time (CaptureClock).
 * showinfo is the last filter and nothing after it drops or duplicates frames,
 * so the k-th JPEG is frame n = k. The two pipes are read independently, so
 * either side may arrive first; pairing by position never drifts.
 */
export interface TimedJpeg {
  jpeg: Buffer;
  /** showinfo's frame number, i.e. the JPEG's position in this ffmpeg run. */
  n: number;
  capturedAtMs: number;
}

export class FramePairer {
  private timebase: { num: number; den: number } = { num: 1, den: 90_000 };
  /**
   * ffmpeg's H.264 parser hands a frame on only when the next one begins, so
   * every line reaches us one input frame interval after its frame arrived.
   */
  private parserDelayMs = 0;
  private times: { n: number; ms: number }[] = [];
  private jpegs: Buffer[] = [];
  private expectedN = 0;
  /** Frame numbers that skipped or repeated: should stay 0. */
  sequenceErrors = 0;
  /** Stream time of this run's first frame (ms): where the chunk recorder's timeline starts. */
  firstStreamMs: number | null = null;

  private readonly captureClock = new CaptureClock();

  /** Feeds one stderr line and the wall-clock time it was read; returns the pairs it completed. */
  addStderrLine(line: string, arrivalMs: number): TimedJpeg[] {
    const parsed = parseShowinfoLine(line);
    if (!parsed) return [];
    if (parsed.kind === 'timebase') {
      this.timebase = { num: parsed.num, den: parsed.den };
      this.parserDelayMs = parsed.frameRate ? (1000 * parsed.frameRate.den) / parsed.frameRate.num : 0;
      return [];
    }
    if (parsed.n !== this.expectedN) this.sequenceErrors++;
    this.expectedN = parsed.n + 1;
    const streamMs = ptsToMs(parsed.pts, this.timebase.num, this.timebase.den);
    if (this.firstStreamMs === null) this.firstStreamMs = streamMs;
    this.times.push({ n: parsed.n, ms: this.captureClock.capturedAt(streamMs, arrivalMs - this.parserDelayMs) });
    return this.drain();
  }

  /** Capture time (epoch ms) of a stream time, by the same mapping as the frames; null before the first frame. */
  captureTimeOf(streamMs: number): number | null {
    return this.captureClock.map(streamMs);
  }

  addJpeg(jpeg: Buffer): TimedJpeg[] {
    this.jpegs.push(jpeg);
    return this.drain();
  }

  /** Unpaired items (a JPEG whose time never came, or the reverse), e.g. at exit. */
  get pending(): { times: number; jpegs: number } {
    return { times: this.times.length, jpegs: this.jpegs.length };
  }

  private drain(): TimedJpeg[] {
    const out: TimedJpeg[] = [];
    while (this.times.length > 0 && this.jpegs.length > 0) {
      const time = this.times.shift() as { n: number; ms: number };
      out.push({ jpeg: this.jpegs.shift() as Buffer, n: time.n, capturedAtMs: time.ms });
    }
    return out;
  }
}
