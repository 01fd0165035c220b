/**
 * What a route answers, as data: the HTTP adapter (app.ts) writes it. Routes stay pure
 * functions of the request, and their tests need no server.
 */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body; every error is one: {error, detail}. */
  json?: unknown;
  /** Or a text body with its content type (the Prometheus exposition). */
  text?: { body: string; contentType: string };
}

/** The parts of a request the routes read. */
export interface RouteRequest {
  method: string;
  /** The URL's path, percent-decoding not yet applied. */
  path: string;
  authorization: string | undefined;
}

/** GET and HEAD: what the read-only routes answer (node leaves the body out for HEAD). */
export const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

export const jsonError = (status: number, error: string, detail: string, headers?: Record<string, string>): Reply => ({
  status,
  ...(headers ? { headers } : {}),
  json: { error, detail },
});
