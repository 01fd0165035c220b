/**
 * Entry point: config, adapters, createApp, listen; drains on SIGTERM/SIGINT.
 */
import { once } from 'node:events';
import { createActivityIndex } from './activity-reader.js';
import { systemClock } from './adapters/clock.js';
import { createChunkStore, createThumbnailStore } from './adapters/files.js';
import { createInfluxReader } from './adapters/influx.js';
import { createApp } from './app.js';
import { createClipIndex } from './clip-reader.js';
import { ConfigError, loadConfig } from './config.js';
import { createThumbnailIndex } from './index-reader.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

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
  const app = createApp({
    index: createThumbnailIndex(influx, config.influx.bucket),
    files: createThumbnailStore(config.thumbnailDir),
    clips: createClipIndex(influx, config.influx.bucket),
    chunkFiles: createChunkStore(config.chunkDir),
    activity: createActivityIndex(influx, { index: config.influx.bucket, activity: config.activityBucket }, logger),
    clock: systemClock,
    logger,
    metrics,
    settings: { groupMinutes: config.groupMinutes, apiToken: config.apiToken, corsOrigins: config.corsOrigins },
  });

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
    server.close((error) => {
      if (error) logger.error({ err: error }, 'close failed');
      process.exit(error ? 1 : 0);
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
