/**
 * The restream endpoints: GET /restreams (every target's status), GET
 * /restreams/{camera}/{target}, and the switch POST /restreams/{camera}/{target}/on|off
 * (Bearer token; see api-token.ts). A switch lasts until the feed-handler restarts,
 * which starts from the configuration again. Errors are JSON {error, detail}.
 */
import { type Request, type Response, Router } from 'express';
import type { RestreamSnapshot } from '../restream/restream-supervisor.js';
import { requireBearer } from './api-token.js';

export interface RestreamControl {
  list(): RestreamSnapshot[];
  /** The target's status after the switch; null when the camera has no such target. */
  setEnabled(camera: string, target: string, enabled: boolean): RestreamSnapshot | null;
}

const ACTIONS: Record<string, boolean> = { on: true, off: false };

const notFound = (res: Response, camera: string, target: string) =>
  res.status(404).json({ error: 'not_found', detail: `camera ${camera} has no restream target named ${target}` });

export function restreamRoutes(control: RestreamControl, apiToken: string | undefined): Router {
  const router = Router();

  router.get('/restreams', (_req, res) => {
    res.json({ restreams: control.list() });
  });

  router.get('/restreams/:camera/:target', (req: Request<{ camera: string; target: string }>, res) => {
    const { camera, target } = req.params;
    const found = control.list().find((r) => r.camera === camera && r.target === target);
    if (!found) return notFound(res, camera, target);
    res.json(found);
  });

  router.post(
    '/restreams/:camera/:target/:action',
    (req: Request<{ camera: string; target: string; action: string }>, res, next) => {
      // A bad action is a bad request whoever sends it; the token is checked next.
      if (!(req.params.action in ACTIONS)) {
        res.status(400).json({
          error: 'bad_request',
          detail: `the action must be "on" or "off", not "${req.params.action.slice(0, 32)}"`,
        });
        return;
      }
      next();
    },
    requireBearer(apiToken),
    (req: Request<{ camera: string; target: string; action: string }>, res) => {
      const { camera, target, action } = req.params;
      const snapshot = control.setEnabled(camera, target, ACTIONS[action] as boolean);
      if (!snapshot) return notFound(res, camera, target);
      res.json(snapshot);
    },
  );

  router.all('/restreams/:camera/:target/:action', (req, res) => {
    res.set('Allow', 'POST');
    res.status(405).json({ error: 'method_not_allowed', detail: `${req.method} is not allowed here; use POST` });
  });

  return router;
}
