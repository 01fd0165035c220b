/**
 * Which route answers a request, and what it answers: a pure function of the method, the path
 * and the Authorization header, over the service's read-outs. Unknown paths get a JSON 404.
 */
import type { HealthReport } from './health.js';
import { isRead, jsonError, type Reply, type RouteRequest } from './reply.js';
import { type RestreamControl, restreamReply } from './restream-routes.js';

export interface Routes {
  health(): HealthReport;
  /** The Prometheus exposition. */
  metrics(): Promise<{ body: string; contentType: string }>;
  restreams: RestreamControl;
  /** The Bearer check of the control routes: null lets a request through. */
  authorize(authorization: string | undefined): Reply | null;
}

/** The path's segments, percent-decoded; one trailing slash is ignored. Null when a segment is not valid UTF-8. */
export function pathSegments(path: string): string[] | null {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  try {
    return trimmed.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return null;
  }
}

export async function route(routes: Routes, request: RouteRequest): Promise<Reply> {
  const { method, path } = request;
  const segments = pathSegments(path);
  if (segments === null) return jsonError(400, 'bad_request', 'the path is not valid percent-encoded UTF-8');
  const reading = isRead(method);
  const only = segments.length === 1 ? segments[0] : undefined;
  if (reading && only === 'healthz') {
    const report = routes.health();
    return { status: report.ok ? 200 : 503, json: report };
  }
  if (reading && only === 'metrics') return { status: 200, text: await routes.metrics() };
  const restream = restreamReply(routes.restreams, routes.authorize, method, segments, request.authorization);
  return restream ?? jsonError(404, 'not_found', `no route for ${method} ${path}`);
}
