/**
 * Entry point: config, adapters, createApp, listen; drains on SIGTERM/SIGINT.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createActivityIndex } from './activity-reader.js';
import { systemClock } from './adapters/clock.js';
import { createFeedHandlerClient } from './adapters/feed-handler.js';
import { createChunkStore, createThumbnailStore } from './adapters/files.js';
import { createInfluxReader } from './adapters/influx.js';
import { createApp } from './app.js';
import { createClipIndex } from './clip-reader.js';
import { ConfigError, loadConfig } from './config.js';
import { createDetectionIndex } from './detection-reader.js';
import { createExportService } from './exports/export-service.js';
import { createThumbnailIndex } from './index-reader.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createSettledAnswers, pollIndexGeneration } from './settled-answers.js';
import { SettledCache } from './settled-cache.js';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger('error').fatal({ problems: error.problems }, error.message);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const influx = createInfluxReader(config.influx, metrics.observeQuery);
  const files = createThumbnailStore(config.thumbnailDir);
  const exports = config.exports.enabled ? await startExports() : undefined;
  const generation = pollIndexGeneration(influx, config.influx.bucket, {
    intervalMs: config.answers.generationPollMs,
    logger,
  });
  const answers = createSettledAnswers({
    cache: config.answers.cacheBytes > 0 ? new SettledCache(config.answers.cacheBytes, 3_600_000) : undefined,
    generation,
    clock: systemClock,
    settleNs: BigInt(config.answers.settleSeconds) * 1_000_000_000n,
  });
  const app = createApp({
    index: createThumbnailIndex(influx, config.influx.bucket, config.lookupBatching),
    files,
    exports,
    answers,
    clips: createClipIndex(influx, config.influx.bucket),
    chunkFiles: createChunkStore(config.chunkDir),
    activity: createActivityIndex(influx, { index: config.influx.bucket, activity: config.activityBucket }, logger),
    detections: createDetectionIndex(influx, config.influx.bucket),
    feedHandler: config.feedHandlerUrl
      ? createFeedHandlerClient({ url: config.feedHandlerUrl, apiToken: config.apiToken, clock: systemClock, logger })
      : undefined,
    clock: systemClock,
    logger,
    metrics,
    settings: { groupMinutes: config.groupMinutes, apiToken: config.apiToken, corsOrigins: config.corsOrigins },
  });

  /** Exports need ffmpeg and a writable EXPORT_DIR; without either, the API says why (503) instead of failing each job. */
  async function startExports() {
    const settings = config.exports;
    const service = createExportService(
      {
        ...settings,
        font: existsSync(settings.fontFile) ? { file: settings.fontFile } : { family: 'monospace' },
      },
      {
        influx,
        bucket: config.influx.bucket,
        footage: files,
        clock: systemClock,
        logger,
        onFinished: metrics.countExport,
      },
    );
    const { queue, volume, encoder } = service;
    const ffmpeg = encoder.probe();
    let unavailable = ffmpeg.ok ? undefined : `exports need ffmpeg: ${ffmpeg.detail} (set FFMPEG_PATH)`;
    if (!unavailable) {
      try {
        await queue.start();
      } catch (error) {
        unavailable = `the export volume ${volume.root} is not writable: ${(error as Error).message}`;
      }
    }
    if (unavailable) logger.error({ exportDir: volume.root }, unavailable);
    else logger.info({ exportDir: volume.root, ffmpeg: ffmpeg.ok ? ffmpeg.version : null }, 'exports ready');
    const sweep = setInterval(
      () => void queue.sweep().catch((error: unknown) => logger.error({ err: error }, 'export sweep failed')),
      600_000,
    );
    sweep.unref();
    return { ...service, unavailable };
  }

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  logger.info(
    {
      address: server.address(),
      influx: { url: config.influx.url, org: config.influx.org, bucket: config.influx.bucket },
      thumbnailDir: config.thumbnailDir,
      chunkDir: config.chunkDir,
      tokenRequired: Boolean(config.apiToken),
      corsOrigins: config.corsOrigins,
      feedHandlerUrl: config.feedHandlerUrl ?? null,
    },
    'backend listening',
  );

  let stopping = false;
  // While draining, every answer closes its connection: keep-alive clients would
  // otherwise keep sending on the old connections until the drain timeout resets them.
  server.prependListener('request', (_request, response) => {
    if (stopping) response.setHeader('Connection', 'close');
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining open requests');
    // A running export stops here and starts again at the next start (its record still says running).
    const exportsStopped = exports?.queue.stop() ?? Promise.resolve();
    server.close((error) => {
      if (error) logger.error({ err: error }, 'close failed');
      // Not before the export's ffmpeg has gone: it would go on encoding as an orphan.
      void exportsStopped.finally(() => process.exit(error ? 1 : 0));
    });
    server.closeIdleConnections();
    // Requests are short; a stuck client must not hold the shutdown forever.
    setTimeout(() => {
      logger.warn('drain timed out; closing remaining connections');
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  createLogger('fatal').fatal({ err: error }, 'backend failed to start');
  process.exit(1);
});
