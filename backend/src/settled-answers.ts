/**
 * Answers for settled windows: cached in memory, and sent with an ETag and a Cache-Control
 * that lets a browser reuse them; answers that touch the live edge say `no-cache`.
 *
 * A window is settled when its newest instant is older than now − SETTLE_SECONDS (longer than
 * the feed-handler takes to index a frame, retries included). Past windows still change
 * through a backfill (frames indexed late after an outage) or a retention delete; the
 * feed-handler then writes an `index_changes` point, and the newest one's time is the index
 * generation, read every few seconds. It is part of every cache key and ETag, so nothing
 * cached before a change is served after it (at most one poll interval late). Until the
 * generation has been read once, nothing is cached.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Clock } from './adapters/clock.js';
import type { InfluxReader } from './adapters/influx.js';
import { indexGenerationQuery } from './flux/queries.js';
import type { Logger } from './logger.js';
import type { SettledCache } from './settled-cache.js';

/** How long a browser may reuse a settled answer without asking again. */
export const SETTLED_MAX_AGE_SECONDS = 300;

export interface IndexGeneration {
  /** The generation as text, or undefined while unknown (InfluxDB not read yet, or failing). */
  current(): string | undefined;
}

export interface GenerationPoller extends IndexGeneration {
  refresh(): Promise<void>;
  stop(): void;
}

export function pollIndexGeneration(
  influx: InfluxReader,
  bucket: string,
  options: { intervalMs: number; logger: Logger },
): GenerationPoller {
  let generation: string | undefined;
  const refresh = async () => {
    try {
      const rows = await influx.query(indexGenerationQuery(bucket), 'index_generation');
      const newest = rows.map((row) => row._time).find((time): time is string => typeof time === 'string');
      generation = newest ?? 'none';
    } catch (error) {
      // Unknown: stop serving cached answers until it reads again.
      if (generation !== undefined) options.logger.warn({ err: error }, 'index generation unreadable; cache paused');
      generation = undefined;
    }
  };
  const timer = setInterval(() => void refresh(), options.intervalMs);
  timer.unref();
  void refresh();
  return { current: () => generation, refresh, stop: () => clearInterval(timer) };
}

/** An answer and the newest instant it depends on (null: the live edge, or unbounded). */
export interface Computed {
  body: unknown;
  dependsThroughNs: bigint | null;
}

export interface SettledAnswers {
  json(req: Request, res: Response, compute: () => Promise<Computed>): Promise<void>;
}

/** The query without the access token, in a fixed order: the same request gives the same key. */
function canonicalQuery(req: Request): string {
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.delete('access_token');
  url.searchParams.sort();
  return `${url.pathname}?${url.searchParams.toString()}`;
}

function sendSettled(req: Request, res: Response, body: string, etag: string): void {
  res.set({ ETag: etag, 'Cache-Control': `private, max-age=${SETTLED_MAX_AGE_SECONDS}` });
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === `W/${etag}`)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(body);
}

export function createSettledAnswers(options: {
  cache: SettledCache | undefined;
  generation: IndexGeneration;
  clock: Clock;
  settleNs: bigint;
}): SettledAnswers {
  const { cache, generation, clock, settleNs } = options;
  return {
    async json(req, res, compute) {
      const gen = generation.current();
      const key = gen === undefined ? undefined : `${gen}|${canonicalQuery(req)}`;
      const nowMs = Number(clock.nowNs() / 1_000_000n);
      const hit = key !== undefined ? cache?.get(key, nowMs) : undefined;
      if (hit) {
        sendSettled(req, res, hit.body, hit.etag);
        return;
      }
      const { body, dependsThroughNs } = await compute();
      const text = JSON.stringify(body);
      const settled = key !== undefined && dependsThroughNs !== null && dependsThroughNs < clock.nowNs() - settleNs;
      if (!settled) {
        res.set('Cache-Control', 'no-cache');
        res.type('application/json').send(text);
        return;
      }
      const etag = `"${createHash('sha1')
        .update(gen as string)
        .update(text)
        .digest('base64url')
        .slice(0, 22)}"`;
      cache?.set(key, { body: text, etag }, nowMs);
      sendSettled(req, res, text, etag);
    },
  };
}

/** For tests and for deployments without a cache: every answer live. */
export const liveAnswers: SettledAnswers = {
  async json(_req, res, compute) {
    const { body } = await compute();
    res.set('Cache-Control', 'no-cache');
    res.json(body);
  },
};
