import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../lib/api-client';
import { getWall, toWall, WallSchema, wallPath } from './wall';

/** An answer as the backend's wallHandler writes it. */
const body = {
  time: '2026-11-25T14:00:00.000Z',
  ts: 1795615200,
  cameras: [
    {
      camera: 'cam2',
      frame: {
        camera: 'cam2',
        location: 'lab',
        time: '2026-11-25T13:59:59.512Z',
        ts: 1795615199.512,
        url: '/thumbnails/cam2/2026/11/25/13/1795615199512.jpg',
        distanceSeconds: 0.488,
      },
    },
    { camera: 'test', frame: null },
  ],
};

function recorder(respond: () => Response) {
  const urls: string[] = [];
  const impl = (async (input: RequestInfo | URL) => {
    urls.push(String(input));
    return respond();
  }) as typeof fetch;
  return { impl, urls };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

describe('/wall', () => {
  it('turns the answer into epoch ms, keeping cameras without a frame', () => {
    expect(toWall(WallSchema.parse(body))).toEqual({
      atMs: Date.UTC(2026, 10, 25, 14),
      cameras: [
        {
          camera: 'cam2',
          frame: {
            camera: 'cam2',
            location: 'lab',
            timeMs: Date.UTC(2026, 10, 25, 13, 59, 59, 512),
            url: '/thumbnails/cam2/2026/11/25/13/1795615199512.jpg',
            distanceSeconds: 0.488,
          },
        },
        { camera: 'test', frame: null },
      ],
    });
  });

  it('refuses an answer of another shape', () => {
    expect(WallSchema.safeParse({ ...body, cameras: [{ camera: 'x' }] }).success).toBe(false);
    expect(WallSchema.safeParse({ ...body, time: 'yesterday' }).success).toBe(false);
  });

  it('asks once for the whole wall, in exact unix seconds, with the bound', async () => {
    const { impl, urls } = recorder(() => json(body));
    const client = createApiClient({ apiBaseUrl: 'http://api.test' }, impl);
    const wall = await getWall(client, { atMs: 1795615200007, withinSeconds: 60 });
    expect(urls).toEqual(['http://api.test/wall?ts=1795615200.007&within=60']);
    expect(wall.cameras.map((c) => c.camera)).toEqual(['cam2', 'test']);
  });

  it('repeats the camera parameter for a chosen set of cameras', async () => {
    expect(wallPath()).toBe('/wall');
    expect(wallPath(['yard', 'front-door'])).toBe('/wall?camera=yard&camera=front-door');
    const { impl, urls } = recorder(() => json(body));
    const client = createApiClient({ apiBaseUrl: 'http://api.test' }, impl);
    await getWall(client, { atMs: 1795615200000, cameras: ['yard', 'front-door'] });
    expect(urls).toEqual(['http://api.test/wall?camera=yard&camera=front-door&ts=1795615200.000']);
  });

  it('reports a refusal as an ApiError', async () => {
    const { impl } = recorder(() => json({ error: 'bad_request', detail: 'ts is not a time' }, 400));
    const client = createApiClient({ apiBaseUrl: 'http://api.test' }, impl);
    await expect(getWall(client, { atMs: 0 })).rejects.toBeInstanceOf(ApiError);
  });
});
