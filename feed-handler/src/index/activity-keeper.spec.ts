import type { ThumbnailPoint } from '@fathom/index-contract';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { ActivityKeeper, type ActivityPort } from './activity-keeper.js';

const log = { info: () => {}, warn: () => {}, error: () => {} };
const point = (capturedAtMs: number): ThumbnailPoint => ({
  camera: 'cam',
  location: 'lab',
  capturedAtMs,
  filepath: 'x.jpg',
  bytes: 1,
  width: 1,
  height: 1,
});

function fakePort(failures = 0) {
  const calls: string[] = [];
  let left = failures;
  const port: ActivityPort = {
    async ensureBucket(name, seconds) {
      if (left-- > 0) throw new Error('connection refused');
      calls.push(`bucket ${name} ${seconds}`);
      return 'created';
    },
    async ensureTask(name) {
      calls.push(`task ${name}`);
      return 'created';
    },
    async runScript(flux) {
      calls.push(
        `script ${/range\(start: time\(v: (\d+)\), stop: time\(v: (\d+)\)\)/.exec(flux)?.slice(1).join('..')}`,
      );
    },
  };
  return { port, calls };
}

const keeperWith = (port: ActivityPort, clock: FakeClock) =>
  new ActivityKeeper({
    port,
    clock,
    log,
    bucket: 'fathom',
    activityBucket: 'fathom_activity',
    retentionDays: 400,
    backoff: { baseMs: 1_000, maxMs: 10_000, jitter: 0 },
  });

describe('ActivityKeeper', () => {
  it('creates the bucket and the task, retrying while InfluxDB is away', async () => {
    const clock = new FakeClock();
    const { port, calls } = fakePort(2);
    const keeper = keeperWith(port, clock);
    keeper.start();
    await clock.advance(0);
    expect(keeper.state()).toMatchObject({ ready: false, lastError: 'connection refused' });
    await clock.advance(5_000);
    expect(calls).toEqual([
      'bucket fathom_activity 34560000',
      'task fathom activity per minute: fathom -> fathom_activity',
    ]);
    expect(keeper.state()).toEqual({ ready: true, pendingBackfill: false, lastError: null });
    await keeper.stop();
  });

  it('sums the minutes of late points again, once for a batch, and ignores points the task will see', async () => {
    const clock = new FakeClock();
    const { port, calls } = fakePort();
    const keeper = keeperWith(port, clock);
    keeper.start();
    await clock.advance(0);
    const now = clock.now();
    keeper.noteIndexed([point(now - 1_000)]); // recent: the task sums it
    await clock.advance(10_000);
    expect(calls.filter((c) => c.startsWith('script'))).toEqual([]);
    keeper.noteIndexed([point(now - 3_600_000), point(now - 3_500_000)]);
    keeper.noteIndexed([point(now - 7_200_000 + 30_000)]);
    await clock.advance(6_000);
    const minute = (ms: number) => BigInt(Math.floor(ms / 60_000) * 60_000) * 1_000_000n;
    expect(calls.filter((c) => c.startsWith('script'))).toEqual([
      `script ${minute(now - 7_200_000 + 30_000)}..${minute(now - 3_500_000) + 60_000_000_000n}`,
    ]);
    await keeper.stop();
  });
});
