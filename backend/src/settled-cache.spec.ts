import { describe, expect, it } from 'vitest';
import { SettledCache } from './settled-cache.js';

const answer = (body: string) => ({ body, etag: `"${body}"` });

describe('SettledCache', () => {
  it('answers what it holds until the time to live ends', () => {
    const cache = new SettledCache(10_000, 1_000);
    cache.set('g1|a', answer('x'), 0);
    expect(cache.get('g1|a', 999)).toEqual(answer('x'));
    expect(cache.get('g1|a', 1_000)).toBeUndefined();
    expect(cache.size.entries).toBe(0);
  });
  it('evicts the least recently used entries to stay under its byte bound', () => {
    const body = 'y'.repeat(100);
    const cache = new SettledCache(600, 60_000);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, answer(`${key}${body}`), 0);
    expect(cache.size.bytes).toBeLessThanOrEqual(600);
    expect(cache.get('a', 1)).toBeUndefined();
    cache.get('c', 1); // c is now the most recent
    cache.set('e', answer(`e${body}`), 1);
    expect(cache.get('c', 2)).toBeDefined();
    expect(cache.get('b', 2)).toBeUndefined();
    expect(cache.hits).toBe(2);
  });
  it('refuses an answer larger than the whole bound', () => {
    const cache = new SettledCache(100, 1_000);
    cache.set('big', answer('z'.repeat(500)), 0);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });
});
