/**
 * The feed-handler's control routes (the restream switch) take the Fathom API
 * token as `Authorization: Bearer <token>`. Without a configured token they are
 * refused outright: the configuration is then the only switch. Read-only routes
 * (/healthz, /metrics, GET /restreams) stay open, as the health probes must.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { jsonError, type Reply } from './reply.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Checks an Authorization header against the token: null lets the request through, a Reply refuses it. */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => Reply | null {
  // Comparing fixed-length digests keeps the comparison constant-time whatever is sent.
  const expected = token === undefined ? undefined : digest(token);
  return (authorization) => {
    if (!expected) {
      return jsonError(
        403,
        'switch_not_configured',
        'no API token is configured: set FATHOM_API_TOKEN to switch restreams over HTTP; until then the CAMERAS setting (restream[].enabled) is the switch',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) return null;
    return jsonError(
      401,
      'unauthorized',
      match ? 'the token is not valid' : 'this route needs a token: Authorization: Bearer <token>',
      { 'WWW-Authenticate': 'Bearer realm="fathom"' },
    );
  };
}
