/**
 * Entry point: read the settings, build the real adapters, start the cameras
 * and the HTTP server. SIGTERM/SIGINT: stop ffmpeg cleanly, flush, exit 0.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redactCredentials } from '@fathom/service-kit';
import { createDetectorThread } from './analysis/detection/detector-thread.js';
import { createFfmpegRunner, resolveFfmpegBinary } from './capture/ffmpeg.js';
import { ConfigError, RETIRED_SETTINGS, readConfig } from './config.js';
import { createFeedHandler } from './feed-handler.js';
import { openDecodeModeFile } from './footage/decode-mode-file.js';
import { createFootageStore } from './footage/footage-store.js';
import { createThumbnailStore } from './footage/thumbnail-store.js';
import { createApp } from './http/app.js';
import { createFeedMetrics } from './http/metrics.js';
import { createInfluxIndex } from './index/influx.js';
import { createLogger } from './logger.js';
import { createRestreamRunner } from './restream/restream-process.js';
import { systemClock } from './shared/clock.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig();
  } catch (error) {
    // No logger yet (its level is a setting): a bare line on stderr, then exit 1.
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  const binary = resolveFfmpegBinary(config.ffmpegPath);
  const thumbnailDir = resolve(config.thumbnailDir);
  mkdirSync(thumbnailDir, { recursive: true });
  const chunkDir = resolve(config.chunks.dir);
  log.info(
    {
      ffmpeg: binary,
      thumbnailDir,
      chunks: { ...config.chunks, dir: chunkDir },
      retention: config.retention,
      motion: config.motion,
      influx: { url: config.influx.url, org: config.influx.org, bucket: config.influx.bucket },
      cameras: config.cameras.map((c) => ({
        ...c,
        url: redactCredentials(c.url),
        // The stream key is a secret: only where it goes and whether it is on.
        ...(c.restream
          ? { restream: c.restream.map((t) => ({ name: t.name, url: redactCredentials(t.url), enabled: t.enabled })) }
          : {}),
      })),
      restream: config.restream,
      detect: config.detect,
      httpControl: config.apiToken ? 'token' : 'off',
    },
    'feed-handler starting',
  );

  for (const key of config.retiredSettings) {
    log.warn({ setting: key }, `${key} is set but no longer used (${RETIRED_SETTINGS[key]}); remove it`);
  }
  // Learnt decode modes survive restarts beside the footage; a file that cannot be read costs relearning only.
  const decodeModePath = join(thumbnailDir, '.fathom', 'decode-modes.json');
  const learntModes = await openDecodeModeFile(decodeModePath, systemClock.now, (error) =>
    log.warn({ err: error, path: decodeModePath }, 'could not write the learnt decode modes'),
  ).catch((error: unknown) => {
    log.warn({ err: error, path: decodeModePath }, 'could not read the learnt decode modes; learning them again');
    return undefined;
  });
  if (learntModes?.problem) {
    log.warn({ path: decodeModePath, problem: learntModes.problem }, 'learnt decode modes partly unreadable');
  }

  const metrics = createFeedMetrics();
  const index = createInfluxIndex(config.influx, log.child({ component: 'influx' }));
  const handler = createFeedHandler({
    config,
    clock: systemClock,
    log,
    ffmpeg: createFfmpegRunner(binary),
    ...(learntModes ? { learntModes } : {}),
    store: createThumbnailStore(thumbnailDir),
    footage: createFootageStore({ thumbnailRoot: thumbnailDir, chunkRoot: chunkDir, clock: systemClock }),
    index,
    activity: index,
    bucket: config.influx.bucket,
    metrics,
    restreamer: createRestreamRunner(binary),
    ...(config.detect.enabled
      ? {
          detection: {
            detector: createDetectorThread({
              labels: config.detect.labels,
              minScore: config.detect.minScore,
              modelDir: config.detect.modelDir,
            }),
            index,
          },
        }
      : {}),
  });
  handler.start();

  const app = createApp({
    health: handler.health,
    registry: metrics.registry,
    restreams: handler.restreams,
    apiToken: config.apiToken,
  });
  const server = app.listen(config.http.port, config.http.host, () => {
    log.info({ host: config.http.host, port: config.http.port }, 'HTTP listening');
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server.close();
    const { pendingPoints } = await handler.stop();
    log.info({ pendingPoints }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `feed-handler failed to start: ${redactCredentials(String((error as Error)?.stack ?? error))}\n`,
  );
  process.exit(1);
});
