/** The bench's filesystem adapter: what the feed-handler and the naive pulls wrote, temp dirs, the docs file. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseThumbnailPath } from '@fathom/index-contract';

/** Capture times (from the file names) of a camera's thumbnails under THUMBNAIL_DIR/<camera>/. */
export function thumbnailTimesMs(thumbnailDir: string, camera: string): number[] {
  const times: number[] = [];
  const walk = (relative: string) => {
    let names: string[];
    try {
      names = readdirSync(join(thumbnailDir, relative));
    } catch {
      return; // no folder yet: no thumbnails
    }
    for (const name of names) {
      const child = `${relative}/${name}`;
      if (name.endsWith('.jpg')) {
        const parsed = parseThumbnailPath(child);
        if (parsed) times.push(parsed.capturedAtMs);
      } else if (!name.includes('.')) walk(child);
    }
  };
  walk(camera);
  return times;
}

/** Modification times of the JPEGs a naive pull wrote (it names them by count, not by time). */
export function jpegMtimesMs(dir: string): number[] {
  const times: number[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (!name.endsWith('.jpg')) continue;
    try {
      times.push(statSync(join(dir, name)).mtimeMs);
    } catch {
      // being renamed or removed
    }
  }
  return times;
}

export function makeTempDir(prefix: string, parent = tmpdir()): string {
  return mkdtempSync(join(parent, prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function readTextOrNull(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}
