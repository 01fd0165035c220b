/**
 * http/ — what the service tells the outside. In: the health report the core
 * builds (health.ts), the metrics registry (metrics.ts) and the restream
 * control (restream-routes.ts). Out: GET /healthz, GET /metrics, GET /restreams
 * and the restream switch. createApp is separate from listen() so tests use port 0.
 */
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Registry } from 'prom-client';
import type { HealthReport } from './health.js';
import { type RestreamControl, restreamRoutes } from './restream-routes.js';

export interface AppDeps {
  health(): HealthReport;
  registry: Registry;
  /** The restream targets; absent: the /restreams routes answer with none. */
  restreams?: RestreamControl;
  /** Bearer token of the control routes; absent: the switch is refused (403). */
  apiToken?: string | undefined;
}

const NO_RESTREAMS: RestreamControl = { list: () => [], setEnabled: () => null };

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    const report = deps.health();
    res.status(report.ok ? 200 : 503).json(report);
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      const body = await deps.registry.metrics();
      res.type(deps.registry.contentType).send(body);
    } catch (error) {
      next(error);
    }
  });

  app.use(restreamRoutes(deps.restreams ?? NO_RESTREAMS, deps.apiToken));

  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', detail: `no route for ${req.method} ${req.path}` });
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(500).json({ error: 'internal', detail: String((error as Error).message ?? error) });
  };
  app.use(onError);
  return app;
}
