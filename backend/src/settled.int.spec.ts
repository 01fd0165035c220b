/**
 * Settled answers against a real influxd: a window older than the settle horizon is cached and
 * carries an ETag (304 on If-None-Match); the live edge says no-cache; and a backfill, marked by
 * the feed-handler's own adapter, changes the generation, so the next answer has the new frame
 * and a new ETag.
 */
import { MEASUREMENT } from '@fathom/index-contract';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createInfluxIndex } from '../../feed-handler/src/index/influx.js';
import { type Fixture, startFixture } from '../test/influx-fixture.js';

const NOW = Date.now();
const PAST = NOW - 3_600_000; // an hour ago: settled
let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture({}, { settled: { settleSeconds: 120 } });
  const frames = [];
  for (let s = 0; s < 60; s++) if (s !== 30) frames.push({ camera: 'door', ms: PAST + s * 1000 });
  for (let s = 0; s < 20; s++) frames.push({ camera: 'door', ms: NOW - 20_000 + s * 1000 });
  await fx.writeFrames(frames);
});
afterAll(() => fx?.close());

const groupUrl = () => `${fx.url}/thumbnailGroup?camera=door&ts=${(PAST - 1) / 1000}&minutes=1`;

describe('settled answers', () => {
  it('a past window is cacheable: ETag, Cache-Control max-age, and 304 for If-None-Match', async () => {
    const first = await fetch(groupUrl());
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, max-age=300');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const body = await first.json();
    expect(body.count).toBe(59);
    const again = await fetch(groupUrl(), { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
    const cached = await fetch(groupUrl());
    expect(await cached.json()).toEqual(body);
    expect(cached.headers.get('etag')).toBe(etag);
    // /thumbnail and /wall too, once their answer's window is settled.
    const nearest = await fetch(`${fx.url}/thumbnail?camera=door&ts=${(PAST + 10_200) / 1000}`);
    expect(nearest.headers.get('etag')).toBeTruthy();
    const wall = await fetch(`${fx.url}/wall?camera=door&ts=${(PAST + 10_200) / 1000}`);
    expect(wall.headers.get('etag')).toBeTruthy();
  });

  it('the live edge is never cached', async () => {
    for (const url of [
      `${fx.url}/thumbnailGroup?camera=door&ts=${(NOW - 30_000) / 1000}&minutes=1`,
      `${fx.url}/thumbnail?camera=door&ts=${(NOW - 5_000) / 1000}`,
      `${fx.url}/wall?ts=${NOW / 1000}`,
    ]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control'), url).toBe('no-cache');
      expect(res.headers.get('etag'), url).toBeNull();
    }
  });

  it('a backfill marked by the feed-handler retires the cached answer and its ETag', async () => {
    const before = await fetch(groupUrl());
    const oldEtag = before.headers.get('etag') as string;
    expect((await before.json()).count).toBe(59);

    // The frame missing at :30 is indexed late, and the feed-handler's adapter marks the change, as its index writer does.
    await fx.writeFrames([{ camera: 'door', ms: PAST + 30_000 }]);
    const influx = inject('influx');
    const writer = createInfluxIndex({ ...influx, bucket: fx.bucket }, pino({ level: 'silent' }));
    await writer.markChanged?.('backfill');
    const marks = await fx.client
      .getQueryApi(influx.org)
      .collectRows(
        `from(bucket: "${fx.bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "${MEASUREMENT.indexChanges}")`,
      );
    expect(marks).toHaveLength(1);

    // Still the cached answer until the generation is read again (every GENERATION_POLL_SECONDS in production).
    expect((await (await fetch(groupUrl())).json()).count).toBe(59);
    await fx.generation?.refresh();
    const after = await fetch(groupUrl(), { headers: { 'if-none-match': oldEtag } });
    expect(after.status).toBe(200);
    expect((await after.json()).count).toBe(60);
    expect(after.headers.get('etag')).not.toBe(oldEtag);
  });
});
