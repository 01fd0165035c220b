/**
 * The API against a real influxd with known points: every case of the issue's
 * "must show" list, checked to the millisecond (and below, for ts).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/lib/process.js';
import { serve } from '../test/http.js';
import { type Fixture, JPEG, startFixture } from '../test/influx-fixture.js';
import { operators as profiledOperators } from '../test/profiler.js';
import { systemClock } from './adapters/clock.js';
import { createThumbnailStore } from './adapters/files.js';
import { createInfluxReader } from './adapters/influx.js';
import { createApp } from './app.js';
import {
  batchedSidesQuery,
  camerasAndStatusQuery,
  framesInRangeQuery,
  newestFramesQuery,
  wallSidesQuery,
} from './flux/queries.js';
import { createThumbnailIndex } from './index-reader.js';
import { createMetrics } from './metrics.js';

const T = Date.UTC(2026, 10, 25, 15, 0, 0); // 1795618800000 ms
const H = 3_600_000;
const G = T + 24 * H; // group-boundary frames live a day later, on their own camera
const sec = (ms: number) => ms / 1000;

let fx: Fixture;
const getJson = async (path: string) => {
  const res = await fetch(`${fx.url}${path}`);
  return { status: res.status, body: await res.json() };
};
const nearest = async (query: string) => {
  const { status, body } = await getJson(`/thumbnail?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body as { camera: string; location: string; time: string; ts: number; distanceSeconds: number; url: string };
};
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  fx = await startFixture();
  await fx.writeFrames(
    [
      { camera: 'cam1', ms: T },
      { camera: 'cam1', ms: T + 1000 },
      { camera: 'cam1', ms: T + 2000 },
      { camera: 'cam1', ms: T + 10_123 },
      { camera: 'cam1', ms: T + 10_124 },
      { camera: 'cam1', ms: T + 3 * H },
      { camera: 'cam1', ms: T + 3 * H + 1000 },
      // The camera moved: a second series for cam1, which the lookups must merge.
      { camera: 'cam1', location: 'porch', ms: T + 3 * H + 2000 },
      { camera: 'cam2', location: 'yard', ms: T + 500 },
      { camera: 'cam2', location: 'yard', ms: T + 1500 },
      { camera: 'cam2', location: 'yard', ms: T + 5 * H },
      ...[0, 1, 59_999, 60_000, 60_001, 600_000, 600_001].map((offset) => ({ camera: 'edge', ms: G + offset })),
    ],
    { files: true },
  );
  await fx.writeStatus({
    camera: 'cam1',
    location: 'porch',
    ms: T + 3 * H + 1500,
    online: true,
    reason: 'first-frame',
  });
  await fx.writeStatus({ camera: 'cam3', location: 'gate', ms: T, online: false, reason: 'exited' });
});
afterAll(() => fx?.close());

describe('GET /thumbnail against InfluxDB', () => {
  it('an exact hit has distance 0, also with fractional seconds and ISO input', async () => {
    expect(await nearest(`ts=${sec(T)}`)).toEqual({
      camera: 'cam1',
      location: 'lab',
      time: iso(T),
      ts: sec(T),
      url: `/thumbnails/cam1/2026/11/25/15/${T}.jpg`,
      distanceSeconds: 0,
    });
    expect(await nearest(`ts=${sec(T + 10_123)}`)).toMatchObject({ time: iso(T + 10_123), distanceSeconds: 0 });
    expect(await nearest(`ts=${iso(T + 10_124)}`)).toMatchObject({ time: iso(T + 10_124), distanceSeconds: 0 });
    expect(await nearest('ts=2026-11-25T16:00:01%2B01:00')).toMatchObject({ time: iso(T + 1000), distanceSeconds: 0 });
  });

  it('between two frames, each side of the midpoint, and the midpoint itself goes to the earlier', async () => {
    expect(await nearest(`camera=cam1&ts=${sec(T) + 1.4}`)).toMatchObject({
      time: iso(T + 1000),
      distanceSeconds: 0.4,
    });
    expect(await nearest(`camera=cam1&ts=${sec(T) + 1.6}`)).toMatchObject({
      time: iso(T + 2000),
      distanceSeconds: 0.4,
    });
    expect(await nearest(`camera=cam1&ts=${sec(T) + 1.5}`)).toMatchObject({
      time: iso(T + 1000),
      distanceSeconds: 0.5,
    });
    // Below the millisecond: frames at .123 and .124.
    expect(await nearest('ts=1795618810.1234999')).toMatchObject({ time: iso(T + 10_123) });
    expect(await nearest('ts=1795618810.1235')).toMatchObject({ time: iso(T + 10_123), distanceSeconds: 0.0005 });
    expect(await nearest('ts=1795618810.123500001')).toMatchObject({ time: iso(T + 10_124) });
  });

  it('before the first frame and after the last', async () => {
    expect(await nearest(`ts=${sec(T) - 3 * 86_400}`)).toMatchObject({ time: iso(T), distanceSeconds: 3 * 86_400 });
    expect(await nearest(`ts=${sec(G + 600_001) + 2 * 86_400}`)).toMatchObject({
      camera: 'edge',
      time: iso(G + 600_001),
      distanceSeconds: 2 * 86_400,
    });
    expect(await nearest(`camera=cam2&ts=${sec(T + 5 * H) + 2 * 86_400}`)).toMatchObject({
      camera: 'cam2',
      time: iso(T + 5 * H),
      distanceSeconds: 2 * 86_400,
    });
    expect(await nearest(`camera=cam1&ts=${sec(T + 5 * H) + 400 * 86_400}`)).toMatchObject({
      location: 'porch',
      time: iso(T + 3 * H + 2000),
    });
  });

  it('across a multi-hour gap, on both sides of its middle', async () => {
    expect(await nearest(`camera=cam1&ts=${sec(T + H)}`)).toMatchObject({
      time: iso(T + 10_124),
      distanceSeconds: 3589.876,
    });
    expect(await nearest(`camera=cam1&ts=${sec(T + 2 * H)}`)).toMatchObject({
      time: iso(T + 3 * H),
      distanceSeconds: 3600,
    });
  });

  it('several cameras: any camera, or just the one asked for', async () => {
    expect(await nearest(`ts=${sec(T) + 0.3}`)).toMatchObject({ camera: 'cam2', location: 'yard', time: iso(T + 500) });
    expect(await nearest(`ts=${sec(T) + 0.3}&camera=cam1`)).toMatchObject({ camera: 'cam1', time: iso(T) });
    expect(await nearest(`ts=${sec(T + 4 * H)}&camera=cam2`)).toMatchObject({ time: iso(T + 5 * H) });
    expect(await nearest(`ts=${sec(T + 3 * H) + 2.2}&camera=cam1`)).toMatchObject({ location: 'porch' });
    expect((await getJson(`/thumbnail?ts=${sec(T)}&camera=nobody`)).status).toBe(404);
  });

  it('within bounds the distance, inclusively', async () => {
    expect(await nearest(`camera=cam1&ts=${sec(T + H)}&within=3589.876`)).toMatchObject({ distanceSeconds: 3589.876 });
    const none = await getJson(`/thumbnail?camera=cam1&ts=${sec(T + H)}&within=3589.875`);
    expect(none).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await nearest(`ts=${sec(T)}&within=0`)).toMatchObject({ distanceSeconds: 0 });
  });

  it('returns the JPEG itself for format=image', async () => {
    const res = await fetch(`${fx.url}/thumbnail?ts=${sec(T) + 0.1}&format=image`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
  });
});

describe('GET /thumbnailGroup against InfluxDB', () => {
  const times = async (query: string) => {
    const { status, body } = await getJson(`/thumbnailGroup?camera=edge&${query}`);
    expect(status).toBe(200);
    expect(body.count).toBe(body.thumbnails.length);
    return body.thumbnails.map((t: { time: string }) => t.time);
  };

  it('excludes ts itself and includes ts + X, to the millisecond', async () => {
    expect(await times(`ts=${sec(G)}&minutes=1`)).toEqual([iso(G + 1), iso(G + 59_999), iso(G + 60_000)]);
    expect(await times(`ts=${sec(G + 1)}&minutes=1`)).toEqual([iso(G + 59_999), iso(G + 60_000), iso(G + 60_001)]);
    expect(await times(`ts=${sec(G) - 0.0005}&minutes=1`)).toEqual([iso(G), iso(G + 1), iso(G + 59_999)]);
  });

  it('defaults to GROUP_MINUTES and lists every camera oldest first', async () => {
    expect(await times(`ts=${sec(G)}`)).toEqual([1, 59_999, 60_000, 60_001, 600_000].map((o) => iso(G + o)));
    const { body } = await getJson(`/thumbnailGroup?ts=${sec(T) - 1}&minutes=1`);
    expect(body.thumbnails.map((t: { camera: string; ts: number }) => [t.camera, t.ts])).toEqual([
      ['cam1', sec(T)],
      ['cam2', sec(T + 500)],
      ['cam1', sec(T + 1000)],
      ['cam2', sec(T + 1500)],
      ['cam1', sec(T + 2000)],
      ['cam1', sec(T + 10_123)],
      ['cam1', sec(T + 10_124)],
    ]);
  });
});

describe('GET /cameras and the files against InfluxDB', () => {
  it('lists each camera with location, newest frame and status', async () => {
    const { status, body } = await getJson('/cameras');
    expect(status).toBe(200);
    expect(body.cameras).toEqual([
      {
        camera: 'cam1',
        location: 'porch',
        status: { online: true, reason: 'first-frame', since: iso(T + 3 * H + 1500) },
        newestFrame: {
          time: iso(T + 3 * H + 2000),
          ts: sec(T + 3 * H + 2000),
          url: expect.stringMatching(/^\/thumbnails\/cam1\//),
        },
      },
      {
        camera: 'cam2',
        location: 'yard',
        status: null,
        newestFrame: { time: iso(T + 5 * H), ts: sec(T + 5 * H), url: expect.any(String) },
      },
      {
        camera: 'cam3',
        location: 'gate',
        status: { online: false, reason: 'exited', since: iso(T) },
        newestFrame: null,
      },
      {
        camera: 'edge',
        location: 'lab',
        status: null,
        newestFrame: expect.objectContaining({ time: iso(G + 600_001) }),
      },
    ]);
  });

  it('serves the file a url points at', async () => {
    const { body } = await getJson(`/thumbnail?ts=${sec(T)}`);
    const res = await fetch(`${fx.url}${body.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
  });
});

describe('hostile input against InfluxDB', () => {
  it('gets 4xx, never 5xx, and leaves the data untouched', async () => {
    const before = await fx.countPoints();
    expect(before).toBe(18 * 4 + 2 * 2); // 18 frames x 4 fields, 2 status points x 2 fields
    const hostile = [
      '/thumbnail',
      '/thumbnail?ts=',
      '/thumbnail?ts=text',
      '/thumbnail?ts=NaN',
      `/thumbnail?ts=${'9'.repeat(400)}`,
      '/thumbnail?ts=-1795618800',
      `/thumbnail?ts=${T}`,
      `/thumbnail?ts=${T}000000`,
      `/thumbnail?ts=${encodeURIComponent('0) |> drop(columns: ["_value"]) |> yield(name: "x")')}`,
      `/thumbnail?ts=${sec(T)}&camera=${encodeURIComponent('cam1" or r.camera != "')}`,
      `/thumbnail?ts=${sec(T)}&camera=${encodeURIComponent(['$', '{x}'].join(''))}`,
      `/thumbnail?ts=${sec(T)}&within=${encodeURIComponent('1) |> to(bucket: "x")')}`,
      `/thumbnailGroup?ts=${sec(T)}&minutes=${encodeURIComponent('1m) |> to(bucket: "y"')}`,
      `/thumbnailGroup?ts=${sec(T)}&minutes=100000`,
      `/thumbnailGroup?ts=9223372035&minutes=60`,
      '/thumbnails/..%2F..%2F..%2Fetc%2Fpasswd',
      '/thumbnails/cam1/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    ];
    for (const path of hostile) {
      const res = await fetch(`${fx.url}${path}`);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      const body = await res.json();
      expect(Object.keys(body).sort(), path).toEqual(['detail', 'error']);
    }
    expect(await fx.countPoints()).toBe(before);
  });
});

describe('pushdown (Flux profiler)', () => {
  /** The storage operators InfluxDB ran, read from the profiler's operator table. */
  const operators = (query: string) => profiledOperators(fx.client, 'fathom', query);
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;

  it('runs every nearest chain in storage: bare last/first as window aggregates, the whole first ring as a filtered read', async () => {
    for (const camera of ['cam1', undefined]) {
      const sides = batchedSidesQuery(fx.bucket, [
        {
          camera,
          request: { before: { startNs: ns(T - H), stopNs: ns(T) }, after: { startNs: ns(T), stopNs: ns(T + H) } },
        },
      ]).toString();
      expect(await operators(sides)).toEqual([
        '*influxdb.readWindowAggregateSource',
        '*influxdb.readWindowAggregateSource',
      ]);
      const whole = batchedSidesQuery(fx.bucket, [
        {
          camera,
          request: {
            before: { startNs: ns(T - 2000), stopNs: ns(T) },
            after: { startNs: ns(T), stopNs: ns(T + 2000) },
            whole: true,
          },
        },
      ]).toString();
      // The filter is pushed into the read; only keep() runs in memory.
      expect((await operators(whole))[0]).toBe('*influxdb.readFilterSource');
    }
    const wall = wallSidesQuery(fx.bucket, ['cam1', 'cam2'], {
      before: { startNs: ns(T - H), stopNs: ns(T) },
      after: { startNs: ns(T), stopNs: ns(T + H) },
    }).toString();
    expect(await operators(wall)).toEqual([
      '*influxdb.readWindowAggregateSource',
      '*influxdb.readWindowAggregateSource',
    ]);
  });

  it('answers camera ids from the tag index and newest frames by group aggregate', async () => {
    // Two yields run side by side (influxd's query concurrency): the profiler lists them in either order.
    expect((await operators(camerasAndStatusQuery(fx.bucket).toString())).sort()).toEqual([
      '*influxdb.readGroupSource',
      '*influxdb.readTagValuesSource',
    ]);
    expect(await operators(newestFramesQuery(fx.bucket, ns(T)).toString())).toEqual(['*influxdb.readGroupSource']);
    // The group listing reads the range (filter pushed into the read); only keep runs in memory.
    const listing = await operators(
      framesInRangeQuery(fx.bucket, 'cam1', { startNs: ns(T), stopNs: ns(T + H) }).toString(),
    );
    expect(listing[0]).toBe('*influxdb.readFilterSource');
  });
});

