/** Made-up results for the report and figures specs. */
import type { ArrivalSummary } from './arrivals.js';
import type { DetectorAlone, PhaseResult } from './figures.js';

export const noLatency: ArrivalSummary = {
  frames: 0,
  p50Ms: Number.NaN,
  p95Ms: Number.NaN,
  maxMs: Number.NaN,
  polls: 0,
  pollEveryMs: Number.NaN,
  resolutionMs: Number.NaN,
  resolutionMaxMs: Number.NaN,
};

export function phase(overrides: Partial<PhaseResult> = {}): PhaseResult {
  return {
    name: 'A: detector off',
    detect: false,
    cameras: 8,
    windowSeconds: 60,
    thumbnails: { worst: 1, median: 1, total: 8 },
    index: { worst: 1, median: 1, total: 8 },
    treeCores: 0.4,
    nodeCores: 0.1,
    ffmpegCores: 0.3,
    influxdCores: 0.02,
    sourceCores: 0.2,
    benchCores: 0.01,
    machineBusyCores: 0.7,
    otherCores: 0.05,
    rssNodeMiB: 120,
    anonNodeMiB: 70,
    restartsInWindow: 0,
    detector: null,
    ...overrides,
  };
}

export function alone(overrides: Partial<DetectorAlone> = {}): DetectorAlone {
  return {
    frames: 60,
    openMs: 2500,
    loadMs: 2000,
    firstFrameMs: 900,
    framesPerSecond: 3.5,
    inferenceP50Ms: 270,
    inferenceP95Ms: 300,
    roundTripP50Ms: 280,
    roundTripP95Ms: 310,
    cpuSecondsPerFrame: 0.3,
    rssBeforeMiB: 100,
    rssAfterLoadMiB: 280,
    rssAfterFramesMiB: 300,
    withPerson: 60,
    ...overrides,
  };
}

export const detectorOn = {
  analysedPerSecond: 2,
  droppedPerSecond: 6,
  failedPerSecond: 0,
  analysed: 120,
  framesWithPoints: 119,
  framesWithPerson: 119,
  restartsInWindow: 0,
  latency: { ...noLatency, frames: 119, p50Ms: 4200, p95Ms: 5100, maxMs: 5600 },
  ownLatencyMeanMs: 3900,
  inferenceMeanMs: 250,
};
