import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticJpeg } from '../../test/support/synthetic-jpeg.js';
import { JpegSplitter, jpegDimensions } from './jpeg.js';

describe('JPEG framing', () => {
  it('reads the dimensions from the start-of-frame segment', () => {
    expect(jpegDimensions(syntheticJpeg(320, 180))).toEqual({ width: 320, height: 180 });
    expect(jpegDimensions(Buffer.from('not a jpeg'))).toBeNull();
  });

  it('splits a stream into the same images however it is chunked', () => {
    const images = [syntheticJpeg(320, 180, 1), syntheticJpeg(640, 360, 2), syntheticJpeg(16, 16, 3)];
    const stream = Buffer.concat(images);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const splitter = new JpegSplitter();
        const out: Buffer[] = [];
        let from = 0;
        for (const at of [...points, stream.length]) {
          out.push(...splitter.push(stream.subarray(from, at)));
          from = at;
        }
        expect(out.map((b) => b.toString('hex'))).toEqual(images.map((b) => b.toString('hex')));
        expect(splitter.pendingBytes).toBe(0);
        expect(splitter.discardedBytes).toBe(0);
      }),
    );
  });

  it('skips garbage before an image and waits for an incomplete one', () => {
    const splitter = new JpegSplitter();
    const image = syntheticJpeg(320, 180);
    expect(splitter.push(Buffer.concat([Buffer.from([1, 2, 3]), image.subarray(0, 20)]))).toEqual([]);
    expect(splitter.push(image.subarray(20))).toHaveLength(1);
    expect(splitter.discardedBytes).toBe(3);
  });
});
