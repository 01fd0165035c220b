import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { HealthReport } from './health.js';
import { createFeedMetrics } from './metrics.js';

const report = (ok: boolean): HealthReport => ({
  ok,
  maxFrameAgeSeconds: 30,
  cameras: [
    {
      camera: 'cam1',
      ok,
      state: ok ? 'online' : 'offline',
      mode: 'keyframes',
      modeSource: 'learnt',
      frameAgeSeconds: ok ? 1 : 99,
      storing: true,
      storeError: null,
      frames: 3,
      restarts: 0,
    },
  ],
  index: { pendingPoints: 0, writing: true, lastError: null },
});

describe('HTTP app', () => {
  const servers: { close(): void }[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });
  const serve = async (ok: boolean) => {
    const metrics = createFeedMetrics();
    metrics.frames.inc({ camera: 'cam1' }, 3);
    metrics.bindState(() => ({
      bufferDepth: 7,
      cameras: [{ camera: 'cam1', online: true, newestFrameAgeSeconds: 0.5, indexLagSeconds: 1 }],
    }));
    const server = createApp({ health: () => report(ok), registry: metrics.registry }).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('answers /healthz 200 when every camera is fresh and 503 when one is stale', async () => {
    expect((await fetch(`${await serve(true)}/healthz`)).status).toBe(200);
    const stale = await fetch(`${await serve(false)}/healthz`);
    expect(stale.status).toBe(503);
    expect(((await stale.json()) as HealthReport).cameras[0]?.camera).toBe('cam1');
  });

  it('exposes the Prometheus metrics', async () => {
    const text = await (await fetch(`${await serve(true)}/metrics`)).text();
    expect(text).toContain('fathom_feed_frames_total{camera="cam1"} 3');
    expect(text).toContain('fathom_feed_index_buffer_depth 7');
    expect(text).toContain('fathom_feed_newest_frame_age_seconds{camera="cam1"} 0.5');
    expect(text).toContain('fathom_feed_index_lag_seconds{camera="cam1"} 1');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${await serve(true)}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('answers HEAD without a body, and a failing route with a JSON 500', async () => {
    const head = await fetch(`${await serve(true)}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const metrics = createFeedMetrics();
    const failing: typeof metrics.registry = Object.create(metrics.registry, {
      metrics: { value: () => Promise.reject(new Error('collector broke')) },
    });
    const server = createApp({ health: () => report(true), registry: failing }).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal', detail: 'collector broke' });
  });

  it('answers 500 when an answer cannot be written, and stays up', async () => {
    const metrics = createFeedMetrics();
    // JSON.stringify throws on a BigInt: the answer fails after its route returned.
    const unwritable = { ...report(true), frames: 1n } as unknown as HealthReport;
    const server = createApp({ health: () => unwritable, registry: metrics.registry }).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'internal' });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});
