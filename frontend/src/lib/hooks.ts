import { useEffect, useRef, useState } from 'react';

/** The current time, re-rendering every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface PollState<T> {
  data: T | undefined;
  /** The last failure; cleared by the next success. Data is kept across failures. */
  error: unknown;
  loading: boolean;
  updatedAt: number | undefined;
}

/**
 * Loads now and then every `intervalMs` after each answer (never overlapping),
 * restarting when `key` changes. The previous data stays on screen during a
 * failure, so an offline backend dims the page instead of blanking it.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, key: string): PollState<T> {
  const loadRef = useRef(load);
  loadRef.current = load;
  const [state, setState] = useState<PollState<T>>({
    data: undefined,
    error: undefined,
    loading: true,
    updatedAt: undefined,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what is loaded; a new key restarts polling
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: undefined, error: undefined, loading: true, updatedAt: undefined });
    const tick = async () => {
      try {
        const data = await loadRef.current(controller.signal);
        if (controller.signal.aborted) return;
        setState({ data, error: undefined, loading: false, updatedAt: Date.now() });
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) => ({ ...previous, error, loading: false }));
      }
      timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [intervalMs, key]);

  return state;
}

/** Calls back once the element comes near the viewport. */
export function useNearViewport<E extends Element>(rootMargin = '400px'): [(el: E | null) => void, boolean] {
  const [element, setElement] = useState<E | null>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (!element || near) return;
    if (typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setNear(true);
      },
      { rootMargin },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, near, rootMargin]);
  return [setElement, near];
}
