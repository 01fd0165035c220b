import type { DetectionPoint } from '@fathom/index-contract';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { DetectionWriter } from './detection-writer.js';

const point = (atMs: number): DetectionPoint => ({
  camera: 'a',
  location: 'here',
  capturedAtMs: atMs,
  label: 'person',
  score: 0.8,
  box: [0.1, 0.1, 0.5, 0.9],
  count: 1,
  filepath: `a/${atMs}.jpg`,
});
const silent = { warn: () => {}, error: () => {} };

describe('DetectionWriter', () => {
  it('writes queued points each flush and reports them', async () => {
    const clock = new FakeClock();
    const written: DetectionPoint[][] = [];
    const reported: number[] = [];
    const writer = new DetectionWriter({
      index: { writeDetections: async (p) => void written.push([...p]) },
      clock,
      log: silent,
      flushMs: 1000,
      backoff: { baseMs: 500, maxMs: 4000, jitter: 0 },
      onWritten: (p) => reported.push(p.length),
    });
    writer.start();
    writer.offer([point(1), point(2)]);
    await clock.advance(1000);
    expect(written).toEqual([[point(1), point(2)]]);
    expect(reported).toEqual([2]);
    expect(await writer.stop(1000)).toEqual({ pending: 0 });
  });

  it('keeps points through refused writes, retrying with backoff, and flushes on stop', async () => {
    const clock = new FakeClock();
    let refuse = 2;
    const written: number[] = [];
    const writer = new DetectionWriter({
      index: {
        writeDetections: async (p) => {
          if (refuse-- > 0) throw new Error('HTTP 503');
          written.push(...p.map((x) => x.capturedAtMs));
        },
      },
      clock,
      log: silent,
      flushMs: 1000,
      backoff: { baseMs: 500, maxMs: 4000, jitter: 0 },
    });
    writer.offer([point(1)]);
    writer.start();
    await clock.advance(10);
    expect(writer.lastError).toBe('HTTP 503');
    expect(writer.pending()).toBe(1);
    await clock.advance(500 + 1000);
    expect(written).toEqual([1]);
    expect(writer.lastError).toBeNull();
    writer.offer([point(2)]);
    expect(await writer.stop(1000)).toEqual({ pending: 0 });
    expect(written).toEqual([1, 2]);
  });

  it('drops the oldest points beyond its bound and counts them', () => {
    const clock = new FakeClock();
    const dropped: number[] = [];
    const writer = new DetectionWriter({
      index: { writeDetections: async () => {} },
      clock,
      log: silent,
      flushMs: 1000,
      backoff: { baseMs: 500, maxMs: 4000, jitter: 0 },
      onDropped: (n) => dropped.push(n),
      queueMax: 3,
    });
    writer.offer([point(1), point(2), point(3), point(4), point(5)]);
    expect(dropped).toEqual([2]);
    expect(writer.pending()).toBe(3);
  });
});
