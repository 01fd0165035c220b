/**
 * The detector's worker thread with the real model (Human's CenterNet on tfjs WASM) on
 * pictures ffmpeg composes from the package's own sample photo: a standing person on a
 * plain grey scene is found where she stands; the empty scene shows nothing; a broken
 * JPEG fails that frame only.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { COCO_LABELS } from '@fathom/index-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SYSTEM_PYTHON } from '../../scripts/lib/process.js';
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

/** The empty scene's script: a square crossing twice and a lighting step in each minute, nobody in view. */
const EMPTY_SCRIPT = {
  period: 60,
  moves: [
    { start: 5, end: 15, from: [0.1, 0.7], to: [0.9, 0.7], size: 0.15 },
    { start: 25, end: 35, from: [0.9, 0.3], to: [0.1, 0.3], size: 0.15 },
  ],
  lights: [{ start: 45, end: 50, gain: 1.35 }],
};

/**
 * `seconds` thumbnails of the RTSP server's own scene painter (rtsp/server.py ScenePainter, the
 * frames it streams), one per second of scene time: painted at 640×360 as fast as Python can,
 * encoded to H.264 and decoded again, scaled to 320 px and written as JPEGs, as the feed-handler's
 * ffmpeg would.
 */
async function paintedSceneThumbnails(script: object, seconds: number): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fathom-empty-scene-'));
  try {
    const paint = [
      'import sys, json',
      `sys.path.insert(0, ${JSON.stringify(join(REPO_ROOT, 'rtsp'))})`,
      'import server',
      'script, problems = server.parse_scene_script(sys.argv[1])',
      'assert script, problems',
      'painter = server.ScenePainter(640, 360, script, 6)',
      't0 = 1_800_000_000_000',
      'for i in range(int(sys.argv[2])):',
      '    sys.stdout.buffer.write(painter.frame(t0 + i * 1000, i))',
    ].join('\n');
    const video = join(dir, 'scene.mp4');
    await new Promise<void>((resolve, reject) => {
      const painter = spawn(SYSTEM_PYTHON, ['-c', paint, JSON.stringify(script), String(seconds)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const encoder = spawn(
        'ffmpeg',
        ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '640x360', '-r', '1', '-i', '-'].concat([
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-g',
          '1',
          '-pix_fmt',
          'yuv420p',
          '-y',
          video,
        ]),
        { stdio: ['pipe', 'ignore', 'inherit'] },
      );
      painter.stdout.pipe(encoder.stdin);
      painter.on('exit', (code) => code !== 0 && reject(new Error(`scene painter exited ${code}`)));
      encoder.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`encoder exited ${code}`))));
    });
    await execFileAsync('ffmpeg', [
      '-v',
      'error',
      '-i',
      video,
      '-vf',
      'scale=320:-2',
      '-q:v',
      '5',
      join(dir, '%05d.jpg'),
    ]);
    return readdirSync(dir)
      .filter((name) => name.endsWith('.jpg'))
      .sort()
      .map((name) => new Uint8Array(readFileSync(join(dir, name))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

  it('finds nothing in ten minutes of the empty scene, every second of it looked at', async () => {
    const thumbnails = await paintedSceneThumbnails(EMPTY_SCRIPT, 600);
    expect(thumbnails).toHaveLength(600);
    const found: { second: number; label: string; score: number }[] = [];
    let inferenceMs = 0;
    for (const [second, jpeg] of thumbnails.entries()) {
      const result = await detector.detect(jpeg);
      inferenceMs += result.inferenceMs;
      for (const o of result.objects) found.push({ second, label: o.label, score: o.score });
    }
    console.log(
      `empty scene: 600 thumbnails, ${found.length} objects at ≥ 0.4, ${(inferenceMs / 600).toFixed(0)} ms each`,
    );
    expect(found).toEqual([]);
  }, 600_000);

  it('fails a broken JPEG and stays alive', async () => {
    await expect(detector.detect(new Uint8Array([0xff, 0xd8, 0x00, 0x01]))).rejects.toThrow();
    expect(detector.alive()).toBe(true);
    const again = await detector.detect(await scene({ x: 440, height: 560 }));
    expect(again.objects.some((o) => o.label === 'person')).toBe(true);
  }, 30_000);
});
