/**
 * How the feed-handler's node runs, in the image (the Dockerfile's CMD and ENV say the same;
 * test/compose/dockerfiles.spec.ts checks it), in `npm run stack`, the integration tests and the benches. Its heap
 * is small (20 MiB at 32 cameras, mostly compiled code and module sources) but it allocates many short-lived
 * buffers and strings a second, and with V8's and glibc's defaults the memory they pass through stays:
 * - `--max-semi-space-size=1`: a young generation of 1 MiB, not one that grows to 16 MiB;
 * - `--single-threaded`: no V8 worker threads (concurrent GC and compilers), so no malloc arena of their own
 *   each; the collector runs on the main thread instead;
 * - `--optimize-for-size`: V8 keeps its heap and code tight;
 * - MALLOC_ARENA_MAX=2, MALLOC_TRIM_THRESHOLD_=128 KiB: glibc hands freed memory back instead of keeping
 *   an arena per thread with its high-water mark.
 * At 32 cameras (bench:memory, two rounds each): node's VmRSS 86.1 and 79.8 MiB, against 91.5 and 107.0 with the
 * young-generation flag alone and 100.7 and 97.9 with the defaults; node's CPU the same. Each setting alone did
 * less (one-off runs: 88–102 MiB). The ffmpeg children inherit the malloc settings: 1.1 MiB less Pss each.
 */
export const FEED_HANDLER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--single-threaded',
  '--optimize-for-size',
];
export const FEED_HANDLER_NODE_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '131072',
};
