import { describe, expect, it } from 'vitest';
import { notStoredReason, StoreFaults } from './store-faults.js';

const eacces = Object.assign(new Error("EACCES: permission denied, mkdir '/data/thumbnails/test'"), { code: 'EACCES' });
const enospc = new Error('ENOSPC: no space left on device, write');

describe('StoreFaults', () => {
  it('names the fault without the path, and begins it once', () => {
    const faults = new StoreFaults(60_000);
    const first = faults.failed('cam', eacces, 1_000);
    expect(first).toEqual({
      fault: { kind: 'permission denied', sinceMs: 1_000, failures: 1 },
      began: true,
      log: true,
    });
    expect(notStoredReason(first.fault.kind)).toBe('not stored (permission denied)');
    expect(JSON.stringify(first)).not.toContain('/data');
    const second = faults.failed('cam', eacces, 2_000);
    expect(second).toMatchObject({ began: false, log: false, fault: { failures: 2, sinceMs: 1_000 } });
  });

  it('logs a lasting fault at most once a minute', () => {
    const faults = new StoreFaults(60_000);
    const logged = [0, 1_000, 30_000, 60_000, 61_000, 120_000].filter((t) => faults.failed('cam', eacces, t).log);
    expect(logged).toEqual([0, 60_000, 120_000]);
  });

  it('a new kind begins a new fault; a stored frame ends it', () => {
    const faults = new StoreFaults();
    faults.failed('cam', eacces, 0);
    expect(faults.failed('cam', enospc, 5).began).toBe(true);
    expect(faults.fault('cam')?.kind).toBe('disk full');
    expect(faults.fault('other')).toBeNull();
    expect(faults.stored('cam')).toEqual({ kind: 'disk full', sinceMs: 5, failures: 1 });
    expect(faults.fault('cam')).toBeNull();
    expect(faults.stored('cam')).toBeNull();
  });

  it('an unrecognised error is a plain write failure', () => {
    expect(new StoreFaults().failed('cam', new Error('EIO something'), 0).fault.kind).toBe('write failed');
  });
});
