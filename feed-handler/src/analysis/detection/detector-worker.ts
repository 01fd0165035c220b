/**
 * The detector's worker thread: the only importer of tfjs. It loads Human's CenterNet
 * model from the npm package's own files (nothing is fetched at run time) on tfjs's WASM
 * backend, then answers one frame at a time: JPEG → RGB (jpeg-js) → letterboxed 512 × 512 →
 * the model → the wanted objects. A worker keeps the 200–350 ms of inference off the
 * thread that stores thumbnails and writes the index.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { letterbox, MODEL_SIDE, objectsFromRows } from './detections.js';
import type { DetectorWorkerSettings, FromWorker, ToWorker } from './detector-messages.js';

const require = createRequire(import.meta.url);
const OUTPUT = 'tower_0/detections';

/** Where npm put the model: the package's `exports` allows only its entry, so go from there. */
function packagedModelDir(): string {
  return join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
}

async function loadModel(dir: string): Promise<GraphModel> {
  // Without a local path tfjs fetches its .wasm from a CDN.
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  const json = JSON.parse(readFileSync(join(dir, 'centernet.json'), 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: unknown[] }[];
  const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
  // tfjs-core has no file:// loader without tfjs-node: hand it the artifacts read above.
  return loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: groups.flatMap((g) => g.weights) as never,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
    }),
  });
}

async function detect(model: GraphModel, data: Uint8Array, settings: DetectorWorkerSettings, wanted: Set<string>) {
  const image = jpeg.decode(data, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 256 });
  const box = letterbox(image.width, image.height);
  const output = tf.tidy(() => {
    const rgb = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    const resized = tf.image.resizeBilinear(rgb, [box.height, box.width]);
    const padded = tf.pad(tf.cast(resized, 'float32'), [
      [box.top, MODEL_SIDE - box.height - box.top],
      [box.left, MODEL_SIDE - box.width - box.left],
      [0, 0],
    ]);
    return model.execute(tf.expandDims(padded, 0), OUTPUT) as tf.Tensor;
  });
  try {
    const rows = ((await output.array()) as number[][][])[0] ?? [];
    return { objects: objectsFromRows(rows, box, wanted, settings.minScore), width: image.width, height: image.height };
  } finally {
    output.dispose();
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('detector-worker runs only as a worker thread');
  const settings = workerData as DetectorWorkerSettings;
  const wanted = new Set(settings.labels);
  const post = (message: FromWorker) => port.postMessage(message);
  const started = performance.now();
  let model: GraphModel;
  try {
    model = await loadModel(settings.modelDir ?? packagedModelDir());
  } catch (error) {
    post({ type: 'load-failed', error: error instanceof Error ? error.message : String(error) });
    return;
  }
  post({ type: 'ready', loadMs: performance.now() - started, backend: tf.getBackend() });
  // One frame at a time, in the order sent: the thread never sends a second before the first answer.
  port.on('message', (message: ToWorker) => {
    const t0 = performance.now();
    detect(model, message.jpeg, settings, wanted).then(
      (r) => post({ type: 'result', id: message.id, ...r, inferenceMs: performance.now() - t0 }),
      (error: unknown) =>
        post({ type: 'failed', id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

void main();
