/**
 * 405 Method Not Allowed for a path the API serves, asked with a method it does not serve
 * (RFC 9110 §15.5.6): the answer names the methods that path has in an Allow header.
 *
 * The methods come from the Express router itself (its route layers, matched against the path
 * exactly as routing matched them), not from a list kept by hand, so a route added or removed
 * changes the answer with it. contract.int.spec.ts checks the router and the OpenAPI document
 * declare the same methods on the same paths.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problems.js';

/**
 * What this module reads of a router layer. Express has no public API for "which methods does
 * this path have", so this leans on router 2.x's layer shape; method-not-allowed.spec.ts pins it,
 * so an Express upgrade that changes it fails a test instead of silently turning 405s into 404s.
 */
interface RouteLayer {
  route?: { path?: unknown; methods?: Record<string, boolean | undefined> };
  match?: (path: string) => boolean;
}

/** The order Allow lists methods in; others follow alphabetically. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

function byMethodOrder(a: string, b: string): number {
  const rank = (method: string) => {
    const index = METHOD_ORDER.indexOf(method);
    return index === -1 ? METHOD_ORDER.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

function routeLayers(app: Express): RouteLayer[] {
  const stack = (app.router as unknown as { stack?: unknown }).stack;
  return Array.isArray(stack) ? (stack as RouteLayer[]).filter((layer) => layer.route) : [];
}

/** A route's own methods, upper case, with HEAD wherever GET is (Express answers HEAD from the GET handler). */
function methodsOf(layer: RouteLayer): string[] | 'any' {
  const declared = layer.route?.methods ?? {};
  if (declared._all) return 'any';
  const methods = Object.keys(declared)
    .filter((name) => declared[name])
    .map((name) => name.toUpperCase());
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
  return methods;
}

/**
 * The methods the app serves at `path`, in Allow order; null when no route has that path
 * (a 404), or when a route there takes any method (nothing to refuse).
 */
export function allowedMethods(app: Express, path: string): string[] | null {
  const allowed = new Set<string>();
  for (const layer of routeLayers(app)) {
    let matches = false;
    try {
      matches = typeof layer.match === 'function' && layer.match(path);
    } catch {
      // A malformed %-escape in a parameter: routing already answered it 400, this path is no route's.
    }
    if (!matches) continue;
    const methods = methodsOf(layer);
    if (methods === 'any') return null;
    for (const method of methods) allowed.add(method);
  }
  return allowed.size ? [...allowed].sort(byMethodOrder) : null;
}

/** Every route as Express holds it: its path pattern (e.g. /exports/:id, /thumbnails/*path) and methods. */
export function declaredRoutes(app: Express): { path: string; methods: string[] }[] {
  const routes = new Map<string, Set<string>>();
  for (const layer of routeLayers(app)) {
    const path = layer.route?.path;
    const methods = methodsOf(layer);
    if (typeof path !== 'string' || methods === 'any') continue;
    const known = routes.get(path) ?? new Set<string>();
    for (const method of methods) known.add(method);
    routes.set(path, known);
  }
  return [...routes].map(([path, methods]) => ({ path, methods: [...methods].sort(byMethodOrder) }));
}

/**
 * The fallthrough after every route: a path some route serves gets 405 with Allow, anything
 * else 404. OPTIONS never gets here (the CORS middleware answers every preflight first).
 */
export function methodNotAllowedOrNotFound(app: Express) {
  return (req: Request, res: Response, next: NextFunction) => {
    const allowed = allowedMethods(app, req.path);
    if (allowed && !allowed.includes(req.method)) {
      res.set('Allow', allowed.join(', '));
      next(
        new HttpProblem(
          405,
          'method_not_allowed',
          `${req.method} is not allowed on ${req.path}; it allows ${allowed.join(', ')}`,
        ),
      );
      return;
    }
    next(new HttpProblem(404, 'not_found', `no route for ${req.method} ${req.path}`));
  };
}
