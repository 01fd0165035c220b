/**
 * http/ — what the service tells the outside. In: the health report the core
 * builds (health.ts), the metrics registry (metrics.ts) and the restream
 * control (restream-routes.ts). Out: GET /healthz, GET /metrics, GET /restreams
 * and the restream switch. createApp is separate from listen() so tests use port 0.
 *
 * Node's own http server, not Express: five routes need no framework, and Express with
 * its body parsers, charset tables and MIME database held ~5 MiB of this process's
 * memory (docs/benchmarks.md, bench:memory). The routes are pure (route.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { bearerCheck } from './api-token.js';
import type { HealthReport } from './health.js';
import { jsonError, type Reply } from './reply.js';
import type { RestreamControl } from './restream-routes.js';
import { route } from './route.js';

export interface AppDeps {
  health(): HealthReport;
  registry: Registry;
  /** The restream targets; absent: the /restreams routes answer with none. */
  restreams?: RestreamControl;
  /** Bearer token of the control routes; absent: the switch is refused (403). */
  apiToken?: string | undefined;
}

const NO_RESTREAMS: RestreamControl = { list: () => [], setEnabled: () => null };

export function createApp(deps: AppDeps): Server {
  const routes = {
    health: deps.health,
    metrics: async () => ({ body: await deps.registry.metrics(), contentType: deps.registry.contentType }),
    restreams: deps.restreams ?? NO_RESTREAMS,
    authorize: bearerCheck(deps.apiToken),
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    route(routes, {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      authorization: req.headers.authorization,
    })
      .catch(internalError)
      .then((reply) => send(res, reply))
      .catch((error: unknown) => {
        // The answer itself could not be written (e.g. a body JSON cannot hold): a 500 if nothing went out yet,
        // else the connection is cut. Never an unhandled rejection, which would end the service.
        if (res.headersSent) res.destroy();
        else send(res, internalError(error));
      });
  });
}

const internalError = (error: unknown): Reply => jsonError(500, 'internal', String((error as Error)?.message ?? error));

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.text ? reply.text.body : JSON.stringify(reply.json ?? null);
  const contentType = reply.text ? reply.text.contentType : 'application/json; charset=utf-8';
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
  });
  // Node leaves the body out of an answer to HEAD by itself.
  res.end(body);
}
