import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chunkRelativePath } from '@fathom/index-contract';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, serve } from '../test/http.js';
import { createChunkStore, createThumbnailStore } from './adapters/files.js';
import { createApp } from './app.js';
import type { Chunk, ClipIndex } from './clip-reader.js';
import type { ThumbnailIndex } from './index-reader.js';
import { createMetrics } from './metrics.js';
import { thumbnailGroupUrl } from './routes/clips.js';

const T = 1_795_618_800_000; // 2026-11-25T15:00:00Z
const chunk = (camera: string, startMs: number, endMs: number, bytes = 1_000): Chunk => ({
  camera,
  location: 'lab',
  startMs,
  endMs,
  bytes,
  filepath: chunkRelativePath(camera, startMs, endMs),
});
const CHUNKS = [chunk('cam1', T - 600_000, T), chunk('cam1', T, T + 600_000), chunk('cam2', T + 5_000, T + 605_000)];

const calls: { startNs: bigint; stopNs: bigint; camera: string | undefined }[] = [];
const clipIndex: ClipIndex = {
  async chunksIn(range, camera) {
    calls.push({ ...range, camera });
    return CHUNKS.filter(
      (c) =>
        BigInt(c.startMs) * 1_000_000n >= range.startNs &&
        BigInt(c.startMs) * 1_000_000n < range.stopNs &&
        (camera === undefined || c.camera === camera),
    );
  },
  async storage() {
    return new Map([
      [
        'cam1',
        {
          thumbnailBytes: 2_000,
          chunkBytes: 30_000,
          oldestMs: T - 86_400_000,
          daysLeft: 12.5,
          measuredAtNs: BigInt(T) * 1_000_000n,
        },
      ],
    ]);
  },
};

const index: ThumbnailIndex = {
  nearest: async () => null,
  nearestMany: async (_t, cameras) => cameras.map(() => null),
  lookupStats: () => ({ requests: 0, lookups: 0, shared: 0 }),
  cameraIds: async () => ['cam1', 'cam2'],
  framesIn: async () => [],
  cameras: async () => [
    { camera: 'cam1', location: 'lab', newestFrame: null, status: null },
    { camera: 'cam2', location: 'lab', newestFrame: null, status: null },
  ],
  checkReady: async () => {},
};

const dir = mkdtempSync(join(tmpdir(), 'fathom-clips-spec-'));
const chunkDir = join(dir, '_chunks');
const VIDEO = Buffer.from(Array.from({ length: 1_000 }, (_, i) => i % 251));
let api: Awaited<ReturnType<typeof serve>>;
const get = (path: string, init?: RequestInit) => fetch(`${api.url}${path}`, init);

