import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { thumbnailRelativePath } from '@fathom/index-contract';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rawGet, serve } from '../test/http.js';
import { createThumbnailStore } from './adapters/files.js';
import { InfluxQueryError } from './adapters/influx.js';
import { type AppSettings, createApp } from './app.js';
import type { ThumbnailIndex } from './index-reader.js';
import { REDACT_PATHS } from './logger.js';
import { createMetrics } from './metrics.js';
import { type Frame, findNearest, findNearestMany, type SidesRequest } from './nearest.js';

const MS = 1_000_000n;
const T_MS = 1_795_618_800_000; // 2026-11-25T15:00:00Z
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

function frameAt(ms: number, camera = 'cam1'): Frame {
  return { camera, location: 'lab', timeNs: BigInt(ms) * MS, filepath: thumbnailRelativePath(camera, ms) };
}

/** An in-memory index with the real search logic; `fail` makes every call throw. */
function fakeIndex(frames: Frame[], fail?: () => Error): ThumbnailIndex {
  const inRange = (startNs: bigint, stopNs: bigint) => frames.filter((f) => f.timeNs >= startNs && f.timeNs < stopNs);
  const guard = () => {
    if (fail) throw fail();
  };
  const sides = (camera: string | undefined) => {
    const mine = (f: Frame) => camera === undefined || f.camera === camera;
    return async ({ before, after }: SidesRequest) => ({
      before: before ? (inRange(before.startNs, before.stopNs).filter(mine).at(-1) ?? null) : null,
      after: after ? (inRange(after.startNs, after.stopNs).filter(mine)[0] ?? null) : null,
    });
  };
  return {
    async nearest(tNs, { camera, withinNs }) {
      guard();
      return findNearest(sides(camera), tNs, withinNs);
    },
    async nearestMany(tNs, cameras, withinNs) {
      guard();
      return findNearestMany(
        (keys: string[], requests: SidesRequest[]) =>
          Promise.all(keys.map((c, i) => sides(c)(requests[i] as SidesRequest))),
        cameras,
        tNs,
        withinNs,
      );
    },
    lookupStats: () => ({ requests: 0, lookups: 0, shared: 0 }),
    cameraIds: async () => [...new Set(frames.map((f) => f.camera))].sort(),
    async framesIn(range, camera) {
      guard();
      return inRange(range.startNs, range.stopNs).filter((f) => camera === undefined || f.camera === camera);
    },
    async cameras() {
      guard();
      return [{ camera: 'cam1', location: 'lab', newestFrame: frames.at(-1) ?? null, status: null }];
    },
    async checkReady() {
      guard();
    },
  };
}

const frames = [frameAt(T_MS), frameAt(T_MS + 1000), frameAt(T_MS + 2000), frameAt(T_MS + 2500, 'cam2')];
const dir = mkdtempSync(join(tmpdir(), 'fathom-app-spec-'));
const logLines: string[] = [];

function start(settings: Partial<AppSettings> = {}, index = fakeIndex(frames)) {
  const logger = pino(
    { level: 'info', redact: REDACT_PATHS },
    new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    }),
  );
  return serve(
    createApp({
      index,
      files: createThumbnailStore(dir),
      clock: { nowNs: () => BigInt(T_MS) * MS },
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      settings: { groupMinutes: { default: 10, max: 60 }, corsOrigins: ['http://localhost:5173'], ...settings },
    }),
  );
}

let api: Awaited<ReturnType<typeof serve>>;
const get = (path: string, init?: RequestInit) => fetch(`${api.url}${path}`, init);

