import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeToSearch } from './route';

describe('routes', () => {
  it('round-trips every view', () => {
    const routes: Route[] = [
      { view: 'live' },
      { view: 'clips', camera: 'test', day: '2026-11-25', minutes: 1 },
      { view: 'clip', camera: 'cam2', from: 1795618800000, minutes: 10, frame: 1795618801234 },
      { view: 'scrub', camera: 'test', day: '2026-11-25', at: 1795618800123, span: '10m' },
    ];
    for (const route of routes) expect(parseRoute(routeToSearch(route))).toEqual(route);
  });

  it('falls back instead of failing on bad input', () => {
    expect(parseRoute('')).toEqual({ view: 'live' });
    expect(parseRoute('?view=nope')).toEqual({ view: 'live' });
    expect(parseRoute('?view=clips&camera=../etc&day=2026-02-30&minutes=7')).toEqual({ view: 'clips', minutes: 10 });
    expect(parseRoute('?view=clip&camera=test')).toEqual({ view: 'clips', camera: 'test', minutes: 10 });
    expect(parseRoute('?view=scrub&at=-5&span=2d')).toEqual({ view: 'scrub', span: '24h' });
  });
});
