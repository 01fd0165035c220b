import { describe, expect, it } from 'vitest';
import { initialStatus, nextStatus, type RestreamEvent, type RestreamStatus, statusView } from './restream-state.js';

const T0 = 1_800_000_000_000;
const run = (status: RestreamStatus, steps: [number, RestreamEvent][]) =>
  steps.reduce((s, [at, event]) => nextStatus(s, event, T0 + at), status);

describe('restream state machine', () => {
  it('starts in starting (or off when disabled in the configuration)', () => {
    expect(initialStatus(true, T0)).toMatchObject({ state: 'starting', enabled: true, reason: null });
    expect(initialStatus(false, T0)).toMatchObject({ state: 'off', reason: 'disabled in the configuration' });
  });

  it('goes live with the first video frame sent, and counts uptime and bytes', () => {
    const s = run(initialStatus(true, T0), [
      [1_000, { type: 'progress', frames: 0, bytes: 0 }],
      [2_000, { type: 'progress', frames: 10, bytes: 50_000 }],
      [7_000, { type: 'progress', frames: 85, bytes: 400_000 }],
    ]);
    expect(s).toMatchObject({ state: 'live', liveSinceMs: T0 + 2_000, sinceMs: T0 + 2_000, runBytes: 400_000 });
    expect(statusView(s, T0 + 12_000)).toMatchObject({
      state: 'live',
      uptimeSeconds: 10,
      bytesSent: 400_000,
      restarts: 0,
    });
  });

  it('a failure keeps its reason through retries until video flows again, bytes adding up over runs', () => {
    let s = run(initialStatus(true, T0), [
      [1_000, { type: 'progress', frames: 10, bytes: 1_000 }],
      [5_000, { type: 'failed', reason: 'target: connection lost', retryAtMs: T0 + 6_000 }],
    ]);
    expect(statusView(s, T0 + 5_500)).toMatchObject({
      state: 'failing',
      reason: 'target: connection lost',
      uptimeSeconds: 0,
      bytesSent: 1_000,
      restarts: 1,
      retryAt: new Date(T0 + 6_000).toISOString(),
    });
    s = run(s, [
      [6_000, { type: 'retrying' }],
      [6_500, { type: 'progress', frames: 0, bytes: 0 }],
    ]);
    expect(s).toMatchObject({
      state: 'failing',
      reason: 'target: connection lost',
      retryAtMs: null,
      sinceMs: T0 + 5_000,
    });
    s = run(s, [[8_000, { type: 'progress', frames: 5, bytes: 300 }]]);
    expect(statusView(s, T0 + 9_000)).toMatchObject({ state: 'live', reason: null, bytesSent: 1_300, restarts: 1 });
  });

  it('off is off: switched off, later failures and progress of the stopping child do not count', () => {
    let s = run(initialStatus(true, T0), [
      [1_000, { type: 'progress', frames: 10, bytes: 1_000 }],
      [2_000, { type: 'disable', reason: 'switched off' }],
      [2_100, { type: 'progress', frames: 12, bytes: 1_200 }],
      [2_200, { type: 'failed', reason: 'exited: code 255', retryAtMs: T0 + 3_000 }],
    ]);
    expect(statusView(s, T0 + 3_000)).toMatchObject({
      state: 'off',
      enabled: false,
      reason: 'switched off',
      restarts: 0,
      bytesSent: 1_000,
    });
    s = run(s, [[4_000, { type: 'enable' }]]);
    expect(s).toMatchObject({ state: 'starting', enabled: true, reason: null, sinceMs: T0 + 4_000 });
  });
});
