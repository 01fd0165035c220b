/**
 * The filesystem side of the checks: thumbnails on disk (by the contract's name,
 * never following symlinks), leftover .tmp files, and whether each JPEG is whole.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseThumbnailPath } from '@fathom/index-contract';

export interface DiskScan {
  /** Capture times (ms) per camera of the files whose time lies in [fromMs, toMs]. */
  times: Map<string, number[]>;
  /** Files ending in .tmp anywhere under the root (half-written leftovers). */
  tmpFiles: string[];
  /** Final-name JPEGs in the window that do not start with FFD8 and end with FFD9. */
  truncated: string[];
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // Symlinks are not the feed-handler's (the hostile test plants some): never followed, never counted.
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Whole JPEG: SOI at the start, EOI at the end (reads only those bytes). */
async function isWholeJpeg(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 4) return false;
    const head = Buffer.alloc(2);
    const tail = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    await handle.read(tail, 0, 2, size - 2);
    return head[0] === 0xff && head[1] === 0xd8 && tail[0] === 0xff && tail[1] === 0xd9;
  } finally {
    await handle.close();
  }
}

export async function scanThumbnails(
  root: string,
  fromMs: number,
  toMs: number,
  { checkJpegs = false } = {},
): Promise<DiskScan> {
  const scan: DiskScan = { times: new Map(), tmpFiles: [], truncated: [] };
  for await (const path of walk(root)) {
    const rel = relative(root, path).split(sep).join('/');
    if (rel.endsWith('.tmp')) {
      scan.tmpFiles.push(rel);
      continue;
    }
    const parsed = parseThumbnailPath(rel);
    if (!parsed || parsed.capturedAtMs < fromMs || parsed.capturedAtMs > toMs) continue;
    const list = scan.times.get(parsed.camera) ?? [];
    list.push(parsed.capturedAtMs);
    scan.times.set(parsed.camera, list);
    if (checkJpegs && !(await isWholeJpeg(path))) scan.truncated.push(rel);
  }
  return scan;
}

/** Newest capture time per camera after `afterMs` (for "frames resumed"). */
export async function newestThumbnail(root: string, camera: string, afterMs: number): Promise<number | null> {
  const scan = await scanThumbnails(join(root), afterMs + 1, Number.MAX_SAFE_INTEGER);
  const times = scan.times.get(camera);
  return times?.length ? Math.max(...times) : null;
}

export async function sha256File(path: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Any thumbnail path on disk for a camera (newest hour first is not needed: any will do). */
export async function someThumbnailPath(root: string, camera: string): Promise<string | null> {
  for await (const path of walk(join(root, camera))) {
    const rel = relative(root, path).split(sep).join('/');
    if (parseThumbnailPath(rel)) return rel;
  }
  return null;
}
