/**
 * Each camera's previous analysis frame, so every new one is scored against it.
 * A frame more than `maxGapMs` after the previous one (a restart, an outage) is not
 * compared: "changed since the previous thumbnail" would then mean minutes, and a
 * camera's return would look like motion. Such a frame starts the series again.
 */
import type { FrameMetrics } from '@fathom/index-contract';
import { ANALYSIS_BYTES, DEFAULT_MOTION_SETTINGS, type MotionSettings, scoreMotion } from './motion-score.js';

export class MotionTracker {
  private readonly previous = new Map<string, { frame: Uint8Array; atMs: number }>();

  constructor(
    private readonly settings: MotionSettings = DEFAULT_MOTION_SETTINGS,
    private readonly maxGapMs = 3_000,
  ) {}

  /** The metrics of this frame, or undefined for a first frame (or one after a gap, or a malformed one). */
  next(camera: string, capturedAtMs: number, frame: Uint8Array): FrameMetrics | undefined {
    if (frame.length !== ANALYSIS_BYTES) return undefined;
    const before = this.previous.get(camera);
    this.previous.set(camera, { frame, atMs: capturedAtMs });
    if (!before || capturedAtMs <= before.atMs || capturedAtMs - before.atMs > this.maxGapMs) return undefined;
    return scoreMotion(before.frame, frame, this.settings);
  }

  /** The camera's series ends (no frame came): its next frame starts a new one. */
  forget(camera: string): void {
    this.previous.delete(camera);
  }
}
