/**
 * The ffmpeg command lines this bench measures, as pure data: the feed-handler's own
 * arguments (captureArgs from feed-handler/src/capture/ffmpeg-args.ts, with its production
 * defaults) laid out as its adapter lays them out through fluent-ffmpeg, and variations of
 * them, one change at a time or combined. Nothing here runs a process.
 */
import { type CaptureSpec, captureArgs, type FfmpegArgs } from '../../feed-handler/src/capture/ffmpeg-args.js';
import { FEED_HANDLER_NODE_ENV } from '../../scripts/lib/feed-handler-node.js';

/** Where one ffmpeg reads and writes: its own RTSP mount, chunk staging pattern and analysis socket. */
export interface Endpoints {
  url: string;
  /** e.g. /tmp/x/chunks/p1-%06d.mp4 */
  stagingPattern: string;
  /** ffmpeg output URL of the analysis socket, e.g. unix:/tmp/x/p1.sock */
  analysisTarget: string;
}

/**
 * The feed-handler's defaults (feed-handler/src/config.ts): THUMBNAIL_WIDTH 320, THUMBNAIL_QUALITY 5,
 * RTSP_TIMEOUT_SECONDS 10, CHUNKS_ENABLED with GROUP_MINUTES 10 (600 s chunks), MOTION_ENABLED
 * (64×36 gray frames, ANALYSIS_WIDTH/HEIGHT in analysis/motion-score.ts), and the keyframes-only
 * decode that DECODE_MODE=auto picks for a 1 s GOP.
 */
export function productionSpec(endpoints: Endpoints): CaptureSpec {
  return {
    url: endpoints.url,
    mode: 'keyframes',
    width: 320,
    quality: 5,
    socketTimeoutSeconds: 10,
    chunks: { stagingPattern: endpoints.stagingPattern, seconds: 600 },
    analysis: { width: 64, height: 36, target: endpoints.analysisTarget },
  };
}

export interface Change {
  /** The spec the arguments are built from (decode mode, chunks or analysis off). */
  spec?: (spec: CaptureSpec) => CaptureSpec;
  /** Input options removed, each with its value: e.g. ['-threads']. */
  dropInput?: string[];
  /** Input options given a new value, or added before -i when absent: e.g. { '-probesize': '32' }. */
  setInput?: Record<string, string>;
  /**
   * Flag/value pairs set on the JPEG output (its encoder's, or global options, which ffmpeg takes
   * anywhere): a flag the output already has gets the value, others are added before its -f.
   */
  output?: string[];
  /** Flag/value pairs set on the analysis output (its rawvideo encoder's), likewise. */
  analysisOutput?: string[];
  /** Options removed from the JPEG output and from the analysis output, each with its value. */
  dropOutput?: string[];
  /** Options removed from the chunk output, each with its value. */
  dropChunk?: string[];
  /** Rewrites the thumbnail's filter (-vf or -filter_complex text). */
  filter?: (graph: string) => string;
  /** Environment added to ffmpeg's (glibc malloc tunables). */
  env?: Record<string, string>;
}

export interface Variant {
  id: string;
  /** What differs from the production arguments, as it would read in the table. */
  label: string;
  change: Change;
}

export interface Command {
  argv: string[];
  env: Record<string, string>;
  /** Whether this command writes chunks / analysis frames (what the bench checks it got). */
  chunks: boolean;
  analysis: boolean;
}

function dropOptions(options: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < options.length; i++) {
    if (flags.includes(options[i] as string)) i++;
    else out.push(options[i] as string);
  }
  return out;
}

function setOptions(options: readonly string[], values: Record<string, string>): string[] {
  const out = [...options];
  for (const [flag, value] of Object.entries(values)) {
    const at = out.indexOf(flag);
    if (at >= 0) out[at + 1] = value;
    else out.push(flag, value);
  }
  return out;
}

function rewriteFilter(options: readonly string[], rewrite: (graph: string) => string): string[] {
  return options.map((option, i) => {
    const flag = options[i - 1];
    return flag === '-vf' || flag === '-filter_complex' ? rewrite(option) : option;
  });
}

