/**
 * Retention on real InfluxDB and a real filesystem (the service's own
 * adapters, driven in-process so each sweep is a deliberate step): with a
 * tiny disk budget the oldest thumbnails and chunks of two cameras go, with
 * their index points, and nothing newer; files being written (.tmp, staging)
 * and files from the last minute are never touched; an age limit removes what
 * is older; emptied hour folders are removed.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chunkRelativePath, MEASUREMENT, TAG, thumbnailRelativePath } from '@fathom/index-contract';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFootageStore } from '../src/footage/footage-store.js';
import { Retention } from '../src/footage/retention.js';
import { createInfluxIndex } from '../src/index/influx.js';
import { systemClock } from '../src/shared/clock.js';
import { flux } from './harness.js';

const influx = inject('influx');
const RUN = Date.now().toString(36);
const CAMERAS = [`ret-a-${RUN}`, `ret-b-${RUN}`];
const HOUR = 3_600_000;
const THUMB_BYTES = 1_000;
const CHUNK_BYTES = 20_000;
const root = mkdtempSync(join(tmpdir(), 'fathom-retention-'));
const thumbnailRoot = join(root, 'thumbnails');
const chunkRoot = join(thumbnailRoot, '_chunks');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Made {
  camera: string;
  kind: 'thumbnail' | 'chunk';
  path: string;
  startMs: number;
  bytes: number;
}

function put(path: string, bytes: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.alloc(bytes, 7));
}

async function pointTimes(measurement: string, camera: string): Promise<number[]> {
  const rows = await flux(
    influx,
    `from(bucket: "${influx.bucket}") |> range(start: 0)
      |> filter(fn: (r) => r._measurement == "${measurement}" and r._field == "filepath" and r.${TAG.camera} == "${camera}")
      |> keep(columns: ["_time"])`,
  );
  return rows.map((r) => Date.parse(r._time as string)).sort((a, b) => a - b);
}

describe('retention (real InfluxDB, real files)', () => {
  it('deletes the oldest footage and its points first, and nothing newer or still being written', async () => {
    const log = pino({ level: 'silent' });
    const index = createInfluxIndex(influx, log);
    const now = Date.now();
    // Per camera: three hours of footage, 4 hours ago .. 1 hour ago: a thumbnail every 5 minutes
    // (36) and a chunk every 30 minutes (6); plus a thumbnail from 10 s ago (protected).
    const made: Made[] = [];
    const base = Math.floor((now - 4 * HOUR) / HOUR) * HOUR;
    for (const camera of CAMERAS) {
      const offset = camera === CAMERAS[0] ? 0 : 1_000; // the cameras interleave, a second apart
      const thumbs = [];
      for (let i = 0; i < 36; i++) {
        const t = base + offset + i * 300_000;
        const path = thumbnailRelativePath(camera, t);
        put(join(thumbnailRoot, path), THUMB_BYTES);
        made.push({ camera, kind: 'thumbnail', path, startMs: t, bytes: THUMB_BYTES });
        thumbs.push({
          camera,
          location: 'lab',
          capturedAtMs: t,
          filepath: path,
          bytes: THUMB_BYTES,
          width: 1,
          height: 1,
        });
      }
      const recent = now - 10_000 + offset;
      const recentPath = thumbnailRelativePath(camera, recent);
      put(join(thumbnailRoot, recentPath), THUMB_BYTES);
      made.push({ camera, kind: 'thumbnail', path: recentPath, startMs: recent, bytes: THUMB_BYTES });
      thumbs.push({
        camera,
        location: 'lab',
        capturedAtMs: recent,
        filepath: recentPath,
        bytes: THUMB_BYTES,
        width: 1,
        height: 1,
      });
      const chunks = [];
      for (let i = 0; i < 6; i++) {
        const start = base + offset + i * 1_800_000;
        const end = start + 1_800_000;
        const path = chunkRelativePath(camera, start, end);
        put(join(chunkRoot, path), CHUNK_BYTES);
        made.push({ camera, kind: 'chunk', path, startMs: start, bytes: CHUNK_BYTES });
        chunks.push({ camera, location: 'lab', startMs: start, endMs: end, filepath: path, bytes: CHUNK_BYTES });
      }
      await index.write(thumbs, []);
      await index.writeChunks(chunks);
      // Being written: a thumbnail's temp name in an old hour, and a chunk in staging.
      put(join(thumbnailRoot, `${thumbnailRelativePath(camera, base + offset)}.tmp`), THUMB_BYTES);
      put(join(chunkRoot, '.staging', camera, 'run-000001.mp4'), CHUNK_BYTES);
    }
    const total = made.reduce((sum, m) => sum + m.bytes, 0);
    const budget = Math.floor(total / 2);

    const store = createFootageStore({ thumbnailRoot, chunkRoot, clock: systemClock });
    const retention = new Retention({
      store,
      index,
      clock: systemClock,
      log,
      cameras: CAMERAS.map((id) => ({ id, location: 'lab' })),
      limits: { maxAgeMs: null, maxBytes: budget, minFreeBytes: 0, protectMs: 60_000 },
      intervalMs: 3_600_000,
      freeCheckMs: 3_600_000,
    });

    const first = await retention.sweep('manual');
    // Oldest first, whatever the camera or kind, until the rest fits the budget.
    // Ties (a thumbnail and a chunk of the same instant) by camera, then kind, as the plan does.
    const byAge = [...made].sort(
      (a, b) => a.startMs - b.startMs || a.camera.localeCompare(b.camera) || a.kind.localeCompare(b.kind),
    );
    let excess = total - budget;
    const expectedGone = new Set<string>();
    for (const m of byAge) {
      if (excess <= 0) break;
      expectedGone.add(`${m.kind}:${m.path}`);
      excess -= m.bytes;
    }
    const exists = (m: Made) => existsSync(join(m.kind === 'thumbnail' ? thumbnailRoot : chunkRoot, m.path));
    const gone = made.filter((m) => !exists(m)).map((m) => `${m.kind}:${m.path}`);
    expect(new Set(gone)).toEqual(expectedGone);
    expect(first.deletedFiles).toBe(expectedGone.size);
    const newestGone = Math.max(...made.filter((m) => !exists(m)).map((m) => m.startMs));
    expect(made.filter((m) => exists(m)).every((m) => m.startMs >= newestGone)).toBe(true);

    // The index holds exactly the files that are left.
    for (const camera of CAMERAS) {
      for (const [kind, measurement] of [
        ['thumbnail', MEASUREMENT.thumbnails],
        ['chunk', MEASUREMENT.chunks],
      ] as const) {
        const left = made
          .filter((m) => m.camera === camera && m.kind === kind && exists(m))
          .map((m) => m.startMs)
          .sort((a, b) => a - b);
        expect(await pointTimes(measurement, camera), `${kind} points of ${camera}`).toEqual(left);
      }
      // Files being written are untouched.
      expect(
        existsSync(
          join(thumbnailRoot, `${thumbnailRelativePath(camera, base + (camera === CAMERAS[0] ? 0 : 1_000))}.tmp`),
        ),
      ).toBe(true);
      expect(readdirSync(join(chunkRoot, '.staging', camera))).toEqual(['run-000001.mp4']);
    }
    // The first hour is wholly gone: its folders too (only the .tmp file keeps one alive).
    const firstHour = new Date(base).toISOString().slice(11, 13);
    expect(
      existsSync(
        join(chunkRoot, CAMERAS[0] as string, new Date(base).toISOString().slice(0, 10).replace(/-/g, '/'), firstHour),
      ),
    ).toBe(false);

    const storage = retention.storage();
    expect(storage?.usedBytes).toBe(total - first.deletedBytes);
    expect(storage?.usedBytes).toBeLessThanOrEqual(budget);

    // A 1-byte budget leaves only what is protected: the files of the last minute.
    const tiny = new Retention({
      store,
      index,
      clock: systemClock,
      log,
      cameras: CAMERAS.map((id) => ({ id, location: 'lab' })),
      limits: { maxAgeMs: null, maxBytes: 1, minFreeBytes: 0, protectMs: 60_000 },
      intervalMs: 3_600_000,
      freeCheckMs: 3_600_000,
    });
    const second = await tiny.sweep('manual');
    expect(second.shortfallBytes).toBeGreaterThan(0);
    expect(made.filter(exists).map((m) => m.startMs)).toEqual(
      made.filter((m) => m.startMs > now - 60_000).map((m) => m.startMs),
    );
    for (const camera of CAMERAS) {
      expect(await pointTimes(MEASUREMENT.thumbnails, camera)).toEqual(
        made.filter((m) => m.camera === camera && m.startMs > now - 60_000).map((m) => m.startMs),
      );
      expect(await pointTimes(MEASUREMENT.chunks, camera)).toEqual([]);
    }
  });

  it('an age limit deletes what is older, points first', async () => {
    const log = pino({ level: 'silent' });
    const index = createInfluxIndex(influx, log);
    const camera = `ret-age-${RUN}`;
    const now = Date.now();
    const times = [now - 3 * HOUR, now - 2 * HOUR - 1, now - 2 * HOUR + 60_000, now - HOUR];
    for (const t of times) put(join(thumbnailRoot, thumbnailRelativePath(camera, t)), THUMB_BYTES);
    await index.write(
      times.map((t) => ({
        camera,
        location: 'lab',
        capturedAtMs: t,
        filepath: thumbnailRelativePath(camera, t),
        bytes: THUMB_BYTES,
        width: 1,
        height: 1,
      })),
      [],
    );
    const retention = new Retention({
      store: createFootageStore({ thumbnailRoot, chunkRoot, clock: systemClock }),
      index,
      clock: systemClock,
      log,
      cameras: [{ id: camera, location: 'lab' }],
      limits: { maxAgeMs: 2 * HOUR, maxBytes: null, minFreeBytes: 0, protectMs: 60_000 },
      intervalMs: 3_600_000,
      freeCheckMs: 3_600_000,
    });
    const report = await retention.sweep('manual');
    expect(report.deletedFiles).toBe(2);
    const left = times.slice(2);
    expect(times.filter((t) => existsSync(join(thumbnailRoot, thumbnailRelativePath(camera, t))))).toEqual(left);
    expect(await pointTimes(MEASUREMENT.thumbnails, camera)).toEqual(left);
    expect(retention.storage()?.cameras[0]).toMatchObject({
      camera,
      thumbnailBytes: 2 * THUMB_BYTES,
      oldestMs: left[0],
    });
  });
});
