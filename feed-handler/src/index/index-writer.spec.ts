import type { CameraStatusPoint, ThumbnailPoint } from '@fathom/index-contract';
import { thumbnailRelativePath } from '@fathom/index-contract';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock, flushPromises } from '../../test/support/fake-clock.js';
import type { StoredThumbnail, ThumbnailStore } from '../footage/thumbnail-store.js';
import { IndexWriter, type IndexWriterSettings, RESTARTED_REASON } from './index-writer.js';
import type { IndexPort } from './influx.js';

class FakeIndex implements IndexPort {
  up = true;
  points = new Map<string, ThumbnailPoint>();
  writes: number[][] = [];
  statuses: CameraStatusPoint[] = [];
  async write(thumbnails: readonly ThumbnailPoint[], statuses: readonly CameraStatusPoint[]) {
    if (!this.up) throw new Error('connect ECONNREFUSED');
    this.writes.push(thumbnails.map((p) => p.capturedAtMs));
    for (const p of thumbnails) this.points.set(`${p.camera}/${p.capturedAtMs}`, p);
    this.statuses.push(...statuses);
  }
  async lastIndexedMs(camera: string) {
    if (!this.up) throw new Error('connect ECONNREFUSED');
    const times = [...this.points.values()].filter((p) => p.camera === camera).map((p) => p.capturedAtMs);
    return times.length ? Math.max(...times) : null;
  }
  async lastStatus(camera: string) {
    if (!this.up) throw new Error('connect ECONNREFUSED');
    const mine = this.statuses.filter((s) => s.camera === camera).sort((a, b) => a.atMs - b.atMs);
    const last = mine.at(-1);
    return last ? { online: last.online, atMs: last.atMs } : null;
  }
}

class FakeStore implements Pick<ThumbnailStore, 'listNewer' | 'describe' | 'newestBefore'> {
  files = new Map<string, StoredThumbnail>();
  add(camera: string, ms: number): ThumbnailPoint {
    const filepath = thumbnailRelativePath(camera, ms);
    this.files.set(filepath, { filepath, capturedAtMs: ms });
    return { camera, location: 'lab', capturedAtMs: ms, filepath, bytes: 100, width: 320, height: 180 };
  }
  async listNewer(camera: string, afterMs: number | null, limit: number) {
    return [...this.files.values()]
      .filter((f) => f.filepath.startsWith(`${camera}/`) && (afterMs === null || f.capturedAtMs > afterMs))
      .sort((a, b) => a.capturedAtMs - b.capturedAtMs)
      .slice(0, limit);
  }
  async newestBefore(camera: string, beforeMs: number) {
    const times = [...this.files.values()]
      .filter((f) => f.filepath.startsWith(`${camera}/`) && f.capturedAtMs < beforeMs)
      .map((f) => f.capturedAtMs);
    return times.length ? Math.max(...times) : null;
  }
  async describe() {
    return { bytes: 100, width: 320, height: 180 };
  }
}

const settings: IndexWriterSettings = {
  batchSize: 10,
  flushMs: 1000,
  bufferMax: 25,
  statusBufferMax: 100,
  backoff: { baseMs: 500, maxMs: 4000, jitter: 0 },
};

function setup(clock = new FakeClock(), index = new FakeIndex(), store = new FakeStore()) {
  const writer = new IndexWriter({
    index,
    store,
    clock,
    log: pino({ level: 'silent' }),
    cameras: [
      { id: 'cam1', location: 'lab' },
      { id: 'cam2', location: 'lab' },
    ],
    settings,
  });
  /** A frame as the feed-handler produces it: file first, then the offer. */
  const frame = (camera: string, ms: number) => writer.offer(store.add(camera, ms));
  return { clock, index, store, writer, frame };
}

/** Every file on disk has exactly one indexed point, and every point has its file. */
function expectIndexMatchesDisk(index: FakeIndex, store: FakeStore) {
  expect([...index.points.values()].map((p) => p.filepath).sort()).toEqual([...store.files.keys()].sort());
}

