/**
 * A real RTMP server for tests and benchmarks: nginx with Debian's
 * libnginx-mod-rtmp, on 127.0.0.1 and a port of the caller's, from a config
 * written to a temp dir. Application `live` records every published stream as
 * FLV (`<key>-<unix time>.flv`, one file per publish) so a test can ffprobe
 * what arrived. When `acceptKeys` is given, a small HTTP server in this process
 * answers nginx's on_publish: other stream names (keys) get 403, and nginx
 * drops the publisher, as YouTube does with a wrong key. nginx runs in the
 * foreground, one process, under die-with-parent (spawnBound); `restart()`
 * stops it and starts it again on the same port.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBound, stopChild, tailOf, waitFor } from '../../scripts/lib/process.js';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? 'nginx';
export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface RtmpServerOptions {
  port: number;
  /** Stream names (keys) the server accepts; absent: any. */
  acceptKeys?: readonly string[];
}

export interface Recording {
  path: string;
  key: string;
  bytes: number;
  startedAtS: number;
}

export interface RtmpServerHandle {
  port: number;
  /** rtmp://127.0.0.1:PORT/live: a target's url (the key goes beside it). */
  url: string;
  /** The FLV files nginx has recorded, oldest first. */
  recordings(key?: string): Recording[];
  /** The publish attempts nginx asked about (on_publish), with the answer given. */
  publishes(): { key: string; accepted: boolean; atMs: number }[];
  output(): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** True when nginx and its RTMP module are installed (scripts/setup.sh installs both). */
export function rtmpServerAvailable(): boolean {
  return existsSync(NGINX_BIN) && existsSync(RTMP_MODULE);
}

function nginxConfig(dir: string, port: number, hookUrl: string | null): string {
  return `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log stderr info;
load_module ${RTMP_MODULE};
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live {
      live on;
      record all;
      record_path ${dir}/recordings;
      record_unique on;
      ${hookUrl ? `on_publish ${hookUrl};` : ''}
    }
  }
}
`;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The on_publish hook: nginx POSTs a form (name=<key>&call=publish...); 2xx allows, anything else refuses. */
async function startPublishHook(
  acceptKeys: readonly string[],
  publishes: { key: string; accepted: boolean; atMs: number }[],
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const key = new URLSearchParams(body).get('name') ?? '';
      const accepted = acceptKeys.includes(key);
      publishes.push({ key, accepted, atMs: Date.now() });
      res.writeHead(accepted ? 200 : 403, { 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('publish hook has no port');
  return { server, url: `http://127.0.0.1:${address.port}/publish` };
}

export async function startRtmpServer(options: RtmpServerOptions): Promise<RtmpServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'fathom-rtmp-'));
  mkdirSync(join(dir, 'recordings'));
  const publishes: { key: string; accepted: boolean; atMs: number }[] = [];
  const hook = options.acceptKeys ? await startPublishHook(options.acceptKeys, publishes) : null;
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, options.port, hook?.url ?? null));

  let child: ChildProcess | undefined;
  let tail: () => string = () => '';
  const launch = async () => {
    const started = spawnBound(NGINX_BIN, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
    child = started;
    const output = tailOf(started, 20_000);
    tail = output;
    await waitFor(
      `nginx-rtmp on 127.0.0.1:${options.port}`,
      async () => {
        if (started.exitCode !== null) throw new Error(`nginx exited: ${output()}`);
        return (await portAccepts(options.port)) ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  };
  const halt = async () => {
    if (child) await stopChild(child, 5_000);
    child = undefined;
  };
  try {
    await launch();
  } catch (error) {
    await halt();
    hook?.server.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port: options.port,
    url: `rtmp://127.0.0.1:${options.port}/live`,
    recordings(key) {
      const folder = join(dir, 'recordings');
      return readdirSync(folder)
        .map((name) => {
          const match = /^(.+)-(\d+)\.flv$/.exec(name);
          if (!match) return null;
          const path = join(folder, name);
          return { path, key: match[1] as string, startedAtS: Number(match[2]), bytes: statSync(path).size };
        })
        .filter((r): r is Recording => r !== null && (key === undefined || r.key === key))
        .sort((a, b) => a.startedAtS - b.startedAtS || a.path.localeCompare(b.path));
    },
    publishes: () => [...publishes],
    output: () => tail(),
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      hook?.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
