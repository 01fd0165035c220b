/**
 * The feed-handler's settings: one zod schema over the environment, read once.
 * This is the only module that reads process.env. A bad setting fails at start
 * and the error names every bad key.
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACTIVITY_BUCKET_SUFFIX,
  CAMERA_ID_PATTERN,
  DEFAULT_BUCKET,
  DEFAULT_CHUNK_SUBDIR,
} from '@fathom/index-contract';
import { logLevel, parseEnv, positiveInt, positiveNumber, withoutEmpty } from '@fathom/service-kit';
import dotenv from 'dotenv';
import { z } from 'zod';

export const cameraSchema = z.object({
  id: z.string().regex(CAMERA_ID_PATTERN, 'letters, digits, _ and -, starting with a letter or digit'),
  url: z.string().regex(/^rtsps?:\/\/\S+$/, 'must be an rtsp:// or rtsps:// URL'),
  location: z.string().min(1).max(128).default('default'),
  /** Thumbnail width for this camera; THUMBNAIL_WIDTH otherwise. */
  width: z.number().int().min(16).max(7680).optional(),
});
export type CameraConfig = z.infer<typeof cameraSchema>;

export const DEFAULT_CAMERAS: CameraConfig[] = [{ id: 'test', url: 'rtsp://rtsp:8554/test', location: 'default' }];

const camerasSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of cameras' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(cameraSchema)
      .min(1)
      .refine((cameras) => new Set(cameras.map((c) => c.id)).size === cameras.length, 'camera ids must be unique'),
  );

/** The environment, by variable name. Exported so the compose file's env can be checked against it. */
export const envSchema = z.object({
  INFLUX_URL: z.url().default('http://127.0.0.1:8086'),
  INFLUX_TOKEN: z.string().min(1, 'required'),
  INFLUX_ORG: z.string().min(1).default('fathom'),
  INFLUX_BUCKET: z.string().min(1).default(DEFAULT_BUCKET),
  THUMBNAIL_DIR: z.string().min(1).default('./thumbnails'),
  FEED_HANDLER_HOST: z.string().min(1).default('0.0.0.0'),
  FEED_HANDLER_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  LOG_LEVEL: logLevel(),
  /** ffmpeg binary; else ffmpeg-static's, else `ffmpeg` on PATH. */
  FFMPEG_PATH: z.string().min(1).optional(),
  CAMERAS: camerasSchema.optional(),
  THUMBNAIL_WIDTH: z.coerce.number().int().min(16).max(7680).default(320),
  THUMBNAIL_QUALITY: z.coerce.number().int().min(2).max(31).default(5),
  DECODE_MODE: z.enum(['auto', 'keyframes', 'all']).default('auto'),
  /** How long the keyframe probe may watch a stream before deciding. */
  PROBE_SECONDS: positiveNumber(6),
  /** No frame for this long: ffmpeg is stopped and restarted, the camera is marked offline. */
  STALL_SECONDS: positiveNumber(10),
  /** RTSP socket timeout given to ffmpeg. */
  RTSP_TIMEOUT_SECONDS: positiveNumber(10),
  RESTART_BACKOFF_BASE_MS: positiveInt(1_000),
  RESTART_BACKOFF_MAX_MS: positiveInt(10_000),
  /** /healthz fails when any camera's newest frame is older than this. */
  HEALTH_MAX_FRAME_AGE_SECONDS: positiveNumber(30),
  INDEX_BATCH_SIZE: positiveInt(500),
  INDEX_FLUSH_MS: positiveInt(1_000),
  /** Thumbnail points held while InfluxDB is down; beyond it the files on disk are reconciled later. */
  INDEX_BUFFER_MAX: positiveInt(10_000),
  /** On SIGTERM, how long to keep trying to flush pending points. */
  SHUTDOWN_FLUSH_SECONDS: positiveNumber(5),
  /** Where the MP4 chunks go; default <THUMBNAIL_DIR>/_chunks (one volume for all footage). */
  CHUNK_DIR: z.string().min(1).optional(),
  /** Record video chunks at all (`false`: thumbnails only). */
  CHUNKS_ENABLED: z.enum(['true', 'false']).default('true'),
  /** The dashboard's clip length; chunks have the same length unless CHUNK_SECONDS says otherwise. */
  GROUP_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /** Chunk length in seconds, aligned to the clock; must divide a day. Default GROUP_MINUTES * 60. */
  CHUNK_SECONDS: z.coerce
    .number()
    .int()
    .min(2)
    .max(86_400)
    .refine((s) => 86_400 % s === 0, 'must divide a day (86400 s) so chunks stay aligned to the clock')
    .optional(),
  /** Delete footage older than this many days (0: no age limit). */
  RETENTION_DAYS: z.coerce.number().min(0).default(30),
  /** Disk budget for thumbnails and chunks together, in GB (10^9 bytes; 0: no budget). */
  RETENTION_MAX_GB: z.coerce.number().min(0).default(0),
  /** Keep at least this much space free on the footage volume(s), in GB. */
  RETENTION_MIN_FREE_GB: z.coerce.number().min(0).default(1),
  /** How often the retention sweep runs. */
  RETENTION_INTERVAL_SECONDS: positiveNumber(300),
  /** How often free space is checked; a shortfall starts a sweep at once. */
  RETENTION_FREE_CHECK_SECONDS: positiveNumber(10),
  /** Score motion for every thumbnail (fields motion, grid, luma, lighting), from the same decode. */
  MOTION_ENABLED: z.enum(['true', 'false']).default('true'),
  /** The per-minute activity bucket the InfluxDB task writes; default <INFLUX_BUCKET>_activity. */
  ACTIVITY_BUCKET: z.string().min(1).optional(),
  /** How long the activity bucket keeps its minutes, in days (0: forever). */
  ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(400),
});
export type Env = z.infer<typeof envSchema>;
/** The schema a settings checker should use (alias, by the name the other services use). */
export const configSchema = envSchema;

