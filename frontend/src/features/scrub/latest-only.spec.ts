import { describe, expect, it } from 'vitest';
import { latestOnly } from './latest-only';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('latestOnly', () => {
  it('sends the first wish, then only the newest of those made meanwhile', async () => {
    const started: number[] = [];
    const pending = new Map<number, ReturnType<typeof deferred<string>>>();
    const delivered: [number, unknown][] = [];
    const runner = latestOnly(
      (n: number) => {
        started.push(n);
        const d = deferred<string>();
        pending.set(n, d);
        return d.promise;
      },
      (n, outcome) => delivered.push([n, outcome.ok ? outcome.value : outcome.error]),
    );
    runner.request(1);
    runner.request(2);
    runner.request(3);
    runner.request(4);
    expect(started).toEqual([1]);
    pending.get(1)?.resolve('one');
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([1, 4]);
    pending.get(4)?.resolve('four');
    await new Promise((r) => setTimeout(r, 0));
    expect(delivered).toEqual([
      [1, 'one'],
      [4, 'four'],
    ]);
  });

  it('delivers failures and goes on; stops after dispose', async () => {
    const delivered: boolean[] = [];
    const runner = latestOnly(
      (n: number) => (n === 1 ? Promise.reject(new Error('x')) : Promise.resolve(n)),
      (_n, outcome) => delivered.push(outcome.ok),
    );
    runner.request(1);
    runner.request(2);
    await new Promise((r) => setTimeout(r, 0));
    expect(delivered).toEqual([false, true]);
    runner.dispose();
    runner.request(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(delivered).toEqual([false, true]);
  });
});
