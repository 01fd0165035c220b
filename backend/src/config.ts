/**
 * The backend's settings: one zod schema over the environment, read once at startup.
 * This is the only module that reads process.env. A bad setting stops the service
 * with a message naming every bad key, instead of failing later on first use.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTIVITY_BUCKET_SUFFIX, DEFAULT_CHUNK_SUBDIR } from '@fathom/index-contract';
import { emptyAsUnset, LOG_LEVELS, type LogLevel, parseEnv, wholeNumber } from '@fathom/service-kit';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';

/**
 * The default origins are the Vite dev server's. Not `*`: the API serves camera footage,
 * and `*` would let any web page a user visits read it from their LAN when no API token is set.
 */
export const DEFAULT_CORS_ORIGINS = 'http://localhost:5173,http://127.0.0.1:5173';

export const backendEnvSchema = z
  .object({
    INFLUX_URL: emptyAsUnset(z.url({ protocol: /^https?$/ })).default('http://127.0.0.1:8086'),
    INFLUX_TOKEN: z.string({ error: 'is required' }).min(1, 'is required'),
    INFLUX_ORG: emptyAsUnset(z.string().min(1)).default('fathom'),
    INFLUX_BUCKET: emptyAsUnset(z.string().min(1)).default('fathom'),
    /** The per-minute activity bucket the feed-handler's task writes; default <INFLUX_BUCKET>_activity. */
    ACTIVITY_BUCKET: emptyAsUnset(z.string().min(1)),
    THUMBNAIL_DIR: emptyAsUnset(z.string().min(1)).default('./thumbnails'),
    /** The feed-handler's MP4 chunks, served read-only; default <THUMBNAIL_DIR>/_chunks. */
    CHUNK_DIR: emptyAsUnset(z.string().min(1)),
    BACKEND_HOST: emptyAsUnset(z.string().min(1)).default('0.0.0.0'),
    BACKEND_PORT: emptyAsUnset(wholeNumber(0, 65_535)).default(3000),
    GROUP_MINUTES: emptyAsUnset(wholeNumber(1, 1440)).default(10),
    GROUP_MINUTES_MAX: emptyAsUnset(wholeNumber(1, 1440)).default(60),
    /** When set, every route except /healthz and /readyz needs `Authorization: Bearer <token>`. */
    FATHOM_API_TOKEN: emptyAsUnset(z.string().min(16, 'must be at least 16 characters')),
    /** Comma-separated origins allowed by CORS; `*` allows any origin; `none` allows no cross-origin use. */
    CORS_ORIGINS: emptyAsUnset(z.string()).default(DEFAULT_CORS_ORIGINS),
    LOG_LEVEL: emptyAsUnset(z.enum(LOG_LEVELS)).default('info'),
    /** Flux requests for nearest lookups in flight at once; lookups arriving meanwhile share the next one. */
    LOOKUP_MAX_IN_FLIGHT: emptyAsUnset(wholeNumber(1, 64)).default(2),
    /** The most lookups one Flux request carries (1: one request per lookup, no coalescing). */
    LOOKUP_MAX_BATCH: emptyAsUnset(wholeNumber(1, 64)).default(16),
    /** A window is settled (cacheable) once its newest instant is this many seconds old: past the feed-handler's indexing and retries. */
    SETTLE_SECONDS: emptyAsUnset(wholeNumber(10, 86_400)).default(120),
    /** Memory for cached settled answers, MB; 0 turns the cache off (ETags and Cache-Control stay). */
    ANSWER_CACHE_MB: emptyAsUnset(wholeNumber(0, 4096)).default(32),
    /** How often the index generation (the newest index_changes point) is read, seconds. */
    GENERATION_POLL_SECONDS: emptyAsUnset(wholeNumber(1, 3600)).default(5),
    /** Timelapse exports (POST /exports): on unless set to false. */
    EXPORTS_ENABLED: emptyAsUnset(z.enum(['true', 'false'], { error: 'must be true or false' })).default('true'),
    /** Where finished timelapses and their job records are kept (writable). */
    EXPORT_DIR: emptyAsUnset(z.string().min(1)).default('./exports'),
    /** Finished, failed and cancelled exports are deleted this many hours after they ended. */
    EXPORT_RETENTION_HOURS: emptyAsUnset(wholeNumber(1, 8760)).default(72),
    /** The longest range one export may cover, in hours. */
    EXPORT_MAX_HOURS: emptyAsUnset(wholeNumber(1, 744)).default(168),
    /** CPU niceness of the export's ffmpeg (19 = lowest priority), so ingest never falls behind. */
    EXPORT_NICE: emptyAsUnset(wholeNumber(0, 19)).default(19),
    /** The font of burned-in capture times; when the file is missing, fontconfig's monospace is used. */
    EXPORT_FONT_FILE: emptyAsUnset(z.string().min(1)).default('/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf'),
    /** ffmpeg binary for exports; default `ffmpeg` on PATH. */
    FFMPEG_PATH: emptyAsUnset(z.string().min(1)),
    /** The feed-handler's HTTP API (e.g. http://feed-handler:3001), read for restream status in /cameras; unset: none shown. */
    FEED_HANDLER_URL: emptyAsUnset(z.url({ protocol: /^https?$/ })),
  })
  .refine((env) => env.GROUP_MINUTES <= env.GROUP_MINUTES_MAX, {
    path: ['GROUP_MINUTES'],
    message: 'must not exceed GROUP_MINUTES_MAX',
  });

