import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type ClosestFrame, getClosestThumbnail } from '../../api/thumbnails';
import { useCameras } from '../../api/use-cameras';
import { RouteLink, useRouter } from '../../app/router';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { useLoadedImage } from '../../components/ApiImage';
import { CameraDayControls } from '../../components/CameraDayControls';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { useNow } from '../../lib/hooks';
import { dayBounds, dayOf, formatClock, formatDistance } from '../../lib/time';
import { clipStartFor, HOUR_MS } from '../clips/day-layout';
import { latestOnly } from './latest-only';
import { Timeline } from './Timeline';
import { SPANS, type SpanKey, viewWindow } from './timeline-math';
import { useCoverage } from './use-coverage';

type Result =
  | { status: 'idle' }
  | { status: 'done'; requestedMs: number; frame: ClosestFrame | null }
  | { status: 'failed'; requestedMs: number; error: unknown };

const SPAN_LABELS: Record<SpanKey, string> = { '24h': '24 h', '6h': '6 h', '1h': '1 h', '10m': '10 min' };

export function ScrubView({ camera, day, at, span }: { camera?: string; day?: string; at?: number; span: SpanKey }) {
  const client = useApiClient();
  const { navigate } = useRouter();
  const cameras = useCameras(30_000);
  const now = useNow(5_000);
  const today = dayOf(now);
  const shownDay = day ?? today;
  const bounds = useMemo(() => {
    const { startMs, endMs } = dayBounds(shownDay);
    return { startMs, endMs };
  }, [shownDay]);
  const maxMs = Math.min(bounds.endMs, now);
  // Today's timeline ends a little after now, as of opening (a timeline that slid every few
  // seconds would move the moment under a still pointer); moving the centre later extends it.
  const [openedAt] = useState(() => Date.now());
  const initialAt = at ?? (shownDay === today ? now : bounds.startMs + 12 * HOUR_MS);

  const [requestedMs, setRequestedMs] = useState(initialAt);
  const [center, setCenter] = useState(initialAt);
  const [result, setResult] = useState<Result>({ status: 'idle' });
  const visible = {
    startMs: bounds.startMs,
    endMs: Math.min(bounds.endMs, Math.max(openedAt, center) + SPANS[span] / 20),
  };
  const timeWindow = viewWindow(visible, center, SPANS[span]);
  const coverage = useCoverage(camera, timeWindow, maxMs);

  const runner = useMemo(
    () =>
      camera
        ? latestOnly(
            (ms: number, signal) => getClosestThumbnail(client, { camera, atMs: ms }, signal),
            (ms, outcome) =>
              setResult(
                outcome.ok
                  ? { status: 'done', requestedMs: ms, frame: outcome.value }
                  : { status: 'failed', requestedMs: ms, error: outcome.error },
              ),
          )
        : null,
    [client, camera],
  );
  useEffect(() => () => runner?.dispose(), [runner]);
  useEffect(() => runner?.request(requestedMs), [runner, requestedMs]);

  const latest = useRef({ camera, span, navigate, timeWindow });
  latest.current = { camera, span, navigate, timeWindow };
  const commit = useCallback((ms: number) => {
    const { camera: cam, span: s, navigate: go, timeWindow: w } = latest.current;
    setRequestedMs(ms);
    // Keys can move past the edge of the timeWindow: then it recentres on the new moment.
    if (ms < w.startMs || ms > w.endMs) setCenter(ms);
    // Leaving the day (keys past midnight) moves to that day.
    go({ view: 'scrub', ...(cam ? { camera: cam } : {}), day: dayOf(ms), at: ms, span: s }, { replace: true });
  }, []);

  const onControls = useCallback(
    (next: { camera?: string; day: string }, options?: { replace?: boolean }) =>
      navigate({ view: 'scrub', ...next, span }, options),
    [navigate, span],
  );

  const frame = result.status === 'done' ? result.frame : null;
  const shown = useLoadedImage(frame);

  return (
    <section aria-labelledby="scrub-heading">
      <h1 id="scrub-heading" className="view-title">
        Scrub
      </h1>
      <div className="toolbar">
        <CameraDayControls cameras={cameras.data} camera={camera} day={shownDay} today={today} onChange={onControls} />
        <fieldset className="segmented" aria-label="Timeline span">
          {(Object.keys(SPANS) as SpanKey[]).map((key) => (
            <button
              key={key}
              type="button"
              aria-pressed={key === span}
              onClick={() => {
                setCenter(requestedMs);
                navigate(
                  { view: 'scrub', ...(camera ? { camera } : {}), day: shownDay, at: requestedMs, span: key },
                  { replace: true },
                );
              }}
            >
              {SPAN_LABELS[key]}
            </button>
          ))}
        </fieldset>
      </div>
      {cameras.error && !cameras.data ? <ApiErrorNotice error={cameras.error} what="the cameras" /> : null}
      {!camera && cameras.data?.length === 0 ? (
        <Notice tone="empty" title="No cameras yet">
          There is nothing to scrub until a camera has recorded footage.
        </Notice>
      ) : null}

      <Timeline
        timeWindow={timeWindow}
        requestedMs={requestedMs}
        frameMs={frame?.timeMs ?? null}
        onPoint={setRequestedMs}
        onCommit={commit}
        maxMs={maxMs}
        coverage={coverage}
      />
      <p className="hint">
        <span className="legend-footage" aria-hidden="true" /> footage. Point at the timeline or drag along it; ← → and
        PageUp/PageDown move in time once it has focus.
      </p>

      <div
        className="scrub-result"
        data-testid="scrub-result"
        data-status={result.status}
        data-requested-ms={result.status === 'idle' ? undefined : result.requestedMs}
        data-frame-ms={frame?.timeMs}
        data-distance-s={frame?.distanceSeconds}
        aria-live="polite"
      >
        <dl className="facts">
          <div>
            <dt>Requested</dt>
            <dd data-testid="scrub-requested">{formatClock(requestedMs, { withMs: true })}</dd>
          </div>
          <div>
            <dt>Closest frame</dt>
            <dd data-testid="scrub-frame-time">{frame ? formatClock(frame.timeMs, { withMs: true }) : '—'}</dd>
          </div>
          <div>
            <dt>Distance</dt>
            <dd data-testid="scrub-distance">
              {frame && result.status === 'done' ? formatDistance(frame.timeMs, result.requestedMs) : '—'}
            </dd>
          </div>
        </dl>
        {result.status === 'failed' ? <ApiErrorNotice error={result.error} what="the closest frame" /> : null}
        {result.status === 'done' && !frame ? (
          <Notice tone="empty" title={`No frames from ${camera ?? 'this camera'} at all`}>
            The index has no frame for this camera, at any time.
          </Notice>
        ) : null}
        {result.status === 'idle' && camera ? <Notice tone="loading" title="Finding the closest frame…" /> : null}
        {frame ? (
          <figure className="stage">
            {shown.src && shown.shown ? (
              <img
                src={shown.src}
                alt={`Closest frame to ${formatClock(result.status === 'done' ? result.requestedMs : requestedMs)}`}
                data-testid="scrub-image"
              />
            ) : (
              <p className="tile-placeholder">Loading frame…</p>
            )}
            <figcaption>
              {dayOf(frame.timeMs) !== shownDay ? `${dayOf(frame.timeMs)} ` : ''}
              {formatClock(frame.timeMs, { withMs: true })}
              {frame.location ? ` · ${frame.location}` : ''} ·{' '}
              <RouteLink
                to={{
                  view: 'clip',
                  camera: frame.camera,
                  from: clipStartFor(frame.timeMs, dayBounds(dayOf(frame.timeMs)).startMs, 10),
                  minutes: 10,
                  frame: frame.timeMs,
                }}
              >
                Open its clip
              </RouteLink>
            </figcaption>
          </figure>
        ) : null}
      </div>
    </section>
  );
}
