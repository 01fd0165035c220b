/**
 * The export bench's data on disk and in the index: the distinct JPEGs (encoded once by
 * ffmpeg, cached), the camera-day's thumbnail tree of hard links to them (cached, grown to
 * as many stills as a run needs), and the index points written into a fresh bucket.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type InfluxTarget, writeLines } from '../lib/influx.js';
import { progressBar } from '../lib/progress.js';
import {
  distinctDirName,
  distinctFileName,
  distinctStillsArgs,
  sourceIndex,
  stillLine,
  stillRelativePath,
} from './dataset.js';

const execFileAsync = promisify(execFile);
const LINES_PER_WRITE = 10_000;

/** Refuses to start when the cache's disk is nearly full: the tree needs inodes, the JPEGs ~20 KB each. */
export function checkFreeDisk(dir: string, distinct: number, log: (m: string) => void): void {
  mkdirSync(dir, { recursive: true });
  const fs = statfsSync(dir);
  const freeBytes = fs.bavail * fs.bsize;
  const needBytes = distinct * 40_000 + 2 * 2 ** 30;
  log(`free disk at ${dir}: ${(freeBytes / 2 ** 30).toFixed(1)} GiB, ${fs.ffree.toLocaleString('en-US')} inodes`);
  if (freeBytes < needBytes) {
    throw new Error(
      `only ${(freeBytes / 2 ** 30).toFixed(1)} GiB free at ${dir}; need ${(needBytes / 2 ** 30).toFixed(1)}`,
    );
  }
  if (fs.ffree > 0 && fs.ffree < 200_000) throw new Error(`only ${fs.ffree} inodes free at ${dir}`);
}

/** The distinct JPEGs and their sizes in bytes; encoded (aside, then renamed) when not cached. */
export async function provideDistinctStills(
  cacheDir: string,
  distinct: number,
  log: (m: string) => void,
): Promise<{ dir: string; sizes: number[]; encoded: boolean }> {
  const dir = join(cacheDir, distinctDirName(distinct));
  let encoded = false;
  if (!existsSync(join(dir, 'complete.json'))) {
    rmSync(dir, { recursive: true, force: true });
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    log(`encoding ${distinct} distinct stills into ${dir} (once; cached) ...`);
    const started = performance.now();
    try {
      await execFileAsync('ffmpeg', distinctStillsArgs(distinct, partial), { maxBuffer: 16 << 20 });
      const count = readdirSync(partial).filter((name) => name.endsWith('.jpg')).length;
      if (count !== distinct) throw new Error(`ffmpeg wrote ${count} stills, not ${distinct}`);
      writeFileSync(join(partial, 'complete.json'), JSON.stringify({ distinct, at: new Date().toISOString() }));
      renameSync(partial, dir);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    log(`  encoded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    encoded = true;
  }
  const sizes = Array.from({ length: distinct }, (_, i) => statSync(join(dir, distinctFileName(i))).size);
  return { dir, sizes, encoded };
}

/**
 * THUMBNAIL_DIR for the backend: the first `stills` seconds of the day as hard links to the
 * distinct JPEGs, under the feed-handler's names. Kept in the cache and only grown.
 */
export function provideStillTree(
  cacheDir: string,
  stills: { dir: string; distinct: number },
  count: number,
  log: (m: string) => void,
): string {
  const root = join(cacheDir, `thumbnails-d${stills.distinct}`);
  const marker = join(root, 'linked.json');
  const linked = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as { stills: number }).stills : 0;
  if (linked >= count) return root;
  const bar = progressBar('linking the camera-day', count, process.stderr, 'stills');
  let lastDir = '';
  for (let i = 0; i < count; i++) {
    const target = join(root, stillRelativePath(i));
    const folder = dirname(target);
    if (folder !== lastDir) {
      mkdirSync(folder, { recursive: true });
      lastDir = folder;
    }
    // An interrupted run may have linked part of the range: keep what is there.
    if (!existsSync(target)) linkSync(join(stills.dir, distinctFileName(sourceIndex(i, stills.distinct))), target);
    if (i % 1_000 === 999) bar.advance(1_000);
  }
  bar.advance(count % 1_000);
  bar.finish();
  writeFileSync(marker, JSON.stringify({ stills: count }));
  log(`thumbnail tree ${root}: ${count.toLocaleString('en-US')} stills`);
  return root;
}

/** Writes the first `count` stills' index points; returns the seconds it took. */
export async function writeStillIndex(
  target: InfluxTarget,
  bucket: string,
  count: number,
  sizes: readonly number[],
): Promise<number> {
  const started = performance.now();
  const bar = progressBar('indexing the camera-day', count, process.stderr, 'points');
  let lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(stillLine(i, sizes[sourceIndex(i, sizes.length)] as number));
    if (lines.length === LINES_PER_WRITE) {
      await writeLines(target, bucket, lines);
      bar.advance(lines.length);
      lines = [];
    }
  }
  if (lines.length) {
    await writeLines(target, bucket, lines);
    bar.advance(lines.length);
  }
  bar.finish();
  return (performance.now() - started) / 1000;
}
