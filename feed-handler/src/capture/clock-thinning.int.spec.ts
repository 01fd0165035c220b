/**
 * The stream clock's thinning with the real ffmpeg: a camera decoded in full (30 fps, a keyframe every
 * 4 s, joined at its start) goes through videoFilter() and through the same chain without the thinning
 * select. The JPEGs must be the very same frames (the one-a-second select after the clock keeps the
 * first frame of each second, which the thinning never holds back), while the clock's showinfo reports
 * every frame of the first 2 s, then about 5 a second instead of 30, every keyframe among them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provideFeedHandlerFfmpeg } from '../../../scripts/lib/feed-handler-ffmpeg.js';
import { CLOCK_ALL_FRAMES_S, CLOCK_SHOWINFO_NAME, ONE_PER_SECOND_SELECT, videoFilter } from './ffmpeg-args.js';

const exec = promisify(execFile);

const FPS = 30;
const SECONDS = 9;
const GOP = 4 * FPS;

interface Report {
  clockPts: number[];
  clockKeyframes: number;
  jpegPts: number[];
}

/** The pts of every clock line and every final (unnamed) showinfo line, from ffmpeg's stderr. */
function readReport(stderr: string): Report {
  const report: Report = { clockPts: [], clockKeyframes: 0, jpegPts: [] };
  for (const line of stderr.split('\n')) {
    const pts = /\bn:\s*\d+\s+pts:\s*(\d+)/.exec(line)?.[1];
    if (pts === undefined) continue;
    if (line.includes(`[${CLOCK_SHOWINFO_NAME} @`)) {
      report.clockPts.push(Number(pts));
      if (/iskey:1/.test(line)) report.clockKeyframes++;
    } else if (line.includes('[Parsed_showinfo_')) report.jpegPts.push(Number(pts));
  }
  return report;
}

describe('the stream clock sees about 5 frames a second (real ffmpeg)', () => {
  let dir: string;
  let source: string;
  const run = async (filter: string) => {
    // The feed-handler's own ffmpeg runs its filters; Debian's makes the source clip (an H.264 encoder).
    const { stderr } = await exec(
      await provideFeedHandlerFfmpeg(),
      ['-hide_banner', '-nostats', '-loglevel', 'info', '-threads', '1', '-i', source, '-copyts']
        .concat(['-fps_mode', 'passthrough', '-an', '-vf', filter, '-c:v', 'mjpeg', '-threads', '1'])
        .concat(['-f', 'null', '-']),
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return readReport(stderr);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fathom-clock-thinning-'));
    source = join(dir, 'camera.mp4');
    await exec('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=320x180:rate=${FPS}:duration=${SECONDS}`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-bf',
      '0',
      '-g',
      String(GOP),
      '-keyint_min',
      String(GOP),
      '-sc_threshold',
      '0',
      source,
    ]);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the same JPEG frames and lets through every keyframe', async () => {
    const thinned = await run(videoFilter({ width: 160 }));
    const full = await run(`${CLOCK_SHOWINFO_NAME}=checksum=0,${ONE_PER_SECOND_SELECT},scale=160:-2,showinfo`);

    // One JPEG a second, the same frames either way.
    expect(full.jpegPts).toHaveLength(SECONDS);
    expect(thinned.jpegPts).toEqual(full.jpegPts);

    // Unthinned, the clock sees every frame; thinned, every frame of the first 2 s, then about one every 0.2 s.
    expect(full.clockPts).toHaveLength(SECONDS * FPS);
    const allFrames = CLOCK_ALL_FRAMES_S * FPS;
    expect(thinned.clockPts.slice(0, allFrames)).toEqual(full.clockPts.slice(0, allFrames));
    const later = thinned.clockPts.length - allFrames;
    expect(later).toBeGreaterThanOrEqual((SECONDS - CLOCK_ALL_FRAMES_S) * 5);
    expect(later).toBeLessThanOrEqual((SECONDS - CLOCK_ALL_FRAMES_S) * 6);
    expect(thinned.clockKeyframes).toBe(full.clockKeyframes);
    expect(full.clockKeyframes).toBe(Math.ceil((SECONDS * FPS) / GOP));
    // Every JPEG's frame was among the clock's arrivals: it was let through, not just kept by the select.
    for (const pts of thinned.jpegPts) expect(thinned.clockPts).toContain(pts);
  }, 60_000);
});
