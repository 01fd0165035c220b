import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';
import { VARIANTS } from './variants.js';

describe('parseOptions', () => {
  it('has defaults: every variant, 20 s windows, N = 8, node at 1, 16 and 32 cameras', () => {
    expect(parseOptions([])).toEqual({
      seconds: 20,
      warmupSeconds: 15,
      processes: 8,
      only: VARIANTS.map((v) => v.id),
      nodeCameras: [1, 16, 32],
      docs: true,
      build: true,
      ffmpeg: undefined,
      alsoFfmpeg: undefined,
    });
  });

  it('reads every flag, with = or a separate value', () => {
    expect(
      parseOptions([
        '--seconds=10',
        '--warmup',
        '3',
        '--processes',
        '0',
        '--only',
        'production, cuts',
        '--node-cameras',
        '4,1,4',
        '--no-docs',
        '--no-build',
        '--ffmpeg',
        '/usr/bin/ffmpeg',
        '--also-ffmpeg=/opt/ffmpeg-static',
      ]),
    ).toEqual({
      seconds: 10,
      warmupSeconds: 3,
      processes: 0,
      only: ['production', 'cuts'],
      nodeCameras: [1, 4],
      docs: false,
      build: false,
      ffmpeg: '/usr/bin/ffmpeg',
      alsoFfmpeg: '/opt/ffmpeg-static',
    });
    expect(parseOptions(['--no-node']).nodeCameras).toEqual([]);
  });

  it('rejects what it cannot measure', () => {
    expect(() => parseOptions(['--seconds', '2'])).toThrow(/--seconds/);
    expect(() => parseOptions(['--processes', '-1'])).toThrow(/--processes/);
    expect(() => parseOptions(['--only', 'production,nope'])).toThrow(/unknown variant\(s\) nope/);
    expect(() => parseOptions(['--node-cameras', '0'])).toThrow(/--node-cameras/);
    expect(() => parseOptions(['--seconds'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--fast'])).toThrow(/unknown flag/);
  });
});
