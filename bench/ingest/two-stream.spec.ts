import { describe, expect, it } from 'vitest';
import { countInputs, ffmpegInputs, inputText, readsEverySubStream, twoStreamCameras } from './two-stream.js';

const main = ['rtsp://127.0.0.1:1000/cam01', 'rtsp://127.0.0.1:1000/cam02'];
const sub = ['rtsp://127.0.0.1:2000/cam01', 'rtsp://127.0.0.1:2000/cam02'];

describe('two-stream cameras', () => {
  it('records the main URL and names the sub-stream as thumbnailUrl', () => {
    expect(twoStreamCameras(['a', 'b'], main, sub)).toEqual([
      { id: 'a', url: main[0], thumbnailUrl: sub[0] },
      { id: 'b', url: main[1], thumbnailUrl: sub[1] },
    ]);
    expect(() => twoStreamCameras(['a'], main, sub)).toThrow(/1 cameras, 2 main/);
  });
});

describe('which stream each ffmpeg reads', () => {
  const capture = (url: string) => [
    '/usr/bin/ffmpeg',
    '-rtsp_transport',
    'tcp',
    '-i',
    url,
    '-f',
    'image2pipe',
    'pipe:1',
  ];

  it('reads the -i inputs of a command line', () => {
    expect(ffmpegInputs(capture(main[0] as string))).toEqual([main[0]]);
    expect(ffmpegInputs(['ffmpeg', '-i', 'a', '-i', 'b', 'out'])).toEqual(['a', 'b']);
    expect(ffmpegInputs(['ffmpeg', '-i'])).toEqual([]);
  });

  it('counts main, sub and other, and whether every sub-stream is read', () => {
    const two = countInputs(
      [capture(sub[0] as string), capture(sub[1] as string), capture(main[0] as string), capture(main[1] as string)],
      main,
      sub,
    );
    expect(two).toEqual({ main: 2, sub: 2, other: 0, subCovered: 2 });
    expect(readsEverySubStream(two, 2)).toBe(true);
    expect(inputText(two)).toBe('2 main / 2 sub');
    // A feed-handler that dropped thumbnailUrl: every ffmpeg on the main stream.
    const ignored = countInputs(
      [capture(main[0] as string), capture(main[1] as string), ['ffmpeg', '-i', 'pipe:0']],
      main,
      sub,
    );
    expect(ignored).toEqual({ main: 2, sub: 0, other: 1, subCovered: 0 });
    expect(readsEverySubStream(ignored, 2)).toBe(false);
    expect(inputText(ignored)).toBe('2 main / 0 sub / 1 other');
    expect(inputText(null)).toBe('n/a');
  });
});
