import { describe, expect, it } from 'vitest';
import { type ClipSpec, clipEncodeArgs, clipFileName, clipStatsFromPackets, naivePullArgs } from './clip.js';

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