/**
 * Flag/value pairs set on one output's options: a flag already there gets the new value (so a
 * change the production arguments already make is no change), the others go before the output's
 * -f, so that output's own options stay together.
 */
function setBeforeFormat(options: readonly string[], pairs: readonly string[]): string[] {
  const out = [...options];
  const added: string[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const at = out.indexOf(pairs[i] as string);
    if (at >= 0) out[at + 1] = pairs[i + 1] as string;
    else added.push(pairs[i] as string, pairs[i + 1] as string);
  }
  const at = out.indexOf('-f');
  return [...out.slice(0, at), ...added, ...out.slice(at)];
}

/** Whether two changes run the same command (same arguments and environment). */
export function sameCommand(a: Change, b: Change): boolean {
  const endpoints = { url: 'rtsp://h/m', stagingPattern: 's-%06d.mp4', analysisTarget: 'unix:/s' };
  const x = buildCommand(a, endpoints);
  const y = buildCommand(b, endpoints);
  return JSON.stringify([x.argv, x.env]) === JSON.stringify([y.argv, y.env]);
}

/** fluent-ffmpeg adds -y when an output is a file (a target without a `proto:` prefix, or file:). */
function isFileTarget(target: string): boolean {
  const protocol = /^([a-z]{2,}):/i.exec(target);
  return !protocol || protocol[0] === 'file:';
}

/**
 * The argument vector the feed-handler's adapter (capture/ffmpeg.ts) makes fluent-ffmpeg run:
 * input options, -i URL, -y when a file is written, then each output's options followed by its
 * target, in the adapter's order: JPEGs on stdout (pipe:1), chunks, analysis.
 */
export function fluentArgv(args: FfmpegArgs, url: string): string[] {
  const outputs: { target: string; options: string[] }[] = [{ target: 'pipe:1', options: args.outputOptions }];
  if (args.chunkOutput) outputs.push(args.chunkOutput);
  if (args.analysisOutput) outputs.push(args.analysisOutput);
  const anyFile = outputs.some((o) => o.target !== 'pipe:1' && isFileTarget(o.target));
  return [
    ...args.inputOptions,
    '-i',
    url,
    ...(anyFile ? ['-y'] : []),
    ...outputs.flatMap((o) => [...o.options, o.target]),
  ];
}

/** Several changes as one: later ones apply after earlier ones. */
export function combine(...changes: Change[]): Change {
  const specs = changes.flatMap((c) => (c.spec ? [c.spec] : []));
  const filters = changes.flatMap((c) => (c.filter ? [c.filter] : []));
  return {
    spec: (s) => specs.reduce((acc, f) => f(acc), s),
    dropInput: changes.flatMap((c) => c.dropInput ?? []),
    setInput: Object.assign({}, ...changes.map((c) => c.setInput ?? {})),
    output: changes.flatMap((c) => c.output ?? []),
    analysisOutput: changes.flatMap((c) => c.analysisOutput ?? []),
    dropOutput: changes.flatMap((c) => c.dropOutput ?? []),
    dropChunk: changes.flatMap((c) => c.dropChunk ?? []),
    filter: (g) => filters.reduce((acc, f) => f(acc), g),
    env: Object.assign({}, ...changes.map((c) => c.env ?? {})),
  };
}

export function buildCommand(change: Change, endpoints: Endpoints): Command {
  const spec = (change.spec ?? ((s) => s))(productionSpec(endpoints));
  const args = captureArgs(spec);
  let inputOptions = dropOptions(args.inputOptions, change.dropInput ?? []);
  inputOptions = setOptions(inputOptions, change.setInput ?? {});
  const dropOutput = change.dropOutput ?? [];
  const outputOptions = setBeforeFormat(
    dropOptions(change.filter ? rewriteFilter(args.outputOptions, change.filter) : args.outputOptions, dropOutput),
    change.output ?? [],
  );
  const chunkOutput = args.chunkOutput
    ? { ...args.chunkOutput, options: dropOptions(args.chunkOutput.options, change.dropChunk ?? []) }
    : undefined;
  const analysisOutput = args.analysisOutput
    ? {
        ...args.analysisOutput,
        options: setBeforeFormat(dropOptions(args.analysisOutput.options, dropOutput), change.analysisOutput ?? []),
      }
    : undefined;
  const built: FfmpegArgs = {
    inputOptions,
    outputOptions,
    ...(chunkOutput ? { chunkOutput } : {}),
    ...(analysisOutput ? { analysisOutput } : {}),
  };
  return {
    argv: fluentArgv(built, spec.url),
    env: { ...change.env },
    chunks: chunkOutput !== undefined,
    analysis: args.analysisOutput !== undefined,
  };
}

