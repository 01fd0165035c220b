/**
 * Prometheus metrics on a registry of our own (not the global one), so every
 * createApp() in a test process counts only its own requests.
 */
import type { NextFunction, Request, Response } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { QueryObserver } from './adapters/influx.js';

export interface Metrics {
  registry: Registry;
  /** Express middleware counting and timing each request by its route pattern. */
  httpMiddleware(req: Request, res: Response, next: NextFunction): void;
  /** Passed to the InfluxDB adapter. */
  observeQuery: QueryObserver;
  /** Counts an export job that ended, by its final state. */
  countExport(state: string): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fathom_backend_' });

  const requests = new Counter({
    name: 'fathom_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'fathom_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const querySeconds = new Histogram({
    name: 'fathom_influx_query_duration_seconds',
    help: 'InfluxDB query latency by query kind and outcome',
    labelNames: ['query', 'outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const exports = new Counter({
    name: 'fathom_exports_total',
    help: 'Timelapse export jobs that ended, by final state (done, failed, cancelled, interrupted)',
    labelNames: ['state'] as const,
    registers: [registry],
  });

  return {
    registry,
    countExport(state) {
      exports.inc({ state });
    },
    httpMiddleware(req, res, next) {
      const started = performance.now();
      res.once('finish', () => {
        // The route pattern, never the raw path: file paths and ids would explode the label set.
        const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched';
        requests.inc({ method: req.method, route, status: String(res.statusCode) });
        requestSeconds.observe({ method: req.method, route }, (performance.now() - started) / 1000);
      });
      next();
    },
    observeQuery(label, seconds, outcome) {
      querySeconds.observe({ query: label, outcome }, seconds);
    },
  };
}
