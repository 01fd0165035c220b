import { describe, expect, it } from 'vitest';
import { AbortedError, createSemaphore } from './semaphore.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createSemaphore', () => {
  it('grants up to the limit at once, then serves waiters in arrival order', async () => {
    const slots = createSemaphore(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = slots.acquire().then((release) => {
      order.push('d');
      return release;
    });
    await tick();
    expect(order).toEqual([]);
    expect(slots).toMatchObject({ active: 2, waiting: 2 });
    a();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(slots).toMatchObject({ active: 2, waiting: 1 });
    b();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    expect(slots).toMatchObject({ active: 0, waiting: 0 });
  });

  it('ignores a second release of the same slot', async () => {
    const slots = createSemaphore(1);
    const release = await slots.acquire();
    release();
    release();
    expect(slots.active).toBe(0);
    await slots.acquire();
    expect(slots.active).toBe(1);
  });

  it('drops an aborted waiter from the queue, and refuses an already aborted signal', async () => {
    const slots = createSemaphore(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(slots.waiting).toBe(1);
    held();
    const release = await next;
    expect(slots.active).toBe(1);
    release();
    await expect(slots.acquire(controller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(slots.active).toBe(0);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
    expect(() => createSemaphore(1.5)).toThrow(RangeError);
  });
});
