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
  DEFAULT_DETECT_LABELS,
  isCocoLabel,
} from '@fathom/index-contract';
import { logLevel, parseEnv, positiveInt, positiveNumber, withoutEmpty } from '@fathom/service-kit';
import dotenv from 'dotenv';
import { z } from 'zod';

/** A restream target's name: in the HTTP API's paths and in metric labels, so no key and nothing odd. */
const RESTREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The name a target gets when none is given: the server's host name (a.rtmp.youtube.com). */
function defaultTargetName(url: string): string {
  let host = 'restream';
  try {
    host = new URL(url).hostname || host;
  } catch {
    // the regex passed, so this does not happen; keep the fallback anyway
  }
  return (
    host
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 64) || 'restream'
  );
}

/**
 * An RTMP server this camera is sent on to (YouTube Live, Twitch, an nginx-rtmp relay).
 * Unknown keys are refused, so a misspelt `enabled` cannot leave a stream on.
 * The key is a secret: no message here quotes it.
 */
export const restreamTargetSchema = z
  .strictObject({
    name: z.string().regex(RESTREAM_NAME, 'letters, digits, _ . and -, starting with a letter or digit').optional(),
    url: z
      .string()
      .regex(
        /^rtmps?:\/\/[^\s/]+\/[^\s]+$/,
        'must be an rtmp:// or rtmps:// URL with the application, e.g. rtmp://a.rtmp.youtube.com/live2 (the key goes in "key")',
      ),
    key: z.string().min(1, 'required').regex(/^\S+$/, 'must not contain spaces'),
    enabled: z.boolean().default(true),
  })
  .transform((target) => ({ ...target, name: target.name ?? defaultTargetName(target.url) }));
export type RestreamTargetConfig = z.infer<typeof restreamTargetSchema>;

export const cameraSchema = z
  .object({
    id: z.string().regex(CAMERA_ID_PATTERN, 'letters, digits, _ and -, starting with a letter or digit'),
    url: z.string().regex(/^rtsps?:\/\/\S+$/, 'must be an rtsp:// or rtsps:// URL'),
    /**
     * The camera's low-resolution sub-stream, when it has one: thumbnails and motion come from it (cheap to
     * decode), chunks from `url` (the main stream, recorded as sent). Absent: both from `url`.
     */
    thumbnailUrl: z
      .string()
      .regex(/^rtsps?:\/\/\S+$/, 'must be an rtsp:// or rtsps:// URL')
      .optional(),
    location: z.string().min(1).max(128).default('default'),
    /** Thumbnail width for this camera; THUMBNAIL_WIDTH otherwise. */
    width: z.number().int().min(16).max(7680).optional(),
    /**
     * How the camera's RTP reaches us. tcp (default): inside the RTSP connection, so nothing is lost and
     * it passes NAT and firewalls as any TCP connection does. udp: for cameras and relays that offer
     * nothing else, or for a lower latency on a LAN; a lost datagram is a garbled picture.
     */
    transport: z.enum(['tcp', 'udp'], { error: 'must be "tcp" or "udp"' }).default('tcp'),
    /** RTMP servers this camera is sent on to, each by its own ffmpeg (video copied). */
    restream: z.array(restreamTargetSchema).max(8).optional(),
  })
  .refine((camera) => new Set((camera.restream ?? []).map((t) => t.name)).size === (camera.restream ?? []).length, {
    message: 'restream target names must be unique per camera: give each target a "name"',
    path: ['restream'],
  });
export type CameraConfig = z.infer<typeof cameraSchema>;

