/** The messages between the detector thread (detector-thread.ts) and its worker (detector-worker.ts). */
import type { DetectedObject } from './detections.js';

export interface DetectorWorkerSettings {
  /** Labels to keep; the model's other classes are dropped in the worker. */
  labels: readonly string[];
  minScore: number;
  /** Folder of centernet.json and its weights; undefined: the one in the @vladmandic/human package. */
  modelDir?: string | undefined;
}

export type ToWorker = { type: 'detect'; id: number; jpeg: Uint8Array };

export type FromWorker =
  | { type: 'ready'; loadMs: number; backend: string }
  | { type: 'load-failed'; error: string }
  | { type: 'result'; id: number; objects: DetectedObject[]; width: number; height: number; inferenceMs: number }
  | { type: 'failed'; id: number; error: string };