/** The thumbnail branch's scaler with other flags (the analysis branch keeps its area scaler). */
const thumbnailScaleFlags = (flags: string) => (graph: string) =>
  graph.replace(/scale=(\d+):-2(?!:)/, `scale=$1:-2:flags=${flags}`);

/**
 * One thread for each encoder (mjpeg, and the analysis output's rawvideo: both frame-threaded by
 * default) and for each filter graph: the cut this bench recommends (see the report).
 */
export const THREAD_CUTS: Change = {
  output: ['-threads', '1', '-filter_threads', '1', '-filter_complex_threads', '1'],
  analysisOutput: ['-threads', '1'],
};
/**
 * A fixed trim threshold also turns off glibc's sliding mmap threshold, so buffers of 128 KiB and
 * more (decoded frames) stay mmapped and go back to the kernel when freed.
 */
export const MALLOC_TRIM: Change = { env: { MALLOC_TRIM_THRESHOLD_: '131072' } };
/** One malloc arena for all threads (glibc gives each thread its own, up to 8 per core). */
export const ONE_ARENA: Change = { env: { MALLOC_ARENA_MAX: '1' } };
/** The feed-handler's malloc settings as `K=V K=V` (its ffmpeg children inherit them). */
export const FEED_HANDLER_MALLOC_TEXT = Object.entries(FEED_HANDLER_NODE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');
export const SMALL_PROBE: Change = { setInput: { '-probesize': '32', '-analyzeduration': '0' } };

/** ffmpeg's automatic encoder and filter-graph threads: no thread option on the outputs (the decoder keeps its own). */
export const AUTO_THREADS: Change = { dropOutput: ['-threads', '-filter_threads', '-filter_complex_threads'] };

const NO_ANALYSIS: Change = { spec: ({ analysis: _, ...s }) => s };

export const PRODUCTION: Variant = { id: 'production', label: 'production arguments', change: {} };

/**
 * Each measured alone against PRODUCTION, then the combinations. `-cpucount 16` makes ffmpeg size
 * its automatic thread counts as on a 16-core host (this bench machine has 2 cores).
 */
export const VARIANTS: readonly Variant[] = [
  PRODUCTION,
  {
    id: 'auto-threads',
    label: 'no thread option on the outputs (automatic encoder and filter threads)',
    change: AUTO_THREADS,
  },
  {
    id: 'decoder-threads-auto',
    label: 'no `-threads 1` on the input (decoder threads auto)',
    change: { dropInput: ['-threads'] },
  },
  // One thread option at a time on top of the automatic threads, whatever production pins.
  {
    id: 'mjpeg-threads-1',
    label: 'automatic threads but `-threads 1` on the JPEG output (mjpeg encoder)',
    change: combine(AUTO_THREADS, { output: ['-threads', '1'] }),
  },
  {
    id: 'rawvideo-threads-1',
    label: 'automatic threads but `-threads 1` on the analysis output (rawvideo encoder)',
    change: combine(AUTO_THREADS, { analysisOutput: ['-threads', '1'] }),
  },
  {
    id: 'encoders-threads-1',
    label: 'automatic threads but `-threads 1` on both encoders',
    change: combine(AUTO_THREADS, { output: ['-threads', '1'], analysisOutput: ['-threads', '1'] }),
  },
  {
    id: 'filter-complex-threads-1',
    label: 'automatic threads but `-filter_complex_threads 1`',
    change: combine(AUTO_THREADS, { output: ['-filter_complex_threads', '1'] }),
  },
  {
    id: 'filter-threads-1',
    label: 'automatic threads but `-filter_threads 1` (simple graphs only: none with the analysis on)',
    change: combine(AUTO_THREADS, { output: ['-filter_threads', '1'] }),
  },
  {
    id: 'scale-bilinear',
    label: 'thumbnail `scale=…:flags=fast_bilinear`',
    change: { filter: thumbnailScaleFlags('fast_bilinear') },
  },
  { id: 'probe-small', label: '`-probesize 32 -analyzeduration 0`', change: SMALL_PROBE },
  { id: 'no-nobuffer', label: 'without `-fflags nobuffer`', change: { dropInput: ['-fflags'] } },
  { id: 'buffer-size', label: '`-buffer_size 65536` (RTSP)', change: { setInput: { '-buffer_size': '65536' } } },
  { id: 'max-delay-0', label: '`-max_delay 0` (RTSP)', change: { setInput: { '-max_delay': '0' } } },
  {
    id: 'reorder-queue-0',
    label: '`-reorder_queue_size 0` (RTSP)',
    change: { setInput: { '-reorder_queue_size': '0' } },
  },
  { id: 'avioflags-direct', label: '`-avioflags direct` (input)', change: { setInput: { '-avioflags': 'direct' } } },
  {
    id: 'no-faststart',
    label: 'chunks without `movflags=+faststart`',
    change: { dropChunk: ['-segment_format_options'] },
  },
  { id: 'no-chunks', label: 'chunks off (CHUNKS_ENABLED=false)', change: { spec: ({ chunks: _, ...s }) => s } },
  { id: 'no-analysis', label: 'analysis off (MOTION_ENABLED=false)', change: NO_ANALYSIS },
  {
    id: 'no-analysis-auto-threads',
    label: 'analysis off, automatic threads',
    change: combine(NO_ANALYSIS, AUTO_THREADS),
  },
  {
    id: 'no-analysis-filter-threads-1',
    label: 'analysis off, automatic threads but `-filter_threads 1`',
    change: combine(NO_ANALYSIS, AUTO_THREADS, { output: ['-filter_threads', '1'] }),
  },
  {
    id: 'decode-all',
    label: 'every frame decoded (DECODE_MODE=all)',
    change: { spec: (s) => ({ ...s, mode: 'all' }) },
  },
  { id: 'malloc-arena-max-1', label: 'env `MALLOC_ARENA_MAX=1`', change: ONE_ARENA },
  { id: 'malloc-trim', label: 'env `MALLOC_TRIM_THRESHOLD_=131072`', change: MALLOC_TRIM },
  {
    id: 'malloc-mmap-threshold',
    label: 'env `MALLOC_MMAP_THRESHOLD_=131072`',
    change: { env: { MALLOC_MMAP_THRESHOLD_: '131072' } },
  },
  { id: 'cuts', label: '**cuts**: one thread per encoder and filter graph', change: THREAD_CUTS },
  {
    // What runs in the feed-handler: its ffmpeg children inherit node's malloc settings.
    id: 'cuts-malloc',
    label: `**cuts** + env \`${FEED_HANDLER_MALLOC_TEXT}\` (as in the feed-handler: inherited from its node)`,
    change: combine(THREAD_CUTS, { env: { ...FEED_HANDLER_NODE_ENV } }),
  },
  {
    id: 'cpucount-16',
    label: '`-cpucount 16` (ffmpeg sized as on a 16-core host)',
    change: { output: ['-cpucount', '16'] },
  },
  {
    id: 'auto-threads-cpucount-16',
    label: 'automatic encoder and filter threads + `-cpucount 16`',
    change: combine(AUTO_THREADS, { output: ['-cpucount', '16'] }),
  },
  {
    id: 'cuts-cpucount-16',
    label: '**cuts** + `-cpucount 16`',
    change: combine(THREAD_CUTS, { output: ['-cpucount', '16'] }),
  },
];

export function variantById(id: string): Variant {
  const v = VARIANTS.find((x) => x.id === id);
  if (!v) throw new Error(`unknown variant "${id}"; known: ${VARIANTS.map((x) => x.id).join(', ')}`);
  return v;
}
