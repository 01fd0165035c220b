/**
 * The dashboard's own compose file and Dockerfile, checked without an engine:
 * Compose v2 validates and interpolates the file, and the Dockerfile keeps its
 * promises. test/compose/stack.compose.spec.ts runs it for real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const COMPOSE = fileURLToPath(new URL('./docker-compose.yml', import.meta.url));
/** Compose v2, built once from its Go module (scripts/docker/provide-compose.sh). */
const COMPOSE_BIN = spawnSync(
  'bash',
  [fileURLToPath(new URL('../scripts/docker/provide-compose.sh', import.meta.url))],
  {
    encoding: 'utf8',
  },
).stdout.trim();
const DOCKERFILE = fileURLToPath(new URL('./Dockerfile', import.meta.url));

/** A developer's frontend/.env must not leak into the check, hence an empty --env-file. */
const EMPTY_ENV_FILE = join(mkdtempSync(join(tmpdir(), 'fathom-compose-')), '.env');
writeFileSync(EMPTY_ENV_FILE, '');
afterAll(() => rmSync(dirname(EMPTY_ENV_FILE), { recursive: true, force: true }));

function composeConfig(env: Record<string, string>) {
  const { FATHOM_API_URL: _url, FATHOM_API_TOKEN: _token, DASHBOARD_PORT: _port, ...rest } = process.env;
  const result = spawnSync(COMPOSE_BIN, ['--env-file', EMPTY_ENV_FILE, '-f', COMPOSE, 'config'], {
    env: { ...rest, ...env },
    encoding: 'utf8',
    cwd: '/',
  });
  if (result.error) throw new Error(`Compose v2 is needed (scripts/docker/provide-compose.sh): ${result.error}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('frontend/docker-compose.yml', () => {
  it('refuses to start without FATHOM_API_URL, saying what to set', () => {
    const { status, stderr } = composeConfig({});
    expect(status).not.toBe(0);
    expect(stderr).toContain('set FATHOM_API_URL to your backend URL');
  });

  it('runs the dashboard alone against the given backend, on 8080, with a health check', () => {
    const { status, stdout, stderr } = composeConfig({ FATHOM_API_URL: 'http://nvr.lan:3000' });
    expect(status, stderr).toBe(0);
    expect(Object.keys((parse(stdout) as { services: object }).services)).toEqual(['dashboard']);
    expect(stdout).toContain('FATHOM_API_URL: http://nvr.lan:3000');
    expect(stdout).toContain('dockerfile: frontend/Dockerfile');
    expect(stdout).toMatch(/target: 8080\s+published: "8080"/);
    expect(stdout).toContain('/healthz');
    expect(stdout).toContain('restart: unless-stopped');
  });
});

describe('frontend/Dockerfile', () => {
  const dockerfile = readFileSync(DOCKERFILE, 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds from the root lock file and ships only dist and server.mjs', () => {
    expect(dockerfile).toContain('COPY package.json package-lock.json ./');
    expect(dockerfile).toMatch(/npm ci .*-w @fathom\/frontend/);
    expect(runtime).toContain('FROM node:20-bookworm-slim');
    expect(runtime.match(/^COPY .*/gm)).toEqual([
      'COPY --from=build /app/frontend/dist ./dist',
      'COPY frontend/server.mjs ./server.mjs',
    ]);
  });

  it('runs as a non-root user, on 8080, with a health check', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^EXPOSE 8080$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(runtime).toMatch(/^CMD \["node", "server.mjs"\]$/m);
  });
});