describe('IndexWriter', () => {
  it('indexes what is on disk at start (after a crash), then live frames in batches', async () => {
    const { clock, index, store, writer, frame } = setup();
    const t0 = clock.now();
    index.points.set('cam1/x', { ...store.add('cam1', t0 - 60_000) });
    for (let i = 1; i <= 23; i++) store.add('cam1', t0 - 60_000 + i * 1000);
    writer.start();
    await clock.advance(100);
    expectIndexMatchesDisk(index, store);
    for (let s = 1; s <= 5; s++) {
      frame('cam1', t0 + s * 1000);
      frame('cam2', t0 + s * 1000);
      await clock.advance(1000);
    }
    expectIndexMatchesDisk(index, store);
  });

  it('keeps files coming while InfluxDB is down and indexes every one after it returns, oldest first', async () => {
    const { clock, index, store, writer, frame } = setup();
    writer.start();
    await clock.advance(100);
    index.up = false;
    const t0 = clock.now();
    for (let s = 0; s < 60; s++) {
      frame('cam1', t0 + s * 1000);
      frame('cam2', t0 + s * 1000 + 7);
      await clock.advance(1000);
    }
    expect(writer.pendingPoints()).toBeLessThanOrEqual(settings.bufferMax);
    expect(writer.healthy).toBe(false);
    index.up = true;
    for (let s = 60; s < 70; s++) {
      frame('cam1', t0 + s * 1000);
      frame('cam2', t0 + s * 1000 + 7);
      await clock.advance(1000);
    }
    expectIndexMatchesDisk(index, store);
    expect(writer.healthy).toBe(true);
    expect(writer.cameraStates().every((c) => c.inSync)).toBe(true);
    // Per camera, each write's points are newer than everything written before, except
    // harmless rewrites of already indexed points: the "prefix" invariant a restart relies on.
    for (const camera of ['cam1', 'cam2']) {
      let cursor = Number.NEGATIVE_INFINITY;
      for (const write of index.writes) {
        const mine = write.filter((ms) => (camera === 'cam1' ? ms % 1000 === 0 : ms % 1000 === 7));
        for (const ms of mine) {
          if (ms > cursor) {
            expect(store.files.has(thumbnailRelativePath(camera, ms))).toBe(true);
            const skipped = [...store.files.values()].filter(
              (f) => f.filepath.startsWith(camera) && f.capturedAtMs > cursor && f.capturedAtMs < ms,
            );
            expect(skipped.filter((f) => !index.points.has(`${camera}/${f.capturedAtMs}`))).toEqual([]);
            cursor = ms;
          }
        }
      }
    }
  });

  it('writes status points and flushes on stop; reports what it could not write', async () => {
    const { clock, index, writer, frame } = setup();
    writer.start();
    await clock.advance(100);
    writer.offerStatus({ camera: 'cam1', location: 'lab', atMs: clock.now(), online: true, reason: 'first-frame' });
    frame('cam1', clock.now());
    const stopped = writer.stop(5000);
    await flushPromises();
    expect(await stopped).toEqual({ pending: 0 });
    expect(index.statuses).toHaveLength(1);
    expect(index.points.size).toBe(1);

    const second = setup();
    second.writer.start();
    await second.clock.advance(100);
    second.index.up = false;
    second.frame('cam1', second.clock.now());
    const result = second.writer.stop(2000);
    await second.clock.advance(3000);
    expect((await result).pending).toBe(1);
  });

  it('closes a status a killed process left online at its last footage, before the new first-frame point', async () => {
    const clock = new FakeClock();
    const index = new FakeIndex();
    const store = new FakeStore();
    const t0 = clock.now();
    // The killed run: cam1 online at t0 - 60 s, indexed up to t0 - 20 s, files on disk up to t0 - 15 s.
    // cam2 was stopped cleanly (its last status is offline): nothing to close.
    index.statuses.push(
      { camera: 'cam1', location: 'lab', atMs: t0 - 60_000, online: true, reason: 'first-frame' },
      { camera: 'cam2', location: 'lab', atMs: t0 - 60_000, online: true, reason: 'first-frame' },
      { camera: 'cam2', location: 'lab', atMs: t0 - 30_000, online: false, reason: 'shutdown' },
    );
    for (let ms = t0 - 40_000; ms <= t0 - 20_000; ms += 1000) index.points.set(`cam1/${ms}`, store.add('cam1', ms));
    for (let ms = t0 - 19_000; ms <= t0 - 15_000; ms += 1000) store.add('cam1', ms);
    // InfluxDB is down at first: nothing of this run may be written before the check succeeds.
    index.up = false;
    const { writer } = setup(clock, index, store);
    writer.start();
    await clock.advance(2_000);
    writer.offerStatus({ camera: 'cam1', location: 'lab', atMs: clock.now(), online: true, reason: 'first-frame' });
    // A file of this run, on disk before the check ran: not the dead run's footage.
    store.add('cam1', clock.now());
    await clock.advance(2_000);
    index.up = true;
    await clock.advance(10_000);
    const cam1 = index.statuses.filter((s) => s.camera === 'cam1').sort((a, b) => a.atMs - b.atMs);
    expect(cam1.map((s) => [s.atMs - t0, s.online, s.reason])).toEqual([
      [-60_000, true, 'first-frame'],
      [-14_999, false, RESTARTED_REASON],
      [2_000, true, 'first-frame'],
    ]);
    expect(index.statuses.filter((s) => s.camera === 'cam2')).toHaveLength(2);
  });

  it('uses the newest indexed point when it is newer than the files, and writes nothing for a camera never seen', async () => {
    const clock = new FakeClock();
    const index = new FakeIndex();
    const t0 = clock.now();
    index.statuses.push({ camera: 'cam1', location: 'lab', atMs: t0 - 9_000, online: true, reason: 'first-frame' });
    index.points.set('cam1/p', {
      camera: 'cam1',
      location: 'lab',
      capturedAtMs: t0 - 5_000,
      filepath: thumbnailRelativePath('cam1', t0 - 5_000),
      bytes: 1,
      width: 1,
      height: 1,
    });
    const { writer } = setup(clock, index);
    writer.start();
    await clock.advance(100);
    expect(index.statuses.slice(1)).toEqual([
      { camera: 'cam1', location: 'lab', atMs: t0 - 4_999, online: false, reason: RESTARTED_REASON },
    ]);
  });
});
