/** `npm run bench:detect -- [flags]`: the command line and BENCH_NO_DOCS, parsed and checked (pure). */
import { scanFlags } from '../lib/flags.js';

export interface DetectBenchOptions {
  /** The measured window of each live phase, seconds. */
  seconds: number;
  /** Cameras (RTSP mounts) recorded in both live phases. */
  cameras: number;
  /** Seconds after the phase is flowing (and, with the detector, after its first frame) before the window. */
  warmupSeconds: number;
  /** Thumbnails the detector alone is timed on (after a few untimed ones). */
  frames: number;
  /** Keep polling for a window's detections this long after it ends (late ones still count). */
  graceSeconds: number;
  docs: boolean;
  build: boolean;
}

export const USAGE = `npm run bench:detect -- [flags]
  --seconds N    window of each live phase (detector off, then on), seconds (default 60, at least 10)
  --cameras N    cameras recorded in both phases, 1..32 (default 8)
  --warmup N     seconds of warm-up before each window (default 15)
  --frames N     thumbnails the detector alone is timed on, 10..1000 (default 60)
  --grace N      seconds to keep polling for a window's detections after it ends (default 15)
  --no-build     measure feed-handler/dist as it is (default: tsc -b first)
BENCH_NO_DOCS=1  print only; leave docs/benchmarks.md alone`;

function whole(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${flag} takes a whole number from ${min} to ${max}, got "${value ?? ''}"`);
  }
  return n;
}

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): DetectBenchOptions {
  const valued = new Set(['--seconds', '--cameras', '--warmup', '--frames', '--grace']);
  const given = scanFlags(argv, new Set(['--no-build']), valued, USAGE);
  const get = (flag: string, fallback: number, min: number, max: number) =>
    given.has(flag) ? whole(flag, given.get(flag), min, max) : fallback;
  return {
    seconds: get('--seconds', 60, 10, 3_600),
    cameras: get('--cameras', 8, 1, 32),
    warmupSeconds: get('--warmup', 15, 0, 600),
    frames: get('--frames', 60, 10, 1_000),
    graceSeconds: get('--grace', 15, 2, 120),
    docs: env.BENCH_NO_DOCS !== '1',
    build: !given.has('--no-build'),
  };
}
