import { DayClipsView } from '../features/clips/DayClipsView';
import { ExportsView } from '../features/export/ExportsView';
import { LiveView } from '../features/live/LiveView';
import { ClipView } from '../features/player/ClipView';
import { ScrubView } from '../features/scrub/ScrubView';
import { SearchView } from '../features/search/SearchView';
import { DEFAULT_SEARCH_RANGE } from '../features/search/search-math';
import { WallView } from '../features/wall/WallView';
import { WALL_DEFAULT_SPAN } from '../features/wall/wall-math';
import { useApiClient } from '../lib/api-context';
import type { Route, View } from './route';
import { RouteLink, useRouter } from './router';

const NAV: { view: View; label: string; to: (route: Route) => Route }[] = [
  { view: 'live', label: 'Live', to: () => ({ view: 'live' }) },
  {
    view: 'clips',
    label: 'Clips',
    to: (r) => ({ view: 'clips', ...('camera' in r && r.camera ? { camera: r.camera } : {}), minutes: 10 }),
  },
  {
    view: 'scrub',
    label: 'Scrub',
    to: (r) => ({ view: 'scrub', ...('camera' in r && r.camera ? { camera: r.camera } : {}), span: '1h' }),
  },
  { view: 'wall', label: 'Wall', to: () => ({ view: 'wall', span: WALL_DEFAULT_SPAN }) },
  {
    view: 'search',
    label: 'Search',
    to: (r) => (r.view === 'search' ? r : { view: 'search', range: DEFAULT_SEARCH_RANGE }),
  },
  { view: 'exports', label: 'Exports', to: () => ({ view: 'exports' }) },
];

export function App() {
  const { route } = useRouter();
  const client = useApiClient();
  const active: View = route.view === 'clip' ? 'clips' : route.view;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">Fathom</span>
        <nav aria-label="Views">
          <ul>
            {NAV.map((item) => (
              <li key={item.view}>
                <RouteLink to={item.to(route)} aria-current={active === item.view ? 'page' : undefined}>
                  {item.label}
                </RouteLink>
              </li>
            ))}
          </ul>
        </nav>
        <span className="api-url" title="The Fathom API this dashboard uses">
          {client.baseUrl}
        </span>
      </header>
      <main id="main">
        <CurrentView route={route} />
      </main>
    </>
  );
}

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'live':
      return <LiveView />;
    case 'clips':
      return <DayClipsView {...route} />;
    case 'clip':
      return <ClipView key={`${route.camera}:${route.from}:${route.minutes}`} {...route} />;
    case 'scrub':
      return <ScrubView key={`${route.camera}:${route.day}`} {...route} />;
    case 'exports':
      return <ExportsView />;
    case 'wall':
      return <WallView {...route} />;
    case 'search':
      return <SearchView {...route} />;
  }
}
