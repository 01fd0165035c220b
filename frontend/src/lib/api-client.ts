import type { z } from 'zod';
import type { RuntimeConfig } from '../config/env';

/** What went wrong, in the terms the UI explains to a person. */
export type ApiErrorKind =
  | 'unreachable' // no HTTP answer at all: backend down, wrong URL, CORS refusal
  | 'unauthorized' // 401/403: token missing or wrong
  | 'not-found' // 404
  | 'bad-request' // other 4xx: the dashboard asked something the API refuses
  | 'server' // 5xx
  | 'bad-response'; // an answer of the wrong shape: backend and dashboard disagree

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type QueryValue = string | number | undefined;

export interface ApiClient {
  readonly baseUrl: string;
  readonly hasToken: boolean;
  /** GET a JSON resource and validate it; throws ApiError. */
  getJson<S extends z.ZodType>(
    path: string,
    query: Record<string, QueryValue>,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>>;
  /** POST a JSON body and validate the JSON answer; throws ApiError (a 4xx keeps the API's `detail`). */
  postJson<S extends z.ZodType>(path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>>;
  /** DELETE a resource: the validated JSON answer, or null when the API answers 204 No Content. */
  deleteJson<S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal): Promise<z.infer<S> | null>;
  /** GET a binary resource (an image), with the token when one is configured. */
  getBlob(pathOrUrl: string, signal?: AbortSignal): Promise<Blob>;
  /** Absolute URL of an API path such as the `url` of a thumbnail. */
  resolve(pathOrUrl: string): string;
  /** URL for a media element (<video>), which cannot send headers: the token, if any, goes in ?access_token=. */
  resolveMedia(pathOrUrl: string): string;
}

export function buildUrl(baseUrl: string, path: string, query: Record<string, QueryValue> = {}): string {
  const url = new URL(/^https?:\/\//i.test(path) ? path : `${baseUrl}/${path.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

async function readErrorBody(response: Response): Promise<{ error?: string; detail?: string }> {
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object') {
      const { error, detail } = body as Record<string, unknown>;
      return {
        ...(typeof error === 'string' ? { error } : {}),
        ...(typeof detail === 'string' ? { detail } : {}),
      };
    }
  } catch {
    // Not JSON (a proxy's HTML error page, say): the status alone has to do.
  }
  return {};
}

export function errorKindForStatus(status: number): ApiErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status >= 400 && status < 500) return 'bad-request';
  return 'server';
}

export function createApiClient(config: RuntimeConfig, fetchImpl: typeof fetch = fetch): ApiClient {
  const headers: Record<string, string> = config.apiToken ? { Authorization: `Bearer ${config.apiToken}` } : {};

  async function send(
    url: string,
    accept: string,
    signal?: AbortSignal,
    request: { method?: 'GET' | 'POST' | 'DELETE'; json?: unknown } = {},
  ): Promise<Response> {
    let response: Response;
    const body = request.json === undefined ? null : JSON.stringify(request.json);
    try {
      response = await fetchImpl(url, {
        method: request.method ?? 'GET',
        headers: { ...headers, Accept: accept, ...(body === null ? {} : { 'Content-Type': 'application/json' }) },
        body,
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError('unreachable', `Could not reach the Fathom API at ${config.apiBaseUrl}`);
    }
    if (!response.ok) {
      const errorBody = await readErrorBody(response);
      const message = errorBody.error ?? `The Fathom API answered ${response.status}`;
      throw new ApiError(errorKindForStatus(response.status), message, response.status, errorBody.detail);
    }
    return response;
  }

  async function parseJson<S extends z.ZodType>(response: Response, path: string, schema: S): Promise<z.infer<S>> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ApiError('bad-response', `The Fathom API sent something that is not JSON for ${path}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new ApiError('bad-response', `Unexpected answer from ${path}`, response.status, where);
    }
    return parsed.data;
  }

  return {
    baseUrl: config.apiBaseUrl,
    hasToken: Boolean(config.apiToken),
    resolve: (pathOrUrl) => buildUrl(config.apiBaseUrl, pathOrUrl),
    resolveMedia: (pathOrUrl) =>
      buildUrl(config.apiBaseUrl, pathOrUrl, config.apiToken ? { access_token: config.apiToken } : {}),
    async getJson(path, query, schema, signal) {
      const response = await send(buildUrl(config.apiBaseUrl, path, query), 'application/json', signal);
      return parseJson(response, path, schema);
    },
    async postJson(path, body, schema, signal) {
      const response = await send(buildUrl(config.apiBaseUrl, path), 'application/json', signal, {
        method: 'POST',
        json: body,
      });
      return parseJson(response, path, schema);
    },
    async deleteJson(path, schema, signal) {
      const response = await send(buildUrl(config.apiBaseUrl, path), 'application/json', signal, { method: 'DELETE' });
      if (response.status === 204) return null;
      return parseJson(response, path, schema);
    },
    async getBlob(pathOrUrl, signal) {
      const response = await send(buildUrl(config.apiBaseUrl, pathOrUrl), 'image/jpeg,image/*', signal);
      return response.blob();
    },
  };
}

/** One sentence a person can act on. */
export function describeError(error: unknown, baseUrl: string): string {
  if (error instanceof ApiError) {
    switch (error.kind) {
      case 'unreachable':
        return `Can't reach the Fathom API at ${baseUrl}. Is the backend running? Retrying automatically.`;
      case 'unauthorized':
        return 'The Fathom API refused the dashboard: its API token (FATHOM_API_TOKEN) is missing or wrong.';
      case 'not-found':
        return error.detail ? `${error.message}: ${error.detail}` : error.message;
      case 'bad-request':
        return `The API refused the request: ${error.message}${error.detail ? ` (${error.detail})` : ''}`;
      case 'server':
        return `The Fathom API failed (${error.status ?? 'error'}): ${error.message}${error.detail ? ` — ${error.detail}` : ''}`;
      case 'bad-response':
        return `The API answered in a shape this dashboard does not understand (${error.detail ?? error.message}). Are the dashboard and the backend the same version?`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
