/** `npm run bench:ingest -- [flags]`: the command line and BENCH_NO_DOCS, parsed and checked (pure). */
import { scanFlags } from '../lib/flags.js';

/** The bench's parts, in the order they run. */
export const PHASES = ['sweep', 'fan-out', 'cold-start', 'two-stream'] as const;
export type Phase = (typeof PHASES)[number];

export interface IngestOptions {
  quick: boolean;
  /** The parts to run (`--only`, `--skip`), in run order. */
  phases: Phase[];
  /** Keyframe intervals to sweep, seconds. */
  keyframeSeconds: number[];
  /** Camera counts to sweep, per keyframe interval. */
  cameraCounts: Map<number, number[]>;
  /** Camera counts at which the naive pulls are measured too (until they fall behind), per keyframe interval. */
  naiveCounts: Map<number, number[]>;
  /** Camera counts measured at a 1 s GOP with the fan-out relay (one MediaMTX path read by every camera). */
  fanoutCounts: number[];
  /** Camera counts of the cold start (1 s GOP): two starts each, nothing learnt and then the learnt modes kept. */
  coldStartCounts: number[];
  /** How long a cold start waits for every first thumbnail, and (first start) every handover, from the spawn. */
  coldStartTimeoutSeconds: number;
  /** Camera counts at which two-stream mode is measured against the single 1080p stream. */
  twoStreamCounts: number[];
  /** The keyframe interval of both streams in the two-stream comparison, seconds. */
  twoStreamGopSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** Extra bisection steps between the largest N that passed and the smallest that failed. */
  refineSteps: number;
  naive: boolean;
  docs: boolean;
  build: boolean;
  /** Print the plan, its estimate and the generated camera configuration, then stop (starts nothing). */
  dryRun: boolean;
  cpuProfileDir: string | undefined;
  /** The feed-handler's STALL_SECONDS in every part; undefined = its default (10). */
  stallSeconds: number | undefined;
  /** The feed-handler's DECODE_MODE; undefined = its default (auto: learnt from the capture itself). */
  decodeMode: 'auto' | 'keyframes' | 'all' | undefined;
  /** Wait up to this long for the 1-minute load average to fall below maxLoad before starting. */
  waitQuietSeconds: number;
  maxLoad: number;
}

export const USAGE = `npm run bench:ingest -- [flags]
  --quick                 a few-minute sanity run: N=1,2 at 1 s GOP, N=1 at 4 s; cold start at 2 cameras;
                          two streams at 1 camera; 3 s warm-up, 10 s window
  --dry-run               print the plan, its time estimate and the two-stream CAMERAS, start nothing
  --only LIST / --skip LIST  parts to run or leave out: ${PHASES.join(',')} (default: all, in that order)
  --gops 1,4,10           keyframe intervals of the sweep, seconds (default 1,4,10)
  --cameras 1,2,4,8       camera counts to sweep (every GOP); default 1,4,8,16,24,32,40,48 at 1 s,
                          1,4,8 at other GOPs; N goes up until one is not sustained
  --max-cameras N         leave out counts above N (sweep, naive, cold start and two streams)
  --naive-cameras 1,4     where the naive pulls are measured too (default 1,4,8 at 1 s, 1,4 otherwise;
                          --cameras sets both)
  --naive-max N           naive pulls only at N <= this
  --fan-out 32,40,48      camera counts at 1 s GOP served by one MediaMTX path fanned out to every camera, so
                          the relay costs one stream's packaging instead of a pipeline per mount (default 32,40,48)
  --cold-start 1,16,40    camera counts of the cold start, 1 s GOP (default 1,16,40)
  --cold-timeout S        per start, wait at most S s for every first thumbnail and handover (default 120)
  --two-stream 2,4        camera counts of two streams vs the single 1080p stream (default 2,4)
  --two-stream-gop S      keyframe interval of both streams there (default 4)
  --warmup S              seconds after every camera has delivered two thumbnails before the window (default 5)
  --window S              steady-state window in seconds (default 30)
  --refine K              bisection steps after the first failure (default 1; 0 in --quick)
  --no-naive              skip the naive ffmpeg pulls
  --no-docs               print only; leave docs/benchmarks.md alone (so does BENCH_NO_DOCS=1)
  --no-build              measure feed-handler/dist as it is (default: tsc -b first)
  --cpu-prof DIR          the feed-handler writes V8 CPU profiles into DIR (node --cpu-prof)
  --decode-mode M         the feed-handler's DECODE_MODE in the sweep (auto|keyframes|all; default: its own, auto)
  --stall-seconds S       the feed-handler's STALL_SECONDS in every part (default: its own, 10)
  --wait-quiet S          wait up to S seconds for load average < --max-load before starting (default 600; 0 in --quick)
  --max-load L            (default 1.5)`;

