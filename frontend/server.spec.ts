import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types, on purpose: the server has no dependencies
import { createDashboardServer, fileFor, readConfig } from './server.mjs';

describe('readConfig', () => {
  it('has working defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8080, apiBaseUrl: 'http://localhost:3000' });
    expect(config.apiToken).toBeUndefined();
  });

  it('names every bad key at once', () => {
    try {
      readConfig({ DASHBOARD_PORT: '99999', FATHOM_API_URL: 'ftp://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('DASHBOARD_PORT');
      expect(message).toContain('FATHOM_API_URL');
      expect(message).toContain('LOG_LEVEL');
    }
    expect(() => readConfig({ FATHOM_API_URL: 'http://user:pw@api:3000' })).toThrow(/credentials/);
  });

  it('accepts a same-origin path for a proxied API', () => {
    expect(readConfig({ FATHOM_API_URL: '/api' }).apiBaseUrl).toBe('/api');
  });
});

describe('fileFor', () => {
  it('refuses anything outside the dist folder', () => {
    expect(fileFor('/srv/dist', '/assets/a.js')).toBe('/srv/dist/assets/a.js');
    expect(fileFor('/srv/dist', '/../secret')).toBeNull();
    expect(fileFor('/srv/dist', '/%2e%2e/secret')).toBeNull();
    expect(fileFor('/srv/dist', '/a%00.js')).toBeNull();
    expect(fileFor('/srv/dist', '/%E0%A4%A')).toBeNull();
    expect(fileFor('/srv/dist', '/..%5csecret')).toBeNull();
  });
});

describe('dashboard server', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fathom-dashboard-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'no');
    server = createDashboardServer({
      distDir: join(dir, 'dist'),
      apiBaseUrl: 'http://api.example:3000',
      apiToken: 'api-token-123',
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates /config.json from its settings, never cached', async () => {
    const res = await fetch(`${base}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ apiBaseUrl: 'http://api.example:3000', apiToken: 'api-token-123' });
  });

  it('reports health', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('caches hashed assets for a year and revalidates the page', async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const page = await fetch(`${base}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self' http://api.example:3000");
    expect(page.headers.get('content-security-policy')).toContain("media-src 'self' blob: http://api.example:3000");
    const again = await fetch(`${base}/`, { headers: { 'If-None-Match': page.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  it('falls back to the app for routes, but not for missing files', async () => {
    const route = await fetch(`${base}/some/deep/link?view=clips`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>app</title>');
    const missing = await fetch(`${base}/assets/old-bundle.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('never serves outside dist and only answers GET and HEAD', async () => {
    for (const path of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const res = await fetch(`${base}${path}`);
      expect(await res.text()).not.toBe('no');
    }
    const post = await fetch(`${base}/config.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
