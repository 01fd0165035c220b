import { describe, expect, it } from 'vitest';
import { concretePaths } from './auth-check.js';
import {
  FLUX_FRAGMENTS,
  hostileRequests,
  percentEncode,
  ROUTES,
  TRAVERSAL_PATHS,
  TRAVERSAL_SEGMENTS,
  targetedRequests,
  wireSafe,
} from './hostile-requests.js';
import { findNeedles } from './secrets.js';

const ctx = {
  apiToken: 'token-token-token-token',
  realPaths: ['test/2026/11/25/15/1795618800000.jpg'],
  symlinkPaths: ['test/2020/01/01/00/1577836800001.jpg'],
  cameras: ['test', 'cam2'],
  fromSeconds: 1795618800,
  toSeconds: 1795619400,
};

describe('hostile requests', () => {
  const requests = hostileRequests(ctx, 2_000, 7);

  it('are the same for the same seed', () => {
    expect(hostileRequests(ctx, 50, 7)).toEqual(requests.slice(0, 50));
    expect(hostileRequests(ctx, 50, 8)).not.toEqual(requests.slice(0, 50));
  });

  it('can all be put on the wire (Node accepts only bytes 0x21-0xff in a path)', () => {
    for (const r of requests) expect(r.path).toMatch(/^[\u0021-\u00ff]+$/);
    for (const r of requests) for (const v of Object.values(r.headers ?? {})) expect(v).toMatch(/^[\t\x20-\x7e]*$/);
  });

  it('cover every route, traversal, Flux fragments, repeats, methods and big bodies', () => {
    const paths = requests.map((r) => r.path);
    for (const route of ROUTES) expect(paths.some((p) => p.startsWith(route))).toBe(true);
    expect(paths.some((p) => p.includes('..'))).toBe(true);
    expect(paths.some((p) => /%2e%2e/i.test(p))).toBe(true);
    expect(paths.some((p) => p.includes('%252e'))).toBe(true);
    expect(paths.some((p) => p.includes('%00'))).toBe(true);
    expect(paths.some((p) => p.includes(ctx.symlinkPaths[0] as string))).toBe(true);
    expect(paths.some((p) => p.includes('|>') || p.includes('%7C%3E'))).toBe(true);
    expect(paths.some((p) => /[?&]ts=[^&]*&ts=/.test(p))).toBe(true);
    expect(new Set(requests.map((r) => r.method))).toEqual(
      new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']),
    );
    expect(requests.some((r) => (r.bodyBytes ?? 0) >= 1024 * 1024)).toBe(true);
    expect(Math.max(...requests.map((r) => r.bodyBytes ?? 0))).toBeLessThanOrEqual(10 * 1024 * 1024);
    expect(requests.some((r) => r.headers?.authorization === undefined)).toBe(true);
  });
});

describe('targeted requests', () => {
  it('put every Flux fragment in every parameter and every traversal after /thumbnails/', () => {
    const paths = targetedRequests(ctx).map((r) => r.path);
    expect(paths.length).toBe(
      4 * 4 * FLUX_FRAGMENTS.length * 2 + TRAVERSAL_PATHS.length + 1 + TRAVERSAL_SEGMENTS.length * 3,
    );
    expect(paths).toContain(`/thumbnail?camera=${percentEncode('" or r._measurement != "')}&ts=1795619100.000`);
    expect(paths).toContain('/thumbnails/../canary.jpg');
    for (const p of paths) expect(p).toMatch(/^[\u0021-\u00ff]+$/);
  });
});

describe('encoding', () => {
  it('percent-encodes UTF-8 bytes, lone surrogates as U+FFFD', () => {
    expect(percentEncode('a b/é')).toBe('a%20b%2F%C3%A9');
    expect(percentEncode('\ud800')).toBe('%EF%BF%BD');
    expect(wireSafe('../a b\0')).toBe('../a%20b%00');
  });
});

describe('concretePaths', () => {
  it('fills path parameters and gives the time routes a ts', () => {
    expect(
      concretePaths(['/thumbnails/{path}', '/thumbnail', '/cameras'], { thumbnailPath: 'a/b.jpg', nowSeconds: 5 }),
    ).toEqual(['/thumbnails/a/b.jpg', '/thumbnail?ts=5', '/cameras']);
  });
});

describe('findNeedles', () => {
  it('names each secret found, in text or bytes', () => {
    expect(findNeedles(Buffer.from('xx SECRET yy'), { token: 'SECRET', other: 'NOPE', empty: '' })).toEqual(['token']);
  });
});
