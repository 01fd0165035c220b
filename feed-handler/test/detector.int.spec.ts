/**
 * The detector's worker thread with the real model (Human's CenterNet on tfjs WASM) on
 * pictures ffmpeg composes from the package's own sample photo: a standing person on a
 * plain grey scene is found where she stands; the empty scene shows nothing; a broken
 * JPEG fails that frame only.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { COCO_LABELS } from '@fathom/index-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorThread, type DetectorPort } from '../src/analysis/detection/detector-thread.js';

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);
const SAMPLE = join(dirname(require.resolve('@vladmandic/human')), '..', 'assets', 'samples.jpg');

/** A 320 × 180 JPEG (the default thumbnail) of a grey scene, with the sample's standing figure when `person`. */
async function scene(person: { x: number; height: number } | null): Promise<Uint8Array> {
  const graph = person
    ? `[1]crop=156:156:0:0,scale=-2:${person.height}[p];[0][p]overlay=x=${person.x}:y=(H-h)/2,scale=320:180`
    : '[0]scale=320:180';
  const { stdout } = await execFileAsync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=0x707070:s=1280x720:r=1',
      '-i',
      SAMPLE,
      '-filter_complex',
      graph,
    ].concat(['-frames:v', '1', '-f', 'mjpeg', '-']),
    { encoding: 'buffer', maxBuffer: 1 << 22 },
  );
  return new Uint8Array(stdout);
}

describe('detector thread (real model)', () => {
  let detector: DetectorPort;
  let loadMs: number;

  beforeAll(async () => {
    detector = createDetectorThread({ labels: COCO_LABELS, minScore: 0.4 })();
    ({ loadMs } = await detector.open());
  }, 60_000);

  afterAll(async () => {
    await detector?.close();
  });

  it('loads the model from the npm package', () => {
    expect(loadMs).toBeGreaterThan(0);
    expect(detector.alive()).toBe(true);
  });

  it('finds the person where she stands', async () => {
    const result = await detector.detect(await scene({ x: 440, height: 560 }));
    expect(result).toMatchObject({ width: 320, height: 180 });
    const people = result.objects.filter((o) => o.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(1);
    const best = people.sort((a, b) => b.score - a.score)[0];
    expect(best?.score).toBeGreaterThan(0.6);
    // The figure is 560 px tall in 720 (the sample's cell is square: she fills its middle third),
    // placed at x 440..996 of 1280.
    const [x1, y1, x2, y2] = best?.box ?? [0, 0, 0, 0];
    expect((x1 + x2) / 2).toBeGreaterThan(440 / 1280);
    expect((x1 + x2) / 2).toBeLessThan(1000 / 1280);
    expect(y2 - y1).toBeGreaterThan(0.5);
  }, 30_000);

  it('sees nothing in the empty scene', async () => {
    const result = await detector.detect(await scene(null));
    expect(result.objects).toEqual([]);
  }, 30_000);

  it('fails a broken JPEG and stays alive', async () => {
    await expect(detector.detect(new Uint8Array([0xff, 0xd8, 0x00, 0x01]))).rejects.toThrow();
    expect(detector.alive()).toBe(true);
    const again = await detector.detect(await scene({ x: 440, height: 560 }));
    expect(again.objects.some((o) => o.label === 'person')).toBe(true);
  }, 30_000);
});
