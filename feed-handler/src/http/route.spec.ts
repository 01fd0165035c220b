import { describe, expect, it } from 'vitest';
import type { HealthReport } from './health.js';
import { pathSegments, type Routes, route } from './route.js';

const health: HealthReport = {
  ok: true,
  maxFrameAgeSeconds: 30,
  cameras: [],
  index: { pendingPoints: 0, writing: true, lastError: null },
};

const routes: Routes = {
  health: () => health,
  metrics: async () => ({ body: 'x 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
  restreams: { list: () => [], setEnabled: () => null },
  authorize: () => null,
};

const ask = (method: string, path: string) => route(routes, { method, path, authorization: undefined });

describe('pathSegments', () => {
  it('splits and percent-decodes, ignoring one trailing slash', () => {
    expect(pathSegments('/healthz')).toEqual(['healthz']);
    expect(pathSegments('/restreams/')).toEqual(['restreams']);
    expect(pathSegments('/restreams/front%20door/you%2Ftube')).toEqual(['restreams', 'front door', 'you/tube']);
    expect(pathSegments('/')).toEqual(['']);
  });

  it('is null for a segment that is not valid percent-encoded UTF-8', () => {
    expect(pathSegments('/restreams/%E0%A4%A')).toBeNull();
  });
});

describe('route', () => {
  it('answers health and metrics to GET and HEAD', async () => {
    expect(await ask('GET', '/healthz')).toEqual({ status: 200, json: health });
    expect((await ask('HEAD', '/healthz')).status).toBe(200);
    expect(await ask('GET', '/metrics')).toEqual({
      status: 200,
      text: { body: 'x 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
    });
  });

  it('answers a stale service 503 with the same report', async () => {
    const stale = { ...health, ok: false };
    expect(
      await route({ ...routes, health: () => stale }, { method: 'GET', path: '/healthz', authorization: undefined }),
    ).toEqual({
      status: 503,
      json: stale,
    });
  });

  it('answers a bad path 400 and anything unknown, or another method on a read-only route, a JSON 404', async () => {
    expect(await ask('GET', '/restreams/%E0%A4%A')).toMatchObject({ status: 400, json: { error: 'bad_request' } });
    expect(await ask('POST', '/healthz')).toMatchObject({
      status: 404,
      json: { error: 'not_found', detail: 'no route for POST /healthz' },
    });
    expect(await ask('GET', '/nope/deeper')).toMatchObject({ status: 404 });
    expect(await ask('GET', '/restreams/a/b/c/d')).toMatchObject({ status: 404 });
  });
});
