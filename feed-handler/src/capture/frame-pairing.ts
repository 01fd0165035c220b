import { CaptureClock } from './capture-clock.js';
import type { KeyframeListEntry } from './keyframe-list.js';
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
  /** And how far apart (ms of arrival time) the first and the newest of them must be (default 0). */
  anchorSpanMs?: number;
  /** A frame is not held longer than this (ms of arrival time, default 3,000). */
  maxHoldMs?: number;
  /** No JPEGs come (a chunk recorder): the lines only time the stream, and are dropped once stamped. */
  withoutJpegs?: boolean;
  /**
   * The run this one takes over from (a mode switch): a keyframe both see gets this run's anchor from the
   * donor's, which rests on many more arrivals than this run's first few. See seedFromDonor.
   */
  anchorDonor?: AnchorDonor;
}

/** A run whose anchor has settled, asked for the capture time of the keyframe it saw nearest to an arrival. */
export interface AnchorDonor {
  keyframeCaptureNear(arrivalMs: number): number | null;
}

/**
 * Two readers of one camera see its keyframe within the link's jitter and their decoders' latency of each other
 * (tens of ms), and keyframes come a second apart or more when a switch to keyframes-only decoding is made: the
 * donor's keyframe nearest in arrival is the same picture when it is nearer than this.
 */
const SAME_KEYFRAME_ARRIVAL_MS = 400;
/**
 * A donor's capture time for the keyframe, against this run's own anchor (its least delayed arrival so far):
 * they differ by how much later than the best this run's first arrivals came, and are taken to be the same
 * frame when nearer than this. A wrong pairing is off by a whole keyframe interval (500 ms or more).
 */
const SEED_AGREES_MS = 250;
/**
 * Own arrivals before a donor's time is taken: one arrival late by a keyframe interval (a stall at the start)
 * would agree with the donor's next keyframe; a second one, on time, makes the own anchor tell them apart.
 */
