import type { DecodeMode } from './ffmpeg-args.js';

/**
 * Decode only keyframes when they come at least once a second (cheap: no
 * inter-frame decoding at all); otherwise decode everything and pick one
 * frame per second.
 *
 * With DECODE_MODE=auto nothing is probed before capture starts: a camera
 * without a remembered mode starts at once decoding every frame (always
 * correct), and the running ffmpeg reports its keyframes (keyframe-watch.ts).
 * KeyframeIntervalLearner turns those times into a verdict; the supervisor
 * then hands over to a keyframe-only ffmpeg, or stays. A run that decodes
 * keyframes only checks the same way, from its thumbnails, that they still
 * come once a second.
 */

/** Cameras and GStreamer say "1 s" and deliver every 1.006 s; anything up to this counts as one a second. */
export const KEYFRAME_INTERVAL_LIMIT_MS = 1_100;
/** Keyframe intervals a verdict rests on (their median). */
export const LEARN_INTERVALS = 4;
/**
 * Stream time after the first keyframe by which LEARN_INTERVALS intervals of at most the limit must have
 * come (4 × 1.1 s, doubled): past it without them, keyframes are too rare, whatever the median says.
 */
export const LEARN_WINDOW_MS = 2 * LEARN_INTERVALS * KEYFRAME_INTERVAL_LIMIT_MS;

/** How a run's decode mode was chosen (logged with every choice). */
export type DecodeModeSource =
  /** DECODE_MODE=keyframes|all. */
  | 'override'
  /** auto, nothing known yet: every frame is decoded while the keyframe interval is learnt. */
  | 'learning'
  /** auto, learnt by an earlier run of this process. */
  | 'learnt'
  /** auto, from the file of learnt modes (an earlier process). */
  | 'remembered'
  /** auto, keyframes-only was wrong (thumbnails too rare, or a stall): every frame again, learning again. */
  | 'fallback';

export interface DecodeModeChoice {
  mode: DecodeMode;
  source: DecodeModeSource;
  /** Median keyframe interval the mode rests on, when one was measured. */
  keyframeIntervalMs: number | null;
}

export interface Verdict {
  mode: DecodeMode;
  /** Median of the intervals seen; null when the window ran out with fewer than two keyframes. */
  keyframeIntervalMs: number | null;
  /** Why, in words for the log. */
  why: string;
}

/** A mode learnt for a camera, kept across restarts of the process (see footage/decode-mode-file.ts). */
export interface LearntMode {
  mode: DecodeMode;
  keyframeIntervalMs: number | null;
}

/** The codecs a camera sends, as ffmpeg names them (stream-info.ts); null: no such stream. */
export interface StreamCodecs {
  video: string | null;
  audio: string | null;
}

/** Where learnt modes are kept across process restarts: a port the composition root fills. */
export interface LearntModes {
  /** The mode learnt for this camera at this URL, if any. */
  recall(camera: string, url: string): LearntMode | null;
  /** Keeps a verdict; resolves once written (a failure is reported by the adapter, never thrown). */
  remember(camera: string, url: string, learnt: LearntMode): Promise<void>;
  /** The codecs this camera sent at this URL when last seen, if known. */
  recallCodecs?(camera: string, url: string): StreamCodecs | null;
  /** Keeps what the camera sends (read from a run's own input description), like remember. */
  rememberCodecs?(camera: string, url: string, codecs: StreamCodecs): Promise<void>;
}

export function medianIntervalMs(keyframeTimesMs: readonly number[]): number | null {
  const sorted = [...keyframeTimesMs].sort((a, b) => a - b);
  const intervals: number[] = [];
  for (let i = 1; i < sorted.length; i++) intervals.push((sorted[i] as number) - (sorted[i - 1] as number));
  if (intervals.length === 0) return null;
  intervals.sort((a, b) => a - b);
  const mid = Math.floor(intervals.length / 2);
  return intervals.length % 2
    ? (intervals[mid] as number)
    : ((intervals[mid - 1] as number) + (intervals[mid] as number)) / 2;
}

/** The mode a keyframe interval calls for. */
export function modeForInterval(intervalMs: number | null): DecodeMode {
  return intervalMs !== null && intervalMs <= KEYFRAME_INTERVAL_LIMIT_MS ? 'keyframes' : 'all';
}

/**
 * One run's keyframe times (stream ms) in, one verdict out:
 * - LEARN_INTERVALS intervals seen: their median decides (≤ the limit: keyframes, else all);
 * - or stream time has gone LEARN_WINDOW_MS past the first keyframe without them: all.
 * `noteTime` tells it that stream time has moved on without a keyframe (any decoded frame's time).
 * After the verdict it ignores everything: a run decides once.
 */
export class KeyframeIntervalLearner {
  private readonly keyframes: number[] = [];
  /** The first stream time seen at all: the window runs from here when no keyframe comes. */
  private firstMs: number | null = null;
  private verdictGiven = false;

  constructor(
    private readonly options: { intervals: number; limitMs: number; windowMs: number } = {
      intervals: LEARN_INTERVALS,
      limitMs: KEYFRAME_INTERVAL_LIMIT_MS,
      windowMs: LEARN_WINDOW_MS,
    },
  ) {}

  get decided(): boolean {
    return this.verdictGiven;
  }

  get keyframesSeen(): number {
    return this.keyframes.length;
  }

  addKeyframe(streamMs: number): Verdict | null {
    if (this.verdictGiven) return null;
    const last = this.keyframes.at(-1);
    // A time going backwards is a new timeline (the camera restarted its clock): start over.
    if (last !== undefined && streamMs <= last) {
      this.keyframes.length = 0;
      this.firstMs = null;
    }
    this.keyframes.push(streamMs);
    if (this.keyframes.length > this.options.intervals) {
      const intervalMs = medianIntervalMs(this.keyframes) as number;
      const mode = intervalMs <= this.options.limitMs ? 'keyframes' : 'all';
      return this.give({
        mode,
        keyframeIntervalMs: intervalMs,
        why: `median of ${this.options.intervals} keyframe intervals is ${Math.round(intervalMs)} ms (limit ${this.options.limitMs} ms)`,
      });
    }
    return this.noteTime(streamMs);
  }

  noteTime(streamMs: number): Verdict | null {
    if (this.verdictGiven) return null;
    if (this.firstMs === null || streamMs < this.firstMs) this.firstMs = streamMs;
    const first = this.keyframes[0] ?? this.firstMs;
    if (streamMs - first < this.options.windowMs) return null;
    const intervalMs = medianIntervalMs(this.keyframes);
    return this.give({
      mode: 'all',
      keyframeIntervalMs: intervalMs,
      why: `${this.keyframes.length} keyframes in ${Math.round((streamMs - first) / 1000)} s of stream (need ${this.options.intervals + 1} at most ${this.options.limitMs} ms apart)`,
    });
  }

  private give(verdict: Verdict): Verdict {
    this.verdictGiven = true;
    return verdict;
  }
}
