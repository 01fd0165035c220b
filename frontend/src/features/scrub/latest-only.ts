/**
 * Runs at most one request at a time and, while one is in flight, remembers
 * only the newest wish. Dragging across a timeline asks for hundreds of
 * moments a second; this sends one, then the latest, and never a backlog.
 */
export interface LatestOnly<A> {
  request(arg: A): void;
  /** Stops delivering results; an in-flight request is aborted. */
  dispose(): void;
}

export function latestOnly<A, R>(
  run: (arg: A, signal: AbortSignal) => Promise<R>,
  deliver: (arg: A, outcome: { ok: true; value: R } | { ok: false; error: unknown }) => void,
): LatestOnly<A> {
  let inFlight: AbortController | null = null;
  let waiting: { arg: A } | null = null;
  let disposed = false;

  const start = (arg: A) => {
    const controller = new AbortController();
    inFlight = controller;
    run(arg, controller.signal).then(
      (value) => finish(controller, arg, { ok: true, value }),
      (error: unknown) => finish(controller, arg, { ok: false, error }),
    );
  };

  const finish = (
    controller: AbortController,
    arg: A,
    outcome: { ok: true; value: R } | { ok: false; error: unknown },
  ) => {
    if (disposed || controller.signal.aborted) return;
    inFlight = null;
    deliver(arg, outcome);
    const next = waiting;
    waiting = null;
    if (next) start(next.arg);
  };

  return {
    request(arg) {
      if (disposed) return;
      if (inFlight) waiting = { arg };
      else start(arg);
    },
    dispose() {
      disposed = true;
      inFlight?.abort();
      inFlight = null;
      waiting = null;
    },
  };
}
