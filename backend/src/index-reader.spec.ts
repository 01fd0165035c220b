import { describe, expect, it } from 'vitest';
import type { FluxRow, InfluxReader } from './adapters/influx.js';
import { createThumbnailIndex, rowsToBatchedSides, rowToFrame, summariseCameras } from './index-reader.js';

const row = (time: string, camera: string, extra: FluxRow = {}): FluxRow => ({
  _time: time,
  _value: `${camera}/x.jpg`,
  camera,
  location: 'lab',
  ...extra,
});

describe('row mapping', () => {
  it('keeps nanoseconds from _time and skips rows that are not frames', () => {
    expect(rowToFrame(row('2026-11-25T15:00:00.123456789Z', 'cam1'))).toEqual({
      camera: 'cam1',
      location: 'lab',
      timeNs: 1795618800123456789n,
      filepath: 'cam1/x.jpg',
      iso: '2026-11-25T15:00:00.123456789Z',
    });
    expect(rowToFrame({ _time: '2026-11-25T15:00:00Z', _value: 5, camera: 'cam1' })).toBeNull();
    expect(rowToFrame({ _value: 'x', camera: 'cam1' })).toBeNull();
  });

  it('splits a batched response by yield name, keeping the nearest row of each side', () => {
    const t = 1_795_618_800_000_000_000n; // 2026-11-25T15:00:00Z
    const ring = { before: { startNs: t - 5n, stopNs: t }, after: { startNs: t, stopNs: t + 5n } };
    const [first, second, third] = rowsToBatchedSides(
      [
        row('2026-11-25T15:00:00Z', 'a', { result: 'a0' }),
        row('2026-11-25T14:59:59Z', 'b', { result: 'b0' }),
        row('2026-11-25T14:59:58Z', 'c', { result: 'b0' }), // an older series of "any camera": not the nearest
        row('2026-11-25T14:59:59Z', 'd', { result: 'w1' }),
        row('2026-11-25T15:00:01Z', 'e', { result: 'w1' }),
        row('2026-11-25T15:00:00.5Z', 'f', { result: 'w1' }),
      ],
      [ring, { ...ring, whole: true }, ring],
    );
    expect([first?.before?.camera, first?.after?.camera]).toEqual(['b', 'a']);
    expect([second?.before?.camera, second?.after?.camera]).toEqual(['d', 'f']);
    expect(third).toEqual({ before: null, after: null });
  });

  it('summarises cameras from ids, status points and newest frames, newest location winning', () => {
    const frame = rowToFrame(row('2026-11-25T15:00:00Z', 'cam1', { location: 'porch' }));
    if (!frame) throw new Error('not a frame');
    const newest = new Map([['cam1', frame]]);
    const summaries = summariseCameras(
      [{ _value: 'cam1' }],
      [
        { _time: '2026-11-25T14:00:00Z', camera: 'cam1', location: 'lab', _field: 'online', _value: true },
        { _time: '2026-11-25T14:00:00Z', camera: 'cam1', location: 'lab', _field: 'reason', _value: 'first-frame' },
        { _time: '2026-11-25T16:00:00Z', camera: 'cam9', location: 'gate', _field: 'online', _value: false },
      ],
      newest,
    );
    expect(summaries).toEqual([
      {
        camera: 'cam1',
        location: 'porch',
        newestFrame: newest.get('cam1'),
        status: { online: true, reason: 'first-frame', sinceNs: 1795615200000000000n },
      },
      {
        camera: 'cam9',
        location: 'gate',
        newestFrame: null,
        status: { online: false, reason: '', sinceNs: 1795622400000000000n },
      },
    ]);
  });
});

describe('createThumbnailIndex', () => {
  it('widens the newest-frame search only until every camera with frames has one', async () => {
    const labels: string[] = [];
    const reader: InfluxReader = {
      async query(_query, label) {
        labels.push(label);
        if (label === 'cameras') return [{ result: 'cameras', _value: 'cam1' }];
        // The frame is only found by the third radius (1 day).
        return labels.filter((l) => l === 'newest_frames').length >= 3 ? [row('2026-11-24T15:00:00Z', 'cam1')] : [];
      },
    };
    const cameras = await createThumbnailIndex(reader, 'fathom').cameras(1795618800000000000n);
    expect(cameras[0]?.newestFrame?.timeNs).toBe(1795532400000000000n);
    expect(labels).toEqual(['cameras', 'newest_frames', 'newest_frames', 'newest_frames']);
  });

  it('sorts a range listing by time, then camera', async () => {
    const reader: InfluxReader = {
      query: async () => [
        row('2026-11-25T15:00:01Z', 'b'),
        row('2026-11-25T15:00:01Z', 'a'),
        row('2026-11-25T15:00:00Z', 'c'),
      ],
    };
    const frames = await createThumbnailIndex(reader, 'fathom').framesIn({ startNs: 0n, stopNs: 1n });
    expect(frames.map((f) => f.camera)).toEqual(['c', 'a', 'b']);
  });
});
