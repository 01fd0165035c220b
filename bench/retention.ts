/**
 * Retention sweep time over synthetic footage: `node --import tsx bench/retention.ts [files] [cameras]`.
 *
 * Writes `files` thumbnails (default 100,000: 1 a second, split over `cameras`, in the
 * contract's hour folders) plus one 10-minute chunk per camera per 10 minutes, all as
 * sparse files of realistic sizes (so the disk is not filled), then times the
 * feed-handler's own Retention with its real filesystem adapter:
 *   1. a cold sweep (every hour folder listed and every file stat'ed; nothing to delete),
 *   2. a warm sweep (hour folders unchanged since: only their mtime is read),
 *   3. a sweep with the budget at half the footage (lists the oldest hours, deletes ~half).
 * The index port is a no-op that counts calls: the InfluxDB delete is one HTTP request per
 * camera and kind, whatever the number of files.
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chunkRelativePath, thumbnailRelativePath } from '@fathom/index-contract';
import { pino } from 'pino';
import { createFootageStore } from '../feed-handler/src/footage/footage-store.js';
import { Retention, type RetentionIndexPort } from '../feed-handler/src/footage/retention.js';
import { systemClock } from '../feed-handler/src/shared/clock.js';

const FILES = Number(process.argv[2] ?? 100_000);
const CAMERAS = Number(process.argv[3] ?? 1);
const THUMB_BYTES = 15_000;
const CHUNK_BYTES = 60_000_000;

function sparse(path: string, bytes: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  truncateSync(path, bytes);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'fathom-bench-retention-'));
  const thumbnailRoot = join(root, 'thumbnails');
  const chunkRoot = join(thumbnailRoot, '_chunks');
  const cameras = Array.from({ length: CAMERAS }, (_, i) => `cam${i + 1}`);
  const perCamera = Math.ceil(FILES / CAMERAS);
  const end = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const start = end - perCamera * 1000;
  let written = 0;
  let chunks = 0;
  const t0 = performance.now();
  for (const camera of cameras) {
    for (let i = 0; i < perCamera && written < FILES; i++, written++) {
      sparse(join(thumbnailRoot, thumbnailRelativePath(camera, start + i * 1000)), THUMB_BYTES);
    }
    for (let t = start; t < end; t += 600_000, chunks++) {
      sparse(join(chunkRoot, chunkRelativePath(camera, t, Math.min(t + 600_000, end))), CHUNK_BYTES);
    }
  }
  const setupSeconds = (performance.now() - t0) / 1000;
  // The store does not trust a folder's totals while its mtime is under 5 s old (a change in the
  // same mtime tick would go unseen). On a live system only the current hour is that fresh.
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  let deletes = 0;
  const index: RetentionIndexPort = {
    deleteUpTo: async () => {
      deletes++;
    },
    writeStorage: async () => {},
  };
  const store = createFootageStore({ thumbnailRoot, chunkRoot, clock: systemClock });
  const total = written * THUMB_BYTES + chunks * CHUNK_BYTES;
  const retention = (maxBytes: number | null) =>
    new Retention({
      store,
      index,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      cameras: cameras.map((id) => ({ id, location: 'bench' })),
      limits: { maxAgeMs: null, maxBytes, minFreeBytes: 0, protectMs: 60_000 },
      intervalMs: 3_600_000,
      freeCheckMs: 3_600_000,
    });

  const timed = async (label: string, maxBytes: number | null) => {
    const started = performance.now();
    const report = await retention(maxBytes).sweep('manual');
    const seconds = (performance.now() - started) / 1000;
    return { label, seconds: Number(seconds.toFixed(3)), ...report };
  };
  const results = [
    await timed('cold: list and stat everything', null),
    await timed('warm: nothing changed', null),
    await timed('delete: budget at half the footage', Math.floor(total / 2)),
    await timed('after the delete (warm)', Math.floor(total / 2)),
  ];
  process.stdout.write(
    `${JSON.stringify(
      {
        thumbnails: written,
        chunks,
        cameras: CAMERAS,
        footageGB: Number((total / 1e9).toFixed(2)),
        setupSeconds: Number(setupSeconds.toFixed(1)),
        indexDeleteCalls: deletes,
        sweeps: results.map((r) => ({
          label: r.label,
          seconds: r.seconds,
          hourFolders: r.hourFolders,
          openedFolders: r.openedFolders,
          deletedFiles: r.deletedFiles,
          deletedGB: Number((r.deletedBytes / 1e9).toFixed(2)),
        })),
      },
      null,
      2,
    )}\n`,
  );
  rmSync(root, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
