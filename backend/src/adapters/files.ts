/**
 * The footage volumes, read-only: the only module that touches the filesystem.
 *
 * A path is served only if it is exactly one of our names (the contract's
 * parseThumbnailPath: camera/YYYY/MM/DD/HH/<ms>.jpg, or parseChunkPath for the
 * MP4 chunks: camera/YYYY/MM/DD/HH/<start-ms>-<end-ms>.mp4; no dots, no
 * encodings) and, after following any symlinks, still lies inside its root
 * and is a regular file. The feed-handler writes by write-then-rename (chunks:
 * staging name, then rename once the MP4 is whole), so a visible name is complete.
 */
import { constants, type ReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { parseChunkPath, parseThumbnailPath } from '@fathom/index-contract';

export interface ThumbnailFile {
  size: number;
  mtimeMs: number;
  /** Streams the file (or the inclusive byte range); the descriptor is already open, so a later rename or delete cannot swap it. */
  stream(range?: { start: number; end: number }): ReadStream;
  /** Releases the descriptor when the file is not streamed (e.g. a 304 answer). */
  close(): Promise<void>;
}

export interface ThumbnailStore {
  /** null when the path is not one of ours, escapes the volume, or does not exist. */
  open(relativePath: string): Promise<ThumbnailFile | null>;
  /**
   * The file's real absolute path, for a program that reads it itself (ffmpeg building a
   * timelapse); the same checks as open(). null when it is not one of ours or is gone.
   */
  locate(relativePath: string): Promise<string | null>;
}

/** The chunk volume has the same shape: open() by contract name, null otherwise. */
export type ChunkStore = ThumbnailStore;

export function createThumbnailStore(rootDir: string): ThumbnailStore {
  return createVolume(rootDir, (relative) => parseThumbnailPath(relative) !== null);
}

export function createChunkStore(rootDir: string): ChunkStore {
  return createVolume(rootDir, (relative) => parseChunkPath(relative) !== null);
}

function createVolume(rootDir: string, isOurName: (relative: string) => boolean): ThumbnailStore {
  const root = resolve(rootDir);
  let realRoot: string | undefined;
  /**
   * Runs `use` on the file's real path when the name is one of ours and, symlinks followed, it still lies
   * inside the root; null otherwise, or when anything on the way is missing.
   */
  async function withRealPath<T>(relativePath: string, use: (real: string) => Promise<T | null>): Promise<T | null> {
    if (!isOurName(relativePath)) return null;
    const candidate = resolve(root, relativePath);
    if (!candidate.startsWith(root + sep)) return null;
    try {
      realRoot ??= await realpath(root);
      const real = await realpath(candidate);
      if (!real.startsWith(realRoot + sep)) return null;
      return await use(real);
    } catch (error) {
      if (isMissing(error)) {
        // The root itself may not exist yet (no chunk recorded so far): same answer, and try again next time.
        realRoot = undefined;
        return null;
      }
      throw error;
    }
  }
  return {
    locate: (relativePath) => withRealPath(relativePath, async (real) => ((await stat(real)).isFile() ? real : null)),
    open: (relativePath) =>
      withRealPath(relativePath, async (real) => {
        const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return null;
        }
        return {
          size: info.size,
          mtimeMs: info.mtimeMs,
          stream: (range) => handle.createReadStream(range ? { start: range.start, end: range.end } : { start: 0 }),
          close: () => handle.close(),
        };
      }),
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
