/** `npm run bench:ingest -- [flags]`: the command line, parsed and checked (pure). */

export interface IngestOptions {
  quick: boolean;
  /** Keyframe intervals to measure, seconds. */
  keyframeSeconds: number[];
  /** Camera counts to sweep, per keyframe interval. */
  cameraCounts: Map<number, number[]>;
  /** Camera counts at which the naive pulls are measured too (until they fall behind), per keyframe interval. */
  naiveCounts: Map<number, number[]>;
  warmupSeconds: number;
  windowSeconds: number;
  /** Extra bisection steps between the largest N that passed and the smallest that failed. */
  refineSteps: number;
  naive: boolean;
  docs: boolean;
  build: boolean;
  cpuProfileDir: string | undefined;
  /** The feed-handler's DECODE_MODE; undefined = its default (auto: probe each stream). */
  decodeMode: 'auto' | 'keyframes' | 'all' | undefined;
  /** Wait up to this long for the 1-minute load average to fall below maxLoad before starting. */
  waitQuietSeconds: number;
  maxLoad: number;
}

export const USAGE = `npm run bench:ingest -- [flags]
  --quick                 2-minute sanity run: N=1,2 at 1 s GOP, N=1 at 4 s, 3 s warm-up, 10 s window
  --cameras 1,2,4,8       camera counts to sweep (every GOP); default 1,4,8,16,24,32,40,48 at 1 s, 1,4,8,12,16 at 4 s
  --naive-cameras 1,4     where the naive pulls are measured too (default 1,4,8 at 1 s, 1,4 at 4 s; --cameras sets both)
  --gops 1,4              keyframe intervals in seconds (default 1,4)
  --warmup S              seconds after every camera has delivered two thumbnails before the window (default 5)
  --window S              steady-state window in seconds (default 30)
  --refine K              bisection steps after the first failure (default 1; 0 in --quick)
  --no-naive              skip the naive ffmpeg pulls
  --no-docs               print only; leave docs/benchmarks.md alone
  --no-build              measure feed-handler/dist as it is (default: tsc -b first)
  --cpu-prof DIR          the feed-handler writes V8 CPU profiles into DIR (node --cpu-prof)
  --decode-mode M         the feed-handler's DECODE_MODE (auto|keyframes|all; default: its own default, auto)
  --wait-quiet S          wait up to S seconds for load average < --max-load before starting (default 600; 0 in --quick)
  --max-load L            (default 1.5)`;

const DEFAULT_COUNTS: Record<number, number[]> = {
  1: [1, 4, 8, 16, 24, 32, 40, 48],
  4: [1, 4, 8, 12, 16],
};
/** The naive pulls need a full decode each: a few points show their per-camera cost and where they fall behind. */
const DEFAULT_NAIVE_COUNTS: Record<number, number[]> = { 1: [1, 4, 8], 4: [1, 4] };
const QUICK_COUNTS: Record<number, number[]> = { 1: [1, 2], 4: [1] };
const fallbackCounts = [1, 2, 4, 8, 16];

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

export function parseOptions(argv: readonly string[]): IngestOptions {
  const quick = argv.includes('--quick');
  const given = new Map<string, string | undefined>();
  const flags = new Set(['--quick', '--no-naive', '--no-docs', '--no-build']);
  const valued = new Set([
    '--cameras',
    '--naive-cameras',
    '--gops',
    '--warmup',
    '--window',
    '--refine',
    '--cpu-prof',
    '--decode-mode',
    '--wait-quiet',
    '--max-load',
  ]);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split('=', 2) as [string, string | undefined];
    if (flags.has(flag)) given.set(flag, undefined);
    else if (valued.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      given.set(flag, value);
    } else throw new Error(`unknown flag ${flag}\n${USAGE}`);
  }
  const keyframeSeconds = given.has('--gops') ? numberList('--gops', given.get('--gops')) : [1, 4];
  const explicit = given.has('--cameras') ? numberList('--cameras', given.get('--cameras')).map(Math.round) : null;
  const explicitNaive = given.has('--naive-cameras')
    ? numberList('--naive-cameras', given.get('--naive-cameras')).map(Math.round)
    : null;
  const sorted = (list: number[]) => [...new Set(list)].sort((a, b) => a - b);
  const cameraCounts = new Map<number, number[]>();
  const naiveCounts = new Map<number, number[]>();
  for (const gop of keyframeSeconds) {
    const counts = explicit ?? (quick ? QUICK_COUNTS : DEFAULT_COUNTS)[gop] ?? (quick ? [1] : fallbackCounts);
    cameraCounts.set(gop, sorted(counts));
    const naive = explicitNaive ?? explicit ?? (quick ? QUICK_COUNTS : DEFAULT_NAIVE_COUNTS)[gop] ?? [1];
    naiveCounts.set(gop, sorted(naive));
  }
  const decodeMode = given.get('--decode-mode');
  if (decodeMode !== undefined && !['auto', 'keyframes', 'all'].includes(decodeMode)) {
    throw new Error(`--decode-mode takes auto, keyframes or all, got "${decodeMode}"`);
  }
  const get = (flag: string, fallback: number, integer = false) =>
    given.has(flag) ? positive(flag, given.get(flag), integer) : fallback;
  const windowSeconds = get('--window', quick ? 10 : 30);
  if (windowSeconds < 5) throw new Error('--window must be at least 5 s');
  return {
    quick,
    keyframeSeconds,
    cameraCounts,
    naiveCounts,
    warmupSeconds: get('--warmup', quick ? 3 : 5),
    windowSeconds,
    refineSteps: get('--refine', quick ? 0 : 1, true),
    naive: !given.has('--no-naive'),
    docs: !given.has('--no-docs'),
    build: !given.has('--no-build'),
    cpuProfileDir: given.get('--cpu-prof'),
    decodeMode: decodeMode as IngestOptions['decodeMode'],
    waitQuietSeconds: get('--wait-quiet', quick ? 0 : 600),
    maxLoad: get('--max-load', 1.5),
  };
}
