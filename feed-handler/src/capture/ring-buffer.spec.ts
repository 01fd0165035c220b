import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('ring buffer', () => {
  it('keeps the newest items only', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 10; i++) ring.push(i);
    expect(ring.toArray()).toEqual([7, 8, 9]);
  });
});
