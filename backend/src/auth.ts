/**
 * Optional API token. When FATHOM_API_TOKEN is set, every route except the health
 * probes needs it: `Authorization: Bearer <token>`, or for GET the `access_token`
 * query parameter (RFC 6750 section 2.3) because an <img src> cannot send headers.
 * The access_token value is redacted from logs (see logger.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problems.js';

export const UNPROTECTED_PATHS = new Set(['/healthz', '/readyz']);

const digest = (value: string) => createHash('sha256').update(value).digest();

function presentedToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const query = req.query.access_token;
  if ((req.method === 'GET' || req.method === 'HEAD') && typeof query === 'string') return query;
  return undefined;
}

export function requireApiToken(token: string) {
  // Comparing fixed-length digests keeps the comparison constant-time whatever is sent.
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    if (UNPROTECTED_PATHS.has(req.path)) return next();
    const presented = presentedToken(req);
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return next();
    res.set('WWW-Authenticate', 'Bearer realm="fathom"');
    next(
      new HttpProblem(
        401,
        'unauthorized',
        presented === undefined ? 'this API needs a token: Authorization: Bearer <token>' : 'the token is not valid',
      ),
    );
  };
}
