/**
 * Client traffic against the API: `workers` closed-loop clients on keep-alive
 * connections asking for the closest frame, a minute or more of frames, and the
 * JPEGs those answers point to. Used as the light background client during each
 * fault and as the 50-client load test. Every request is recorded.
 */
import { keepAliveAgent, send } from './http.js';
import { type LatencySummary, summarise } from './stats.js';

export type RequestKind = 'thumbnail' | 'thumbnailGroup' | 'image';

export interface TrafficRecord {
  /** Wall-clock start of the request, ms. */
  atMs: number;
  kind: RequestKind;
  status: number | null;
  error: string | null;
  ms: number;
}

export interface TrafficOptions {
  baseUrl: string;
  apiToken?: string;
  workers: number;
  cameras: readonly string[];
  /** Requests ask for moments in [fromMs, now]. */
  fromMs: number;
  /** Pause after a failed request (keeps a refused connection from spinning a core). */
  errorPauseMs?: number;
}

export interface Traffic {
  stop(): Promise<TrafficRecord[]>;
  records: TrafficRecord[];
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export function startTraffic(options: TrafficOptions): Traffic {
  const base = new URL(options.baseUrl);
  const agent = keepAliveAgent(options.workers);
  const headers: Record<string, string> = options.apiToken ? { authorization: `Bearer ${options.apiToken}` } : {};
  const records: TrafficRecord[] = [];
  const imagePool: string[] = [];
  let running = true;

  const remember = (url: unknown) => {
    if (typeof url !== 'string' || !url.startsWith('/thumbnails/')) return;
    if (imagePool.length < 2_000) imagePool.push(url);
    else imagePool[Math.floor(Math.random() * imagePool.length)] = url;
  };
  const moment = () => (options.fromMs + Math.random() * (Date.now() - options.fromMs)) / 1000;

  const next = (): { kind: RequestKind; path: string } => {
    const roll = Math.random();
    const camera = Math.random() < 0.5 ? `&camera=${pick(options.cameras)}` : '';
    if (roll < 0.4 && imagePool.length > 0) return { kind: 'image', path: pick(imagePool) };
    if (roll < 0.75) return { kind: 'thumbnail', path: `/thumbnail?ts=${moment().toFixed(3)}${camera}` };
    const minutes = 1 + Math.floor(Math.random() * 3);
    return {
      kind: 'thumbnailGroup',
      path: `/thumbnailGroup?ts=${(moment() - 60).toFixed(3)}&minutes=${minutes}${camera}`,
    };
  };

  const worker = async () => {
    while (running) {
      const { kind, path } = next();
      const atMs = Date.now();
      const res = await send(base, { method: 'GET', path, headers }, { agent, timeoutMs: 30_000 });
      records.push({ atMs, kind, status: res.status, error: res.error, ms: res.ms });
      if (res.status === 200 && kind !== 'image') {
        try {
          const body = JSON.parse(res.body.toString('utf8')) as { url?: unknown; thumbnails?: { url?: unknown }[] };
          remember(body.url);
          for (const t of body.thumbnails ?? []) remember(t.url);
        } catch {
          // Not JSON: recorded as is; a 200 with a bad body is not this client's concern.
        }
      }
      if (res.status === null || res.status >= 500) {
        await new Promise((r) => setTimeout(r, options.errorPauseMs ?? 50));
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, worker));
  return {
    records,
    async stop() {
      running = false;
      await done;
      agent.destroy();
      return records;
    },
  };
}

export const isClientError = (r: Pick<TrafficRecord, 'status'>) => r.status === null || r.status >= 400;

export interface TrafficSummary {
  requests: number;
  errors: number;
  /** e.g. "ECONNREFUSED×12 503×4" */
  errorKinds: Map<string, number>;
  seconds: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  byKind: Record<string, { requests: number; latency: LatencySummary }>;
}

export function summariseTraffic(records: readonly TrafficRecord[], seconds: number): TrafficSummary {
  const errorKinds = new Map<string, number>();
  for (const r of records) {
    if (!isClientError(r)) continue;
    const key = r.status === null ? (r.error ?? 'error') : String(r.status);
    errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
  }
  const byKind: TrafficSummary['byKind'] = {};
  for (const kind of ['thumbnail', 'thumbnailGroup', 'image'] as const) {
    const of = records.filter((r) => r.kind === kind && !isClientError(r));
    byKind[kind] = { requests: of.length, latency: summarise(of.map((r) => r.ms)) };
  }
  const ok = records.filter((r) => !isClientError(r));
  return {
    requests: records.length,
    errors: records.length - ok.length,
    errorKinds,
    seconds,
    requestsPerSecond: records.length / seconds,
    latency: summarise(ok.map((r) => r.ms)),
    byKind,
  };
}
