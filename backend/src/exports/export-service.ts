/** The export stage put together from its adapters: what main.ts serves and the tests drive. */
import type { Clock } from '../adapters/clock.js';
import { createExportVolume } from '../adapters/export-volume.js';
import { createFfmpegEncoder } from '../adapters/ffmpeg.js';
import type { ThumbnailStore } from '../adapters/files.js';
import type { InfluxReader } from '../adapters/influx.js';
import type { Logger } from '../logger.js';
import { createExportQueue, type ExportState } from './export-jobs.js';
import { createStillsSource } from './stills-source.js';
import type { BurnInFont } from './timelapse-args.js';

export interface ExportServiceOptions {
  dir: string;
  maxRangeHours: number;
  retentionHours: number;
  niceness: number;
  font: BurnInFont;
  ffmpegPath?: string | undefined;
}

export function createExportService(
  options: ExportServiceOptions,
  adapters: {
    influx: InfluxReader;
    bucket: string;
    footage: ThumbnailStore;
    clock: Clock;
    logger: Logger;
    onFinished?: (state: ExportState) => void;
  },
) {
  const volume = createExportVolume(options.dir);
  const stills = createStillsSource(adapters.influx, adapters.bucket, adapters.footage);
  const encoder = createFfmpegEncoder({ ffmpegPath: options.ffmpegPath, niceness: options.niceness });
  const queue = createExportQueue({
    volume,
    stills,
    encoder,
    clock: adapters.clock,
    logger: adapters.logger,
    settings: { retentionHours: options.retentionHours, font: options.font },
    ...(adapters.onFinished ? { onFinished: adapters.onFinished } : {}),
  });
  return { volume, stills, encoder, queue, limits: { maxRangeHours: options.maxRangeHours } };
}
