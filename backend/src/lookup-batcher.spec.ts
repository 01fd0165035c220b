import { describe, expect, it } from 'vitest';
import { createSidesBatcher, type SidesLookup } from './lookup-batcher.js';
import type { SidesResult } from './nearest.js';

const lookup = (camera: string, at: bigint): SidesLookup => ({
  camera,
  request: { before: { startNs: at - 10n, stopNs: at }, after: { startNs: at, stopNs: at + 11n } },
});
const answer = (tag: string): SidesResult => ({
  before: { camera: tag, location: 'lab', timeNs: 1n, filepath: `${tag}.jpg` },
  after: null,
});

/** A request that waits until released, recording the lookups of each call. */
function gatedRun() {
  const calls: SidesLookup[][] = [];
  const gates: (() => void)[] = [];
  const run = (lookups: SidesLookup[]) => {
    calls.push(lookups);
    return new Promise<SidesResult[]>((resolve) => {
      gates.push(() => resolve(lookups.map((l) => answer(`${l.camera}@${l.request.after?.startNs}`))));
    });
  };
  const releaseAll = async () => {
    while (gates.length) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { calls, run, releaseAll };
}

describe('createSidesBatcher', () => {
  it('sends a lone lookup at once, alone', async () => {
    const { calls, run, releaseAll } = gatedRun();
    const batcher = createSidesBatcher(run, { maxInFlight: 2, maxBatch: 16 });
    const result = batcher.find(lookup('a', 100n));
    expect(calls).toHaveLength(1); // no timer: it left synchronously
    await releaseAll();
    expect((await result).before?.camera).toBe('a@100');
  });

  it('packs lookups that arrive while the slots are busy into the next request, up to maxBatch', async () => {
    const { calls, run, releaseAll } = gatedRun();
    const batcher = createSidesBatcher(run, { maxInFlight: 1, maxBatch: 3 });
    const answers = [1n, 2n, 3n, 4n, 5n, 6n].map((t) => batcher.find(lookup('a', t * 100n)));
    expect(calls.map((c) => c.length)).toEqual([1]);
    await releaseAll();
    expect(calls.map((c) => c.length)).toEqual([1, 3, 2]);
    expect((await Promise.all(answers)).map((a) => a.before?.camera)).toEqual([
      'a@100',
      'a@200',
      'a@300',
      'a@400',
      'a@500',
      'a@600',
    ]);
    expect(batcher.stats()).toEqual({ requests: 3, lookups: 6, shared: 0 });
  });

  it('answers identical lookups once', async () => {
    const { calls, run, releaseAll } = gatedRun();
    const batcher = createSidesBatcher(run, { maxInFlight: 1, maxBatch: 16 });
    const first = batcher.find(lookup('a', 100n));
    const again = batcher.find(lookup('a', 100n));
    const other = batcher.find(lookup('b', 100n));
    await releaseAll();
    expect(await again).toBe(await first);
    expect((await other).before?.camera).toBe('b@100');
    expect(calls.flat()).toHaveLength(2);
    expect(batcher.stats().shared).toBe(1);
  });

  it('findAll sends a wall of lookups together', async () => {
    const { calls, run, releaseAll } = gatedRun();
    const batcher = createSidesBatcher(run, { maxInFlight: 2, maxBatch: 16 });
    const answers = batcher.findAll(['a', 'b', 'c', 'd'].map((c) => lookup(c, 7n)));
    expect(calls.map((c) => c.length)).toEqual([4]);
    await releaseAll();
    expect((await answers).map((a) => a.before?.camera)).toEqual(['a@7', 'b@7', 'c@7', 'd@7']);
  });

  it('retries each lookup of a refused batch alone when told to, and fails only the bad one', async () => {
    const calls: number[] = [];
    const batcher = createSidesBatcher(
      async (lookups) => {
        calls.push(lookups.length);
        if (lookups.some((l) => l.camera === 'bad')) throw new Error('rejected');
        return lookups.map((l) => answer(String(l.camera)));
      },
      { maxInFlight: 1, maxBatch: 16, isolate: () => true },
    );
    const blocker = batcher.find(lookup('x', 1n));
    const good = batcher.find(lookup('good', 2n));
    const bad = batcher.find(lookup('bad', 3n));
    await blocker;
    expect((await good).before?.camera).toBe('good');
    await expect(bad).rejects.toThrow('rejected');
    expect(calls).toEqual([1, 2, 1, 1]);
  });

  it('fails every lookup of a batch when InfluxDB is unavailable', async () => {
    const batcher = createSidesBatcher(
      async () => {
        throw new Error('unreachable');
      },
      { maxInFlight: 1, maxBatch: 16, isolate: () => false },
    );
    const answers = [batcher.find(lookup('a', 1n)), batcher.find(lookup('b', 2n))];
    for (const a of answers) await expect(a).rejects.toThrow('unreachable');
  });
});
