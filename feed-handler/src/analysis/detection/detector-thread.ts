/**
 * The detector adapter on the service's side: one worker thread (detector-worker.ts)
 * holding the model. `open()` resolves once the model is loaded; `detect()` sends one
 * JPEG and resolves with its objects. A worker that dies, or fails to load, rejects
 * what is pending with the reason; the scheduler then closes it and opens another.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DetectedObject } from './detections.js';
import type { DetectorWorkerSettings, FromWorker, ToWorker } from './detector-messages.js';

export interface DetectionResult {
  objects: DetectedObject[];
  width: number;
  height: number;
  inferenceMs: number;
}

/** What the scheduler needs from a detector: the worker thread here, a fake in unit tests. */
export interface DetectorPort {
  open(): Promise<{ loadMs: number }>;
  detect(jpeg: Uint8Array): Promise<DetectionResult>;
  /** False once the thread died or was closed. */
  alive(): boolean;
  close(): Promise<void>;
}

/**
 * The worker runs from dist in the image, and from source under tsx (tests, `npm run
 * stack`). A worker does not inherit tsx's loader hooks in Node 20, so from source a
 * two-line module registers tsx in the worker first and then imports the entry.
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./detector-worker.js', import.meta.url);
  // require.resolve gives the CommonJS build (index.cjs); the worker imports the ESM one beside it.
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const tsx = pathToFileURL(api).href;
  const entry = new URL('./detector-worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

export function createDetectorThread(settings: DetectorWorkerSettings): () => DetectorPort {
  return () => {
    let worker: Worker | null = null;
    let nextId = 1;
    const pending = new Map<number, { resolve(r: DetectionResult): void; reject(e: Error): void }>();
    const failAll = (error: Error) => {
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    };
    return {
      open() {
        const w = new Worker(workerEntry(), {
          workerData: settings,
          // The model's WASM heap lives outside these limits; they bound the JS side of the thread.
          resourceLimits: { maxOldGenerationSizeMb: 256 },
        });
        worker = w;
        return new Promise((resolve, reject) => {
          let ready = false;
          w.on('message', (message: FromWorker) => {
            if (message.type === 'ready') {
              ready = true;
              resolve({ loadMs: message.loadMs });
            } else if (message.type === 'load-failed') {
              reject(new Error(`model did not load: ${message.error}`));
            } else {
              const p = pending.get(message.id);
              if (!p) return;
              pending.delete(message.id);
              if (message.type === 'result') p.resolve(message);
              else p.reject(new Error(message.error));
            }
          });
          w.on('error', (error) => {
            if (!ready) reject(error);
            failAll(error);
          });
          w.on('exit', (code) => {
            const error = new Error(`detector thread exited (code ${code})`);
            if (!ready) reject(error);
            failAll(error);
            if (worker === w) worker = null;
          });
        });
      },
      detect(jpeg) {
        const w = worker;
        if (!w) return Promise.reject(new Error('detector thread is not running'));
        const id = nextId++;
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          const message: ToWorker = { type: 'detect', id, jpeg };
          w.postMessage(message);
        });
      },
      alive: () => worker !== null,
      async close() {
        const w = worker;
        worker = null;
        failAll(new Error('detector closed'));
        if (w) await w.terminate();
      },
    };
  };
}