export type BackendEnv = z.infer<typeof backendEnvSchema>;

export interface BackendConfig {
  influx: { url: string; token: string; org: string; bucket: string };
  /** The per-minute activity bucket (/activity, /motion). */
  activityBucket: string;
  thumbnailDir: string;
  chunkDir: string;
  host: string;
  port: number;
  groupMinutes: { default: number; max: number };
  apiToken: string | undefined;
  /** '*' for any origin, otherwise the exact allowed origins (possibly none). */
  corsOrigins: '*' | string[];
  logLevel: LogLevel;
  lookupBatching: { maxInFlight: number; maxBatch: number };
  answers: { settleSeconds: number; cacheBytes: number; generationPollMs: number };
  exports: {
    enabled: boolean;
    dir: string;
    retentionHours: number;
    maxRangeHours: number;
    niceness: number;
    fontFile: string;
    ffmpegPath: string | undefined;
  };
  /** The feed-handler's base URL (restream status); undefined: /cameras carries none. */
  feedHandlerUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid backend configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

function parseCorsOrigins(value: string): '*' | string[] {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  if (trimmed === 'none') return [];
  return trimmed
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** Pure: turns an env map into the config, or throws ConfigError naming every bad key. */
export function parseConfig(env: Record<string, string | undefined>): BackendConfig {
  const result = parseEnv(backendEnvSchema, env);
  if (!result.ok) throw new ConfigError(result.issues.map((issue) => `${issue.key} ${issue.message}`));
  const e = result.data;
  const corsOrigins = parseCorsOrigins(e.CORS_ORIGINS);
  const badOrigins = corsOrigins === '*' ? [] : corsOrigins.filter((o) => !/^https?:\/\/[^/\s]+$/.test(o));
  if (badOrigins.length) {
    throw new ConfigError([
      `CORS_ORIGINS has entries that are not origins (scheme://host[:port]): ${badOrigins.join(', ')}`,
    ]);
  }
  return {
    influx: { url: e.INFLUX_URL, token: e.INFLUX_TOKEN, org: e.INFLUX_ORG, bucket: e.INFLUX_BUCKET },
    activityBucket: e.ACTIVITY_BUCKET ?? `${e.INFLUX_BUCKET}${ACTIVITY_BUCKET_SUFFIX}`,
    thumbnailDir: e.THUMBNAIL_DIR,
    chunkDir: e.CHUNK_DIR ?? join(e.THUMBNAIL_DIR, DEFAULT_CHUNK_SUBDIR),
    host: e.BACKEND_HOST,
    port: e.BACKEND_PORT,
    groupMinutes: { default: e.GROUP_MINUTES, max: e.GROUP_MINUTES_MAX },
    apiToken: e.FATHOM_API_TOKEN,
    corsOrigins,
    logLevel: e.LOG_LEVEL,
    lookupBatching: { maxInFlight: e.LOOKUP_MAX_IN_FLIGHT, maxBatch: e.LOOKUP_MAX_BATCH },
    answers: {
      settleSeconds: e.SETTLE_SECONDS,
      cacheBytes: e.ANSWER_CACHE_MB * 1024 * 1024,
      generationPollMs: e.GENERATION_POLL_SECONDS * 1000,
    },
    exports: {
      enabled: e.EXPORTS_ENABLED === 'true',
      dir: e.EXPORT_DIR,
      retentionHours: e.EXPORT_RETENTION_HOURS,
      maxRangeHours: e.EXPORT_MAX_HOURS,
      niceness: e.EXPORT_NICE,
      fontFile: e.EXPORT_FONT_FILE,
      ffmpegPath: e.FFMPEG_PATH,
    },
    feedHandlerUrl: e.FEED_HANDLER_URL,
  };
}

/** The repository root's .env (backend/src or backend/dist are two levels below it). */
const ROOT_DOTENV = fileURLToPath(new URL('../../.env', import.meta.url));

/** Reads the root .env (if there is one; real env vars win) and process.env, once. */
export function loadConfig(): BackendConfig {
  if (existsSync(ROOT_DOTENV)) loadDotenv({ path: ROOT_DOTENV, quiet: true });
  return parseConfig(process.env);
}
