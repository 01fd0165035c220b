import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDecodeModeFile, openDecodeModeFile, parseDecodeModeFile, urlFingerprint } from './decode-mode-file.js';

const NOW = Date.UTC(2026, 10, 30, 2, 0, 0);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fathom-modes-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('decode mode file format', () => {
  it('round-trips, cameras sorted, version 1', () => {
    const entries = {
      porch: { mode: 'keyframes' as const, keyframeIntervalMs: 1006, url: 'abc', learntAt: '2026-11-30T02:00:00.000Z' },
      garage: { mode: 'all' as const, keyframeIntervalMs: null, url: 'def', learntAt: '2026-11-30T02:00:00.000Z' },
    };
    const text = formatDecodeModeFile(entries);
    expect(Object.keys(JSON.parse(text).cameras)).toEqual(['garage', 'porch']);
    expect(JSON.parse(text).version).toBe(1);
    expect(parseDecodeModeFile(text)).toEqual({ entries, problem: null });
  });

  it('keeps the codecs a camera sends, with or without a learnt mode', () => {
    const entries = {
      porch: {
        mode: 'keyframes' as const,
        keyframeIntervalMs: 1006,
        codecs: { video: 'h264', audio: 'aac' },
        url: 'abc',
        learntAt: 't',
      },
      set: { codecs: { video: 'hevc', audio: null }, url: 'def', learntAt: 't' },
    };
    expect(parseDecodeModeFile(formatDecodeModeFile(entries))).toEqual({ entries, problem: null });
    const odd = parseDecodeModeFile(
      JSON.stringify({
        version: 1,
        cameras: { x: { codecs: { video: 'h 264', audio: null }, url: 'x', learntAt: 't' } },
      }),
    );
    expect(odd.entries).toEqual({});
  });

  it('remembers codecs beside the mode, writing only a change', async () => {
    const path = join(tempDir(), '.fathom', 'decode-modes.json');
    const file = await openDecodeModeFile(
      path,
      () => NOW,
      (error) => {
        throw error;
      },
    );
    const url = 'rtsp://user:pw@cam/1';
    await file.remember('porch', url, { mode: 'keyframes', keyframeIntervalMs: 1000 });
    await file.rememberCodecs?.('porch', url, { video: 'h264', audio: 'pcm_alaw' });
    expect(file.recall('porch', url)).toEqual({ mode: 'keyframes', keyframeIntervalMs: 1000 });
    expect(file.recallCodecs?.('porch', url)).toEqual({ video: 'h264', audio: 'pcm_alaw' });
    // Another URL under the same id is another camera.
    expect(file.recallCodecs?.('porch', 'rtsp://cam/2')).toBeNull();
    const reopened = await openDecodeModeFile(
      path,
      () => NOW,
      () => undefined,
    );
    expect(reopened.recallCodecs?.('porch', url)).toEqual({ video: 'h264', audio: 'pcm_alaw' });
    expect(reopened.recall('porch', url)).toEqual({ mode: 'keyframes', keyframeIntervalMs: 1000 });
    expect(readFileSync(path, 'utf8')).not.toContain('pw');
  });

  it('leaves out what it cannot read instead of failing', () => {
    expect(parseDecodeModeFile('{nope')).toEqual({ entries: {}, problem: 'not JSON' });
    expect(parseDecodeModeFile('{"version":2,"cameras":{}}').problem).toBe('not version 1');
    const mixed = parseDecodeModeFile(
      JSON.stringify({
        version: 1,
        cameras: {
          good: { mode: 'all', keyframeIntervalMs: 4000, url: 'x', learntAt: 't' },
          bad: { mode: 'some', keyframeIntervalMs: 1, url: 'x', learntAt: 't' },
          negative: { mode: 'keyframes', keyframeIntervalMs: -1, url: 'x', learntAt: 't' },
        },
      }),
    );
    expect(Object.keys(mixed.entries)).toEqual(['good']);
    expect(mixed.problem).toBe('2 unreadable entries left out');
  });

  it('fingerprints the URL without its credentials', () => {
    expect(urlFingerprint('rtsp://user:secret@10.0.0.5/s1')).toBe(urlFingerprint('rtsp://10.0.0.5/s1'));
    expect(urlFingerprint('rtsp://10.0.0.5/s1')).not.toBe(urlFingerprint('rtsp://10.0.0.5/s2'));
    expect(urlFingerprint('rtsp://10.0.0.5/s1')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('decode mode file', () => {
  it('starts empty without a file, writes atomically, and is read back by the next process', async () => {
    const dir = tempDir();
    const path = join(dir, '.fathom', 'decode-modes.json');
    const errors: unknown[] = [];
    const first = await openDecodeModeFile(
      path,
      () => NOW,
      (e) => errors.push(e),
    );
    expect(first.recall('porch', 'rtsp://u:p@cam/1')).toBeNull();
    await first.remember('porch', 'rtsp://u:p@cam/1', { mode: 'keyframes', keyframeIntervalMs: 1006 });
    await first.remember('yard', 'rtsp://cam/2', { mode: 'all', keyframeIntervalMs: 4000 });
    expect(errors).toEqual([]);
    // Only the file itself: the temporary files were renamed onto it.
    expect(readdirSync(join(dir, '.fathom'))).toEqual(['decode-modes.json']);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('u:p');
    expect(JSON.parse(text).cameras.porch).toEqual({
      mode: 'keyframes',
      keyframeIntervalMs: 1006,
      url: urlFingerprint('rtsp://cam/1'),
      learntAt: '2026-11-30T02:00:00.000Z',
    });
    const second = await openDecodeModeFile(
      path,
      () => NOW,
      (e) => errors.push(e),
    );
    expect(second.recall('porch', 'rtsp://u:p@cam/1')).toEqual({ mode: 'keyframes', keyframeIntervalMs: 1006 });
    // Another stream under the same id: learnt afresh.
    expect(second.recall('porch', 'rtsp://u:p@cam/9')).toBeNull();
    expect(second.recall('yard', 'rtsp://cam/2')).toEqual({ mode: 'all', keyframeIntervalMs: 4000 });
  });

  it('reports a broken file and starts from what it could read; a failed write is reported, not thrown', async () => {
    const dir = tempDir();
    const path = join(dir, 'decode-modes.json');
    writeFileSync(path, 'garbage');
    const errors: unknown[] = [];
    const file = await openDecodeModeFile(
      path,
      () => NOW,
      (e) => errors.push(e),
    );
    expect(file.problem).toBe('not JSON');
    // A directory where the file's folder should be: the write fails.
    const blocked = join(dir, 'file-not-dir');
    writeFileSync(blocked, '');
    const unwritable = await openDecodeModeFile(
      join(blocked, 'x.json'),
      () => NOW,
      (e) => errors.push(e),
    );
    expect(unwritable.problem).toBe('not readable (ENOTDIR)');
    await unwritable.remember('porch', 'rtsp://cam/1', { mode: 'all', keyframeIntervalMs: null });
    expect(errors).toHaveLength(1);
  });
});