export const DEFAULT_CAMERAS: CameraConfig[] = [
  { id: 'test', url: 'rtsp://rtsp:8554/test', location: 'default', transport: 'tcp' },
];

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
  /** auto: decode all frames until the keyframe interval is learnt from the capture itself (no probe). */
  DECODE_MODE: z.enum(['auto', 'keyframes', 'all']).default('auto'),
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
  /** A restream that fails is retried after this, doubling each time up to RESTREAM_BACKOFF_MAX_MS. */
  RESTREAM_BACKOFF_BASE_MS: positiveInt(1_000),
  RESTREAM_BACKOFF_MAX_MS: positiveInt(60_000),
  /** No video sent to the RTMP server for this long: the restream's ffmpeg is stopped and restarted. */
  RESTREAM_STALL_SECONDS: positiveNumber(15),
  /** Bearer token for the feed-handler's control routes (the restream switch); unset: configuration only. */
  FATHOM_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
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
  /** Run the object detector (a worker thread, ~200 MB) on frames that moved, plus one a minute per camera. */
  DETECT_ENABLED: z.enum(['true', 'false']).default('false'),
  /** The COCO labels to keep, comma-separated; the model's other classes are dropped. */
  DETECT_LABELS: z
    .string()
    .default(DEFAULT_DETECT_LABELS.join(','))
    .transform((text) =>
      text
        .split(',')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l !== ''),
    )
    .superRefine((labels, ctx) => {
      const unknown = labels.filter((l) => !isCocoLabel(l));
      if (unknown.length > 0)
        ctx.addIssue({ code: 'custom', message: `not COCO labels: ${unknown.join(', ')} (e.g. person, car, dog)` });
      else if (labels.length === 0) ctx.addIssue({ code: 'custom', message: 'names no label' });
    }),
  /** Objects scoring below this are not stored (the model scores stray shapes 0.2..0.3). */
  DETECT_MIN_SCORE: z.coerce.number().min(0.2).max(0.99).default(0.5),
  /** A frame is looked at when at least this share of the picture moved (0..1; MOTION_ENABLED gives it). */
  DETECT_MOTION_MIN: z.coerce.number().min(0).max(1).default(0.005),
  /** A camera's frame is looked at at least this often, moving or not (0: only moving frames). */
  DETECT_SAMPLE_SECONDS: z.coerce.number().min(0).max(86_400).default(60),
  /** Frames a second looked at in all cameras, at most (about 0.2–0.35 s of one core each). */
  DETECT_MAX_FPS: z.coerce.number().gt(0).max(50).default(2),
  /** The detector thread's CPU budget in cores (0.5: busy at most half the time), however slow a frame is. */
  DETECT_CPU_BUDGET: z.coerce.number().gt(0).max(1).default(0.5),
  /** Frames waiting per camera; when the detector falls behind, the oldest is dropped (and counted). */
  DETECT_QUEUE_PER_CAMERA: positiveInt(4),
  /** A folder holding centernet.json and its weights; default the copy inside the @vladmandic/human package. */
  DETECT_MODEL_DIR: z.string().min(1).optional(),
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
  /** Settings this version no longer reads that are still set: logged at start, never an error. */
  retiredSettings: string[];
  stallSeconds: number;
  rtspTimeoutSeconds: number;
  restartBackoff: { baseMs: number; maxMs: number };
  healthMaxFrameAgeSeconds: number;
  index: { batchSize: number; flushMs: number; bufferMax: number };
  shutdownFlushSeconds: number;
  chunks: { enabled: boolean; dir: string; seconds: number };
  motion: { enabled: boolean; activityBucket: string; activityRetentionDays: number };
  restream: { backoff: { baseMs: number; maxMs: number }; stallSeconds: number };
  detect: {
    enabled: boolean;
    labels: string[];
    minScore: number;
    motionMin: number;
    /** 0: no samples, only moving frames. */
    sampleSeconds: number;
    maxFps: number;
    cpuBudget: number;
    queuePerCamera: number;
    /** undefined: the model inside the npm package. */
    modelDir: string | undefined;
  };
  /** Bearer token of the control routes; undefined: they are refused. */
  apiToken: string | undefined;
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
/**
 * Settings that were removed, with what to do instead. Unknown variables are ignored anyway (the
 * environment holds many); these are named at start so a stale .env is noticed, not refused.
 */
export const RETIRED_SETTINGS: Record<string, string> = {
  PROBE_SECONDS:
    'no keyframe probe runs any more: with DECODE_MODE=auto the keyframe interval is learnt from the capture itself',
};

export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (compose files write KEY= for optional settings).
  const result = parseEnv(envSchema, withoutEmpty(env));
  if (!result.ok) throw new ConfigError(result.issues);
  const e = result.data;
  const orderIssues = [
    ['RESTART_BACKOFF_MAX_MS', e.RESTART_BACKOFF_MAX_MS, 'RESTART_BACKOFF_BASE_MS', e.RESTART_BACKOFF_BASE_MS],
    ['RESTREAM_BACKOFF_MAX_MS', e.RESTREAM_BACKOFF_MAX_MS, 'RESTREAM_BACKOFF_BASE_MS', e.RESTREAM_BACKOFF_BASE_MS],
  ] as const;
  const issues = orderIssues
    .filter(([, max, , base]) => max < base)
    .map(([key, , baseKey]) => ({ key, message: `must be >= ${baseKey}` }));
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    influx: { url: e.INFLUX_URL, token: e.INFLUX_TOKEN, org: e.INFLUX_ORG, bucket: e.INFLUX_BUCKET },
    thumbnailDir: e.THUMBNAIL_DIR,
    http: { host: e.FEED_HANDLER_HOST, port: e.FEED_HANDLER_PORT },
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
    cameras: e.CAMERAS ?? DEFAULT_CAMERAS,
    thumbnail: { width: e.THUMBNAIL_WIDTH, quality: e.THUMBNAIL_QUALITY },
    decodeMode: e.DECODE_MODE,
    retiredSettings: Object.keys(RETIRED_SETTINGS).filter((key) => withoutEmpty(env)[key] !== undefined),
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
    restream: {
      backoff: { baseMs: e.RESTREAM_BACKOFF_BASE_MS, maxMs: e.RESTREAM_BACKOFF_MAX_MS },
      stallSeconds: e.RESTREAM_STALL_SECONDS,
    },
    detect: {
      enabled: e.DETECT_ENABLED === 'true',
      labels: e.DETECT_LABELS,
      minScore: e.DETECT_MIN_SCORE,
      motionMin: e.DETECT_MOTION_MIN,
      sampleSeconds: e.DETECT_SAMPLE_SECONDS,
      maxFps: e.DETECT_MAX_FPS,
      cpuBudget: e.DETECT_CPU_BUDGET,
      queuePerCamera: e.DETECT_QUEUE_PER_CAMERA,
      modelDir: e.DETECT_MODEL_DIR,
    },
    apiToken: e.FATHOM_API_TOKEN,
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
