import { describe, expect, it } from 'vitest';
import { chunkIndexFor, momentAt, offsetSeconds } from './chunk-choice';

const chunks = [
  { startMs: 1_000, endMs: 11_000 },
  { startMs: 11_000, endMs: 21_000 },
  { startMs: 30_000, endMs: 40_000 },
];

describe('chunk choice', () => {
  it('finds the chunk holding a moment; a boundary belongs to the later chunk', () => {
    expect(chunkIndexFor(chunks, 1_000)).toBe(0);
    expect(chunkIndexFor(chunks, 10_999)).toBe(0);
    expect(chunkIndexFor(chunks, 11_000)).toBe(1);
  });

  it('falls forward over a gap, back to the last chunk after the end, null without chunks', () => {
    expect(chunkIndexFor(chunks, 25_000)).toBe(2);
    expect(chunkIndexFor(chunks, 0)).toBe(0);
    expect(chunkIndexFor(chunks, 50_000)).toBe(2);
    expect(chunkIndexFor([], 5)).toBeNull();
  });

  it('seeks to the moment, clamped to the chunk, and maps back', () => {
    expect(offsetSeconds(chunks[1] as (typeof chunks)[number], 13_500)).toBe(2.5);
    expect(offsetSeconds(chunks[1] as (typeof chunks)[number], 5_000)).toBe(0);
    expect(offsetSeconds(chunks[1] as (typeof chunks)[number], 99_000)).toBe(10);
    expect(momentAt(chunks[1] as (typeof chunks)[number], 2.5)).toBe(13_500);
  });
});
