/**
 * Puts a fuzzed request on the wire exactly as generated (node:http, not fetch: fetch would
 * normalise "/exports/.." away and refuses methods such as TRACE) and reads the whole answer.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { FuzzRequest } from './request-arbitraries.js';
import { wireTexts } from './request-arbitraries.js';

export interface Exchange {
  method: string;
  /** Path and query string, as sent. */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Path parameters percent-encoded whole (simple style: a "/" inside a value is %2F), query values form-style, exploded. */
export function exchangeOf(request: FuzzRequest): Exchange {
  const path = request.operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
    encodeURIComponent(request.pathParams[name] ?? ''),
  );
  const pairs = Object.entries(request.query).flatMap(([name, value]) =>
    wireTexts(value).map((text) => `${encodeURIComponent(name)}=${encodeURIComponent(text)}`),
  );
  const target = pairs.length ? `${path}?${pairs.join('&')}` : path;
  const body = request.body
    ? (request.body.text ?? (request.body.json === undefined ? undefined : JSON.stringify(request.body.json)))
    : undefined;
  return {
    method: request.operation.method,
    target,
    headers: request.body ? { 'content-type': request.body.contentType } : {},
    ...(body === undefined ? {} : { body }),
  };
}

export function send(baseUrl: string, exchange: Exchange, timeoutMs = 20_000): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...exchange.headers };
    if (exchange.body !== undefined) headers['content-length'] = String(Buffer.byteLength(exchange.body));
    const req = httpRequest({ hostname, port, path: exchange.target, method: exchange.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(exchange.body);
  });
}

/** One line a person can replay: METHOD target [content-type body]. */
export function describeExchange(exchange: Exchange): string {
  const type = exchange.headers['content-type'];
  const body = exchange.body === undefined ? '' : ` (${type}) ${exchange.body.slice(0, 300)}`;
  return `${exchange.method} ${exchange.target}${body}`;
}

export function describeAnswer(answer: Answer): string {
  const type = answer.headers['content-type'] ?? 'no content-type';
  const text = /json|text/.test(String(type))
    ? answer.body.toString('utf8').slice(0, 300)
    : `${answer.body.length} bytes`;
  return `${answer.status} ${type} ${text}`;
}
