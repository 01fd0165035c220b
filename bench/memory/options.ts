/** `npm run bench:memory -- [flags]`: the command line, parsed and checked (pure). */
import { scanFlags } from '../lib/flags.js';
import { VARIANTS } from './variants.js';

export interface MemoryOptions {
  /** The steady-state window per measurement, seconds. */
  seconds: number;
  /** Seconds after every ffmpeg has delivered two JPEGs, before the window. */
  warmupSeconds: number;
  /** N for the shared-pages measurement (production and cuts, N processes at once); 0 skips it. */
  processes: number;
  /** Variant ids measured one process at a time (default: all). */
  only: string[];
  /** Camera counts for the feed-handler's node RSS; empty skips it. */
  nodeCameras: number[];
  docs: boolean;
  build: boolean;
  /** The ffmpeg measured; undefined: the feed-handler's own build (feed-handler/provide-ffmpeg.sh), as its image runs it. */
  ffmpeg: string | undefined;
  /** Another ffmpeg binary (e.g. a static build), measured with automatic threads, cuts and cuts + malloc. */
  alsoFfmpeg: string | undefined;
}

export const USAGE = `npm run bench:memory -- [flags]
  --seconds S          steady-state window per measurement (default 20, at least 5)
  --warmup S           seconds after the first JPEGs before each window (default 15: anonymous memory settles ~20 s after start)
  --processes N        N ffmpegs at once for the shared-pages (Pss) and CPU comparison (default 8; 0 skips it)
  --only a,b           measure only these variants one at a time (ids: ${VARIANTS.map((v) => v.id).join(', ')})
  --node-cameras 1,16  the feed-handler's node RSS at these camera counts (default 1,16,32; --no-node skips it)
  --no-node            skip the feed-handler (node) baseline
  --no-build           measure feed-handler/dist as it is (default: tsc -b first, only when the node baseline runs)
  --ffmpeg PATH        the ffmpeg to measure (default: the feed-handler's own build, as its image runs it)
  --also-ffmpeg PATH   also measure this binary (e.g. Debian's /usr/bin/ffmpeg): automatic threads, cuts, cuts + malloc
  --no-docs            print only; leave docs/benchmarks.md alone`;

function count(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} takes a whole number >= ${min}, got "${value ?? ''}"`);
  return n;
}

export function parseOptions(argv: readonly string[]): MemoryOptions {
  const flags = new Set(['--no-node', '--no-docs', '--no-build']);
  const valued = new Set([
    '--seconds',
    '--warmup',
    '--processes',
    '--only',
    '--node-cameras',
    '--ffmpeg',
    '--also-ffmpeg',
  ]);
  const given = scanFlags(argv, flags, valued, USAGE);
  const only = given.has('--only')
    ? (given.get('--only') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : VARIANTS.map((v) => v.id);
  const unknown = only.filter((id) => !VARIANTS.some((v) => v.id === id));
  if (unknown.length) throw new Error(`unknown variant(s) ${unknown.join(', ')}\n${USAGE}`);
  const nodeCameras = given.has('--no-node')
    ? []
    : given.has('--node-cameras')
      ? (given.get('--node-cameras') ?? '').split(',').map((x) => count('--node-cameras', x.trim(), 1))
      : [1, 16, 32];
  return {
    seconds: given.has('--seconds') ? count('--seconds', given.get('--seconds'), 5) : 20,
    warmupSeconds: given.has('--warmup') ? count('--warmup', given.get('--warmup'), 0) : 15,
    processes: given.has('--processes') ? count('--processes', given.get('--processes'), 0) : 8,
    only,
    nodeCameras: [...new Set(nodeCameras)].sort((a, b) => a - b),
    docs: !given.has('--no-docs'),
    build: !given.has('--no-build'),
    ffmpeg: given.get('--ffmpeg'),
    alsoFfmpeg: given.get('--also-ffmpeg'),
  };
}
