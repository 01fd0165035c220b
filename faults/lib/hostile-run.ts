/**
 * Sends the hostile requests with a few parallel clients and judges every answer:
 * a status below 500, no canary marker, no InfluxDB token, in headers or body.
 */
import { keepAliveAgent, type RawRequest, send } from './http.js';
import { findNeedles, responseText } from './secrets.js';
import { tally } from './stats.js';

export interface HostileFailure {
  request: { method: string; path: string; bodyBytes: number; headers: string[] };
  outcome: string;
}

export interface HostileResult {
  requests: number;
  seconds: number;
  statuses: Map<string, number>;
  /** 5xx answers. */
  serverErrors: HostileFailure[];
  /** No answer at all to a request without a big body. */
  unanswered: HostileFailure[];
  /** Connection closed while a 1-10 MB body was still being sent (the server refused to read it). */
  bodyRefusals: number;
  /**
   * Connection reset on a request whose head exceeds Node's 16 KiB limit: the server answers 431
   * and closes with our bytes unread, and the kernel's RST may reach us before the 431 does.
   */
  headRefusals: number;
  /** A response held the canary marker or a secret. */
  leaks: HostileFailure[];
}

/** Node's default --max-http-header-size: request line and headers together. */
export const NODE_MAX_HEADER_BYTES = 16 * 1024;

export function headBytes(r: RawRequest): number {
  const headers = Object.entries(r.headers ?? {}).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return r.method.length + r.path.length + 11 + headers;
}

const describe = (r: RawRequest): HostileFailure['request'] => ({
  method: r.method,
  path: r.path.length > 300 ? `${r.path.slice(0, 300)}…(${r.path.length} chars)` : r.path,
  bodyBytes: r.bodyBytes ?? 0,
  headers: Object.keys(r.headers ?? {}),
});

export async function runHostile(options: {
  baseUrl: string;
  requests: readonly RawRequest[];
  concurrency: number;
  /** name → string that must never appear in a response (canary marker, InfluxDB token). */
  needles: Record<string, string>;
  /** Sees every response (e.g. to collect them for the token search). */
  onResponse?: (text: string) => void;
}): Promise<HostileResult> {
  const base = new URL(options.baseUrl);
  const agent = keepAliveAgent(options.concurrency);
  const outcomes: string[] = [];
  const result: HostileResult = {
    requests: options.requests.length,
    seconds: 0,
    statuses: new Map(),
    serverErrors: [],
    unanswered: [],
    bodyRefusals: 0,
    headRefusals: 0,
    leaks: [],
  };
  const started = performance.now();
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < options.requests.length) {
      const req = options.requests[nextIndex++] as RawRequest;
      // Big bodies get their own connection: the server may close it mid-upload.
      const res = await send(base, req, { agent: req.bodyBytes ? false : agent, timeoutMs: 60_000 });
      if (res.status === null) {
        outcomes.push(`no answer (${res.error})`);
        const reset = res.error === 'ECONNRESET' || res.error === 'EPIPE';
        if (reset && (req.bodyBytes ?? 0) >= 1024 * 1024) result.bodyRefusals++;
        else if (reset && headBytes(req) > NODE_MAX_HEADER_BYTES) result.headRefusals++;
        else result.unanswered.push({ request: describe(req), outcome: String(res.error) });
        continue;
      }
      outcomes.push(String(res.status));
      if (res.status >= 500) {
        result.serverErrors.push({
          request: describe(req),
          outcome: `${res.status} ${res.body.toString('utf8', 0, 300)}`,
        });
      }
      const text = responseText(res.headers, res.body);
      options.onResponse?.(text);
      const found = findNeedles(text, options.needles);
      if (found.length) result.leaks.push({ request: describe(req), outcome: `response holds ${found.join(', ')}` });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  result.seconds = (performance.now() - started) / 1000;
  result.statuses = tally(outcomes);
  return result;
}