describe('operations against InfluxDB', () => {
  /** The real app on a real reader, pointed wherever asked. */
  async function appOn(url: string, bucket: string) {
    const influx = inject('influx');
    const metrics = createMetrics({ defaultMetrics: false });
    return serve(
      createApp({
        index: createThumbnailIndex(
          createInfluxReader({ url, token: influx.token, org: influx.org, timeoutMs: 5_000 }),
          bucket,
        ),
        files: createThumbnailStore(fx.thumbnailDir),
        clock: systemClock,
        logger: pino({ level: 'silent' }),
        metrics,
        settings: { groupMinutes: { default: 10, max: 60 }, corsOrigins: [] },
      }),
    );
  }

  it('is ready when InfluxDB answers and the bucket exists, 503 otherwise', async () => {
    expect(await getJson('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    const noBucket = await appOn(inject('influx').url, 'no-such-bucket');
    const noInflux = await appOn(`http://127.0.0.1:${await freePort()}`, fx.bucket);
    try {
      expect((await fetch(`${noBucket.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${noInflux.url}/readyz`)).status).toBe(503);
      const res = await fetch(`${noInflux.url}/thumbnail?ts=${sec(T)}`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: 'index_unavailable',
        detail: 'InfluxDB is not reachable or refused the request; try again',
      });
    } finally {
      await noBucket.close();
      await noInflux.close();
    }
  });

  it('reports InfluxDB query latency in /metrics', async () => {
    const text = await (await fetch(`${fx.url}/metrics`)).text();
    expect(text).toMatch(/fathom_influx_query_duration_seconds_count\{query="nearest",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/fathom_http_request_duration_seconds_count\{method="GET",route="\/thumbnail"\} [1-9]/);
  });
});
