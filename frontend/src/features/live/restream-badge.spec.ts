import { describe, expect, it } from 'vitest';
import type { RestreamTarget } from '../../api/cameras';
import { CamerasResponseSchema, toCameras } from '../../api/cameras';
import { formatBytesSent, formatUptime, restreamBadge } from './restream-badge';

const target = (patch: Partial<RestreamTarget>): RestreamTarget => ({
  name: 'youtube',
  state: 'live',
  reason: null,
  uptimeSeconds: 754,
  bytesSent: 12_345_678,
  restarts: 1,
  ...patch,
});

describe('restreamBadge', () => {
  it('shows a live target with its time live', () => {
    expect(restreamBadge(target({}))).toEqual({
      tone: 'live',
      text: '● live 12 min',
      title: 'Restream youtube: live; 12 MB sent, 1 restart',
    });
  });

  it('shows a failing target with its reason, without the "target: " prefix', () => {
    const badge = restreamBadge(
      target({
        state: 'failing',
        reason: 'target: publish refused (check the stream key)',
        uptimeSeconds: 0,
        restarts: 4,
      }),
    );
    expect(badge.tone).toBe('failing');
    expect(badge.text).toBe('failing: publish refused (check the stream key)');
    expect(badge.title).toBe(
      'Restream youtube: failing (target: publish refused (check the stream key)); 12 MB sent, 4 restarts',
    );
    // A camera-side failure keeps saying where it is.
    expect(restreamBadge(target({ state: 'failing', reason: 'camera: unreachable' })).text).toBe(
      'failing: camera: unreachable',
    );
    expect(restreamBadge(target({ state: 'failing', reason: null })).text).toBe('failing');
  });

  it('shows off and starting plainly, the reason in the tooltip', () => {
    const off = restreamBadge(target({ state: 'off', reason: 'switched off', uptimeSeconds: 0 }));
    expect(off).toMatchObject({ tone: 'off', text: 'off' });
    expect(off.title).toContain('off (switched off)');
    expect(restreamBadge(target({ state: 'starting', uptimeSeconds: 0 }))).toMatchObject({
      tone: 'starting',
      text: 'starting…',
    });
  });

  it('shows a state it does not know as itself', () => {
    expect(restreamBadge(target({ state: 'paused' }))).toMatchObject({ tone: 'other', text: 'paused' });
  });
});

describe('formatUptime', () => {
  it.each([
    [0, '0 s'],
    [59.9, '59 s'],
    [60, '1 min'],
    [754, '12 min'],
    [3_600, '1 h'],
    [3_600 + 5 * 60 + 30, '1 h 5 min'],
    [47 * 3_600, '47 h'],
    [4 * 86_400 + 7_200, '4 days'],
    [-3, '0 s'],
  ])('%s s is "%s"', (seconds, text) => {
    expect(formatUptime(seconds)).toBe(text);
  });
});

describe('formatBytesSent', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1_000, '1.0 kB'],
    [12_345, '12 kB'],
    [1_234_567, '1.2 MB'],
    [999_999_999, '1.0 GB'],
    [2_500_000_000, '2.5 GB'],
  ])('%s is "%s"', (bytes, text) => {
    expect(formatBytesSent(bytes)).toBe(text);
  });
});

describe('toCameras: restreams', () => {
  const camera = { camera: 'porch', location: 'lab', newestFrame: null, status: null };

  it('keeps the targets, says unavailable for null, and leaves them out when the backend sends none', () => {
    const body = CamerasResponseSchema.parse({
      restreamStatus: 'ok',
      cameras: [
        { ...camera, restreams: [target({})] },
        { ...camera, camera: 'garage', restreams: [] },
        { ...camera, camera: 'attic', restreams: null },
        { ...camera, camera: 'shed' },
      ],
    });
    const cameras = toCameras(body);
    expect(cameras.map((c) => c.restreams)).toEqual([[target({})], [], 'unavailable', undefined]);
    expect(cameras[3]).not.toHaveProperty('restreams');
  });
});
