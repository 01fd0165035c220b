/** The bench's filesystem adapter: what the feed-handler and the naive pulls wrote, temp dirs, the docs file. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseThumbnailPath } from '@fathom/index-contract';

/** A camera's thumbnails under THUMBNAIL_DIR/<camera>/: absolute path and capture time (from the file name). */
export function thumbnailFiles(thumbnailDir: string, camera: string): { path: string; capturedAtMs: number }[] {
  const files: { path: string; capturedAtMs: number }[] = [];
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
        if (parsed) files.push({ path: join(thumbnailDir, child), capturedAtMs: parsed.capturedAtMs });
      } else if (!name.includes('.')) walk(child);
    }
  };
  walk(camera);
  return files;
}

/** Capture times (from the file names) of a camera's thumbnails under THUMBNAIL_DIR/<camera>/. */
export function thumbnailTimesMs(thumbnailDir: string, camera: string): number[] {
  return thumbnailFiles(thumbnailDir, camera).map((f) => f.capturedAtMs);
}

/** When the file was last written (a thumbnail is written aside and renamed: when it was made), or null. */
export function mtimeMsOrNull(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The feed-handler's learnt decode modes, `<THUMBNAIL_DIR>/.fathom/decode-modes.json`, or null. */
export function decodeModesText(thumbnailDir: string): string | null {
  return readTextOrNull(join(thumbnailDir, '.fathom', 'decode-modes.json'));
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
