/**
 * What a run will do and about how long it takes, before it starts (pure). The sweep of a GOP
 * stops at its first N that is not sustained, so its real length depends on the machine: the
 * estimate counts every N in the lists (plus the bisection steps), an upper bound, and says so.
 * The step costs were timed on this 2-core VM (short runs at 1–3 cameras, 2026-11-30), with a margin
 * per camera for the larger N.
 */
import type { IngestOptions } from './options.js';

/** Seconds. */
export const COSTS = {
  /** tsc -b of the contract and the feed-handler. */
  build: 35,
  /** influxd start and setup, the bench's own start. */
  setup: 5,
  /** Encoding a clip that is not cached yet (16–20 s of 1080p30 veryfast: about 10 s on 2 quiet cores). */
  clipEncode: 15,
  /**
   * A feed-handler measurement without its warm-up, window and GOP: server and feed-handler start, the first
   * two thumbnails (3 settled frames first), the index check, the stop (timed: 5–7 s at 1–2 cameras).
   */
  feedHandlerFixed: 8,
  /** Per camera: more ffmpegs to start and stop, a slower start on a busier machine. */
  feedHandlerPerCamera: 0.4,
  /** At a 1 s GOP the warm-up waits for every camera to hand over to keyframes only (timed: 5.8 s). */
  handover: 6,
  /** A naive measurement without its warm-up and window (timed: 4 s), plus half a GOP for the first keyframe. */
  naiveFixed: 4,
  /** A cold start at N cameras: the relay, then two starts (timed: 16–17 s in all at 1–3 cameras). */
  coldStartFixed: 3,
  coldStartPerStart: 12,
  coldStartPerCamera: 0.6,
} as const;

export interface PlanPart {
  name: string;
  /** What runs, in a few words. */
  what: string;
  seconds: number;
}

export interface Plan {
  parts: PlanPart[];
  /** Everything but the wait for a quiet machine. */
  totalSeconds: number;
  /** How long the run may first wait for a quiet machine. */
  waitQuietSeconds: number;
}

export function feedHandlerSeconds(keyframeSeconds: number, cameras: number, o: IngestOptions, settles = true): number {
  return (
    COSTS.feedHandlerFixed +
    COSTS.feedHandlerPerCamera * cameras +
    // The first thumbnail waits for a keyframe; in all-frames mode the second comes a second later.
    keyframeSeconds +
    (settles && keyframeSeconds <= 1.1 && (o.decodeMode ?? 'auto') === 'auto' ? COSTS.handover : 0) +
    o.warmupSeconds +
    o.windowSeconds
  );
}

export function naiveSeconds(keyframeSeconds: number, o: IngestOptions): number {
  return COSTS.naiveFixed + keyframeSeconds / 2 + o.warmupSeconds + o.windowSeconds;
}

export function coldStartSeconds(cameras: number): number {
  return COSTS.coldStartFixed + 2 * (COSTS.coldStartPerStart + COSTS.coldStartPerCamera * cameras);
}

/** The plan of a run; `uncachedClips` is how many clips it will have to encode first. */
export function planRun(o: IngestOptions, uncachedClips = 0): Plan {
  const parts: PlanPart[] = [];
  const fixed = (o.build ? COSTS.build : 0) + COSTS.setup + uncachedClips * COSTS.clipEncode;
  parts.push({
    name: 'setup',
    what: `${o.build ? 'tsc -b, ' : ''}influxd${uncachedClips ? `, ${uncachedClips} clip(s) to encode` : ''}`,
    seconds: fixed,
  });
  if (o.phases.includes('sweep')) {
    for (const gop of o.keyframeSeconds) {
      const counts = o.cameraCounts.get(gop) ?? [];
      // The bisection steps sit between two listed counts: priced at the largest, an upper bound.
      const refine = counts.length > 1 ? o.refineSteps : 0;
      const largest = counts.at(-1) ?? 0;
      const naive = o.naive ? (o.naiveCounts.get(gop) ?? []).filter((n) => counts.includes(n)) : [];
      const seconds =
        counts.reduce((sum, n) => sum + feedHandlerSeconds(gop, n, o), 0) +
        refine * feedHandlerSeconds(gop, largest, o) +
        naive.length * naiveSeconds(gop, o);
      parts.push({
        name: `sweep, ${gop} s GOP`,
        what: `N = ${counts.join(',')}${refine ? ` (+${refine} bisection)` : ''}${naive.length ? `; naive at ${naive.join(',')}` : ''}`,
        seconds,
      });
    }
  }
  if (o.phases.includes('fan-out')) {
    parts.push({
      name: 'fan-out relay, 1 s GOP',
      what: `N = ${o.fanoutCounts.join(',')}, one MediaMTX path read by every camera`,
      seconds: o.fanoutCounts.reduce((sum, n) => sum + feedHandlerSeconds(1, n, o), 0),
    });
  }
  if (o.phases.includes('cold-start')) {
    parts.push({
      name: 'cold start, 1 s GOP',
      what: `N = ${o.coldStartCounts.join(',')}, two starts each (nothing learnt, learnt modes kept)`,
      seconds: o.coldStartCounts.reduce((sum, n) => sum + coldStartSeconds(n), 0),
    });
  }
  if (o.phases.includes('two-stream')) {
    const gop = o.twoStreamGopSeconds;
    parts.push({
      name: `two streams, ${gop} s GOP`,
      what: `N = ${o.twoStreamCounts.join(',')}, single 1080p then two streams at each`,
      seconds: o.twoStreamCounts.reduce((sum, n) => sum + 2 * feedHandlerSeconds(gop, n, o, false), 0),
    });
  }
  return {
    parts,
    totalSeconds: parts.reduce((sum, p) => sum + p.seconds, 0),
    waitQuietSeconds: o.waitQuietSeconds,
  };
}

const minutes = (s: number) => `${(s / 60).toFixed(s < 600 ? 1 : 0)} min`;

export function planText(plan: Plan): string {
  const width = Math.max(...plan.parts.map((p) => p.name.length));
  const lines = plan.parts.map((p) => `  ${p.name.padEnd(width)}  ~${minutes(p.seconds).padStart(8)}  ${p.what}`);
  return [
    "plan (upper bound: every N in the lists; a GOP's sweep ends at its first failure, and the naive pulls at theirs):",
    ...lines,
    `  total: at most ~${minutes(plan.totalSeconds)}${plan.waitQuietSeconds > 0 ? `, after waiting up to ${minutes(plan.waitQuietSeconds)} for a quiet machine` : ''}`,
    '  (more only when something hangs: a 1 s GOP step whose handovers do not all come waits up to 90 s, a cold start up to --cold-timeout per start)',
  ].join('\n');
}