beforeAll(async () => {
  // Files for all but the last cam1 frame, so "indexed but missing" can be tested.
  for (const frame of frames.filter((f) => f !== frames[2])) {
    const file = join(dir, frame.filepath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JPEG);
  }
  mkdirSync(join(dirname(dir), 'fathom-outside'), { recursive: true });
  writeFileSync(join(dirname(dir), 'fathom-outside', 'secret.jpg'), 'secret');
  const linked = join(dir, thumbnailRelativePath('evil', T_MS));
  mkdirSync(dirname(linked), { recursive: true });
  symlinkSync(join(dirname(dir), 'fathom-outside', 'secret.jpg'), linked);
  api = await start();
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /thumbnail', () => {
  it('answers the closest frame as JSON', async () => {
    const res = await get(`/thumbnail?ts=${T_MS / 1000 + 0.4}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      camera: 'cam1',
      location: 'lab',
      time: '2026-11-25T15:00:00.000Z',
      ts: 1795618800,
      url: `/thumbnails/cam1/2026/11/25/15/${T_MS}.jpg`,
      distanceSeconds: 0.4,
    });
  });

  it('returns the JPEG for format=image and for Accept: image/jpeg', async () => {
    for (const res of [
      await get(`/thumbnail?ts=${T_MS / 1000}&format=image`),
      await get(`/thumbnail?ts=${T_MS / 1000}`, { headers: { accept: 'image/jpeg' } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('x-fathom-time')).toBe('2026-11-25T15:00:00.000Z');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
    }
  });

  it('404s with JSON when there is no frame within the bound, or its file is gone', async () => {
    const none = await get(`/thumbnail?ts=${T_MS / 1000 + 100}&within=10`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: 'not_found' });
    const missing = await get(`/thumbnail?ts=${T_MS / 1000 + 2}&camera=cam1&format=image`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).detail).toMatch(/file is missing/);
  });

  it.each([
    ['', /ts is required/],
    ['?ts=', /ts is empty/],
    ['?ts=abc', /not a time/],
    ['?ts=NaN', /not a time/],
    ['?ts=-5', /negative/],
    [`?ts=${T_MS}`, /milliseconds/],
    [`?ts=${T_MS}000000`, /nanoseconds/],
    ['?ts=1e400', /not a time/],
    [`?ts=${'9'.repeat(40)}`, /out of range/],
    ['?ts=1&ts=2', /given once/],
    ['?ts=1795618800&camera=../etc', /camera must be a camera id/],
    ['?ts=1795618800&camera=a%22)%20%7C%3E%20drop()', /camera must be a camera id/],
    ['?ts=1795618800)%20%7C%3E%20yield()', /not a time/],
    ['?ts=1795618800&within=-1', /within must not be negative/],
    ['?ts=1795618800&format=png', /format must be/],
  ])('400s on bad input %s', async (query, detail) => {
    const res = await get(`/thumbnail${query}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe('bad_request');
    expect(body.detail).toMatch(detail);
  });
});

describe('GET /thumbnailGroup', () => {
  it('lists (ts, ts + X], oldest first', async () => {
    const res = await get(`/thumbnailGroup?ts=${T_MS / 1000}&minutes=1`);
    const body = await res.json();
    expect(body).toMatchObject({
      camera: null,
      from: '2026-11-25T15:00:00.000Z',
      to: '2026-11-25T15:01:00.000Z',
      count: 3,
    });
    expect(body.thumbnails.map((t: { ts: number }) => t.ts)).toEqual([1795618801, 1795618802, 1795618802.5]);
  });

  it('bounds minutes', async () => {
    for (const minutes of ['0', '61', '1.5', 'x', '-1']) {
      const res = await get(`/thumbnailGroup?ts=1795618800&minutes=${minutes}`);
      expect(res.status).toBe(400);
      expect((await res.json()).detail).toMatch(/^minutes /);
    }
  });
});

describe('GET /thumbnails/*', () => {
  const path = `/thumbnails/cam1/2026/11/25/15/${T_MS}.jpg`;

  it('serves the JPEG with immutable caching and answers If-None-Match with 304', async () => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
    const again = await get(path, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  it.each([
    '/thumbnails/../../etc/passwd',
    '/thumbnails/cam1/../../../etc/passwd',
    '/thumbnails/..%2F..%2Fetc%2Fpasswd',
    '/thumbnails/%2e%2e/%2e%2e/etc/passwd',
    `/thumbnails/cam1/2026/11/25/15/${T_MS}.jpg/..`,
    `/thumbnails/cam1/2026/11/25/14/${T_MS}.jpg`,
    '/thumbnails/cam1/2026/11/25/15/x.jpg.tmp',
    '/thumbnails/%zz',
  ])('refuses %s with a 4xx', async (raw) => {
    const res = await rawGet(api.url, raw);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toContain('root:');
    expect(JSON.parse(res.body)).toHaveProperty('error');
  });

  it('does not follow a symlink out of the volume', async () => {
    const res = await get(`/thumbnails/evil/2026/11/25/15/${T_MS}.jpg`);
    expect(res.status).toBe(404);
  });
});

describe('operations', () => {
  it('serves an OpenAPI 3.1 document listing exactly the routes', async () => {
    const doc = await (await get('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/cameras',
        '/healthz',
        '/metrics',
        '/openapi.json',
        '/readyz',
        '/thumbnail',
        '/thumbnailGroup',
        '/wall',
        '/thumbnails/{path}',
      ].sort(),
    );
    const params = doc.paths['/thumbnail'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(['ts', 'camera', 'within', 'format']);
  });

  it('counts requests per route pattern in /metrics', async () => {
    await get('/thumbnails/cam1/2026/11/25/15/1.jpg');
    // Counted on the server's 'finish', which can land just after the client has the answer.
    await vi.waitFor(async () => {
      const text = await (await get('/metrics')).text();
      expect(text).toMatch(/fathom_http_requests_total\{method="GET",route="\/thumbnail",status="200"\} \d+/);
      expect(text).toContain('route="/thumbnails/*path"');
    });
  });

  it('says 503 when InfluxDB is down and 500 without internals on a bug', async () => {
    const down = await start(
      {},
      fakeIndex(frames, () => new InfluxQueryError('unavailable', 'ECONNREFUSED')),
    );
    const buggy = await start(
      {},
      fakeIndex(frames, () => new Error('secret internals')),
    );
    try {
      expect((await fetch(`${down.url}/thumbnail?ts=1795618800`)).status).toBe(503);
      expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
      const res = await fetch(`${buggy.url}/thumbnail?ts=1795618800`);
      expect(res.status).toBe(500);
      const body = await res.json();
      expect(body.error).toBe('internal');
      expect(body.detail).not.toContain('secret internals');
    } finally {
      await down.close();
      await buggy.close();
    }
  });

  it('sends a request id back and JSON 404 for unknown routes', async () => {
    const res = await get('/nope', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('access', () => {
  const TOKEN = 'a-long-enough-api-token';

  it('protects everything but health with the API token, and never logs it', async () => {
    const locked = await start({ apiToken: TOKEN });
    try {
      const at = (path: string, init?: RequestInit) => fetch(`${locked.url}${path}`, init);
      expect((await at('/healthz')).status).toBe(200);
      expect((await at('/readyz')).status).toBe(200);
      for (const path of [
        '/thumbnail?ts=1795618800',
        '/cameras',
        '/metrics',
        '/openapi.json',
        '/thumbnailGroup?ts=1',
      ]) {
        const res = await at(path);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
      }
      expect((await at('/cameras', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      expect((await at('/cameras', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await at(`/thumbnails/cam1/2026/11/25/15/${T_MS}.jpg?access_token=${TOKEN}`)).status).toBe(200);
      // A browser preflight carries no token and must still pass.
      const preflight = await at('/cameras', {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      // pino-http writes on the server's 'finish', which can land just after the client has the answer.
      await vi.waitFor(() => expect(logLines.join('')).toContain('access_token=[redacted]'));
      expect(logLines.join('')).not.toContain(TOKEN);
    } finally {
      await locked.close();
    }
  });

  it('sends no CORS grant to other origins', async () => {
    const res = await get('/cameras', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
