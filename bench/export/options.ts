/** `npm run bench:export -- [flags]`: the command line, parsed and checked (pure). */
import { scanFlags } from '../lib/flags.js';

/** One camera-day at one still a second: the export. */
export const DAY_STILLS = 86_400;

export interface ExportBenchOptions {
  /** Stills in the exported range (one a second from the day's start). */
  stills: number;
  /** Cameras the feed-handler records during the whole run. */
  cameras: number;
  /** The window without an export, seconds. */
  baselineSeconds: number;
  /** Seconds after every camera has delivered before the baseline starts. */
  warmupSeconds: number;
  /** Distinct JPEGs behind the stills (each hard-linked under several capture times). */
  distinct: number;
  /** The export request's fps and width. */
  fps: number;
  width: number;
  burnIn: boolean;
  /** Give up on the export after this many seconds. */
  timeoutSeconds: number;
  docs: boolean;
  build: boolean;
}

export const USAGE = `npm run bench:export -- [flags]
  --smoke          quick check: --stills 3600 --cameras 2 --baseline 20 --warmup 5 (no docs)
  --stills N       stills in the export, one a second from 2026-10-01T00:00Z (default 86400, at most 86400)
  --cameras N      cameras recording throughout, 0..16 (default 4)
  --baseline S     seconds of recording without an export, measured first (default 60, at least 10)
  --warmup S       seconds after every camera has delivered before the baseline (default 10)
  --distinct N     distinct JPEGs generated; still i is a hard link to JPEG i mod N (default 3600)
  --fps N          the export's fps (default 30)
  --width N        the export's width in pixels, even (default 320)
  --no-burn-in     export without the capture time drawn in
  --timeout S      give up on the export after S seconds (default 1800)
  --docs/--no-docs write docs/benchmarks.md (default: only for a full day, --stills 86400)
  --no-build       measure backend/dist and feed-handler/dist as they are (default: tsc -b first)`;

function whole(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${flag} takes a whole number from ${min} to ${max}, got "${value ?? ''}"`);
  }
  return n;
}

export function parseOptions(argv: readonly string[]): ExportBenchOptions {
  const switches = new Set(['--smoke', '--no-burn-in', '--docs', '--no-docs', '--no-build']);
  const valued = new Set([
    '--stills',
    '--cameras',
    '--baseline',
    '--warmup',
    '--distinct',
    '--fps',
    '--width',
    '--timeout',
  ]);
  const given = scanFlags(argv, switches, valued, USAGE);
  if (given.has('--docs') && given.has('--no-docs')) throw new Error('--docs and --no-docs contradict each other');
  const smoke = given.has('--smoke');
  const get = (flag: string, fallback: number, min: number, max: number) =>
    given.has(flag) ? whole(flag, given.get(flag), min, max) : fallback;
  const stills = get('--stills', smoke ? 3_600 : DAY_STILLS, 1, DAY_STILLS);
  const width = get('--width', 320, 64, 1920);
  if (width % 2 !== 0) throw new Error(`--width must be even (H.264 4:2:0), got ${width}`);
  return {
    stills,
    cameras: get('--cameras', smoke ? 2 : 4, 0, 16),
    baselineSeconds: get('--baseline', smoke ? 20 : 60, 10, 3_600),
    warmupSeconds: get('--warmup', smoke ? 5 : 10, 0, 600),
    distinct: get('--distinct', 3_600, 1, DAY_STILLS),
    fps: get('--fps', 30, 1, 60),
    width,
    burnIn: !given.has('--no-burn-in'),
    timeoutSeconds: get('--timeout', 1_800, 10, 24 * 3_600),
    // The docs hold the figures: a full day, unless asked otherwise.
    docs: given.has('--docs') || (!given.has('--no-docs') && !smoke && stills === DAY_STILLS),
    build: !given.has('--no-build'),
  };
}
