/**
 * The filesystem adapter: writes thumbnails so a reader never sees half a
 * file (write <name>.tmp, then rename), and lists the thumbnails newer than a
 * time for reconciliation, visiting only the hour folders that can hold them.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseThumbnailPath } from '@fathom/index-contract';
import { jpegDimensions } from '../capture/jpeg.js';
import { periodMayHoldNewer, sortedFolderNumbers } from './folders.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface StoredThumbnail {
  /** Relative to the thumbnail root, forward slashes. */
  filepath: string;
  capturedAtMs: number;
}

export interface ThumbnailFacts {
  bytes: number;
  width: number;
  height: number;
}

export interface ThumbnailStore {
  readonly root: string;
  /** Writes atomically; resolves once the file is visible under its final name. */
  write(relativePath: string, data: Buffer): Promise<void>;
  /** Up to `limit` thumbnails of `camera` with a capture time > afterMs (null: all), oldest first. */
  listNewer(camera: string, afterMs: number | null, limit: number): Promise<StoredThumbnail[]>;
  describe(relativePath: string): Promise<ThumbnailFacts | null>;
  /** Capture time of the newest thumbnail of `camera` taken before `beforeMs`, or null when there is none. */
  newestBefore(camera: string, beforeMs: number): Promise<number | null>;
}

export function createThumbnailStore(root: string): ThumbnailStore {
  const knownDirs = new Set<string>();

  async function listDir(path: string): Promise<string[]> {
    try {
      return await readdir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  return {
    root,

    async write(relativePath, data) {
      const finalPath = join(root, relativePath);
      const dir = dirname(finalPath);
      // The .tmp name never parses as a thumbnail, so readers and reconciliation ignore it.
      const tmpPath = `${finalPath}.tmp`;
      if (!knownDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        knownDirs.add(dir);
      }
      try {
        try {
          await writeFile(tmpPath, data);
        } catch (error) {
          // The folder was removed (retention) since we created it: make it again, once.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          await mkdir(dir, { recursive: true });
          await writeFile(tmpPath, data);
        }
        await rename(tmpPath, finalPath);
      } catch (error) {
        // A full disk (ENOSPC) leaves part of the .tmp behind; removing it gives the space
        // back, so the next frame can be written as soon as anything else frees room.
        await rm(tmpPath, { force: true }).catch(() => {});
        throw error;
      }
    },

    async listNewer(camera, afterMs, limit) {
      const found: StoredThumbnail[] = [];
      const walk = async (parts: number[], path: string): Promise<boolean> => {
        if (parts.length === 4) {
          const files: StoredThumbnail[] = [];
          for (const name of await listDir(path)) {
            const filepath = `${camera}/${pad(parts[0] as number, 4)}/${parts
              .slice(1)
              .map((p) => pad(p, 2))
              .join('/')}/${name}`;
            const parsed = parseThumbnailPath(filepath);
            if (parsed && (afterMs === null || parsed.capturedAtMs > afterMs)) {
              files.push({ filepath, capturedAtMs: parsed.capturedAtMs });
            }
          }
          files.sort((a, b) => a.capturedAtMs - b.capturedAtMs);
          found.push(...files);
          return found.length >= limit;
        }
        for (const n of sortedFolderNumbers(await listDir(path), parts.length)) {
          const next = [...parts, n];
          if (!periodMayHoldNewer(next, afterMs)) continue;
          if (await walk(next, join(path, pad(n, parts.length === 0 ? 4 : 2)))) return true;
        }
        return false;
      };
      await walk([], join(root, camera));
      return found.slice(0, limit);
    },

    async newestBefore(camera, beforeMs) {
      // Newest folders first: only the newest hour folder holding an older file is listed in full.
      const walk = async (parts: number[], path: string): Promise<number | null> => {
        if (parts.length === 4) {
          let newest: number | null = null;
          for (const name of await listDir(path)) {
            const folder = `${pad(parts[0] as number, 4)}/${parts
              .slice(1)
              .map((p) => pad(p, 2))
              .join('/')}`;
            const parsed = parseThumbnailPath(`${camera}/${folder}/${name}`);
            if (!parsed || parsed.capturedAtMs >= beforeMs) continue;
            if (newest === null || parsed.capturedAtMs > newest) newest = parsed.capturedAtMs;
          }
          return newest;
        }
        for (const n of sortedFolderNumbers(await listDir(path), parts.length).reverse()) {
          const found = await walk([...parts, n], join(path, pad(n, parts.length === 0 ? 4 : 2)));
          if (found !== null) return found;
        }
        return null;
      };
      return walk([], join(root, camera));
    },

    async describe(relativePath) {
      let data: Buffer;
      try {
        data = await readFile(join(root, relativePath));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      const size = jpegDimensions(data);
      if (!size) return null;
      return { bytes: data.length, ...size };
    },
  };
}
