import { createContext, type MouseEvent, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { parseRoute, type Route, routeToSearch } from './route';

type Navigate = (route: Route, options?: { replace?: boolean }) => void;

const RouterContext = createContext<{ route: Route; navigate: Navigate } | null>(null);

/** History-API routing over the query string: no dependency, and any static server can serve it. */
export function RouterProvider({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.search));

  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback<Navigate>((next, options = {}) => {
    const search = routeToSearch(next);
    if (search !== window.location.search) {
      if (options.replace) window.history.replaceState(null, '', search);
      else window.history.pushState(null, '', search);
    }
    setRoute(parseRoute(search));
  }, []);

  return <RouterContext.Provider value={{ route, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter() {
  const value = useContext(RouterContext);
  if (!value) throw new Error('useRouter outside RouterProvider');
  return value;
}

/** A real link (works with middle-click and "copy link"), navigating in-page on a plain click. */
export function RouteLink({
  to,
  children,
  className,
  ...rest
}: { to: Route; children: ReactNode; className?: string } & Omit<
  React.AnchorHTMLAttributes<HTMLAnchorElement>,
  'href' | 'onClick'
>) {
  const { navigate } = useRouter();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={routeToSearch(to)} onClick={onClick} className={className} {...rest}>
      {children}
    </a>
  );
}
