import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeToSearch } from './route';

describe('routes', () => {
  it('round-trips every view', () => {
    const routes: Route[] = [
      { view: 'live' },
      { view: 'clips', camera: 'test', day: '2026-11-25', minutes: 1 },
      { view: 'clip', camera: 'cam2', from: 1795618800000, minutes: 10, frame: 1795618801234 },
      { view: 'scrub', camera: 'test', day: '2026-11-25', at: 1795618800123, span: '10m' },
      {
        view: 'scrub',
        camera: 'test',
        day: '2026-11-25',
        at: 1795618800123,
        span: '1h',
        zoom: '7d',
        min: 0.013,
        region: { x: 0.5, y: 0.125, w: 0.4375, h: 0.6 },
      },
      { view: 'clips', camera: 'test', day: '2026-11-25', minutes: 10, onlyMotion: true, min: 0.002 },
      { view: 'exports' },
      { view: 'wall', span: '10m' },
      { view: 'wall', day: '2026-11-25', at: 1795618800123, span: '1h' },
      { view: 'search', range: '24h' },
      { view: 'search', q: 'people', camera: 'back-door', range: '7d' },
      { view: 'search', q: 'dogs and cats, car', range: '1h' },
    ];
    for (const route of routes) expect(parseRoute(routeToSearch(route))).toEqual(route);
  });

  it('falls back instead of failing on bad input', () => {
    expect(parseRoute('')).toEqual({ view: 'live' });
    expect(parseRoute('?view=nope')).toEqual({ view: 'live' });
    expect(parseRoute('?view=clips&camera=../etc&day=2026-02-30&minutes=7')).toEqual({ view: 'clips', minutes: 10 });
    expect(parseRoute('?view=clip&camera=test')).toEqual({ view: 'clips', camera: 'test', minutes: 10 });
    expect(parseRoute('?view=scrub&at=-5&span=2d')).toEqual({ view: 'scrub', span: '24h' });
    expect(parseRoute('?view=exports&camera=test')).toEqual({ view: 'exports' });
    expect(parseRoute('?view=wall&day=2026-13-01&at=soon&span=3h')).toEqual({ view: 'wall', span: '10m' });
    expect(parseRoute('?view=search&q=%20%20&camera=a/b&range=2d')).toEqual({ view: 'search', range: '24h' });
  });

  it('keeps a search readable in the URL, its words tidied', () => {
    expect(routeToSearch({ view: 'search', q: 'people', camera: 'yard', range: '24h' })).toBe(
      '?view=search&q=people&camera=yard&range=24h',
    );
    expect(parseRoute('?view=search&q=++dogs+++and%0Acats+&range=30d')).toEqual({
      view: 'search',
      q: 'dogs and cats',
      range: '30d',
    });
    expect(parseRoute(`?view=search&q=${'a'.repeat(300)}`)).toEqual({
      view: 'search',
      q: 'a'.repeat(200),
      range: '24h',
    });
  });

  it('keeps the wall live without a moment, and its moment readable with one', () => {
    expect(parseRoute('?view=wall')).toEqual({ view: 'wall', span: '10m' });
    expect(routeToSearch({ view: 'wall', span: '10m' })).toBe('?view=wall&span=10m');
    expect(routeToSearch({ view: 'wall', day: '2026-11-25', at: 1795618800123, span: '10m' })).toBe(
      '?view=wall&day=2026-11-25&at=1795618800123&span=10m',
    );
  });

  it('keeps the motion search in the URL, readably', () => {
    const search = routeToSearch({
      view: 'scrub',
      camera: 'yard',
      span: '1h',
      zoom: '24h',
      min: 0.0021,
      region: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
    });
    expect(search).toBe('?view=scrub&camera=yard&span=1h&zoom=24h&min=0.0021&region=0.1%2C0.2%2C0.3%2C0.4');
    expect(routeToSearch({ view: 'clips', camera: 'yard', minutes: 10, onlyMotion: false })).toBe(
      '?view=clips&camera=yard&minutes=10',
    );
    expect(parseRoute('?view=clips&camera=yard&minutes=5&motion=1&min=.05')).toEqual({
      view: 'clips',
      camera: 'yard',
      minutes: 5,
      onlyMotion: true,
      min: 0.05,
    });
  });

  it('drops a bad motion search instead of failing', () => {
    for (const bad of [
      'min=0',
      'min=2',
      'min=1e-3',
      'min=-0.1',
      'min=0.0000001',
      'region=0.5,0.5,0.6,0.1',
      'region=0.1,0.1,0,0.5',
      'region=a,b,c,d',
      'region=0.1,0.1,0.1',
      'zoom=2d',
    ]) {
      expect(parseRoute(`?view=scrub&span=1h&${bad}`), bad).toEqual({ view: 'scrub', span: '1h' });
    }
  });
});
