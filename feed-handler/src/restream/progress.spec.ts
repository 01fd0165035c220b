import { describe, expect, it } from 'vitest';
import { ProgressParser } from './progress.js';

const block = (frame: number, size: number | 'N/A', end = false) =>
  `frame=${frame}\nfps=15.0\nstream_0_0_q=-1.0\nbitrate= 831.1kbits/s\ntotal_size=${size}\nout_time_us=${frame * 66_667}\nout_time_ms=${frame * 66_667}\nout_time=00:00:01.000000\ndup_frames=0\ndrop_frames=0\nspeed=1.0x\nprogress=${end ? 'end' : 'continue'}\n`;

describe('ffmpeg -progress parser', () => {
  it('turns each block into frames and bytes, across chunk boundaries', () => {
    const parser = new ProgressParser();
    const text = block(15, 120_000) + block(30, 240_500, true);
    const cut = text.indexOf('total_size', 200);
    expect(parser.push(text.slice(0, cut))).toEqual([
      { frames: 15, bytes: 120_000, outTimeUs: 1_000_005, ended: false },
    ]);
    expect(parser.push(Buffer.from(text.slice(cut)))).toEqual([
      { frames: 30, bytes: 240_500, outTimeUs: 2_000_010, ended: true },
    ]);
  });

  it('reads N/A as nothing yet', () => {
    const parser = new ProgressParser();
    expect(parser.push('frame=0\ntotal_size=N/A\nout_time_us=N/A\nprogress=continue\n')).toEqual([
      { frames: 0, bytes: 0, outTimeUs: null, ended: false },
    ]);
  });

  it('keeps no unbounded partial line', () => {
    const parser = new ProgressParser();
    expect(parser.push('x'.repeat(10_000))).toEqual([]);
    expect(parser.push('\nframe=3\nprogress=continue\n')).toEqual([
      { frames: 3, bytes: 0, outTimeUs: null, ended: false },
    ]);
  });
});
