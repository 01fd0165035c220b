/**
 * createApp(deps): the Express application, with every outside system injected,
 * so tests drive it on port 0 against a real InfluxDB and a temp thumbnail dir.
 * Listening is main.ts's job.
 */
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { ActivityIndex } from './activity-reader.js';
import type { Clock } from './adapters/clock.js';
import type { FeedHandlerClient } from './adapters/feed-handler.js';
import type { ChunkStore, ThumbnailStore } from './adapters/files.js';
import { InfluxQueryError } from './adapters/influx.js';
import { requireApiToken } from './auth.js';
import type { ClipIndex } from './clip-reader.js';
import type { DetectionIndex } from './detection-reader.js';
import type { ThumbnailIndex } from './index-reader.js';
import { type Logger, redactUrl } from './logger.js';
import { methodNotAllowedOrNotFound } from './method-not-allowed.js';
import type { Metrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { HttpProblem } from './problems.js';
import { activityHandler, eventsHandler, motionHandler } from './routes/activity.js';
import { camerasHandler } from './routes/cameras.js';
import { chunkFileHandler } from './routes/chunk-files.js';
import { clipsHandler } from './routes/clips.js';
import { detectionsHandler } from './routes/detections.js';
import {
  createExportHandler,
  deleteExportHandler,
  type ExportsDeps,
  exportVideoHandler,
  getExportHandler,
  listExportsHandler,
} from './routes/exports.js';
import { thumbnailFileHandler } from './routes/files.js';
import { healthHandler, metricsHandler, openApiHandler, readinessHandler } from './routes/ops.js';
import { nearestHandler } from './routes/thumbnail.js';
import { thumbnailGroupHandler } from './routes/thumbnail-group.js';
import { wallHandler } from './routes/wall.js';
import { liveAnswers, type SettledAnswers } from './settled-answers.js';

export interface AppSettings {
  groupMinutes: { default: number; max: number };
  apiToken?: string | undefined;
  corsOrigins: '*' | string[];
}

export interface AppDeps {
  index: ThumbnailIndex;
  files: ThumbnailStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  settings: AppSettings;
  /** Video chunks and disk use (issue 7); without them /clips and /chunks answer 404 and /cameras has no storage. */
  clips?: ClipIndex;
  chunkFiles?: ChunkStore;
  /** The activity index (motion per thumbnail and per minute); without it /activity, /motion and /events answer 404. */
  activity?: ActivityIndex;
  /** The object detector's detections; without them /detections answers 404. */
  detections?: DetectionIndex;
  /** Cache and HTTP caching of settled answers (settled-answers.ts); without it every answer is live. */
  answers?: SettledAnswers;
  /** Timelapse exports (issue 19); without them /exports answers 404. */
  exports?: Omit<ExportsDeps, 'index' | 'clock'>;
  /** The feed-handler (FEED_HANDLER_URL); without it /cameras has no restream status. */
  feedHandler?: FeedHandlerClient;
}

/** Accept a caller's request id only if it is short and harmless in a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: AppDeps): express.Express {
  const { index, files, clock, logger, metrics, settings } = deps;
  const app = express();
  app.disable('x-powered-by');
  // /Cameras is not /cameras: the document lists exact paths, and a fuzzer may try other cases.
  app.set('case sensitive routing', true);
  app.set('etag', false); // JSON answers change as frames arrive; files carry their own ETag

  app.use(
    pinoHttp({
      logger,
      genReqId(req, res) {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      // Only what is needed: no headers (Authorization, cookies) and no access_token value.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(metrics.httpMiddleware);
  app.use(
    helmet({
      // Thumbnails are shown in <img> by the dashboard, which may be on another origin (CORS_ORIGINS).
      crossOriginResourcePolicy: {
        policy: settings.corsOrigins === '*' || settings.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin',
      },
    }),
  );
  // Before the token check, so browser preflights (which carry no Authorization) succeed.
  app.use(
    cors({
      origin: settings.corsOrigins === '*' ? '*' : settings.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: [
        'X-Request-Id',
        'Content-Location',
        'X-Fathom-Camera',
        'X-Fathom-Time',
        'X-Fathom-Distance-Seconds',
        'Content-Range',
        'Accept-Ranges',
        'Location',
        'Content-Disposition',
        'ETag',
      ],
      maxAge: 600,
    }),
  );

  app.get('/healthz', healthHandler);
  app.get('/readyz', readinessHandler(index));
  if (settings.apiToken) app.use(requireApiToken(settings.apiToken));

  const document = buildOpenApiDocument({
    groupMinutes: settings.groupMinutes,
    tokenRequired: Boolean(settings.apiToken),
    chunks: Boolean(deps.clips && deps.chunkFiles),
    activity: Boolean(deps.activity),
    detections: Boolean(deps.detections),
    exports: deps.exports ? { maxRangeHours: deps.exports.limits.maxRangeHours } : false,
  });
  app.get('/openapi.json', openApiHandler(document));
  app.get('/metrics', metricsHandler(metrics));
  const answers = deps.answers ?? liveAnswers;
  app.get('/thumbnail', nearestHandler(index, files, answers));
  app.get('/thumbnailGroup', thumbnailGroupHandler(index, settings.groupMinutes, answers));
  app.get('/wall', wallHandler(index, answers));
  app.get('/cameras', camerasHandler(index, clock, deps.clips, deps.feedHandler));
  app.get('/thumbnails/*path', thumbnailFileHandler(files));
  if (deps.clips) app.get('/clips', clipsHandler(deps.clips));
  if (deps.chunkFiles) app.get('/chunks/*path', chunkFileHandler(deps.chunkFiles));
  if (deps.activity) {
    app.get('/activity', activityHandler(deps.activity, clock));
    app.get('/motion', motionHandler(deps.activity, clock));
    app.get('/events', eventsHandler(deps.activity));
  }
  if (deps.detections) app.get('/detections', detectionsHandler(deps.detections, index, clock, answers));
  if (deps.exports) {
    const exportsDeps: ExportsDeps = { ...deps.exports, index, clock };
    app.post('/exports', express.json({ limit: '16kb' }), createExportHandler(exportsDeps));
    app.get('/exports', listExportsHandler(exportsDeps));
    app.get('/exports/:id', getExportHandler(exportsDeps));
    app.delete('/exports/:id', deleteExportHandler(exportsDeps));
    app.get('/exports/:id/video', exportVideoHandler(exportsDeps));
  }

  // No route answered: a path some route serves, asked with another method, is a 405 with Allow
  // (read from the router, so it follows the routes above); anything else is a 404.
  app.use(methodNotAllowedOrNotFound(app));
  app.use(errorHandler);
  return app;
}

/** Every failure becomes JSON {error, detail}; internals are logged, not shown. */
function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction) {
  let status = 500;
  let body = { error: 'internal', detail: `unexpected error; the server log has request ${String(req.id)}` };
  if (error instanceof HttpProblem) {
    status = error.status;
    body = { error: error.error, detail: error.detail };
  } else if (error instanceof InfluxQueryError && error.kind === 'unavailable') {
    status = 503;
    body = { error: 'index_unavailable', detail: 'InfluxDB is not reachable or refused the request; try again' };
  } else if (isClientError(error)) {
    // Express/body-parser/router errors that carry a 4xx, e.g. a malformed %-escape in the path.
    status = error.status;
    const detail =
      error instanceof URIError ? 'the path has a malformed %-escape' : error.expose ? error.message : 'bad request';
    body = { error: status === 404 ? 'not_found' : 'bad_request', detail };
  }
  if (status >= 500) req.log.error({ err: error }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json(body);
}

function isClientError(error: unknown): error is { status: number; expose?: boolean; message: string } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