const DEFAULT_COUNTS: Record<number, number[]> = { 1: [1, 4, 8, 16, 24, 32, 40, 48] };
/** Decoding every frame of 1080p30 costs ~16 % of a core per camera here: 8 is already past what 2 cores hold. */
const OTHER_GOP_COUNTS = [1, 4, 8];
/** The naive pulls need a full decode each: a few points show their per-camera cost and where they fall behind. */
const DEFAULT_NAIVE_COUNTS: Record<number, number[]> = { 1: [1, 4, 8] };
const OTHER_GOP_NAIVE_COUNTS = [1, 4];
const QUICK_COUNTS: Record<number, number[]> = { 1: [1, 2] };
const DEFAULT_GOPS = [1, 4, 10];
const QUICK_GOPS = [1, 4];

function numberList(flag: string, value: string | undefined): number[] {
  const list = (value ?? '').split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new Error(`${flag} takes a comma list of positive numbers, got "${value ?? ''}"`);
  }
  return list;
}

function positive(flag: string, value: string | undefined, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} takes a ${integer ? 'whole ' : ''}number >= 0, got "${value ?? ''}"`);
  }
  return n;
}

function phaseList(flag: string, value: string | undefined): Phase[] {
  const names = (value ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  const unknown = names.filter((x) => !(PHASES as readonly string[]).includes(x));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`${flag} takes a comma list of ${PHASES.join(', ')}, got "${value ?? ''}"`);
  }
  return names as Phase[];
}

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): IngestOptions {
  const quick = argv.includes('--quick');
  const flags = new Set(['--quick', '--no-naive', '--no-docs', '--no-build', '--dry-run']);
  const valued = new Set([
    '--only',
    '--skip',
    '--cameras',
    '--max-cameras',
    '--naive-cameras',
    '--naive-max',
    '--gops',
    '--fan-out',
    '--cold-start',
    '--cold-timeout',
    '--two-stream',
    '--two-stream-gop',
    '--warmup',
    '--window',
    '--refine',
    '--cpu-prof',
    '--decode-mode',
    '--stall-seconds',
    '--wait-quiet',
    '--max-load',
  ]);
  const given = scanFlags(argv, flags, valued, USAGE);
  const get = (flag: string, fallback: number, integer = false) =>
    given.has(flag) ? positive(flag, given.get(flag), integer) : fallback;
  const only = given.has('--only') ? phaseList('--only', given.get('--only')) : [...PHASES];
  const skip = given.has('--skip') ? phaseList('--skip', given.get('--skip')) : [];
  const phases = PHASES.filter((p) => only.includes(p) && !skip.includes(p));
  if (phases.length === 0) throw new Error('--only and --skip leave nothing to run');

  const maxCameras = given.has('--max-cameras') ? get('--max-cameras', 0, true) : Number.POSITIVE_INFINITY;
  if (maxCameras < 1) throw new Error('--max-cameras must be at least 1');
  const naiveMax = given.has('--naive-max') ? get('--naive-max', 0, true) : Number.POSITIVE_INFINITY;
  /** Sorted, without repeats, the counts above --max-cameras (and `limit`) left out. */
  const counts = (list: number[], limit = maxCameras) =>
    [...new Set(list.map(Math.round))].filter((n) => n <= Math.min(maxCameras, limit)).sort((a, b) => a - b);

  const keyframeSeconds = given.has('--gops')
    ? [...new Set(numberList('--gops', given.get('--gops')))]
    : quick
      ? QUICK_GOPS
      : DEFAULT_GOPS;
  const explicit = given.has('--cameras') ? numberList('--cameras', given.get('--cameras')) : null;
  const explicitNaive = given.has('--naive-cameras')
    ? numberList('--naive-cameras', given.get('--naive-cameras'))
    : null;
  const cameraCounts = new Map<number, number[]>();
  const naiveCounts = new Map<number, number[]>();
  for (const gop of keyframeSeconds) {
    const sweep = explicit ?? (quick ? (QUICK_COUNTS[gop] ?? [1]) : (DEFAULT_COUNTS[gop] ?? OTHER_GOP_COUNTS));
    cameraCounts.set(gop, counts(sweep));
    const naive =
      explicitNaive ??
      explicit ??
      (quick ? (QUICK_COUNTS[gop] ?? [1]) : (DEFAULT_NAIVE_COUNTS[gop] ?? OTHER_GOP_NAIVE_COUNTS));
    naiveCounts.set(gop, counts(naive, naiveMax));
  }
  if (phases.includes('sweep') && [...cameraCounts.values()].some((list) => list.length === 0)) {
    throw new Error(`--max-cameras ${maxCameras} leaves a GOP of the sweep without a camera count`);
  }
  const fanoutCounts = counts(
    given.has('--fan-out') ? numberList('--fan-out', given.get('--fan-out')) : quick ? [2] : [32, 40, 48],
  );
  if (phases.includes('fan-out') && fanoutCounts.length === 0) {
    // Its default counts are the large ones: a capped run leaves the part out unless it was asked for.
    if (given.has('--fan-out') || given.has('--only')) {
      throw new Error('--max-cameras leaves the fan-out relay without a camera count');
    }
    phases.splice(phases.indexOf('fan-out'), 1);
  }
  const coldStartCounts = counts(
    given.has('--cold-start') ? numberList('--cold-start', given.get('--cold-start')) : quick ? [2] : [1, 16, 40],
  );
  const twoStreamCounts = counts(
    given.has('--two-stream') ? numberList('--two-stream', given.get('--two-stream')) : quick ? [1] : [2, 4],
  );
  if (phases.includes('cold-start') && coldStartCounts.length === 0) {
    throw new Error('--max-cameras leaves the cold start without a camera count');
  }
  if (phases.includes('two-stream') && twoStreamCounts.length === 0) {
    throw new Error('--max-cameras leaves the two-stream comparison without a camera count');
  }
  const twoStreamGopSeconds = given.has('--two-stream-gop')
    ? (numberList('--two-stream-gop', given.get('--two-stream-gop'))[0] as number)
    : 4;

  const decodeMode = given.get('--decode-mode');
  if (decodeMode !== undefined && !['auto', 'keyframes', 'all'].includes(decodeMode)) {
    throw new Error(`--decode-mode takes auto, keyframes or all, got "${decodeMode}"`);
  }
  const windowSeconds = get('--window', quick ? 10 : 30);
  if (windowSeconds < 5) throw new Error('--window must be at least 5 s');
  const coldStartTimeoutSeconds = get('--cold-timeout', 120);
  const stallSeconds = given.has('--stall-seconds') ? get('--stall-seconds', 0, true) : undefined;
  if (stallSeconds !== undefined && stallSeconds < 1) throw new Error('--stall-seconds must be at least 1');
  if (coldStartTimeoutSeconds < 10) throw new Error('--cold-timeout must be at least 10 s');
  return {
    quick,
    phases,
    keyframeSeconds,
    cameraCounts,
    naiveCounts,
    fanoutCounts,
    coldStartCounts,
    coldStartTimeoutSeconds,
    twoStreamCounts,
    twoStreamGopSeconds,
    warmupSeconds: get('--warmup', quick ? 3 : 5),
    windowSeconds,
    refineSteps: get('--refine', quick ? 0 : 1, true),
    naive: !given.has('--no-naive'),
    docs: !given.has('--no-docs') && !given.has('--dry-run') && env.BENCH_NO_DOCS !== '1',
    build: !given.has('--no-build'),
    dryRun: given.has('--dry-run'),
    cpuProfileDir: given.get('--cpu-prof'),
    stallSeconds,
    decodeMode: decodeMode as IngestOptions['decodeMode'],
    waitQuietSeconds: get('--wait-quiet', quick ? 0 : 600),
    maxLoad: get('--max-load', 1.5),
  };
}