beforeAll(async () => {
  const file = join(chunkDir, (CHUNKS[1] as Chunk).filepath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, VIDEO);
  writeFileSync(join(dir, 'outside.mp4'), 'secret');
  const linked = join(chunkDir, chunkRelativePath('evil', T, T + 1));
  mkdirSync(dirname(linked), { recursive: true });
  symlinkSync(join(dir, 'outside.mp4'), linked);
  api = await serve(
    createApp({
      index,
      files: createThumbnailStore(dir),
      clips: clipIndex,
      chunkFiles: createChunkStore(chunkDir),
      clock: { nowNs: () => BigInt(T) * 1_000_000n },
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      settings: { groupMinutes: { default: 10, max: 60 }, corsOrigins: [] },
    }),
  );
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /clips', () => {
  it('lists the chunks overlapping [from, to) with their times, file and thumbnail group', async () => {
    const res = await get(`/clips?camera=cam1&from=${T / 1000 - 1}&to=${T / 1000 + 60}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      camera: 'cam1',
      from: '2026-11-25T14:59:59.000Z',
      to: '2026-11-25T15:01:00.000Z',
      count: 2,
    });
    expect(body.clips[1]).toEqual({
      camera: 'cam1',
      location: 'lab',
      start: '2026-11-25T15:00:00.000Z',
      end: '2026-11-25T15:10:00.000Z',
      startTs: T / 1000,
      endTs: T / 1000 + 600,
      durationSeconds: 600,
      bytes: 1_000,
      url: `/chunks/${chunkRelativePath('cam1', T, T + 600_000)}`,
      thumbnailGroupUrl: `/thumbnailGroup?camera=cam1&ts=${T / 1000 - 1}.999&minutes=10`,
    });
    // Chunks that started up to a day before `from` are looked at (one may still be running at `from`).
    expect(calls.at(-1)?.startNs).toBe(BigInt(T - 1_000 - 86_400_000) * 1_000_000n);
  });

  it('leaves out a chunk that ended at or before `from`', async () => {
    const body = await (await get(`/clips?camera=cam1&from=${T / 1000}&to=${T / 1000 + 60}`)).json();
    expect(body.clips.map((c: { start: string }) => c.start)).toEqual(['2026-11-25T15:00:00.000Z']);
  });

  it('refuses bad windows', async () => {
    expect((await get(`/clips?from=${T / 1000}&to=${T / 1000}`)).status).toBe(400);
    expect((await get(`/clips?from=${T / 1000}&to=${T / 1000 + 8 * 86_400}`)).status).toBe(400);
    const res = await get(`/clips?from=${T}&to=${T + 1}`);
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toMatch(/milliseconds/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/clips', '/chunks/{path}']));
  });
});

describe('GET /chunks/*', () => {
  const url = `/chunks/${chunkRelativePath('cam1', T, T + 600_000)}`;

  it('serves the MP4 whole, or a byte range with 206', async () => {
    const whole = await get(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(VIDEO);
    const part = await get(url, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(VIDEO.subarray(10, 20));
    const tail = await get(url, { headers: { Range: 'bytes=-5' } });
    expect(tail.headers.get('content-range')).toBe('bytes 995-999/1000');
    expect((await get(url, { headers: { Range: 'bytes=2000-' } })).status).toBe(416);
    const etag = whole.headers.get('etag') as string;
    expect((await get(url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  it('plays inline, saves with ?download=1, and refuses another download value', async () => {
    expect((await get(url)).headers.get('content-disposition')).toMatch(
      /^inline; filename="fathom-cam1-\d+-\d+\.mp4"$/,
    );
    const saved = await get(`${url}?download=1`);
    expect(saved.status).toBe(200);
    expect(saved.headers.get('content-disposition')).toMatch(/^attachment; filename="fathom-cam1-/);
    const refused = await get(`${url}?download=yes`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ detail: expect.stringContaining('download') });
  });

  it('serves only contract names inside CHUNK_DIR', async () => {
    expect((await get('/chunks/cam1/2026/11/25/15/1.mp4')).status).toBe(400);
    expect((await rawGet(api.url, '/chunks/../outside.mp4')).status).toBeGreaterThanOrEqual(400);
    expect((await get(`/chunks/${chunkRelativePath('evil', T, T + 1)}`)).status).toBe(404);
    expect((await get(`/chunks/${chunkRelativePath('cam1', T - 600_000, T)}`)).status).toBe(404);
  });
});

describe('GET /cameras with storage', () => {
  it("adds the feed-handler's disk-use report, null for a camera without one", async () => {
    const body = await (await get('/cameras')).json();
    expect(body.cameras[0].storage).toEqual({
      thumbnailBytes: 2_000,
      chunkBytes: 30_000,
      bytes: 32_000,
      oldestFootage: '2026-11-24T15:00:00.000Z',
      forecastDaysLeft: 12.5,
      measuredAt: '2026-11-25T15:00:00.000Z',
    });
    expect(body.cameras[1].storage).toBeNull();
  });
});

describe('thumbnailGroupUrl', () => {
  it('covers the chunk in whole minutes from just before its first frame', () => {
    expect(thumbnailGroupUrl('c', 10_000, 20_000)).toBe('/thumbnailGroup?camera=c&ts=9.999&minutes=1');
    expect(thumbnailGroupUrl('c', 0, 600_000)).toBe('/thumbnailGroup?camera=c&ts=0.000&minutes=10');
  });
});
