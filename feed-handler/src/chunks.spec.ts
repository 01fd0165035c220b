import { describe, expect, it } from 'vitest';
import { captureArgs, chunkOutput } from './ffmpeg-args.js';
import { FramePairer } from './frame-pairing.js';
import { isCompleteMp4, parseBoxHeader } from './mp4-boxes.js';
import { parseSegmentListLine, segmentStreamTimesMs } from './segment-list.js';

const box = (type: string, size: number) => {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return header;
};

/** A reader over a fake file made of (type, size) boxes. */
function fakeFile(boxes: [string, number][]): { read: (offset: number) => Promise<Buffer>; size: number } {
  const starts = new Map<number, Buffer>();
  let offset = 0;
  for (const [type, size] of boxes) {
    starts.set(offset, box(type, size));
    offset += size;
  }
  return { read: async (at) => starts.get(at) ?? Buffer.alloc(16), size: offset };
}

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

describe('segment list lines', () => {
  it('parses ffmpeg csv entries and nothing else', () => {
    expect(parseSegmentListLine('mwz1a0-000003.mp4,24.000000,26.800000')).toEqual({
      file: 'mwz1a0-000003.mp4',
      startSeconds: 24,
      endSeconds: 26.8,
    });
    expect(parseSegmentListLine('[segment @ 0x1] Opening out/r-000001.mp4 for writing')).toBeNull();
    expect(parseSegmentListLine('../x-000001.mp4,0.0,1.0')).toBeNull();
    expect(parseSegmentListLine('x-000001.mp4,5.0,1.0')).toBeNull();
  });

  it('places the list times on the stream clock from the first frame', () => {
    const entry = { file: 'r-000001.mp4', startSeconds: 3, endSeconds: 13 };
    expect(segmentStreamTimesMs(entry, 2_000)).toEqual({ startStreamMs: 5_000, endStreamMs: 15_000 });
  });
});

describe('capture time of a chunk boundary', () => {
  it('maps stream time with the same offset as the frames', () => {
    const pairer = new FramePairer({ anchorSamples: 1 });
    expect(pairer.captureTimeOf(1_000)).toBeNull();
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1', 0);
    pairer.addStderrLine('[Parsed_showinfo_2 @ 0x1] n:   0 pts: 180000 pts_time:2 iskey:1', 1_000_002_100);
    expect(pairer.firstStreamMs).toBe(2_000);
    // arrival 1_000_002_100 minus one frame (100 ms) minus stream 2_000 ms
    expect(pairer.captureTimeOf(12_000)).toBe(1_000_012_000);
  });
});

describe('MP4 completeness', () => {
  it('accepts boxes that tile the file with moov and mdat', async () => {
    const f = fakeFile([
      ['ftyp', 32],
      ['moov', 900],
      ['free', 8],
      ['mdat', 100_000],
    ]);
    expect(await isCompleteMp4(f.read, f.size)).toBe(true);
  });

  it('refuses a file whose tail is missing, or without an index', async () => {
    const f = fakeFile([
      ['ftyp', 32],
      ['moov', 900],
      ['mdat', 100_000],
    ]);
    expect(await isCompleteMp4(f.read, f.size - 1)).toBe(false);
    const noMoov = fakeFile([
      ['ftyp', 32],
      ['mdat', 100_000],
    ]);
    expect(await isCompleteMp4(noMoov.read, noMoov.size)).toBe(false);
  });

  it('reads 64-bit sizes and rejects size 0 (still open) and junk', () => {
    const large = Buffer.alloc(16);
    large.writeUInt32BE(1, 0);
    large.write('mdat', 4, 'latin1');
    large.writeBigUInt64BE(5_000_000_000n, 8);
    expect(parseBoxHeader(large, 0, 6_000_000_000)).toEqual({ type: 'mdat', size: 5_000_000_000 });
    expect(parseBoxHeader(box('mdat', 0), 0, 100)).toBeNull();
    expect(parseBoxHeader(box('\u0000\u0001ab', 16), 0, 100)).toBeNull();
    expect(parseBoxHeader(box('moov', 200), 0, 100)).toBeNull();
  });
});
