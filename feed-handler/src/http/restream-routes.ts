/**
 * The restream endpoints: GET /restreams (every target's status), GET
 * /restreams/{camera}/{target}, and the switch POST /restreams/{camera}/{target}/on|off
 * (Bearer token; see api-token.ts). A switch lasts until the feed-handler restarts,
 * which starts from the configuration again. Errors are JSON {error, detail}.
 */
import type { RestreamSnapshot } from '../restream/restream-supervisor.js';
import { isRead, jsonError, type Reply } from './reply.js';

export interface RestreamControl {
  list(): RestreamSnapshot[];
  /** The target's status after the switch; null when the camera has no such target. */
  setEnabled(camera: string, target: string, enabled: boolean): RestreamSnapshot | null;
}

const ACTIONS: Record<string, boolean> = { on: true, off: false };

const notFound = (camera: string, target: string) =>
  jsonError(404, 'not_found', `camera ${camera} has no restream target named ${target}`);

/**
 * The answer for a path under /restreams (segments already percent-decoded, "restreams" first), or null when
 * no restream route has that shape. `authorize` is the Bearer check: null lets the switch through.
 */
export function restreamReply(
  control: RestreamControl,
  authorize: (authorization: string | undefined) => Reply | null,
  method: string,
  segments: readonly string[],
  authorization: string | undefined,
): Reply | null {
  if (segments[0] !== 'restreams') return null;
  const [, camera, target, action] = segments;
  const reading = isRead(method);
  if (segments.length === 1 && reading) return { status: 200, json: { restreams: control.list() } };
  if (segments.length === 3 && reading && camera !== undefined && target !== undefined) {
    const found = control.list().find((r) => r.camera === camera && r.target === target);
    return found ? { status: 200, json: found } : notFound(camera, target);
  }
  if (segments.length !== 4 || camera === undefined || target === undefined || action === undefined) return null;
  if (method !== 'POST') {
    return jsonError(405, 'method_not_allowed', `${method} is not allowed here; use POST`, { Allow: 'POST' });
  }
  // A bad action is a bad request whoever sends it; the token is checked next.
  if (!(action in ACTIONS)) {
    return jsonError(400, 'bad_request', `the action must be "on" or "off", not "${action.slice(0, 32)}"`);
  }
  const refused = authorize(authorization);
  if (refused) return refused;
  const snapshot = control.setEnabled(camera, target, ACTIONS[action] as boolean);
  return snapshot ? { status: 200, json: snapshot } : notFound(camera, target);
}
