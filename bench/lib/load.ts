/**
 * A small HTTP load generator: N workers, each with its own keep-alive connection,
 * sending GETs back to back (closed loop) and recording each latency from request
 * start to the last body byte. Runs in the bench process while the backend is a
 * separate process, so the two do not share an event loop.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  baseUrl: string;
  /** The next request path; called once per request (seeded random moments). */
  nextPath: () => string;
  concurrency: number;
  /** Timed requests, after `warmup` untimed ones. */
  requests: number;
  warmup: number;
}

export interface LoadResult {
  latenciesMs: number[];
  errors: number;
  firstError: string | null;
  seconds: number;
  requestsPerSecond: number;
}

function get(agent: Agent, url: URL, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, hostname: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let issued = 0;
  const total = options.warmup + options.requests;
  let timedStart = 0;

  const worker = async () => {
    while (issued < total) {
      const index = issued++;
      if (index === options.warmup) timedStart = performance.now();
      const started = performance.now();
      try {
        const { status, body } = await get(agent, url, options.nextPath());
        if (status !== 200) throw new Error(`HTTP ${status}: ${body.slice(0, 200)}`);
      } catch (error) {
        if (index >= options.warmup) errors++;
        firstError ??= String(error);
        continue;
      }
      if (index >= options.warmup) latenciesMs.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - timedStart) / 1000;
  agent.destroy();
  return { latenciesMs, errors, firstError, seconds, requestsPerSecond: (options.requests - errors) / seconds };
}

/** One GET returning the parsed JSON body, for the correctness spot checks before timing. */
export async function getJson(baseUrl: string, path: string): Promise<{ status: number; body: unknown }> {
  const agent = new Agent({ keepAlive: false });
  try {
    const { status, body } = await get(agent, new URL(baseUrl), path);
    return { status, body: JSON.parse(body) };
  } finally {
    agent.destroy();
  }
}
