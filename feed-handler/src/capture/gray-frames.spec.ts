import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { GrayFrames } from './gray-frames.js';

const frame = (value: number, bytes = 4) => Buffer.alloc(bytes, value);

describe('GrayFrames', () => {
  it('splits the byte stream into numbered frames, across chunk boundaries', async () => {
    const frames = new GrayFrames(4, new FakeClock());
    frames.push(Buffer.concat([frame(1), frame(2).subarray(0, 3)]));
    frames.push(Buffer.concat([frame(2).subarray(3), frame(3)]));
    expect([...((await frames.get(0)) ?? [])]).toEqual([1, 1, 1, 1]);
    expect([...((await frames.get(1)) ?? [])]).toEqual([2, 2, 2, 2]);
    expect([...((await frames.get(2)) ?? [])]).toEqual([3, 3, 3, 3]);
  });

  it('a JPEG that asks first waits for its frame, and goes on without it after the wait', async () => {
    const clock = new FakeClock();
    const frames = new GrayFrames(4, clock, 500);
    const early = frames.get(0);
    const late = frames.get(1);
    frames.push(frame(7));
    expect([...((await early) ?? [])]).toEqual([7, 7, 7, 7]);
    await clock.advance(500);
    expect(await late).toBeNull();
  });

  it('keeps a bounded number of frames nobody asked for, and answers null once closed', async () => {
    const frames = new GrayFrames(1, new FakeClock(), 500, 2);
    frames.push(Buffer.from([1, 2, 3, 4]));
    expect(await frames.get(0)).toBeNull(); // dropped: only the newest 2 are kept
    expect([...((await frames.get(3)) ?? [])]).toEqual([4]);
    const waiting = frames.get(9);
    frames.close();
    expect(await waiting).toBeNull();
    expect(await frames.get(10)).toBeNull();
  });
});
