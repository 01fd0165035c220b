import { describe, expect, it } from 'vitest';
import type { Camera } from '../../api/cameras';
import { liveStatus } from './live-state';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
const camera = (patch: Partial<Camera>): Camera => ({
  id: 'test',
  location: 'lab',
  newestFrame: { timeMs: NOW - 800, url: '/thumbnails/x.jpg' },
  status: { online: true, reason: 'first-frame', sinceMs: NOW - 60_000 },
  ...patch,
});

describe('liveStatus', () => {
  it('is live while frames are fresh', () => {
    expect(liveStatus(camera({}), NOW)).toMatchObject({ state: 'online', detail: 'Newest frame just now.' });
    expect(liveStatus(camera({ status: null }), NOW).state).toBe('online');
  });

  it('says a camera stalled when frames stop although it was reported online', () => {
    const s = liveStatus(camera({ newestFrame: { timeMs: NOW - 45_000, url: '/x' } }), NOW);
    expect(s).toMatchObject({ state: 'stalled', detail: 'No new frame for 45 s.' });
  });

  it('says offline with the reason and the last frame age', () => {
    const s = liveStatus(camera({ status: { online: false, reason: 'stalled', sinceMs: null } }), NOW);
    expect(s.state).toBe('offline');
    expect(s.detail).toContain('(stalled)');
    expect(s.detail).toContain('Last frame just now');
  });

  it('waits for a first frame', () => {
    expect(liveStatus(camera({ newestFrame: null, status: null }), NOW).state).toBe('waiting');
  });
});
