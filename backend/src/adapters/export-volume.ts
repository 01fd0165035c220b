/**
 * The export volume (EXPORT_DIR), the only place the backend writes: finished timelapses,
 * their job records, and work in progress.
 *
 *   <root>/<id>.mp4        finished exports, the only files served
 *   <root>/jobs/<id>.json  job records (write-then-rename, so a crash never leaves half a record)
 *   <root>/work/<id>.*     the concat list and the MP4 being written; renamed into place when whole,
 *                          removed on cancel or failure, and swept at start (nothing there survives a restart)
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ThumbnailFile } from './files.js';

/** Job ids are UUIDs: a path made from one can never leave the volume. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ExportVolume {
  readonly root: string;
  /** Creates the folders, checks they are writable, and clears work left by a previous run. */
  init(): Promise<void>;
  saveRecord(id: string, record: unknown): Promise<void>;
  /** Every record that parses; the names of those that do not. */
  loadRecords(): Promise<{ records: unknown[]; unreadable: string[] }>;
  /** Writes the concat list; returns its path. */
  writeList(id: string, text: string): Promise<string>;
  /** Where ffmpeg writes the MP4 being made. */
  workVideoPath(id: string): string;
  /** Moves the finished MP4 into place (one rename) and removes the work files; returns its size. */
  commit(id: string): Promise<number>;
  discardWork(id: string): Promise<void>;
  /** Removes the export: record, video and work files. */
  remove(id: string): Promise<void>;
  openVideo(id: string): Promise<ThumbnailFile | null>;
}

function checked(id: string): string {
  if (!ID.test(id)) throw new Error(`not an export id: ${id}`);
  return id;
}

export function createExportVolume(rootDir: string): ExportVolume {
  const root = resolve(rootDir);
  const jobs = join(root, 'jobs');
  const work = join(root, 'work');
  const videoPath = (id: string) => join(root, `${checked(id)}.mp4`);
  const recordPath = (id: string) => join(jobs, `${checked(id)}.json`);

  return {
    root,
    async init() {
      await mkdir(jobs, { recursive: true });
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      // Fail now, with the path in the message, rather than on the first export.
      const probe = join(work, '.writable');
      await writeFile(probe, '');
      await rm(probe);
    },

    async saveRecord(id, record) {
      const target = recordPath(id);
      const temporary = `${target}.tmp`;
      await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
      await rename(temporary, target);
    },

    async loadRecords() {
      const records: unknown[] = [];
      const unreadable: string[] = [];
      for (const name of await readdir(jobs)) {
        if (!name.endsWith('.json')) continue;
        try {
          records.push(JSON.parse(await readFile(join(jobs, name), 'utf8')));
        } catch {
          unreadable.push(name);
        }
      }
      return { records, unreadable };
    },

    async writeList(id, text) {
      const path = join(work, `${checked(id)}.ffconcat`);
      await writeFile(path, text);
      return path;
    },

    workVideoPath: (id) => join(work, `${checked(id)}.mp4.part`),

    async commit(id) {
      const target = videoPath(id);
      await rename(join(work, `${checked(id)}.mp4.part`), target);
      await rm(join(work, `${id}.ffconcat`), { force: true });
      return (await stat(target)).size;
    },

    async discardWork(id) {
      await rm(join(work, `${checked(id)}.mp4.part`), { force: true });
      await rm(join(work, `${id}.ffconcat`), { force: true });
    },

    async remove(id) {
      await rm(videoPath(id), { force: true });
      await rm(recordPath(id), { force: true });
      await rm(join(work, `${id}.mp4.part`), { force: true });
      await rm(join(work, `${id}.ffconcat`), { force: true });
    },

    async openVideo(id) {
      if (!ID.test(id)) return null;
      try {
        const handle = await open(videoPath(id), constants.O_RDONLY | constants.O_NOFOLLOW);
        const info = await handle.stat();
        return {
          size: info.size,
          mtimeMs: info.mtimeMs,
          stream: (range) => handle.createReadStream(range ? { start: range.start, end: range.end } : { start: 0 }),
          close: () => handle.close(),
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}
