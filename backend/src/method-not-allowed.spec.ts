import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../test/http.js';
import { allowedMethods, declaredRoutes, methodNotAllowedOrNotFound } from './method-not-allowed.js';

/** Routes shaped like the API's: one path with two methods, a parameter, a nested path, a wildcard. */
function routedApp() {
  const app = express();
  const ok = (_req: express.Request, res: express.Response) => {
    res.json({ ok: true });
  };
  app.get('/exports', ok);
  app.post('/exports', ok);
  app.get('/exports/:id', ok);
  app.delete('/exports/:id', ok);
  app.get('/exports/:id/video', ok);
  app.get('/thumbnails/*path', ok);
  app.all('/anything', ok);
  app.use(methodNotAllowedOrNotFound(app));
  app.use(
    (
      error: { status: number; error: string; detail: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(error.status).json({ error: error.error, detail: error.detail });
    },
  );
  return app;
}

describe('allowedMethods (read from the Express router)', () => {
  // Pins the router internals the module reads: an Express upgrade that changes them fails here.
  const app = routedApp();

  it('lists what each path serves, HEAD with GET, in Allow order', () => {
    expect(allowedMethods(app, '/exports')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(app, '/exports/')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(app, '/exports/abc')).toEqual(['GET', 'HEAD', 'DELETE']);
    expect(allowedMethods(app, '/exports/abc/video')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(app, '/thumbnails/a/b/c.jpg')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(app, '/thumbnails/a%2Fb')).toEqual(['GET', 'HEAD']);
  });

  it('is null for a path no route has', () => {
    expect(allowedMethods(app, '/nope')).toBeNull();
    expect(allowedMethods(app, '/exports/a/b/c')).toBeNull();
    expect(allowedMethods(app, '/thumbnails')).toBeNull();
  });

  it('allows every method on an app.all route (Express 5 registers each one), so it never answers 405', () => {
    expect(allowedMethods(app, '/anything')).toEqual(
      expect.arrayContaining(['GET', 'PUT', 'PATCH', 'DELETE', 'TRACE']),
    );
  });

  it('lists the routes with their patterns', () => {
    expect(declaredRoutes(app).filter((route) => route.path !== '/anything')).toEqual([
      { path: '/exports', methods: ['GET', 'HEAD', 'POST'] },
      { path: '/exports/:id', methods: ['GET', 'HEAD', 'DELETE'] },
      { path: '/exports/:id/video', methods: ['GET', 'HEAD'] },
      { path: '/thumbnails/*path', methods: ['GET', 'HEAD'] },
    ]);
  });
});

describe('methodNotAllowedOrNotFound', () => {
  let api: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    api = await serve(routedApp());
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers an undeclared method on a known path with 405, Allow and {error, detail}', async () => {
    const res = await fetch(`${api.url}/exports/abc`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect(await res.json()).toEqual({
      error: 'method_not_allowed',
      detail: 'PUT is not allowed on /exports/abc; it allows GET, HEAD, DELETE',
    });
    const post = await fetch(`${api.url}/thumbnails/a/b.jpg`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('still serves the declared methods, HEAD included, and 404s unknown paths', async () => {
    expect((await fetch(`${api.url}/exports/abc`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${api.url}/exports`, { method: 'HEAD' })).status).toBe(200);
    const unknown = await fetch(`${api.url}/nope`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    expect(await unknown.json()).toEqual({ error: 'not_found', detail: 'no route for POST /nope' });
  });
});
