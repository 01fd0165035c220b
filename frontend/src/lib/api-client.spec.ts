import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, buildUrl, createApiClient, describeError } from './api-client';

const Schema = z.object({ ok: z.boolean() });

function fakeFetch(respond: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), ...(init ? { init } : {}) });
    return respond(String(input), init);
  }) as typeof fetch;
  return { impl, calls };
}

describe('buildUrl', () => {
  it('joins base and path and drops undefined query values', () => {
    expect(buildUrl('http://api:3000', '/thumbnail', { ts: '1.000', camera: undefined })).toBe(
      'http://api:3000/thumbnail?ts=1.000',
    );
    expect(buildUrl('http://h/api', 'thumbnails/a/b.jpg')).toBe('http://h/api/thumbnails/a/b.jpg');
    expect(buildUrl('http://h/api', 'http://other/x.jpg')).toBe('http://other/x.jpg');
  });
});

describe('createApiClient', () => {
  it('sends the bearer token and validates the answer', async () => {
    const { impl, calls } = fakeFetch(() => Response.json({ ok: true }));
    const client = createApiClient({ apiBaseUrl: 'http://api', apiToken: 't0k' }, impl);
    await expect(client.getJson('/x', { a: 1 }, Schema)).resolves.toEqual({ ok: true });
    expect(calls[0]?.url).toBe('http://api/x?a=1');
    expect(((calls[0]?.init?.headers ?? {}) as Record<string, string>).Authorization).toBe('Bearer t0k');
  });

  it('classifies failures so the UI can explain them', async () => {
    const cases: [() => Response | Promise<Response>, string][] = [
      [() => Promise.reject(new TypeError('fetch failed')), 'unreachable'],
      [() => Response.json({ error: 'unauthorized', detail: 'token' }, { status: 401 }), 'unauthorized'],
      [() => Response.json({ error: 'no frame', detail: 'none near' }, { status: 404 }), 'not-found'],
      [() => Response.json({ error: 'bad ts' }, { status: 400 }), 'bad-request'],
      [() => new Response('<html>', { status: 502 }), 'server'],
      [() => Response.json({ ok: 'yes' }), 'bad-response'],
    ];
    for (const [respond, kind] of cases) {
      const client = createApiClient({ apiBaseUrl: 'http://api' }, fakeFetch(respond).impl);
      const error = await client.getJson('/x', {}, Schema).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).kind).toBe(kind);
      expect(describeError(error, 'http://api').length).toBeGreaterThan(10);
    }
  });

  it('keeps the API error detail', async () => {
    const client = createApiClient(
      { apiBaseUrl: 'http://api' },
      fakeFetch(() => Response.json({ error: 'no frame', detail: 'nothing within 5 s' }, { status: 404 })).impl,
    );
    const error = (await client.getJson('/x', {}, Schema).catch((e: unknown) => e)) as ApiError;
    expect(error.detail).toBe('nothing within 5 s');
    expect(describeError(error, 'http://api')).toBe('no frame: nothing within 5 s');
  });

  it("POSTs JSON and keeps a refusal's detail for the person who asked", async () => {
    const { impl, calls } = fakeFetch(() =>
      Response.json({ error: 'no_stills', detail: 'camera "test" has no stills from 12:00 to 12:10' }, { status: 422 }),
    );
    const client = createApiClient({ apiBaseUrl: 'http://api', apiToken: 't0k' }, impl);
    const error = (await client.postJson('/exports', { camera: 'test' }, Schema).catch((e: unknown) => e)) as ApiError;
    expect(calls[0]?.init?.method).toBe('POST');
    expect(calls[0]?.init?.body).toBe('{"camera":"test"}');
    expect(calls[0]?.init?.headers).toMatchObject({
      Authorization: 'Bearer t0k',
      'Content-Type': 'application/json',
      Accept: 'application/json',
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      kind: 'bad-request',
      status: 422,
      detail: 'camera "test" has no stills from 12:00 to 12:10',
    });
    expect(describeError(error, 'http://api')).toContain('camera "test" has no stills from 12:00 to 12:10');
  });

  it('DELETEs: the answer when there is one, null for 204', async () => {
    const answered = fakeFetch(() => Response.json({ ok: true }));
    const client = createApiClient({ apiBaseUrl: 'http://api' }, answered.impl);
    await expect(client.deleteJson('/exports/x', Schema)).resolves.toEqual({ ok: true });
    expect(answered.calls[0]?.init?.method).toBe('DELETE');
    expect(answered.calls[0]?.init?.body).toBeNull();

    const empty = createApiClient(
      { apiBaseUrl: 'http://api' },
      fakeFetch(() => new Response(null, { status: 204 })).impl,
    );
    await expect(empty.deleteJson('/exports/x', Schema)).resolves.toBeNull();

    const refused = createApiClient(
      { apiBaseUrl: 'http://api' },
      fakeFetch(() => Response.json({ error: 'not_found', detail: 'no export x' }, { status: 404 })).impl,
    );
    await expect(refused.deleteJson('/exports/x', Schema)).rejects.toMatchObject({
      kind: 'not-found',
      detail: 'no export x',
    });
  });
});
