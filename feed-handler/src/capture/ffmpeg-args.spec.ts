import { describe, expect, it } from 'vitest';
import { captureArgs, chunkOutput, inputOptions, probeArgs } from './ffmpeg-args.js';

describe('ffmpeg arguments', () => {
  const spec = { url: 'rtsp://cam/x', mode: 'keyframes' as const, width: 320, quality: 5, socketTimeoutSeconds: 10 };
  it('puts RTSP-over-TCP, the socket timeout and skip_frame before -i, keeping the stream timestamps', () => {
    expect(inputOptions(spec)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '10000000',
      '-fflags',
      'nobuffer',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-threads',
      '1',
      '-skip_frame',
      'nokey',
    ]);
  });
  it('decodes every frame in all-frames mode', () => {
    expect(inputOptions({ ...spec, mode: 'all' })).not.toContain('-skip_frame');
  });
  it('selects one frame per wall-clock second, scales, then reports times with showinfo last', () => {
    const out = captureArgs(spec).outputOptions;
    const vf = out[out.indexOf('-vf') + 1];
    expect(vf).toBe('select=isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t)),scale=320:-2,showinfo');
    expect(out).toEqual(
      expect.arrayContaining(['-copyts', '-fps_mode', 'passthrough', '-f', 'image2pipe', '-q:v', '5']),
    );
    expect(out[out.indexOf('-c:v') + 1]).toBe('mjpeg');
  });
  it('probes keyframes only, to a null output', () => {
    const args = probeArgs({ socketTimeoutSeconds: 5 });
    expect(args.inputOptions).toContain('nokey');
    expect(args.outputOptions.slice(-2)).toEqual(['-f', 'null']);
  });
});

describe('chunk recorder arguments', () => {
  it('copies the video into clock-aligned faststart MP4 segments announced on stderr', () => {
    const out = chunkOutput({ stagingPattern: '/c/.staging/cam1/r1-%06d.mp4', seconds: 600 });
    expect(out.target).toBe('/c/.staging/cam1/r1-%06d.mp4');
    const opt = (name: string) => out.options[out.options.indexOf(name) + 1];
    expect(opt('-c:v')).toBe('copy');
    expect(opt('-map')).toBe('0:v:0');
    expect(opt('-f')).toBe('segment');
    expect(opt('-segment_time')).toBe('600');
    expect(opt('-segment_atclocktime')).toBe('1');
    expect(opt('-reset_timestamps')).toBe('1');
    expect(opt('-avoid_negative_ts')).toBe('make_zero');
    expect(opt('-segment_format_options')).toBe('movflags=+faststart');
    expect(opt('-segment_list')).toBe('pipe:2');
    expect(opt('-segment_list_type')).toBe('csv');
    expect(out.options).not.toContain('-skip_frame');
  });

  it('is a second output of the thumbnail ffmpeg only when chunks are asked for', () => {
    const spec = { url: 'rtsp://x/s', mode: 'keyframes' as const, width: 320, quality: 5, socketTimeoutSeconds: 5 };
    expect(captureArgs(spec).chunkOutput).toBeUndefined();
    const both = captureArgs({ ...spec, chunks: { stagingPattern: '/s/r-%06d.mp4', seconds: 10 } });
    // The decoder-side keyframe skip stays an input option: it thins decoding, not the copy.
    expect(both.inputOptions).toContain('-skip_frame');
    expect(both.outputOptions).toContain('image2pipe');
    expect(both.chunkOutput?.options).toContain('segment');
  });
});