export interface Config {
  influx: { url: string; token: string; org: string; bucket: string };
  thumbnailDir: string;
  http: { host: string; port: number };
  logLevel: Env['LOG_LEVEL'];
  ffmpegPath: string | undefined;
  cameras: CameraConfig[];
  thumbnail: { width: number; quality: number };
  decodeMode: Env['DECODE_MODE'];
  probeSeconds: number;
  stallSeconds: number;
  rtspTimeoutSeconds: number;
  restartBackoff: { baseMs: number; maxMs: number };
  healthMaxFrameAgeSeconds: number;
  index: { batchSize: number; flushMs: number; bufferMax: number };
  shutdownFlushSeconds: number;
  chunks: { enabled: boolean; dir: string; seconds: number };
  motion: { enabled: boolean; activityBucket: string; activityRetentionDays: number };
  retention: {
    maxAgeDays: number | null;
    maxBytes: number | null;
    minFreeBytes: number;
    intervalSeconds: number;
    freeCheckSeconds: number;
  };
}

const GB = 1e9;

export class ConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`invalid feed-handler settings: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an env map; throws ConfigError naming every bad key. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (compose files write KEY= for optional settings).
  const result = parseEnv(envSchema, withoutEmpty(env));
  if (!result.ok) throw new ConfigError(result.issues);
  const e = result.data;
  if (e.RESTART_BACKOFF_MAX_MS < e.RESTART_BACKOFF_BASE_MS) {
    throw new ConfigError([{ key: 'RESTART_BACKOFF_MAX_MS', message: 'must be >= RESTART_BACKOFF_BASE_MS' }]);
  }
  return {
    influx: { url: e.INFLUX_URL, token: e.INFLUX_TOKEN, org: e.INFLUX_ORG, bucket: e.INFLUX_BUCKET },
    thumbnailDir: e.THUMBNAIL_DIR,
    http: { host: e.FEED_HANDLER_HOST, port: e.FEED_HANDLER_PORT },
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
    cameras: e.CAMERAS ?? DEFAULT_CAMERAS,
    thumbnail: { width: e.THUMBNAIL_WIDTH, quality: e.THUMBNAIL_QUALITY },
    decodeMode: e.DECODE_MODE,
    probeSeconds: e.PROBE_SECONDS,
    stallSeconds: e.STALL_SECONDS,
    rtspTimeoutSeconds: e.RTSP_TIMEOUT_SECONDS,
    restartBackoff: { baseMs: e.RESTART_BACKOFF_BASE_MS, maxMs: e.RESTART_BACKOFF_MAX_MS },
    healthMaxFrameAgeSeconds: e.HEALTH_MAX_FRAME_AGE_SECONDS,
    index: { batchSize: e.INDEX_BATCH_SIZE, flushMs: e.INDEX_FLUSH_MS, bufferMax: e.INDEX_BUFFER_MAX },
    shutdownFlushSeconds: e.SHUTDOWN_FLUSH_SECONDS,
    chunks: {
      enabled: e.CHUNKS_ENABLED === 'true',
      dir: e.CHUNK_DIR ?? join(e.THUMBNAIL_DIR, DEFAULT_CHUNK_SUBDIR),
      seconds: e.CHUNK_SECONDS ?? e.GROUP_MINUTES * 60,
    },
    motion: {
      enabled: e.MOTION_ENABLED === 'true',
      activityBucket: e.ACTIVITY_BUCKET ?? `${e.INFLUX_BUCKET}${ACTIVITY_BUCKET_SUFFIX}`,
      activityRetentionDays: e.ACTIVITY_RETENTION_DAYS,
    },
    retention: {
      maxAgeDays: e.RETENTION_DAYS > 0 ? e.RETENTION_DAYS : null,
      maxBytes: e.RETENTION_MAX_GB > 0 ? Math.round(e.RETENTION_MAX_GB * GB) : null,
      minFreeBytes: Math.round(e.RETENTION_MIN_FREE_GB * GB),
      intervalSeconds: e.RETENTION_INTERVAL_SECONDS,
      freeCheckSeconds: e.RETENTION_FREE_CHECK_SECONDS,
    },
  };
}

const ROOT_ENV_FILE = fileURLToPath(new URL('../../.env', import.meta.url));

/** Reads the root .env (if any; real env wins) and process.env, once. */
export function readConfig(): Config {
  dotenv.config({ path: ROOT_ENV_FILE, quiet: true });
  return parseConfig(process.env);
}
