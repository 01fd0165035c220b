/**
 * The detector-alone frames: real 320 × 180 thumbnails (JPEG, the feed-handler's default q 5) of a
 * noisy grey scene with the sample's standing woman composited at a different place in each, made
 * by ffmpeg as feed-handler/test/detector.int.spec.ts makes its scenes.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/process.js';

/** 1280 × 1158; its top-left 156 × 156 is the standing woman (scene.ts uses the same crop). */
export const SAMPLE_PATH = join(REPO_ROOT, 'node_modules/@vladmandic/human/assets/samples.jpg');

/** `count` JPEGs in `dir` (001.jpg …), read back in order. */
export function makeThumbnails(ffmpegPath: string, dir: string, count: number): Uint8Array[] {
  // 560 px of 720 high (as the integration test), x walking 40..700 in steps of 11 px.
  const graph = [
    '[0]noise=alls=8:allf=t[bg]',
    '[1]crop=156:156:0:0,scale=-2:560[p]',
    "[bg][p]overlay=x='40+mod(n*11,660)':y=(H-h)/2,scale=320:180",
  ].join(';');
  execFileSync(ffmpegPath, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x707070:s=1280x720:r=10',
    '-i',
    SAMPLE_PATH,
    '-filter_complex',
    graph,
    '-frames:v',
    String(count),
    '-q:v',
    '5',
    join(dir, '%03d.jpg'),
  ]);
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.jpg'))
    .sort();
  if (names.length !== count) throw new Error(`ffmpeg made ${names.length} thumbnails, not ${count}`);
  return names.map((n) => new Uint8Array(readFileSync(join(dir, n))));
}
