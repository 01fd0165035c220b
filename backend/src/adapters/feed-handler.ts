/**
 * The feed-handler adapter: the only module that talks to the feed-handler's HTTP API
 * (FEED_HANDLER_URL). Today it reads one thing, the restream targets' status
 * (GET /restreams), for /cameras.
 *
 * Dashboards poll /cameras every second, so answers are cached for `cacheMs` and
 * concurrent callers share one request in flight. A feed-handler that is down, slow
 * (over `timeoutMs`) or answers nonsense is an outcome, `{ok: false}`, never an
 * exception: /cameras shows it as "restream status unavailable", not as an error.
 */
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Clock } from './clock.js';

/** One restream target as /cameras shows it. Only these fields are ever copied from the feed-handler. */
export interface RestreamTargetStatus {
  camera: string;
  target: string;
  state: 'off' | 'starting' | 'live' | 'failing';
  reason: string | null;
  uptimeSeconds: number;
  bytesSent: number;
  restarts: number;
}

export type RestreamsReading =
  | { ok: true; restreams: RestreamTargetStatus[] }
  | {
      ok: false /** Why, for the log (it names the feed-handler's address, so it is not sent to clients). */;
      detail: string;
    };

export interface FeedHandlerClient {
  restreams(): Promise<RestreamsReading>;
}

export interface FeedHandlerClientOptions {
  /** The feed-handler's base URL, e.g. http://feed-handler:3001. */
  url: string;
  /** FATHOM_API_TOKEN: the services share it; sent as Bearer in case the feed-handler protects its status. */
  apiToken?: string | undefined;
  timeoutMs?: number;
  cacheMs?: number;
  clock: Clock;
  logger: Logger;
}

/**
 * What GET /restreams answers. The object schemas strip every field not named here: if
 * the feed-handler ever added one (a URL, a key), it could not reach /cameras through us.
 */
const restreamsAnswer = z.object({
  restreams: z.array(
    z.object({
      camera: z.string(),
      target: z.string(),
      state: z.enum(['off', 'starting', 'live', 'failing']),
      reason: z.string().nullable(),
      uptimeSeconds: z.number().nonnegative(),
      bytesSent: z.number().nonnegative(),
      restarts: z.number().int().nonnegative(),
    }),
  ),
});

export const FEED_HANDLER_TIMEOUT_MS = 1_000;
export const FEED_HANDLER_CACHE_MS = 2_000;

export function createFeedHandlerClient(options: FeedHandlerClientOptions): FeedHandlerClient {
  const timeoutMs = options.timeoutMs ?? FEED_HANDLER_TIMEOUT_MS;
  const cacheMs = options.cacheMs ?? FEED_HANDLER_CACHE_MS;
  const restreamsUrl = new URL('/restreams', options.url).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiToken) headers.authorization = `Bearer ${options.apiToken}`;
  const nowMs = () => Number(options.clock.nowNs() / 1_000_000n);

  let cached: { reading: RestreamsReading; atMs: number } | undefined;
  let inFlight: Promise<RestreamsReading> | undefined;
  /** Whether the last reading failed: the log says so once per outage, not once per poll. */
  let failing = false;

  async function read(): Promise<RestreamsReading> {
    let reading: RestreamsReading;
    try {
      const res = await fetch(restreamsUrl, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) {
        await res.body?.cancel();
        reading = { ok: false, detail: `GET ${restreamsUrl} answered ${res.status}` };
      } else {
        const parsed = restreamsAnswer.safeParse(await res.json());
        reading = parsed.success
          ? {
              ok: true,
              restreams: parsed.data.restreams.map((r) => ({ ...r, uptimeSeconds: Math.floor(r.uptimeSeconds) })),
            }
          : { ok: false, detail: `GET ${restreamsUrl} answered an unexpected body: ${z.prettifyError(parsed.error)}` };
      }
    } catch (error) {
      const err = error as Error & { cause?: { code?: string } };
      const why =
        err.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : (err.cause?.code ?? err.message ?? String(error));
      reading = { ok: false, detail: `GET ${restreamsUrl} failed: ${why}` };
    }
    if (!reading.ok && !failing) options.logger.warn({ detail: reading.detail }, 'feed-handler unreachable');
    if (reading.ok && failing) options.logger.info({ url: restreamsUrl }, 'feed-handler reachable again');
    failing = !reading.ok;
    return reading;
  }

  return {
    restreams() {
      if (cached && nowMs() - cached.atMs < cacheMs) return Promise.resolve(cached.reading);
      inFlight ??= read().then((reading) => {
        // Cached from when the answer came, so a slow answer is still fresh for the full cacheMs.
        cached = { reading, atMs: nowMs() };
        inFlight = undefined;
        return reading;
      });
      return inFlight;
    },
  };
}
