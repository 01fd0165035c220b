import { describe, expect, it } from 'vitest';
import {
  CLOCK_THINNING_SELECT,
  captureArgs,
  chunkOutput,
  inputOptions,
  ONE_PER_SECOND_SELECT,
  rtspInputOptions,
} from './ffmpeg-args.js';

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
  it('reads over TCP unless the camera says udp, which adds the socket buffer and the reordering wait', () => {
    expect(inputOptions({ ...spec, transport: 'tcp' })).toEqual(inputOptions(spec));
    const udp = inputOptions({ ...spec, transport: 'udp' });
    expect(udp.slice(0, 10)).toEqual([
      '-rtsp_transport',
      'udp',
      // The same socket timeout: over UDP it also ends a read that gets no packets.
      '-timeout',
      '10000000',
      '-buffer_size',
      '2097152',
      '-max_delay',
      '500000',
      '-reorder_queue_size',
      '1000',
    ]);
    // Everything after the transport is the same, skip_frame included.
    expect(udp.slice(10)).toEqual(inputOptions(spec).slice(4));
    expect(rtspInputOptions({ socketTimeoutSeconds: 2.5 })).toEqual(['-rtsp_transport', 'tcp', '-timeout', '2500000']);
  });
  it('carries the transport from the capture spec to the input options', () => {
    expect(captureArgs({ ...spec, transport: 'udp' }).inputOptions.slice(0, 2)).toEqual(['-rtsp_transport', 'udp']);
    expect(captureArgs(spec).inputOptions.slice(0, 2)).toEqual(['-rtsp_transport', 'tcp']);
  });
  it('lets no frame through before the first keyframe, in the -vf and the -filter_complex graph alike', () => {
    const gate = 'st(0\\,max(ld(0)\\,key))*';
    expect(ONE_PER_SECOND_SELECT.startsWith(`select=${gate}(`)).toBe(true);
    const withAnalysis = captureArgs({ ...spec, analysis: { width: 64, height: 36, target: 'unix:/tmp/a.sock' } });
    const graph = withAnalysis.outputOptions[withAnalysis.outputOptions.indexOf('-filter_complex') + 1];
    expect(graph).toContain(
      `[0:v:0]${CLOCK_THINNING_SELECT},showinfo@clock=checksum=0,${ONE_PER_SECOND_SELECT},split=2`,
    );
  });
  it('times decoded frames first (about 5 a second), selects one frame per wall-clock second, scales, then showinfo last', () => {
    const out = captureArgs(spec).outputOptions;
    const vf = out[out.indexOf('-vf') + 1];
    expect(vf).toBe(
      'select=lt(t-start_t\\,2)+key+isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t))+gte(t-prev_selected_t\\,0.2),' +
        'showinfo@clock=checksum=0,' +
        'select=st(0\\,max(ld(0)\\,key))*(isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t))),scale=320:-2,showinfo',
    );
    expect(out).toEqual(
      expect.arrayContaining(['-copyts', '-fps_mode', 'passthrough', '-f', 'image2pipe', '-q:v', '5']),
    );
    expect(out[out.indexOf('-c:v') + 1]).toBe('mjpeg');
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

  it('records no sound and tags nothing when the spec says neither (as before #17)', () => {
    const { options } = chunkOutput({ stagingPattern: '/s/r-%06d.mp4', seconds: 10 });
    expect(options).toEqual(expect.arrayContaining(['-an', '-sn', '-dn']));
    expect(options).not.toContain('0:a:0?');
    expect(options).not.toContain('-tag:v');
    // Exactly one -map: the video.
    expect(options.filter((o) => o === '-map')).toHaveLength(1);
  });

  it("copies the camera's AAC, optionally mapped, between the video and the muxer options", () => {
    const { options } = chunkOutput({ stagingPattern: '/s/r-%06d.mp4', seconds: 10, audio: 'copy' });
    expect(options.slice(0, 10)).toEqual([
      '-map',
      '0:v:0',
      '-c:v',
      'copy',
      '-map',
      '0:a:0?',
      '-c:a',
      'copy',
      '-sn',
      '-dn',
    ]);
    expect(options).not.toContain('-an');
  });

  it('converts the sound to AAC when asked, keeping the video a copy and the segment options', () => {
    const { options } = chunkOutput({ stagingPattern: '/s/r-%06d.mp4', seconds: 10, audio: 'aac' });
    const opt = (name: string) => options[options.indexOf(name) + 1];
    expect(opt('-c:v')).toBe('copy');
    expect(opt('-c:a')).toBe('aac');
    expect(opt('-b:a')).toBe('32k');
    expect(opt('-af')).toBe('aresample=async=1');
    expect(options.filter((o) => o === '-map')).toHaveLength(2);
    expect(options).not.toContain('-an');
    expect(opt('-f')).toBe('segment');
    expect(opt('-segment_list')).toBe('pipe:2');
  });

  it('tags H.265 hvc1 and nothing else', () => {
    const tag = (videoCodec?: string) => {
      const { options } = chunkOutput({ stagingPattern: '/s/r-%06d.mp4', seconds: 10, videoCodec });
      const at = options.indexOf('-tag:v');
      return at < 0 ? null : options[at + 1];
    };
    expect(tag('hevc')).toBe('hvc1');
    expect(tag('h264')).toBeNull();
    expect(tag(undefined)).toBeNull();
  });

  it('passes the chunk audio through captureArgs', () => {
    const spec = { url: 'rtsp://x/s', mode: 'keyframes' as const, width: 320, quality: 5, socketTimeoutSeconds: 5 };
    const args = captureArgs({
      ...spec,
      chunks: { stagingPattern: '/s/r-%06d.mp4', seconds: 10, audio: 'aac', videoCodec: 'hevc' },
    });
    expect(args.chunkOutput?.options).toEqual(expect.arrayContaining(['-c:a', 'aac', '-tag:v', 'hvc1']));
    // The thumbnail output never carries sound.
    expect(args.outputOptions).toContain('-an');
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

describe('main-stream recorder arguments (a camera with a sub-stream)', () => {
  it('makes no JPEG and decodes nothing: a keyframe list beside the chunk output', () => {
    const args = captureArgs({
      url: 'rtsp://cam/main',
      mode: 'keyframes',
      width: 16,
      quality: 5,
      socketTimeoutSeconds: 10,
      thumbnails: false,
      chunks: { stagingPattern: '/s/cam/r-%06d.mp4', seconds: 10, audio: 'copy' },
    });
    // No decoder options: the keyframes are timed from their packets.
    expect(args.inputOptions).not.toContain('-skip_frame');
    expect(args.inputOptions).not.toContain('-threads');
    expect(args.inputOptions).toContain('nobuffer');
    expect(args.mainTarget).toBe('/dev/null');
    expect(args.outputOptions).toEqual(expect.arrayContaining(['-copyts', '-segment_list', 'pipe:2']));
    expect(args.outputOptions).not.toContain('-vf');
    expect(args.outputOptions).not.toContain('mjpeg');
    expect(args.analysisOutput).toBeUndefined();
    expect(args.chunkOutput?.options).toContain('copy');
  });
});

describe('threads (bench:memory)', () => {
  it('runs one thread per filter graph and per encoder, so each JPEG and gray frame comes out at once', () => {
    const args = captureArgs({
      url: 'rtsp://cam/1',
      mode: 'keyframes',
      width: 320,
      quality: 5,
      socketTimeoutSeconds: 10,
      analysis: { width: 64, height: 36, target: 'unix:/tmp/a.sock' },
    });
    const after = (list: string[], option: string) => list[list.indexOf(option) + 1];
    expect(after(args.outputOptions, '-filter_threads')).toBe('1');
    expect(after(args.outputOptions, '-filter_complex_threads')).toBe('1');
    const encoder = args.outputOptions.indexOf('mjpeg');
    expect(args.outputOptions.slice(encoder + 1, encoder + 3)).toEqual(['-threads', '1']);
    expect(after(args.analysisOutput?.options ?? [], '-threads')).toBe('1');
  });
});
