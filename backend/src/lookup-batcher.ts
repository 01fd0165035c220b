/**
 * Coalescing of nearest-frame lookups into fewer Flux requests (pure: the request is injected).
 *
 * Every Flux request to InfluxDB OSS pays a fixed cost (parse, prelude evaluation, planning:
 * about 3 ms of influxd CPU) whatever it reads, so one request per lookup caps throughput
 * near 600/s on 2 cores before any storage work. The batcher keeps at most `maxInFlight`
 * requests open; lookups that arrive while they are busy wait and leave together in the next
 * script, up to `maxBatch` of them, and identical lookups (same camera, same ring) share one
 * answer. There is no wait timer: when a request slot is free, a lookup leaves at once, so a
 * lone client is never delayed. Answers stay exact: each lookup is still its own pair of
 * pushed-down chains, only sent in the same script as others (yields named by position).
 */
import type { SidesRequest, SidesResult } from './nearest.js';

export interface SidesLookup {
  /** undefined: any camera. */
  camera: string | undefined;
  request: SidesRequest;
}

/** Runs several lookups in one request; answers in the same order. */
export type RunSides = (lookups: SidesLookup[]) => Promise<SidesResult[]>;

export interface BatcherOptions {
  maxInFlight: number;
  maxBatch: number;
  /** True when a failed batch may hold one bad lookup: its lookups are then retried one by one. */
  isolate?: (error: unknown) => boolean;
}

export interface BatcherStats {
  requests: number;
  lookups: number;
  shared: number;
}

export interface SidesBatcher {
  find(lookup: SidesLookup): Promise<SidesResult>;
  /** Several lookups that belong together (a camera wall): they leave in as few scripts as possible. */
  findAll(lookups: SidesLookup[]): Promise<SidesResult[]>;
  stats(): BatcherStats;
}

interface Waiting {
  key: string;
  lookup: SidesLookup;
  resolve: ((result: SidesResult) => void)[];
  reject: ((error: unknown) => void)[];
}

const rangeKey = (range: { startNs: bigint; stopNs: bigint } | undefined) =>
  range ? `${range.startNs}-${range.stopNs}` : '-';

export function lookupKey(lookup: SidesLookup): string {
  return `${lookup.camera ?? '*'}|${rangeKey(lookup.request.before)}|${rangeKey(lookup.request.after)}|${lookup.request.whole ? 'w' : ''}`;
}

export function createSidesBatcher(run: RunSides, options: BatcherOptions): SidesBatcher {
  const pending: Waiting[] = [];
  /** Pending and in-flight lookups by key: a second identical lookup joins the first. */
  const byKey = new Map<string, Waiting>();
  let inFlight = 0;
  const stats: BatcherStats = { requests: 0, lookups: 0, shared: 0 };

  function settle(batch: Waiting[], results: SidesResult[] | null, error?: unknown) {
    for (const [i, waiting] of batch.entries()) {
      byKey.delete(waiting.key);
      const result = results?.[i];
      if (result) for (const resolve of waiting.resolve) resolve(result);
      else for (const reject of waiting.reject) reject(error ?? new Error('the batch returned too few answers'));
    }
  }

  function send(batch: Waiting[]) {
    inFlight += 1;
    stats.requests += 1;
    stats.lookups += batch.length;
    run(batch.map((waiting) => waiting.lookup))
      .then(
        (results) => settle(batch, results),
        (error: unknown) => {
          if (batch.length > 1 && options.isolate?.(error)) {
            // One bad lookup must not fail the others: each goes again on its own.
            for (const waiting of batch) sendAlone(waiting);
          } else settle(batch, null, error);
        },
      )
      .finally(() => {
        inFlight -= 1;
        pump();
      });
  }

  function sendAlone(waiting: Waiting) {
    inFlight += 1;
    stats.requests += 1;
    run([waiting.lookup])
      .then(
        (results) => settle([waiting], results),
        (error: unknown) => settle([waiting], null, error),
      )
      .finally(() => {
        inFlight -= 1;
        pump();
      });
  }

  function pump() {
    while (inFlight < options.maxInFlight && pending.length > 0) send(pending.splice(0, options.maxBatch));
  }

  function enqueue(lookup: SidesLookup): Promise<SidesResult> {
    const key = lookupKey(lookup);
    return new Promise<SidesResult>((resolve, reject) => {
      const existing = byKey.get(key);
      if (existing) {
        stats.shared += 1;
        existing.resolve.push(resolve);
        existing.reject.push(reject);
        return;
      }
      const waiting: Waiting = { key, lookup, resolve: [resolve], reject: [reject] };
      byKey.set(key, waiting);
      pending.push(waiting);
    });
  }

  return {
    find(lookup) {
      const answer = enqueue(lookup);
      pump();
      return answer;
    },
    findAll(lookups) {
      // Enqueue all before pumping, so they leave together rather than the first one alone.
      const answers = lookups.map(enqueue);
      pump();
      return Promise.all(answers);
    },
    stats: () => ({ ...stats }),
  };
}
