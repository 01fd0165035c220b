/**
 * The detector alone: the feed-handler's own worker thread (createDetectorThread, imported from
 * source; under tsx the worker registers tsx itself) in this process, fed thumbnails back to back.
 * CPU is this process's (process.cpuUsage counts every thread, the worker's included); nothing else
 * runs in the process meanwhile.
 */
import { DEFAULT_DETECT_LABELS } from '@fathom/index-contract';
import { createDetectorThread } from '../../feed-handler/src/analysis/detection/detector-thread.js';
import { summarise } from '../lib/stats.js';
import type { DetectorAlone } from './figures.js';

/** Untimed frames first: the first inference pays for WASM warm-up. */
const UNTIMED = 3;
/** The feed-handler's defaults: DETECT_LABELS and DETECT_MIN_SCORE. */
const MIN_SCORE = 0.5;

const rssMiB = () => process.memoryUsage.rss() / 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureDetectorAlone(
  jpegs: readonly Uint8Array[],
  log: (message: string) => void,
): Promise<DetectorAlone> {
  // Let the garbage of making the frames go, so the RSS difference is the thread's.
  globalThis.gc?.();
  await sleep(200);
  const rssBeforeMiB = rssMiB();
  const detector = createDetectorThread({ labels: DEFAULT_DETECT_LABELS, minScore: MIN_SCORE })();
  const t0 = performance.now();
  try {
    const { loadMs } = await detector.open();
    const openMs = performance.now() - t0;
    const rssAfterLoadMiB = rssMiB();
    log(
      `model loaded in ${loadMs.toFixed(0)} ms (thread up in ${openMs.toFixed(0)} ms); ${UNTIMED} untimed frames ...`,
    );
    let firstFrameMs = Number.NaN;
    for (let i = 0; i < UNTIMED; i++) {
      const s = performance.now();
      await detector.detect(jpegs[i % jpegs.length] as Uint8Array);
      if (i === 0) firstFrameMs = performance.now() - s;
    }
    log(`${jpegs.length} timed frames, back to back ...`);
    const inference: number[] = [];
    const roundTrip: number[] = [];
    let withPerson = 0;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (const jpeg of jpegs) {
      const s = performance.now();
      const result = await detector.detect(jpeg);
      roundTrip.push(performance.now() - s);
      inference.push(result.inferenceMs);
      if (result.objects.some((o) => o.label === 'person')) withPerson++;
    }
    const wallSeconds = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const inf = summarise(inference);
    const rt = summarise(roundTrip);
    return {
      frames: jpegs.length,
      openMs,
      loadMs,
      firstFrameMs,
      framesPerSecond: jpegs.length / wallSeconds,
      inferenceP50Ms: inf.p50,
      inferenceP95Ms: inf.p95,
      roundTripP50Ms: rt.p50,
      roundTripP95Ms: rt.p95,
      cpuSecondsPerFrame: (cpu.user + cpu.system) / 1e6 / jpegs.length,
      rssBeforeMiB,
      rssAfterLoadMiB,
      rssAfterFramesMiB: rssMiB(),
      withPerson,
    };
  } finally {
    await detector.close();
  }
}