const OWN_ARRIVALS_TO_SEED = 2;
/** Keyframes a donor remembers (arrival and stream time): the last few seconds. */
const RECENT_KEYFRAMES = 8;

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
  private readonly anchorSpanMs: number;
  /** The first arrival behind the current anchor (since the last start-over): for anchorSpanMs. */
  private firstArrivalMs: number | null = null;
  private newestArrivalMs = 0;
  private readonly maxHoldMs: number;
  private readonly withoutJpegs: boolean;
  /** Frame lines read so far (held back or not). */
  framesSeen = 0;
  /** Frame numbers that skipped or repeated: should stay 0. */
  sequenceErrors = 0;
  /** When the keyframe-list entry before was read: the arrival the next entry's start times. */
  private listedArrivalMs: number | null = null;
  /** The first keyframe-list entry's start: the timeline's zero, firstStreamMs once an arrival is timed. */
  private listedFirstStartMs: number | null = null;
  /** Stream time of this run's first frame (ms): where the chunk recorder's timeline starts. */
  firstStreamMs: number | null = null;

  private readonly captureClock = new CaptureClock();
  private readonly anchorDonor: AnchorDonor | null;
  /** The anchor took a donor's (seedFromDonor): as settled as the donor's. */
  private seeded = false;
  /** This run's newest keyframes (raw arrival, stream time): what it answers a successor's keyframeCaptureNear with. */
  private readonly recentKeyframes: { arrivalMs: number; streamMs: number }[] = [];
  /** When the anchor was seeded from the donor (its capture time of the keyframe and what this run's own said). */
  seededFrom: { donorOffsetMs: number; ownOffsetMs: number } | null = null;

  constructor(options: FramePairerOptions = {}) {
    this.anchorSamples = Math.max(1, options.anchorSamples ?? 3);
    this.anchorSpanMs = options.anchorSpanMs ?? 0;
    this.maxHoldMs = options.maxHoldMs ?? 3_000;
    this.withoutJpegs = options.withoutJpegs ?? false;
    this.anchorDonor = options.anchorDonor ?? null;
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
    this.firstStreamMs ??= streamMs;
    return this.addFrameTime(parsed.n, streamMs, arrivalMs, parsed.keyframe);
  }

  /** One frame's time: an arrival for the anchor, and a time to stamp (and pair, with JPEGs). */
  private addFrameTime(n: number, streamMs: number, arrivalMs: number, keyframe: boolean): TimedJpeg[] {
    this.addArrival(streamMs, arrivalMs, keyframe);
    this.times.push({ n, streamMs, seenAtMs: arrivalMs, ms: null });
    if (this.settled) this.stampHeld();
    else this.releaseStaleHeld(arrivalMs);
    return this.drain();
  }

  /**
   * Feeds one entry of a recorder's keyframe list (keyframe-list.ts: no decoding) and the wall-clock time it was
   * read. An entry is printed as a keyframe arrives, but its `end` is that keyframe's time only without B-frames
   * (it is where the packets before it end); the next entry's `start` is that keyframe's time exactly. So each
   * arrival is timed by the entry after it, one keyframe later. The first entry's `start` is 0 (the segment
   * muxer never sets it), which is the first packet copied: where the chunks' timeline starts. It becomes
   * firstStreamMs only with the first timed arrival, so chunks wait for a clock (releaseChunks). Every entry
   * counts as a frame line. Returns nothing to hand on.
   */
  addKeyframeListEntry(entry: KeyframeListEntry, arrivalMs: number): TimedJpeg[] {
    this.framesSeen++;
    this.listedFirstStartMs ??= entry.startStreamMs;
    const previousArrivalMs = this.listedArrivalMs;
    this.listedArrivalMs = arrivalMs;
    if (previousArrivalMs === null) return [];
    this.firstStreamMs ??= this.listedFirstStartMs;
    return this.addFrameTime(this.expectedN++, entry.startStreamMs, previousArrivalMs, true);
  }

  /**
   * The input's frame rate, when no showinfo says it (a recorder's keyframe list): ffmpeg's parser hands a copied
   * packet on one frame interval late too. No effect once a showinfo line has said it.
   */
  setInputFrameRate(fps: number): void {
    if (this.parserDelayMs === 0 && fps > 0) this.parserDelayMs = 1000 / fps;
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
    this.addArrival(ptsToMs(parsed.pts, this.clockTimebase.num, this.clockTimebase.den), arrivalMs, parsed.keyframe);
    if (this.settled) this.stampHeld();
    return this.drain();
  }

  /** Whether the line is the stream clock's (then it is neither a JPEG's line nor for the stderr tail). */
  static ownsClockLine(line: string): boolean {
    return line.includes('[showinfo@clock @');
  }

  private addArrival(streamMs: number, arrivalMs: number, keyframe: boolean): void {
    const previousOffset = this.captureClock.offsetMs;
    const { restarted } = this.captureClock.add(streamMs, arrivalMs - this.parserDelayMs);
    // Frames held from before a discontinuity belong to the old timeline: stamp them by its anchor.
    if (restarted) {
      if (previousOffset !== null) this.stampHeld((ms) => ms + previousOffset);
      this.seeded = false;
      this.recentKeyframes.length = 0;
      this.firstArrivalMs = null;
    }
    this.firstArrivalMs ??= arrivalMs;
    this.newestArrivalMs = arrivalMs;
    // The JPEG's line and the stream clock's report the same keyframe: keep it once.
    if (!keyframe || this.recentKeyframes.at(-1)?.streamMs === streamMs) return;
    this.recentKeyframes.push({ arrivalMs, streamMs });
    if (this.recentKeyframes.length > RECENT_KEYFRAMES) this.recentKeyframes.shift();
    if (!this.seeded && this.anchorDonor) this.seedFromDonor();
  }

  /**
   * The first frames of a run are timed by its first arrivals; over a jittery link 8 of them (a keyframe a
   * second: 8 s) leave an anchor tens of ms late now and then (test/jitter). The run it takes over from has
   * timed the same stream for a while, by the least delayed of many arrivals, and saw the same keyframes: its
   * capture time for one, put on this run's stream time, is as good an anchor, and the two runs' thumbnails
   * then agree across the switch. Taken when this run's own anchor agrees within SEED_AGREES_MS (it is the
   * same picture) and rests on two arrivals at least; otherwise the next keyframe tries again, and own arrivals
   * settle it as before. Each of this run's recent keyframes is tried, newest first: the donor may not have
   * read the newest one yet.
   */
  private seedFromDonor(): void {
    const ownOffsetMs = this.captureClock.offsetMs;
    if (ownOffsetMs === null || this.captureClock.size < OWN_ARRIVALS_TO_SEED) return;
    for (let i = this.recentKeyframes.length - 1; i >= 0; i--) {
      const { streamMs, arrivalMs } = this.recentKeyframes[i] as { arrivalMs: number; streamMs: number };
      const donorCaptureMs = this.anchorDonor?.keyframeCaptureNear(arrivalMs) ?? null;
      if (donorCaptureMs === null) continue;
      const donorOffsetMs = donorCaptureMs - streamMs;
      if (Math.abs(ownOffsetMs - donorOffsetMs) > SEED_AGREES_MS) continue;
      this.captureClock.seed(streamMs, donorCaptureMs, arrivalMs - this.parserDelayMs);
      this.seeded = true;
      this.seededFrom = { donorOffsetMs, ownOffsetMs };
      return;
    }
  }

  /**
   * As a donor: the capture time of this run's keyframe that arrived nearest to `arrivalMs` (the same picture,
   * seen by a successor), or null when none is near or this run's own anchor has not settled.
   */
  keyframeCaptureNear(arrivalMs: number): number | null {
    if (!this.settled) return null;
    let nearest: { arrivalMs: number; streamMs: number } | null = null;
    for (const keyframe of this.recentKeyframes) {
      if (!nearest || Math.abs(keyframe.arrivalMs - arrivalMs) < Math.abs(nearest.arrivalMs - arrivalMs)) {
        nearest = keyframe;
      }
    }
    if (!nearest || Math.abs(nearest.arrivalMs - arrivalMs) > SAME_KEYFRAME_ARRIVAL_MS) return null;
    return this.captureClock.map(nearest.streamMs);
  }

  /** The anchor rests on anchorSamples arrivals of this run spread over anchorSpanMs, or on a donor's. */
  private get settled(): boolean {
    if (this.seeded) return true;
    const span = this.firstArrivalMs === null ? 0 : this.newestArrivalMs - this.firstArrivalMs;
    return this.captureClock.size >= this.anchorSamples && span >= this.anchorSpanMs;
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
