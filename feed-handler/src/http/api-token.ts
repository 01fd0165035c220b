/**
 * The feed-handler's control routes (the restream switch) take the Fathom API
 * token as `Authorization: Bearer <token>`. Without a configured token they are
 * refused outright: the configuration is then the only switch. Read-only routes
 * (/healthz, /metrics, GET /restreams) stay open, as the health probes must.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireBearer(token: string | undefined) {
  // Comparing fixed-length digests keeps the comparison constant-time whatever is sent.
  const expected = token === undefined ? undefined : digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) {
      res.status(403).json({
        error: 'switch_not_configured',
        detail:
          'no API token is configured: set FATHOM_API_TOKEN to switch restreams over HTTP; until then the CAMERAS setting (restream[].enabled) is the switch',
      });
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="fathom"');
    res.status(401).json({
      error: 'unauthorized',
      detail: match ? 'the token is not valid' : 'this route needs a token: Authorization: Bearer <token>',
    });
  };
}
