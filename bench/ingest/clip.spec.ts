import { describe, expect, it } from 'vitest';
import {
  type ClipSpec,
  clipEncodeArgs,
  clipFileName,
  clipSeconds,
  clipStatsFromPackets,
  describeClip,
  mainClipSpec,
  naivePullArgs,
  subClipSpec,
} from './clip.js';

const spec: ClipSpec = { width: 1920, height: 1080, fps: 30, bitrateKbps: 6000, keyframeSeconds: 4, seconds: 16 };

describe('clip', () => {
  it('names the cache file by every parameter', () => {
    expect(clipFileName(spec)).toBe('clip-v1-1920x1080-30fps-6000k-gop4s-16s.mp4');
  });

  it('encodes fixed GOPs without B-frames at a capped bitrate', () => {
    const args = clipEncodeArgs(spec, 'out.mp4').join(' ');
    expect(args).toContain('-g 120 -keyint_min 120 -sc_threshold 0');
    expect(args).toContain('-bf 0');
    expect(args).toContain('-b:v 6000k -maxrate 6000k -bufsize 12000k');
    expect(args).toContain('noise=alls=20:allf=t+u');
    expect(args.endsWith('out.mp4')).toBe(true);
  });

  it('refuses a clip that is not whole GOPs (the server loops it)', () => {
    expect(() => clipEncodeArgs({ ...spec, seconds: 10 }, 'x.mp4')).toThrow(/whole number/);
  });

  it('reads bitrate and keyframes from ffprobe packets', () => {
    expect(clipStatsFromPackets('1000,K__\n500,___\n500,___\n\n', 2)).toEqual({
      bitrateKbps: 8,
      frames: 3,
      keyframes: 1,
    });
  });

  it('runs the naive pull as the issue states it', () => {
    expect(naivePullArgs('rtsp://h/cam', '/d/out%d.jpg').slice(4)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-i',
      'rtsp://h/cam',
      '-vf',
      'fps=1',
      '/d/out%d.jpg',
    ]);
  });
});

describe('the cameras of the bench', () => {
  it('loops whole GOPs of at least 16 s, so the 1 and 4 s clips keep their cached names', () => {
    expect(clipSeconds(1)).toBe(16);
    expect(clipSeconds(4)).toBe(16);
    expect(clipSeconds(10)).toBe(20);
    expect(clipFileName(mainClipSpec(4))).toBe('clip-v1-1920x1080-30fps-6000k-gop4s-16s.mp4');
    expect(clipFileName(mainClipSpec(10))).toBe('clip-v1-1920x1080-30fps-6000k-gop10s-20s.mp4');
    expect(() => clipEncodeArgs(mainClipSpec(10), 'x.mp4')).not.toThrow();
  });

  it('makes the sub-stream a 640x360 30 fps ~1 Mbit/s clip with the main stream GOP', () => {
    expect(subClipSpec(4)).toEqual({
      width: 640,
      height: 360,
      fps: 30,
      bitrateKbps: 1000,
      keyframeSeconds: 4,
      seconds: 16,
    });
    expect(clipFileName(subClipSpec(4))).toBe('clip-v1-640x360-30fps-1000k-gop4s-16s.mp4');
    expect(clipEncodeArgs(subClipSpec(4), 'sub.mp4').join(' ')).toContain('-g 120 -keyint_min 120');
  });

  it('describes a clip for the report, home folder as ~', () => {
    const line = describeClip(
      subClipSpec(4),
      { path: '/root/.cache/fathom/bench/sub.mp4', bitrateKbps: 1012, frames: 480, keyframes: 4 },
      '/root',
    );
    expect(line).toBe(
      '640x360 30 fps H.264 (libx264 veryfast, high profile, no B-frames, testsrc2 + temporal noise), 16 s looped, 480 frames / 4 keyframes, 1.01 Mbit/s measured (`~/.cache/fathom/bench/sub.mp4`)',
    );
  });
});
