/**
 * footage/ — the files on disk. In: captured JPEGs (thumbnail-store.ts) and
 * finished chunks in staging (published here once whole). Out: thumbnail and
 * chunk files under their contract names, listings of the files newer than a
 * time (for the index's reconciliation), whether frames are being stored
 * (store-faults.ts), and the retention sweep, which deletes old footage and
 * its points (through RetentionIndexPort, which the index implements).
 *
 * The filesystem adapter for video chunks and for retention (thumbnail writes
 * stay in thumbnail-store.ts): publishes finished chunks (staging name →
 * final name, only once the MP4 is whole), lists chunks for reconciliation,
 * measures footage per camera and hour folder, deletes files and the folders
 * they leave empty, and reads free space.
 *
 * Measuring is cheap after the first sweep: an hour folder's totals are kept
 * with the folder's mtime, and a folder whose mtime has not changed is not
 * listed again (a rename or delete inside it changes it). Only the hour being
 * written and the oldest hours that retention may delete are listed.
 */
import { type FileHandle, mkdir, open, readdir, rename, rm, rmdir, stat, statfs, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { chunkRelativePath, parseChunkPath, parseThumbnailPath } from '@fathom/index-contract';
import { type Clock, sleep } from '../shared/clock.js';
import { sortedFolderNumbers } from './folders.js';
import { BOX_HEADER_BYTES, type BoxReader, isCompleteMp4, topLevelBoxes, videoStartSeconds } from './mp4-boxes.js';

export type FootageKind = 'thumbnail' | 'chunk';

export interface FootageFile {
  kind: FootageKind;
  camera: string;
  /** Relative to its root (THUMBNAIL_DIR or CHUNK_DIR). */
  relativePath: string;
  /** Capture time of a thumbnail; a chunk's start. */
  startMs: number;
  /** Same as startMs for a thumbnail; a chunk's end. */
  endMs: number;
  bytes: number;
  /** Filesystem the file is on (device id). */
  volume: string;
}

/** One hour folder of one camera and kind. */
export interface FootageUnit {
  kind: FootageKind;
  camera: string;
  hourStartMs: number;
  bytes: number;
  files: number;
  oldestStartMs: number | null;
  newestEndMs: number | null;
  volume: string;
  dir: string;
}

export interface Volume {
  id: string;
  freeBytes: number;
  totalBytes: number;
}

export interface StoredChunk {
  filepath: string;
  startMs: number;
  endMs: number;
  bytes: number;
}

export interface FootageStore {
  readonly thumbnailRoot: string;
  readonly chunkRoot: string;
  /** Makes sure the camera's staging folder exists (it may have been removed by hand): ffmpeg cannot create it. */
  ensureStaging(camera: string): Promise<void>;
  /** Creates the camera's staging folder and removes what a previous process left there. */
  prepareStaging(camera: string): Promise<{ stagingDir: string; removedFiles: number; removedBytes: number }>;
  /**
   * Waits (up to timeoutMs) until the staged MP4 is whole, then renames it to its
   * contract name. null when it never became whole (it stays in staging).
   */
  publishChunk(
    stagingPath: string,
    chunk: { camera: string; startMs: number; endMs: number },
    timeoutMs: number,
  ): Promise<{ filepath: string; bytes: number } | null>;
  /**
   * Where the video starts in a finished staged chunk (ms into the file; 0 when at its start), from its
   * index; null when it holds no video (only the sound before the first keyframe). Throws when unreadable.
   */
  stagedChunkVideoStartMs(stagingPath: string): Promise<number | null>;
  /** Removes a staged chunk that is not to be published (only under the staging folder). */
  discardStagedChunk(stagingPath: string): Promise<void>;
  /** Up to `limit` chunks of `camera` starting after afterMs (null: all), oldest first. */
  listChunksNewer(camera: string, afterMs: number | null, limit: number): Promise<StoredChunk[]>;
  /** Every hour folder of the cameras' thumbnails and chunks, oldest first. */
  units(cameras: readonly string[]): Promise<FootageUnit[]>;
  /** The files of one hour folder, oldest first. */
  filesOf(unit: FootageUnit): Promise<FootageFile[]>;
  /** Deletes the files, then the hour/day/month/year folders left empty. */
  remove(files: readonly FootageFile[]): Promise<{ files: number; bytes: number }>;
  volumes(): Promise<Volume[]>;
}

const STAGING = '.staging';
const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** A folder changed this recently may still change within the same mtime tick: list it again next time. */
const SETTLED_MS = 5_000;
const STAT_BATCH = 64;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Reads the box header at an offset of an open file (fewer bytes at its end). */
function boxHeaderReader(handle: FileHandle): BoxReader {
  return async (offset) => {
    const buffer = Buffer.alloc(BOX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, BOX_HEADER_BYTES, offset);
    return buffer.subarray(0, bytesRead);
  };
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** Sizes of many files, a batch at a time (one stat at a time is the slow part of a cold sweep). */
async function sizesOf(paths: readonly string[]): Promise<(number | null)[]> {
  const out: (number | null)[] = [];
  for (let i = 0; i < paths.length; i += STAT_BATCH) {
    out.push(...(await Promise.all(paths.slice(i, i + STAT_BATCH).map(sizeOf))));
  }
  return out;
}

function parse(kind: FootageKind, relative: string): { startMs: number; endMs: number } | null {
  if (kind === 'thumbnail') {
    const t = parseThumbnailPath(relative);
    return t ? { startMs: t.capturedAtMs, endMs: t.capturedAtMs } : null;
  }
  const c = parseChunkPath(relative);
  return c ? { startMs: c.startMs, endMs: c.endMs } : null;
}

export function createFootageStore(options: { thumbnailRoot: string; chunkRoot: string; clock: Clock }): FootageStore {
  const { thumbnailRoot, chunkRoot, clock } = options;
  const unitCache = new Map<string, { mtimeMs: number; unit: FootageUnit }>();
  const rootOf = (kind: FootageKind) => (kind === 'thumbnail' ? thumbnailRoot : chunkRoot);

  async function volumeOf(root: string): Promise<string> {
    await mkdir(root, { recursive: true });
    return String((await stat(root)).dev);
  }

  /** Hour folders of one camera and kind as [y, m, d, h] and path, oldest first. */
  async function hourDirs(root: string, camera: string): Promise<{ parts: number[]; path: string }[]> {
    const out: { parts: number[]; path: string }[] = [];
    const walk = async (parts: number[], path: string): Promise<void> => {
      if (parts.length === 4) {
        out.push({ parts, path });
        return;
      }
      for (const n of sortedFolderNumbers(await listDir(path), parts.length)) {
        await walk([...parts, n], join(path, pad(n, parts.length === 0 ? 4 : 2)));
      }
    };
    await walk([], join(root, camera));
    return out;
  }

  const relativeOf = (camera: string, parts: number[], name: string) =>
    `${camera}/${pad(parts[0] as number, 4)}/${parts
      .slice(1)
      .map((p) => pad(p, 2))
      .join('/')}/${name}`;

  async function listFiles(
    kind: FootageKind,
    camera: string,
    parts: number[],
    dir: string,
    volume: string,
  ): Promise<FootageFile[]> {
    const candidates: { relativePath: string; startMs: number; endMs: number }[] = [];
    for (const name of await listDir(dir)) {
      const relativePath = relativeOf(camera, parts, name);
      const times = parse(kind, relativePath);
      if (times) candidates.push({ relativePath, ...times });
    }
    const sizes = await sizesOf(candidates.map((c) => join(rootOf(kind), c.relativePath)));
    const files: FootageFile[] = [];
    candidates.forEach((c, i) => {
      const bytes = sizes[i];
      if (bytes !== null && bytes !== undefined) files.push({ kind, camera, ...c, bytes, volume });
    });
    return files.sort((a, b) => a.startMs - b.startMs);
  }

  async function pruneEmpty(dir: string, stopAt: string): Promise<void> {
    let current = dir;
    // Hour, day, month and year folders; never the camera folder or the root.
    for (let depth = 0; depth < 4 && current.startsWith(stopAt) && current !== stopAt; depth++) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (a frame just arrived), or already gone
      }
      unitCache.delete(current);
      current = dirname(current);
    }
  }

  return {
    thumbnailRoot,
    chunkRoot,

    async ensureStaging(camera) {
      await mkdir(join(chunkRoot, STAGING, camera), { recursive: true });
    },

    async prepareStaging(camera) {
      const stagingDir = join(chunkRoot, STAGING, camera);
      await mkdir(stagingDir, { recursive: true });
      let removedFiles = 0;
      let removedBytes = 0;
      for (const name of await listDir(stagingDir)) {
        const path = join(stagingDir, name);
        removedBytes += (await sizeOf(path)) ?? 0;
        await rm(path, { force: true });
        removedFiles++;
      }
      return { stagingDir, removedFiles, removedBytes };
    },

    async stagedChunkVideoStartMs(stagingPath) {
      const size = await sizeOf(stagingPath);
      if (!size) throw new Error(`no staged chunk at ${stagingPath}`);
      const handle = await open(stagingPath, 'r');
      try {
        // faststart puts moov right after ftyp; a few top-level boxes are walked at most.
        const { boxes } = await topLevelBoxes(boxHeaderReader(handle), size, 8);
        const moov = boxes.find((b) => b.type === 'moov');
        // A moov larger than this is no chunk of ours (a 10 min chunk's is a few hundred KiB).
        if (!moov || moov.size > 64 * 1024 * 1024) throw new Error(`no readable index in ${stagingPath}`);
        const box = Buffer.alloc(moov.size);
        await handle.read(box, 0, moov.size, moov.offset);
        const headerBytes = box.readUInt32BE(0) === 1 ? 16 : 8;
        const seconds = videoStartSeconds(box.subarray(headerBytes));
        return seconds === null ? null : Math.round(seconds * 1000);
      } finally {
        await handle.close();
      }
    },

    async discardStagedChunk(stagingPath) {
      const staging = join(chunkRoot, STAGING);
      // Only a file ffmpeg staged: a path from elsewhere is a bug, not something to delete.
      if (!resolve(stagingPath).startsWith(`${resolve(staging)}${sep}`)) {
        throw new Error(`not a staged chunk: ${stagingPath}`);
      }
      await rm(stagingPath, { force: true });
    },

    async publishChunk(stagingPath, chunk, timeoutMs) {
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        const size = await sizeOf(stagingPath);
        if (size !== null && size > 0) {
          const handle = await open(stagingPath, 'r');
          try {
            if (await isCompleteMp4(boxHeaderReader(handle), size)) {
              const filepath = chunkRelativePath(chunk.camera, chunk.startMs, chunk.endMs);
              const finalPath = join(chunkRoot, filepath);
              await mkdir(dirname(finalPath), { recursive: true });
              try {
                await rename(stagingPath, finalPath);
              } catch (error) {
                // Retention removed the folder between mkdir and rename: make it again, once.
                if (!isMissing(error)) throw error;
                await mkdir(dirname(finalPath), { recursive: true });
                await rename(stagingPath, finalPath);
              }
              return { filepath, bytes: size };
            }
          } finally {
            await handle.close();
          }
        }
        if (clock.now() >= deadline) return null;
        await sleep(clock, 50);
      }
    },

    async listChunksNewer(camera, afterMs, limit) {
      const found: StoredChunk[] = [];
      const volume = await volumeOf(chunkRoot);
      for (const { parts, path } of await hourDirs(chunkRoot, camera)) {
        const hourStart = Date.UTC(parts[0] as number, (parts[1] as number) - 1, parts[2], parts[3]);
        if (afterMs !== null && hourStart + 3_600_000 <= afterMs) continue;
        for (const file of await listFiles('chunk', camera, parts, path, volume)) {
          if (afterMs === null || file.startMs > afterMs) {
            found.push({ filepath: file.relativePath, startMs: file.startMs, endMs: file.endMs, bytes: file.bytes });
          }
        }
        if (found.length >= limit) break;
      }
      return found.slice(0, limit);
    },

    async units(cameras) {
      const units: FootageUnit[] = [];
      const now = clock.now();
      for (const kind of ['thumbnail', 'chunk'] as const) {
        const root = rootOf(kind);
        const volume = await volumeOf(root);
        for (const camera of cameras) {
          for (const { parts, path } of await hourDirs(root, camera)) {
            let mtimeMs: number;
            try {
              mtimeMs = (await stat(path)).mtimeMs;
            } catch (error) {
              if (isMissing(error)) continue;
              throw error;
            }
            const cached = unitCache.get(path);
            if (cached && cached.mtimeMs === mtimeMs) {
              units.push(cached.unit);
              continue;
            }
            const files = await listFiles(kind, camera, parts, path, volume);
            const unit: FootageUnit = {
              kind,
              camera,
              hourStartMs: Date.UTC(parts[0] as number, (parts[1] as number) - 1, parts[2], parts[3]),
              bytes: files.reduce((sum, f) => sum + f.bytes, 0),
              files: files.length,
              oldestStartMs: files[0]?.startMs ?? null,
              newestEndMs: files.reduce<number | null>(
                (max, f) => (max === null || f.endMs > max ? f.endMs : max),
                null,
              ),
              volume,
              dir: path,
            };
            if (now - mtimeMs > SETTLED_MS) unitCache.set(path, { mtimeMs, unit });
            else unitCache.delete(path);
            units.push(unit);
          }
        }
      }
      return units.sort((a, b) => a.hourStartMs - b.hourStartMs);
    },

    async filesOf(unit) {
      const parts = unit.dir.split(/[\\/]/).slice(-4).map(Number);
      return listFiles(unit.kind, unit.camera, parts, unit.dir, unit.volume);
    },

    async remove(files) {
      let count = 0;
      let bytes = 0;
      const dirs = new Map<string, string>();
      for (const file of files) {
        const root = rootOf(file.kind);
        const path = join(root, file.relativePath);
        try {
          await unlink(path);
          count++;
          bytes += file.bytes;
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
        dirs.set(dirname(path), join(root, file.camera));
      }
      for (const [dir, cameraDir] of dirs) {
        unitCache.delete(dir);
        await pruneEmpty(dir, cameraDir);
      }
      return { files: count, bytes };
    },

    async volumes() {
      const seen = new Map<string, Volume>();
      for (const root of [thumbnailRoot, chunkRoot]) {
        const id = await volumeOf(root);
        if (seen.has(id)) continue;
        const fs = await statfs(root);
        seen.set(id, { id, freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize });
      }
      return [...seen.values()];
    },
  };
}
