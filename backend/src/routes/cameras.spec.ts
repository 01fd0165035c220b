import { describe, expect, it } from 'vitest';
import type { RestreamTargetStatus } from '../adapters/feed-handler.js';
import type { CameraSummary } from '../index-reader.js';
import { camerasResponseBody } from '../restream-schemas.js';
import { camerasBodyOf } from './cameras.js';

const summary = (camera: string): CameraSummary => ({ camera, location: 'lab', newestFrame: null, status: null });
const target = (camera: string, name: string, over: Partial<RestreamTargetStatus> = {}): RestreamTargetStatus => ({
  camera,
  target: name,
  state: 'live',
  reason: null,
  uptimeSeconds: 720,
  bytesSent: 1_000,
  restarts: 0,
  ...over,
});

describe('camerasBodyOf: restreams', () => {
  it("gives each camera its own targets in the feed-handler's order, [] when it has none", () => {
    const body = camerasBodyOf([summary('garage'), summary('porch')], undefined, {
      ok: true,
      restreams: [
        target('porch', 'youtube'),
        target('porch', 'relay', {
          state: 'failing',
          reason: 'target: publish refused (check the stream key)',
          uptimeSeconds: 0,
          restarts: 4,
        }),
        // A camera the index does not list (no frame or status yet) is not invented.
        target('attic', 'twitch'),
      ],
    });
    expect(camerasResponseBody.parse(body)).toEqual(body);
    expect(body.restreamStatus).toBe('ok');
    expect(body.cameras.map((c) => [c.camera, c.restreams])).toEqual([
      ['garage', []],
      [
        'porch',
        [
          { name: 'youtube', state: 'live', reason: null, uptimeSeconds: 720, bytesSent: 1_000, restarts: 0 },
          {
            name: 'relay',
            state: 'failing',
            reason: 'target: publish refused (check the stream key)',
            uptimeSeconds: 0,
            bytesSent: 1_000,
            restarts: 4,
          },
        ],
      ],
    ]);
  });

  it('says unavailable, with null (unknown) restreams, when the feed-handler could not be read', () => {
    const body = camerasBodyOf([summary('porch')], undefined, { ok: false, detail: 'ECONNREFUSED' });
    expect(camerasResponseBody.parse(body)).toEqual(body);
    expect(body.restreamStatus).toBe('unavailable');
    expect(body.cameras[0]?.restreams).toBeNull();
    expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
  });

  it('leaves both fields out when this API has no feed-handler', () => {
    const body = camerasBodyOf([summary('porch')]);
    expect(body).not.toHaveProperty('restreamStatus');
    expect(body.cameras[0]).not.toHaveProperty('restreams');
  });
});
