/**
 * With FATHOM_API_TOKEN set, every route but the health probes must refuse a
 * request without the token or with a wrong one. The routes come from the
 * API's own /openapi.json (fetched with the token), plus /metrics and a real
 * /thumbnails/<path>, so a route added later is checked without editing this.
 */
import { send } from './http.js';

export interface AuthCase {
  route: string;
  credential: string;
  status: number | null;
  expected: string;
  ok: boolean;
}

export const HEALTH_ROUTES = new Set(['/healthz', '/readyz']);

/** Concrete request paths for each OpenAPI path template (pure). */
export function concretePaths(templates: readonly string[], sample: { thumbnailPath: string; nowSeconds: number }) {
  return templates.map((template) => {
    const path = template.replace(/\{path\}/g, sample.thumbnailPath).replace(/\{[^}]+\}/g, 'x');
    if (template === '/thumbnail' || template === '/thumbnailGroup') return `${path}?ts=${sample.nowSeconds}`;
    return path;
  });
}

export async function checkAuth(options: {
  baseUrl: string;
  apiToken: string;
  thumbnailPath: string;
}): Promise<{ cases: AuthCase[]; routes: string[] }> {
  const base = new URL(options.baseUrl);
  const good = { authorization: `Bearer ${options.apiToken}` };
  const doc = await send(base, { method: 'GET', path: '/openapi.json', headers: good });
  if (doc.status !== 200) throw new Error(`GET /openapi.json with the token: ${doc.status} ${doc.error ?? ''}`);
  const templates = Object.keys((JSON.parse(doc.body.toString('utf8')) as { paths: Record<string, unknown> }).paths);
  const routes = [
    ...new Set([
      ...concretePaths([...templates, '/metrics', '/thumbnails/{path}', '/clips'], {
        thumbnailPath: options.thumbnailPath,
        nowSeconds: Math.floor(Date.now() / 1000) - 5,
      }),
    ]),
  ];
  const credentials: [string, Record<string, string>, string][] = [
    ['none', {}, ''],
    ['wrong bearer', { authorization: 'Bearer not-the-token-not-the-token' }, ''],
    ['token + 1 char', { authorization: `Bearer ${options.apiToken}x` }, ''],
    ['basic', { authorization: `Basic ${Buffer.from(`fathom:${options.apiToken}`).toString('base64')}` }, ''],
    ['wrong access_token', {}, 'access_token=not-the-token-not-the-token'],
    ['right token', good, ''],
  ];
  const cases: AuthCase[] = [];
  for (const route of routes) {
    const bare = route.split('?')[0] as string;
    for (const [credential, headers, extraQuery] of credentials) {
      const path = extraQuery ? `${route}${route.includes('?') ? '&' : '?'}${extraQuery}` : route;
      const res = await send(base, { method: 'GET', path, headers });
      let expected: string;
      let ok: boolean;
      if (HEALTH_ROUTES.has(bare)) {
        expected = '200 without a token';
        ok = res.status === 200;
      } else if (credential === 'right token') {
        expected = 'not 401/403, not 5xx';
        ok = res.status !== null && res.status !== 401 && res.status !== 403 && res.status < 500;
      } else {
        expected = '401 or 403';
        ok = res.status === 401 || res.status === 403;
      }
      cases.push({ route, credential, status: res.status, expected, ok });
    }
  }
  return { cases, routes };
}
