import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thumbnailRelativePath } from '@fathom/index-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticJpeg } from '../../test/support/synthetic-jpeg.js';
import { createThumbnailStore } from './thumbnail-store.js';

describe('thumbnail store (filesystem adapter)', () => {
  const roots: string[] = [];
  const makeRoot = () => {
    const root = mkdtempSync(join(tmpdir(), 'fathom-store-'));
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('writes under the final name only, leaving no temp file', async () => {
    const root = makeRoot();
    const store = createThumbnailStore(root);
    const path = thumbnailRelativePath('cam1', Date.UTC(2026, 10, 25, 15, 0, 0, 123));
    await store.write(path, syntheticJpeg(320, 180));
    expect(readdirSync(join(root, 'cam1/2026/11/25/15'))).toEqual([`${Date.UTC(2026, 10, 25, 15, 0, 0, 123)}.jpg`]);
    expect(await store.describe(path)).toEqual({ bytes: syntheticJpeg(320, 180).length, width: 320, height: 180 });
  });

  it('lists files newer than a time across hour, day and year folders, oldest first, ignoring strays', async () => {
    const root = makeRoot();
    const store = createThumbnailStore(root);
    const times = [
      Date.UTC(2025, 11, 31, 23, 59, 59, 999),
      Date.UTC(2026, 0, 1, 0, 0, 0, 0),
      Date.UTC(2026, 0, 1, 0, 0, 1, 0),
      Date.UTC(2026, 0, 2, 5, 0, 0, 0),
      Date.UTC(2026, 10, 25, 15, 0, 0, 0),
    ];
    for (const ms of [...times].reverse()) await store.write(thumbnailRelativePath('cam1', ms), syntheticJpeg(16, 16));
    const hour = join(root, 'cam1/2026/01/01/00');
    writeFileSync(join(hour, `${times[1]}.jpg.tmp`), 'partial');
    writeFileSync(join(hour, 'notes.txt'), 'x');
    mkdirSync(join(root, 'cam1/.staging'), { recursive: true });
    await store.write(thumbnailRelativePath('cam2', times[2] as number), syntheticJpeg(16, 16));

    expect((await store.listNewer('cam1', null, 100)).map((f) => f.capturedAtMs)).toEqual(times);
    expect((await store.listNewer('cam1', times[1] as number, 100)).map((f) => f.capturedAtMs)).toEqual(times.slice(2));
    expect((await store.listNewer('cam1', null, 2)).map((f) => f.capturedAtMs)).toEqual(times.slice(0, 2));
    expect(await store.listNewer('cam1', times[4] as number, 100)).toEqual([]);
    expect(await store.listNewer('nope', null, 100)).toEqual([]);

    // The newest file before a time, across folders, ignoring strays and files at or after it.
    expect(await store.newestBefore('cam1', Number.MAX_SAFE_INTEGER)).toBe(times[4]);
    expect(await store.newestBefore('cam1', times[4] as number)).toBe(times[3]);
    expect(await store.newestBefore('cam1', (times[2] as number) + 1)).toBe(times[2]);
    expect(await store.newestBefore('cam1', times[1] as number)).toBe(times[0]);
    expect(await store.newestBefore('cam1', times[0] as number)).toBeNull();
    expect(await store.newestBefore('nope', Number.MAX_SAFE_INTEGER)).toBeNull();
  });
});
