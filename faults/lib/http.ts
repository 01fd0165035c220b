/**
 * A raw HTTP client over node:http: the path is sent exactly as given (fetch would
 * normalise "..", which is the very thing the hostile test must send), bodies of any
 * size are streamed, and every outcome is a value: a status, or the error's code.
 */
import { Agent, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent verbatim; must already be valid on the wire (the generator percent-encodes). */
  path: string;
  headers?: Record<string, string>;
  /** Bytes of body to stream (zeros and a marker-free pattern), 0 for none. */
  bodyBytes?: number;
}

export interface RawResponse {
  status: number | null;
  /** The error code when no response arrived (ECONNREFUSED, ECONNRESET, EPIPE, TIMEOUT, …). */
  error: string | null;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const MAX_BODY_KEPT = 8 * 1024 * 1024;

export function send(
  base: URL,
  req: RawRequest,
  { agent, timeoutMs = 30_000 }: { agent?: Agent | false; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: Omit<RawResponse, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...value, ms: performance.now() - started });
    };
    const fail = (error: unknown) =>
      done({
        status: null,
        error: (error as NodeJS.ErrnoException).code ?? String(error),
        headers: {},
        body: Buffer.alloc(0),
      });
    let client: ReturnType<typeof request>;
    try {
      client = request(
        {
          hostname: base.hostname,
          port: base.port,
          method: req.method,
          path: req.path,
          headers: { ...(req.bodyBytes ? { 'content-length': String(req.bodyBytes) } : {}), ...req.headers },
          agent: agent ?? false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on('data', (chunk: Buffer) => {
            if (kept < MAX_BODY_KEPT) chunks.push(chunk);
            kept += chunk.length;
          });
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, error: null, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', (error) => {
            // The status line arrived; a body cut short still tells us what the server answered.
            done({
              status: res.statusCode ?? 0,
              error: (error as NodeJS.ErrnoException).code ?? 'EBODY',
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
        },
      );
    } catch (error) {
      // Node refused to send it (an invalid header or path): not the server's answer.
      fail(Object.assign(new Error(String(error)), { code: 'ECLIENT' }));
      return;
    }
    client.setTimeout(timeoutMs, () => {
      client.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    });
    client.on('error', fail);
    const total = req.bodyBytes ?? 0;
    if (total === 0) {
      client.end();
      return;
    }
    // Stream the body with back-pressure; the server may answer and close before it is all sent.
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(CHUNK.length, total - sent);
        sent += n;
        if (!client.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          client.once('drain', pump);
          return;
        }
      }
      client.end();
    };
    pump();
  });
}
