/**
 * The recorder's keyframe list with the real ffmpeg (the feed-handler's own build, as production runs it):
 * sources made by Debian's ffmpeg, with and without B-frames (H.264 High with 2, H.265 with 3 in open GOPs:
 * a camera's profiles), a keyframe a second. Each is copied through exactly keyframeListOptions(), and the keyframe times
 * the pairing takes from the list (every entry's start after the first) are checked against ffprobe's
 * keyframes, on the same zero: the first packet's decoding time (-avoid_negative_ts make_zero). The entries'
 * ends are where the packets before a keyframe end: in an open GOP not the keyframe's time, which is why the
 * pairing times each arrival by the next entry's start (frame-pairing.ts addKeyframeListEntry).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provideFeedHandlerFfmpeg } from '../../../scripts/lib/feed-handler-ffmpeg.js';
import {
  KEYFRAME_LIST_TARGET,
  type KeyframeListEntry,
  keyframeListOptions,
  parseKeyframeListLine,
} from './keyframe-list.js';

const exec = promisify(execFile);

const FPS = 25;
const SECONDS = 6;
const PICTURE = `testsrc2=size=320x180:rate=${FPS}`;
const H264 = (bframes: number) => [
  ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-bf', String(bframes)],
  ...['-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0'],
];
// x265's medium preset: ultrafast makes closed GOPs whatever open-gop says.
const HEVC = (bframes: number, openGop: boolean) => [
  ...['-c:v', 'libx265', '-preset', 'medium', '-x265-params'],
  `keyint=${FPS}:min-keyint=${FPS}:scenecut=0:bframes=${bframes}:open-gop=${openGop ? 1 : 0}:frame-threads=1:log-level=error`,
];

const SOURCES = [
  { name: 'H.264, no B-frames', encode: H264(0), openGop: false },
  { name: 'H.264 High, 2 B-frames', encode: H264(2), openGop: false },
  { name: 'H.265, 3 B-frames, open GOP', encode: HEVC(3, true), openGop: true },
];

let dir = '';
let ffmpeg = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fathom-keyframe-list-'));
  ffmpeg = await provideFeedHandlerFfmpeg();
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The source's keyframes (pts, ms) on the list's zero: the first packet's dts. */
async function probedKeyframesMs(file: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,flags'],
    ...['-of', 'csv=p=0', file],
  ]);
  const packets = stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .map(([pts, dts, flags]) => ({ pts: Number(pts), dts: Number(dts), key: (flags ?? '').startsWith('K') }));
  const zero = packets[0]?.dts ?? 0;
  return packets.filter((p) => p.key).map((p) => Math.round((p.pts - zero) * 1000));
}

async function keyframeList(file: string): Promise<KeyframeListEntry[]> {
  const { stderr } = await exec(ffmpeg, [
    ...['-hide_banner', '-nostats', '-loglevel', 'info', '-copyts', '-i', file],
    ...keyframeListOptions(),
    KEYFRAME_LIST_TARGET,
  ]);
  return stderr
    .split('\n')
    .map(parseKeyframeListLine)
    .filter((e): e is KeyframeListEntry => e !== null);
}

describe('keyframe list on the real ffmpeg', () => {
  for (const source of SOURCES) {
    it(`${source.name}: each entry after the first starts at a keyframe, on the chunks' zero`, async () => {
      const file = join(dir, `${source.name.replace(/\W+/g, '-')}.mp4`);
      await exec('/usr/bin/ffmpeg', [
        ...['-v', 'error', '-y', '-f', 'lavfi', '-i', PICTURE, '-t', String(SECONDS)],
        ...source.encode,
        file,
      ]);
      const keyframes = await probedKeyframesMs(file);
      const entries = await keyframeList(file);
      expect(keyframes).toHaveLength(SECONDS);
      // One entry per keyframe after the first, and the last one, printed when the input ends.
      expect(entries).toHaveLength(SECONDS);
      expect(entries[0]?.startStreamMs).toBe(0);
      const listed = entries.slice(1).map((e) => e.startStreamMs);
      for (const [i, at] of listed.entries())
        expect(Math.abs(at - (keyframes[i + 1] as number))).toBeLessThanOrEqual(1);
      // In a closed GOP an entry ends where the next starts. In an open one (x265's default) the B-frames shown
      // just before a keyframe come after it: the entry printed as it arrived ends before its time.
      const contiguous = entries.slice(0, -1).every((e, i) => e.endStreamMs === entries[i + 1]?.startStreamMs);
      expect(contiguous).toBe(!source.openGop);
    }, 120_000);
  }
});
