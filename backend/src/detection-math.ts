/**
 * Detections into answers (pure: no I/O, no clock): appearances of objects for GET /detections,
 * and the labels seen on a frame or during a motion event for /thumbnailGroup and /events.
 */
import { NS_PER_SECOND } from './time-input.js';

/**
 * The detector writes a frame's detections after its thumbnail point: up to about 10 s after
 * capture (contract: MEASUREMENT.detections), later when it is busy. Answers that carry labels
 * count their window as reaching this much further when deciding whether it is settled
 * (settled-answers.ts), so a window is cached only once its detections are in: 3x the usual lag.
 */
export const DETECTION_LAG_NS = 30n * NS_PER_SECOND;

/** One detections point: the best object of one label on one frame. */
export interface Detection {
  camera: string;
  location: string;
  label: string;
  timeNs: bigint;
  score: number;
  box: [number, number, number, number];
  count: number;
  filepath: string;
}

/** A run of detections of one label on one camera, each less than the gap after the one before. */
export interface Appearance {
  camera: string;
  /** The location of its last detection (a camera may be moved; its newest place counts). */
  location: string;
  label: string;
  firstNs: bigint;
  lastNs: bigint;
  /** Frames with a detection of the label in the run. */
  frames: number;
  /** The detection with the highest score; the earliest of equal ones. */
  best: Detection;
}

const byTime = (a: { timeNs: bigint }, b: { timeNs: bigint }) =>
  a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0;

/**
 * Detections (any order) into appearances: per camera and label, in time order, a detection less
 * than `gapNs` after the previous one continues its appearance; one `gapNs` or more later starts a
 * new one. Returned oldest first per camera and label (newestFirst orders them for the answer).
 */
export function mergeAppearances(detections: readonly Detection[], gapNs: bigint): Appearance[] {
  const runs = new Map<string, Detection[]>();
  for (const detection of detections) {
    const key = `${detection.camera}\u0000${detection.label}`;
    const list = runs.get(key);
    if (list) list.push(detection);
    else runs.set(key, [detection]);
  }
  const appearances: Appearance[] = [];
  for (const list of runs.values()) {
    list.sort(byTime);
    let current: Appearance | null = null;
    for (const detection of list) {
      if (current && detection.timeNs - current.lastNs < gapNs) {
        current.lastNs = detection.timeNs;
        current.location = detection.location;
        current.frames++;
        // Time order: a later detection replaces the best only with a strictly higher score.
        if (detection.score > current.best.score) current.best = detection;
        continue;
      }
      current = {
        camera: detection.camera,
        location: detection.location,
        label: detection.label,
        firstNs: detection.timeNs,
        lastNs: detection.timeNs,
        frames: 1,
        best: detection,
      };
      appearances.push(current);
    }
  }
  return appearances;
}

/** The newest `limit` appearances (by last seen; then by camera, label), and whether there were more. */
export function newestFirst(
  appearances: readonly Appearance[],
  limit: number,
): { appearances: Appearance[]; truncated: boolean } {
  const sorted = [...appearances].sort((a, b) => {
    if (a.lastNs !== b.lastNs) return a.lastNs > b.lastNs ? -1 : 1;
    if (a.camera !== b.camera) return a.camera < b.camera ? -1 : 1;
    return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
  });
  return { appearances: sorted.slice(0, limit), truncated: sorted.length > limit };
}

/** A label seen on a frame with a score (a detections point's score field). */
export interface LabelHit {
  camera: string;
  timeNs: bigint;
  label: string;
  score: number;
}

/** The labels of some hits, each once, by its best score, highest first (equal scores by name). */
export function labelsByScore(hits: Iterable<{ label: string; score: number }>): string[] {
  const best = new Map<string, number>();
  for (const hit of hits) {
    const seen = best.get(hit.label);
    if (seen === undefined || hit.score > seen) best.set(hit.label, hit.score);
  }
  return [...best]
    .sort(([la, sa], [lb, sb]) => (sa !== sb ? sb - sa : la < lb ? -1 : la > lb ? 1 : 0))
    .map(([label]) => label);
}

/** Hits grouped by frame (camera and time), for attaching to the frames of a window. */
export function labelsByFrame(hits: readonly LabelHit[]): Map<string, string[]> {
  const byFrame = new Map<string, LabelHit[]>();
  for (const hit of hits) {
    const key = frameKey(hit.camera, hit.timeNs);
    const list = byFrame.get(key);
    if (list) list.push(hit);
    else byFrame.set(key, [hit]);
  }
  return new Map([...byFrame].map(([key, list]) => [key, labelsByScore(list)]));
}

type TimedHit = Omit<LabelHit, 'camera'>;

export const frameKey = (camera: string, timeNs: bigint) => `${camera}|${timeNs}`;

/**
 * The labels seen in each window [startNs, endNs] (both ends included), by best score; windows
 * in any order, hits of one camera in any order. Sorts the hits once and binary-searches each
 * window, so a week of events and detections stays cheap.
 */
export function labelsInWindows(
  windows: readonly { startNs: bigint; endNs: bigint }[],
  hits: readonly TimedHit[],
): string[][] {
  const sorted = [...hits].sort(byTime);
  return windows.map(({ startNs, endNs }) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as TimedHit).timeNs < startNs) lo = mid + 1;
      else hi = mid;
    }
    const inside: { label: string; score: number }[] = [];
    for (let i = lo; i < sorted.length && (sorted[i] as TimedHit).timeNs <= endNs; i++)
      inside.push(sorted[i] as TimedHit);
    return labelsByScore(inside);
  });
}
