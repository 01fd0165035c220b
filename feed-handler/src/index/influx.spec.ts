import type { ThumbnailPoint } from '@fathom/index-contract';
import type { Point, Transport } from '@influxdata/influxdb-client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createInfluxIndex, WRITE_BATCH_SIZE, writeInBatches } from './influx.js';

const thumbnails = (n: number): ThumbnailPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    camera: 'cam1',
    location: 'lab',
    capturedAtMs: 1_700_000_000_000 + i * 1000,
    filepath: `cam1/2023/11/14/22/${1_700_000_000_000 + i * 1000}.jpg`,
    bytes: 7000,
    width: 320,
    height: 180,
  }));

/** The real client over a fake HTTP layer: answers each write with `status(n)` (n counts from 0). */
function fakeTransport(status: (n: number) => number) {
  const bodies: string[] = [];
  // Only what a write uses; the rest of Transport (e.g. chunkCombiner) is never reached.
  const used: Pick<Transport, 'send' | 'request' | 'iterate'> = {
    send(_path, body, _options, callbacks) {
      const n = bodies.push(body) - 1;
      const code = status(n);
      setImmediate(() => {
        callbacks?.responseStarted?.({}, code);
        if (code === 204) callbacks?.complete?.();
        else callbacks?.error?.(new Error(`HTTP ${code}`));
      });
    },
    request: () => Promise.reject(new Error('not used')),
    iterate: () => {
      throw new Error('not used');
    },
  };
  return { transport: used as Transport, bodies };
}

const index = (transport: Transport) =>
  createInfluxIndex(
    { url: 'http://influx.test:8086', token: 't', org: 'o', bucket: 'b', transport },
    pino({ level: 'silent' }),
  );

describe('influx writes', () => {
  it('sends more points than a batch as several requests, each under the batch size', async () => {
    const { transport, bodies } = fakeTransport(() => 204);
    await index(transport).write(thumbnails(WRITE_BATCH_SIZE * 2 + 5), []);
    const lines = bodies.map((body) => body.split('\n').length);
    expect(lines).toEqual([WRITE_BATCH_SIZE - 1, WRITE_BATCH_SIZE - 1, 7]);
  });

  it('rejects when any request of a large write fails, also one the client would have flushed by itself', async () => {
    // The first request: with everything handed over at once, the client sends it on its own when its
    // buffer fills and swallows the error; the explicit flush then sends the rest and succeeds.
    const first = fakeTransport((n) => (n === 0 ? 500 : 204));
    await expect(index(first.transport).write(thumbnails(WRITE_BATCH_SIZE + 10), [])).rejects.toThrow('HTTP 500');
    const last = fakeTransport((n) => (n === 2 ? 503 : 204));
    await expect(
      index(last.transport).writeChunks(
        Array.from({ length: WRITE_BATCH_SIZE * 2 + 1 }, (_, i) => ({
          camera: 'cam1',
          location: 'lab',
          filepath: `cam1/${i}.mp4`,
          startMs: i * 10_000,
          endMs: (i + 1) * 10_000,
          bytes: 1,
        })),
      ),
    ).rejects.toThrow('HTTP 503');
  });

  it('writes statuses before thumbnails, and nothing for nothing', async () => {
    const { transport, bodies } = fakeTransport(() => 204);
    const api = index(transport);
    await api.write([], []);
    expect(bodies).toHaveLength(0);
    await api.write(thumbnails(1), [{ camera: 'cam1', location: 'lab', online: true, reason: 'first-frame', atMs: 5 }]);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.split('\n').map((line) => line.split(',')[0])).toEqual(['camera_status', 'filepaths']);
  });
});

describe('writeInBatches', () => {
  it('never gives the client a full buffer before an explicit flush', async () => {
    const calls: string[] = [];
    const api = {
      writePoints: (points: readonly Point[]) => {
        calls.push(`write ${points.length}`);
      },
      flush: async () => {
        calls.push('flush');
      },
    };
    await writeInBatches(
      api,
      Array.from({ length: 7 }, (_, i) => i),
      () => ({}) as Point,
      3,
    );
    expect(calls).toEqual(['write 2', 'flush', 'write 2', 'flush', 'write 2', 'flush', 'write 1', 'flush']);
  });

  it('stops at the first failed flush and rejects with it', async () => {
    let flushes = 0;
    const api = {
      writePoints: () => undefined,
      flush: async () => {
        flushes++;
        if (flushes === 2) throw new Error('down');
      },
    };
    await expect(writeInBatches(api, [1, 2, 3, 4, 5], () => ({}) as Point, 2)).rejects.toThrow('down');
    expect(flushes).toBe(2);
  });
});
