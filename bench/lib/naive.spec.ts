import { describe, expect, it } from 'vitest';
import { closestTracker, naiveGroupFlux, naiveNearestFlux } from './naive.js';

describe('naive Flux', () => {
  it('filters on _time with exact nanosecond times over an unbounded range', () => {
    const flux = naiveNearestFlux('bench-day30', 1793491199123);
    expect(flux).toContain('t = time(v: 1793491199123000000)');
    expect(flux).toContain('range(start: 0)');
    expect(flux).toContain('r._time < t');
    expect(flux).toContain('r._time >= t');
    expect(naiveGroupFlux('b', 1000, 10)).toContain(
      'r._time > time(v: 1000000000) and r._time <= time(v: 601000000000)',
    );
  });

  it('the JS arg-min keeps the closest frame, ties to the earlier', () => {
    const tracker = closestTracker(1500);
    for (const t of [3000, 2000, 1000, 1600]) tracker.offer(t);
    expect(tracker.best).toEqual({ timeMs: 1600, distanceMs: 100 });
    const tie = closestTracker(1500);
    tie.offer(2000);
    tie.offer(1000);
    expect(tie.best).toEqual({ timeMs: 1000, distanceMs: 500 });
  });
});
