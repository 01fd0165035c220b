import { describe, expect, it } from 'vitest';
import {
  concatList,
  lowPriorityCommand,
  lowresFor,
  outputHeight,
  timelapseArgs,
  timelapseFilter,
} from './timelapse-args.js';

describe('concatList', () => {
  it('lists each still with its label as packet metadata, quotes escaped', () => {
    expect(concatList([{ path: "/f/it's.jpg", label: '2026-11-29 22:48:03 UTC' }, { path: '/f/b.jpg' }])).toBe(
      "ffconcat version 1.0\nfile '/f/it'\\''s.jpg'\nfile_packet_metadata 'fathom_time=2026-11-29 22:48:03 UTC'\nfile '/f/b.jpg'\n",
    );
  });
});

describe('outputHeight', () => {
  it('keeps the aspect ratio, even', () => {
    expect(outputHeight(640, { width: 1920, height: 1080 })).toBe(360);
    expect(outputHeight(100, { width: 640, height: 480 })).toBe(74);
    expect(outputHeight(640, undefined)).toBe(360);
  });
});

describe('timelapseFilter and timelapseArgs', () => {
  it('letterboxes, draws the label when asked, and renumbers frames to the output rate', () => {
    expect(timelapseFilter({ fps: 30, width: 640, height: 360 })).toBe(
      'scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,format=yuv420p,setpts=N/(30*TB)',
    );
    const drawn = timelapseFilter({ fps: 30, width: 640, height: 360, font: { file: '/fonts/a:b.ttf' } });
    expect(drawn).toContain("drawtext=fontfile=/fonts/a\\:b.ttf:text='%{metadata\\:fathom_time}':fontsize=16:");
    expect(timelapseFilter({ fps: 5, width: 320, height: 180, font: { family: 'monospace' } })).toContain(
      'drawtext=font=monospace:',
    );
  });
  it('writes H.264 MP4 with faststart to the named file, with progress on stdout', () => {
    const args = timelapseArgs({
      listPath: '/w/l.ffconcat',
      outputPath: '/w/x.mp4.part',
      fps: 24,
      width: 320,
      height: 180,
    });
    expect(args.join(' ')).toContain('-progress pipe:1 -nostats -f concat -safe 0 -i /w/l.ffconcat');
    expect(args.join(' ')).toContain('-r 24 -an -c:v libx264');
    expect(args.slice(-6)).toEqual(['-movflags', '+faststart', '-f', 'mp4', '-y', '/w/x.mp4.part']);
  });
});

describe('lowresFor', () => {
  it('decodes at the smallest size still as wide as the output', () => {
    expect(lowresFor(640, 320)).toBe(1);
    expect(lowresFor(1920, 320)).toBe(2);
    expect(lowresFor(1920, 200)).toBe(3);
    expect(lowresFor(640, 640)).toBe(0);
    expect(lowresFor(640, 400)).toBe(0);
    expect(lowresFor(undefined, 320)).toBe(0);
  });
  it('puts -lowres before the input', () => {
    const args = timelapseArgs({ listPath: '/l', outputPath: '/o', fps: 30, width: 320, height: 180, lowres: 1 });
    expect(args.indexOf('-lowres')).toBeLessThan(args.indexOf('-i'));
    expect(args[args.indexOf('-lowres') + 1]).toBe('1');
  });
});

describe('lowPriorityCommand', () => {
  it('wraps ffmpeg in ionice and nice when they exist', () => {
    expect(
      lowPriorityCommand('ffmpeg', ['-i', 'x'], { nice: '/usr/bin/nice', ionice: '/usr/bin/ionice', niceness: 19 }),
    ).toEqual({
      command: '/usr/bin/ionice',
      args: ['-c', '3', '-t', '/usr/bin/nice', '-n', '19', 'ffmpeg', '-i', 'x'],
    });
    expect(lowPriorityCommand('ffmpeg', ['-i', 'x'], { niceness: 19 })).toEqual({
      command: 'ffmpeg',
      args: ['-i', 'x'],
    });
    expect(lowPriorityCommand('ffmpeg', [], { nice: '/usr/bin/nice', niceness: 0 })).toEqual({
      command: 'ffmpeg',
      args: [],
    });
  });
});
