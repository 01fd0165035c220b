#!/usr/bin/env node
/**
 * The dashboard's web server: serves the built app (dist/) with an SPA
 * fallback, and generates /config.json from the environment so that one built
 * image serves any backend. Node built-ins only: `npm run stack` and the
 * Docker image both run exactly this file, so the two paths cannot drift.
 *
 * Environment (read only in readConfig):
 *   FATHOM_API_URL     the Fathom API as the *browser* reaches it (default http://localhost:3000);
 *                      an absolute http(s) URL, or a path such as /api behind a reverse proxy
 *   FATHOM_API_TOKEN   optional bearer token for the Fathom API (never the InfluxDB token);
 *                      note that it is handed to every browser that loads the dashboard
 *   DASHBOARD_HOST     default 0.0.0.0
 *   DASHBOARD_PORT     default 8080
 *   DASHBOARD_DIST_DIR default: dist/ next to this file
 *   LOG_LEVEL          info (default) logs every request; warn logs only failures
 */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Vite puts content-hashed files under assets/: their URL changes whenever their bytes do. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and config.json must be revalidated, or a redeploy would not be seen. */
const REVALIDATE = 'no-cache';

/** pino's levels, shared with the other services' LOG_LEVEL. */
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

export class ConfigError extends Error {
  constructor(problems) {
    super(`invalid dashboard configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Validates the environment, naming every bad key at once. */
export function readConfig(env) {
  const problems = [];
  const host = env.DASHBOARD_HOST || '0.0.0.0';
  const portText = env.DASHBOARD_PORT || '8080';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    problems.push(`DASHBOARD_PORT must be a port number (1-65535), got "${portText}"`);
  }
  const apiBaseUrl = (env.FATHOM_API_URL || 'http://localhost:3000').trim();
  if (!apiBaseUrl.startsWith('/')) {
    let parsed;
    try {
      parsed = new URL(apiBaseUrl);
    } catch {
      parsed = null;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      problems.push(`FATHOM_API_URL must be an http(s) URL or a path starting with /, got "${apiBaseUrl}"`);
    } else if (parsed.username || parsed.password) {
      problems.push('FATHOM_API_URL must not contain credentials; use FATHOM_API_TOKEN');
    }
  }
  const apiToken = env.FATHOM_API_TOKEN || undefined;
  if (apiToken !== undefined && /\s/.test(apiToken)) problems.push('FATHOM_API_TOKEN must not contain whitespace');
  const distDir = resolve(env.DASHBOARD_DIST_DIR || join(HERE, 'dist'));
  const logLevel = env.LOG_LEVEL || 'info';
  if (!Object.hasOwn(LEVELS, logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${Object.keys(LEVELS).join(', ')}, got "${logLevel}"`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { host, port, apiBaseUrl, apiToken, distDir, logLevel };
}

/** The API's origin for the Content-Security-Policy; null when it is this origin (a path). */
function apiOrigin(apiBaseUrl) {
  return apiBaseUrl.startsWith('/') ? null : new URL(apiBaseUrl).origin;
}

export function securityHeaders(apiBaseUrl) {
  const api = apiOrigin(apiBaseUrl);
  const extra = api ? ` ${api}` : '';
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      `img-src 'self' blob: data:${extra}`,
      `connect-src 'self'${extra}`,
      // Recorded chunks play in <video> straight from the API.
      `media-src 'self' blob:${extra}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

/** JSON lines on stdout, pino-shaped, so the stack's log collection treats all services alike. */
export function createLogger(level = 'info', write = (line) => process.stdout.write(line)) {
  const threshold = LEVELS[level] ?? LEVELS.info;
  const log = (lvl) => (fields, msg) => {
    if (LEVELS[lvl] < threshold) return;
    write(`${JSON.stringify({ level: LEVELS[lvl], time: Date.now(), name: 'dashboard', ...fields, msg })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * Maps a request path to a file under distDir, or null when it is not one of
 * ours: encoded traversal (%2e%2e), NUL bytes and anything resolving outside
 * distDir are refused.
 */
export function fileFor(distDir, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const candidate = resolve(distDir, `.${decoded}`);
  const rel = relative(distDir, candidate);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return candidate;
}

async function statFile(path) {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

export function createDashboardServer({ distDir, apiBaseUrl, apiToken, log = createLogger('silent') }) {
  const indexPath = join(distDir, 'index.html');
  const runtimeConfig = JSON.stringify(apiToken ? { apiBaseUrl, apiToken } : { apiBaseUrl });
  const headers = securityHeaders(apiBaseUrl);

  const send = (req, res, status, type, body, cacheControl = 'no-store') => {
    res.writeHead(status, {
      ...headers,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': cacheControl,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const sendError = (req, res, status, error, detail) =>
    send(req, res, status, 'application/json; charset=utf-8', JSON.stringify({ error, detail }));

  const sendFile = async (req, res, path, fileStat, cacheControl) => {
    const etag = `W/"${fileStat.size.toString(16)}-${Math.floor(fileStat.mtimeMs).toString(16)}"`;
    const common = { ...headers, 'Cache-Control': cacheControl, ETag: etag };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...common,
      'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': fileStat.size,
      'Last-Modified': fileStat.mtime.toUTCString(),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(path);
    stream.on('error', (error) => {
      log.error({ err: String(error), path }, 'read failed');
      res.destroy(error);
    });
    stream.pipe(res);
  };

  const handle = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(req, res, 405, 'method_not_allowed', 'the dashboard only serves GET and HEAD');
    }
    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://dashboard').pathname;
    } catch {
      return sendError(req, res, 400, 'bad_request', 'unparseable URL');
    }
    if (pathname === '/healthz') {
      // Healthy means able to serve the app, not merely listening.
      const ok = existsSync(indexPath);
      return send(
        req,
        res,
        ok ? 200 : 503,
        'application/json; charset=utf-8',
        JSON.stringify(ok ? { status: 'ok' } : { status: 'unavailable', detail: `no index.html in ${distDir}` }),
      );
    }
    if (pathname === '/config.json') {
      return send(req, res, 200, 'application/json; charset=utf-8', runtimeConfig);
    }
    const path = pathname === '/' ? indexPath : fileFor(distDir, pathname);
    if (path === null) return sendError(req, res, 404, 'not_found', 'no such file');
    const fileStat = await statFile(path);
    if (fileStat) {
      const immutable = relative(distDir, path).startsWith('assets/');
      return sendFile(req, res, path, fileStat, immutable ? IMMUTABLE : REVALIDATE);
    }
    // A missing asset is a 404, not the app: a stale tab asking for an old bundle must fail visibly.
    if (extname(pathname) !== '') return sendError(req, res, 404, 'not_found', `no such file: ${pathname}`);
    const indexStat = await statFile(indexPath);
    if (!indexStat)
      return sendError(req, res, 503, 'unavailable', 'the dashboard has not been built (no dist/index.html)');
    return sendFile(req, res, indexPath, indexStat, REVALIDATE);
  };

  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fields = { method: req.method, url: req.url, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) log.error(fields, 'request failed');
      // Health probes every few seconds would drown the log.
      else if (req.url === '/healthz') log.debug(fields, 'request');
      else log.info(fields, 'request');
    });
    handle(req, res).catch((error) => {
      log.error({ err: String(error), url: req.url }, 'handler failed');
      if (!res.headersSent) sendError(req, res, 500, 'internal', 'the dashboard server failed');
      else res.destroy();
    });
  });
}

function loadDotEnv() {
  // The repository's .env, when there is one (natively); in the image there is none. Existing env wins.
  const file = fileURLToPath(new URL('../.env', import.meta.url));
  if (existsSync(file) && typeof process.loadEnvFile === 'function') process.loadEnvFile(file);
}

async function main() {
  loadDotEnv();
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  if (!existsSync(join(config.distDir, 'index.html'))) {
    log.warn({ distDir: config.distDir }, 'no built dashboard found; run `npm run build -w @fathom/frontend`');
  }
  const server = createDashboardServer({ ...config, log });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    log.info(
      {
        address: typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address),
        apiBaseUrl: config.apiBaseUrl,
        apiToken: config.apiToken ? '[set]' : '[none]',
        distDir: config.distDir,
      },
      'dashboard listening',
    );
  });
  const shutdown = (signal) => {
    log.info({ signal }, 'shutting down');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
