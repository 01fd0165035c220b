/** Operational routes: liveness, readiness, metrics and the API description. */
import type { Request, Response } from 'express';
import type { ThumbnailIndex } from '../index-reader.js';
import type { Metrics } from '../metrics.js';

export const healthHandler = (_req: Request, res: Response) => {
  res.json({ status: 'ok' });
};

export function readinessHandler(index: ThumbnailIndex) {
  return async (req: Request, res: Response) => {
    try {
      await index.checkReady();
      res.json({ status: 'ready' });
    } catch (error) {
      req.log?.warn({ err: error }, 'not ready');
      const detail = error instanceof Error ? error.message : String(error);
      res.status(503).json({ error: 'not_ready', detail });
    }
  };
}

export function metricsHandler(metrics: Metrics) {
  return async (_req: Request, res: Response) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}

export function openApiHandler(document: object) {
  return (_req: Request, res: Response) => {
    res.json(document);
  };
}
