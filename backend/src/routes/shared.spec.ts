import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileUrl } from './shared.js';

describe('fileUrl', () => {
  it('equals encoding every segment, with or without the fast path', () => {
    const slow = (path: string) => `/thumbnails/${path.split('/').map(encodeURIComponent).join('/')}`;
    expect(fileUrl('cam-00/2026/10/31/23/1793491199037.jpg')).toBe(
      '/thumbnails/cam-00/2026/10/31/23/1793491199037.jpg',
    );
    expect(fileUrl('a b/c?d#e%f.jpg')).toBe('/thumbnails/a%20b/c%3Fd%23e%25f.jpg');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (path) => {
        expect(fileUrl(path)).toBe(slow(path));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9\-_.!~*'()/]*$/), (path) => {
        expect(fileUrl(path)).toBe(slow(path));
      }),
      { numRuns: 2_000 },
    );
  });
});
