/**
 * A counting semaphore: at most `limit` holders at once, waiters served in
 * arrival order. Shared by the camera supervisors so that only a few keyframe
 * probes run at a time (many at once on a loaded machine see too few keyframes).
 */

export interface Semaphore {
  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Slots held now. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly waiting: number;
}

export class AbortedError extends Error {
  constructor() {
    super('aborted while waiting for a slot');
    this.name = 'AbortedError';
  }
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`semaphore limit must be a positive integer: ${limit}`);
  let active = 0;
  const queue: Array<() => void> = [];

  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      // The slot passes straight to the next waiter: `active` stays the same.
      if (next) next();
      else active--;
    };
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(new AbortedError());
      if (active < limit) {
        active++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaser());
        };
        const onAbort = () => {
          const index = queue.indexOf(grant);
          if (index >= 0) queue.splice(index, 1);
          reject(new AbortedError());
        };
        queue.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
