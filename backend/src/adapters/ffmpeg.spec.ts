/**
 * The encoder's supervision, with stand-in programs in ffmpeg's place (the real ffmpeg is
 * driven by exports.int.spec.ts): progress reported, a stall stopped, a cancel staged, a
 * failure explained by the end of stderr.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFfmpegEncoder, EncodeError } from './ffmpeg.js';

const dir = mkdtempSync(join(tmpdir(), 'fathom-fake-ffmpeg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fake(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('createFfmpegEncoder', () => {
  it('reports frames from -progress and resolves on exit 0', async () => {
    const encoder = createFfmpegEncoder({ ffmpegPath: fake('ok', 'echo frame=3; echo frame=7; exit 0'), niceness: 0 });
    const frames: number[] = [];
    await encoder.run([], new AbortController().signal, (n) => frames.push(n));
    expect(frames.at(-1)).toBe(7);
  });

  it('stops a child that makes no progress and says so', async () => {
    const encoder = createFfmpegEncoder({
      ffmpegPath: fake('stuck', 'echo frame=1; exec sleep 30'),
      niceness: 0,
      stallMs: 300,
    });
    await expect(encoder.run([], new AbortController().signal, () => {})).rejects.toThrow(/no progress for 0.3 s/);
  });

  it('rejects with the abort reason when cancelled, after stopping the child', async () => {
    const encoder = createFfmpegEncoder({ ffmpegPath: fake('slow', 'exec sleep 30'), niceness: 0 });
    const abort = new AbortController();
    const running = encoder.run([], abort.signal, () => {});
    setTimeout(() => abort.abort(new Error('cancelled by test')), 100);
    await expect(running).rejects.toThrow('cancelled by test');
  });

  it('explains a failure with the last line of stderr, and a missing binary', async () => {
    const failing = createFfmpegEncoder({ ffmpegPath: fake('bad', 'echo "x: No such file" >&2; exit 1'), niceness: 0 });
    await expect(failing.run([], new AbortController().signal, () => {})).rejects.toThrow(
      'ffmpeg exited with 1: x: No such file',
    );
    const missing = createFfmpegEncoder({ ffmpegPath: join(dir, 'nope'), niceness: 0 });
    await expect(missing.run([], new AbortController().signal, () => {})).rejects.toBeInstanceOf(EncodeError);
    expect(missing.probe()).toMatchObject({ ok: false });
  });
});
