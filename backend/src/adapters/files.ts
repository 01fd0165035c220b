/**
 * The thumbnail volume, read-only: the only module that touches the filesystem.
 *
 * A path is served only if it is exactly one of our names (the contract's
 * parseThumbnailPath: camera/YYYY/MM/DD/HH/<ms>.jpg, no dots, no encodings) and,
 * after following any symlinks, still lies inside THUMBNAIL_DIR and is a regular
 * file. The feed-handler writes by write-then-rename, so a visible name is complete.
 */
import { constants, type ReadStream } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { parseThumbnailPath } from '@fathom/index-contract';

export interface ThumbnailFile {
  size: number;
  mtimeMs: number;
  /** Streams the file; the descriptor is already open, so a later rename or delete cannot swap it. */
  stream(): ReadStream;
  /** Releases the descriptor when the file is not streamed (e.g. a 304 answer). */
  close(): Promise<void>;
}

export interface ThumbnailStore {
  /** null when the path is not one of ours, escapes the volume, or does not exist. */
  open(relativePath: string): Promise<ThumbnailFile | null>;
}

export function createThumbnailStore(rootDir: string): ThumbnailStore {
  const root = resolve(rootDir);
  let realRoot: string | undefined;
  return {
    async open(relativePath) {
      if (!parseThumbnailPath(relativePath)) return null;
      const candidate = resolve(root, relativePath);
      if (!candidate.startsWith(root + sep)) return null;
      try {
        realRoot ??= await realpath(root);
        const real = await realpath(candidate);
        if (!real.startsWith(realRoot + sep)) return null;
        const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
        const stat = await handle.stat();
        if (!stat.isFile()) {
          await handle.close();
          return null;
        }
        return {
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          stream: () => handle.createReadStream({ start: 0 }),
          close: () => handle.close(),
        };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
