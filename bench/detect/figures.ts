/** What the two live phases and the detector alone come to: counters, rates, ratios, verdicts (pure). */
import type { Sample } from '../ingest/prometheus.js';
import { median } from '../lib/stats.js';
import type { ArrivalSummary } from './arrivals.js';

/** Rates at or above this share of the detector-off phase's count as unchanged. */
export const UNCHANGED_RATIO = 0.99;

export interface DetectorCounts {
  analysed: number;
  dropped: number;
  failed: number;
  /** fathom_feed_detection_latency_seconds: capture → point accepted by InfluxDB, as the feed-handler saw it. */
  latencySum: number;
  latencyCount: number;
  /** fathom_feed_detector_inference_seconds: the worker's time per frame. */
  inferenceSum: number;
  inferenceCount: number;
}

const HISTOGRAMS = {
  fathom_feed_detection_latency_seconds_sum: 'latencySum',
  fathom_feed_detection_latency_seconds_count: 'latencyCount',
  fathom_feed_detector_inference_seconds_sum: 'inferenceSum',
  fathom_feed_detector_inference_seconds_count: 'inferenceCount',
} as const;

/** The detector's counters from /metrics: frames summed over cameras by outcome, histogram sums and counts. */
export function detectorCounts(samples: readonly Sample[]): DetectorCounts {
  const counts: DetectorCounts = {
    analysed: 0,
    dropped: 0,
    failed: 0,
    latencySum: 0,
    latencyCount: 0,
    inferenceSum: 0,
    inferenceCount: 0,
  };
  for (const s of samples) {
    if (s.name === 'fathom_feed_detector_frames_total') {
      const outcome = s.labels.outcome;
      if (outcome === 'analysed' || outcome === 'dropped' || outcome === 'failed') counts[outcome] += s.value;
    } else if (s.name in HISTOGRAMS) {
      counts[HISTOGRAMS[s.name as keyof typeof HISTOGRAMS]] += s.value;
    }
  }
  return counts;
}

export function countsBetween(before: DetectorCounts, after: DetectorCounts): DetectorCounts {
  const out = { ...after };
  for (const key of Object.keys(out) as (keyof DetectorCounts)[]) out[key] = after[key] - before[key];
  return out;
}

export interface RateSummary {
  worst: number;
  median: number;
  /** All cameras together, per second. */
  total: number;
}

export function rateSummary(perCamera: readonly number[]): RateSummary {
  if (perCamera.length === 0) return { worst: 0, median: 0, total: 0 };
  return { worst: Math.min(...perCamera), median: median(perCamera), total: perCamera.reduce((a, b) => a + b, 0) };
}

/** Frames of the detections rows (a frame with two labels is one frame), and those with `label`. */
export function framesWith(rows: readonly { camera: string; timeMs: number; label: string }[], label: string) {
  const all = new Set<string>();
  const labelled = new Set<string>();
  for (const r of rows) {
    const key = `${r.camera}\u0000${r.timeMs}`;
    all.add(key);
    if (r.label === label) labelled.add(key);
  }
  return { frames: all.size, withLabel: labelled.size };
}

export interface DetectorAlone {
  frames: number;
  /** From new Worker() to the model loaded, as the bench saw it, and the worker's own load time. */
  openMs: number;
  loadMs: number;
  firstFrameMs: number;
  framesPerSecond: number;
  inferenceP50Ms: number;
  inferenceP95Ms: number;
  roundTripP50Ms: number;
  roundTripP95Ms: number;
  cpuSecondsPerFrame: number;
  rssBeforeMiB: number;
  rssAfterLoadMiB: number;
  rssAfterFramesMiB: number;
  /** Timed frames in which the model found a person (every one shows her). */
  withPerson: number;
}

export interface PhaseResult {
  name: string;
  detect: boolean;
  cameras: number;
  windowSeconds: number;
  thumbnails: RateSummary;
  index: RateSummary;
  /** Cores over the window: the feed-handler tree (node + ffmpeg), node alone, and the rest of the machine. */
  treeCores: number;
  nodeCores: number;
  ffmpegCores: number;
  influxdCores: number;
  sourceCores: number;
  /** This bench process (its polling of InfluxDB, the sampling). */
  benchCores: number;
  machineBusyCores: number;
  otherCores: number;
  rssNodeMiB: number;
  anonNodeMiB: number;
  restartsInWindow: number;
  detector: {
    analysedPerSecond: number;
    droppedPerSecond: number;
    failedPerSecond: number;
    /** Frames analysed in the window (counter), and distinct frames with points / with a person (capture time in it). */
    analysed: number;
    framesWithPoints: number;
    framesWithPerson: number;
    restartsInWindow: number;
    latency: ArrivalSummary;
    /** The feed-handler's own means over the window (from its histograms): capture → accepted, and inference. */
    ownLatencyMeanMs: number;
    inferenceMeanMs: number;
  } | null;
}

export interface Comparison {
  /** Node CPU with the detector on minus off, in cores. */
  detectorCores: number;
  /** That over the frames analysed a second: what a frame cost live. */
  liveCpuSecondsPerFrame: number;
  maxFps: number;
  cpuSecondsPerFrame: number;
  /** DETECT_CPU_BUDGET, in cores: what the scheduler holds the thread to. */
  budgetCores: number;
  /** maxFps × CPU per frame alone: what the frame cap alone would cost. */
  fpsCapCores: number;
  withinBudget: boolean;
  thumbnailRatio: number;
  thumbnailWorstRatio: number;
  indexRatio: number;
  thumbnailsUnchanged: boolean;
  indexUnchanged: boolean;
}

const ratio = (b: number, a: number) => (a > 0 ? b / a : Number.NaN);

export function compare(
  off: PhaseResult,
  on: PhaseResult,
  alone: DetectorAlone,
  maxFps: number,
  budgetCores: number,
): Comparison {
  const detectorCores = on.nodeCores - off.nodeCores;
  const thumbnailRatio = ratio(on.thumbnails.total, off.thumbnails.total);
  const indexRatio = ratio(on.index.total, off.index.total);
  return {
    detectorCores,
    liveCpuSecondsPerFrame: on.detector ? detectorCores / on.detector.analysedPerSecond : Number.NaN,
    maxFps,
    cpuSecondsPerFrame: alone.cpuSecondsPerFrame,
    budgetCores,
    fpsCapCores: maxFps * alone.cpuSecondsPerFrame,
    withinBudget: Number.isFinite(detectorCores) && Number.isFinite(budgetCores) && detectorCores <= budgetCores,
    thumbnailRatio,
    thumbnailWorstRatio: ratio(on.thumbnails.worst, off.thumbnails.worst),
    indexRatio,
    // NaN (nothing recorded with the detector off) is not "unchanged".
    thumbnailsUnchanged: thumbnailRatio >= UNCHANGED_RATIO,
    indexUnchanged: indexRatio >= UNCHANGED_RATIO,
  };
}
