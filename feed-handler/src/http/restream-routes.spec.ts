import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RestreamSnapshot } from '../restream/restream-supervisor.js';
import { createApp } from './app.js';
import type { HealthReport } from './health.js';
import { createFeedMetrics } from './metrics.js';
import type { RestreamControl } from './restream-routes.js';

const TOKEN = 'a-token-of-16-chars-or-more';

const snapshot = (enabled: boolean): RestreamSnapshot => ({
  camera: 'cam1',
  target: 'youtube',
  state: enabled ? 'live' : 'off',
  enabled,
  reason: enabled ? null : 'switched off',
  since: '2026-11-29T12:00:00.000Z',
  uptimeSeconds: enabled ? 42 : 0,
  bytesSent: 123_456,
  restarts: 2,
  retryAt: null,
  audio: 'silent',
});

const health: HealthReport = {
  ok: true,
  maxFrameAgeSeconds: 30,
  cameras: [],
  index: { pendingPoints: 0, writing: true, lastError: null },
};

describe('restream HTTP routes', () => {
  const servers: { close(): void }[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  const serve = async (apiToken?: string) => {
    let enabled = true;
    const switched: boolean[] = [];
    const control: RestreamControl = {
      list: () => [snapshot(enabled)],
      setEnabled: (camera, target, on) => {
        if (camera !== 'cam1' || target !== 'youtube') return null;
        switched.push(on);
        enabled = on;
        return snapshot(enabled);
      },
    };
    const metrics = createFeedMetrics();
    metrics.bindRestreams(() =>
      control.list().map((r) => ({
        camera: r.camera,
        target: r.target,
        state: r.state,
        uptimeSeconds: r.uptimeSeconds,
        bytesSent: r.bytesSent,
        restarts: r.restarts,
      })),
    );
    const app = createApp({ health: () => health, registry: metrics.registry, restreams: control, apiToken });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, switched };
  };
  const post = (url: string, token?: string) =>
    fetch(url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lists every target, and one by camera and name', async () => {
    const { url } = await serve();
    expect(await (await fetch(`${url}/restreams`)).json()).toEqual({ restreams: [snapshot(true)] });
    expect(await (await fetch(`${url}/restreams/cam1/youtube`)).json()).toEqual(snapshot(true));
    const missing = await fetch(`${url}/restreams/cam1/twitch`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('switches a target off and on with the Bearer token', async () => {
    const { url, switched } = await serve(TOKEN);
    const off = await post(`${url}/restreams/cam1/youtube/off`, TOKEN);
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ state: 'off', enabled: false, reason: 'switched off' });
    expect((await post(`${url}/restreams/cam1/youtube/on`, TOKEN)).status).toBe(200);
    expect(switched).toEqual([false, true]);
  });

  it('without a configured token the switch is refused with a JSON reason', async () => {
    const { url, switched } = await serve();
    const res = await post(`${url}/restreams/cam1/youtube/off`, 'anything-at-all-here');
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe('switch_not_configured');
    expect(body.detail).toContain('FATHOM_API_TOKEN');
    expect(switched).toEqual([]);
  });

  it('answers a missing or wrong token 401, a bad action 400, an unknown target 404, another method 405', async () => {
    const { url, switched } = await serve(TOKEN);
    const none = await post(`${url}/restreams/cam1/youtube/off`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toMatchObject({ error: 'unauthorized' });
    expect((await post(`${url}/restreams/cam1/youtube/off`, `${TOKEN}x`)).status).toBe(401);
    const bad = await post(`${url}/restreams/cam1/youtube/toggle`, TOKEN);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad_request' });
    const unknown = await post(`${url}/restreams/cam9/youtube/on`, TOKEN);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    const get = await fetch(`${url}/restreams/cam1/youtube/on`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ error: 'method_not_allowed' });
    expect(switched).toEqual([]);
  });

  it('exposes each target state, uptime, bytes and restarts as metrics', async () => {
    const { url } = await serve();
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('fathom_feed_restream_state{camera="cam1",target="youtube",state="live"} 1');
    expect(text).toContain('fathom_feed_restream_state{camera="cam1",target="youtube",state="failing"} 0');
    expect(text).toContain('fathom_feed_restream_uptime_seconds{camera="cam1",target="youtube"} 42');
    expect(text).toContain('fathom_feed_restream_sent_bytes_total{camera="cam1",target="youtube"} 123456');
    expect(text).toContain('fathom_feed_restream_restarts_total{camera="cam1",target="youtube"} 2');
  });
});
