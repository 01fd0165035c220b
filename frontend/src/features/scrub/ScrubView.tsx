import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  DEFAULT_MIN_MOTION,
  getMotionJump,
  type MotionDirection,
  type MovingFrame,
  type Region,
} from '../../api/activity';
import { type ClosestFrame, getClosestThumbnail } from '../../api/thumbnails';
import { useCameras } from '../../api/use-cameras';
import type { Route } from '../../app/route';
import { RouteLink, useRouter } from '../../app/router';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { useLoadedImage } from '../../components/ApiImage';
import { CameraDayControls } from '../../components/CameraDayControls';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { useNow } from '../../lib/hooks';
import { dayBounds, dayOf, formatClock, formatDistance } from '../../lib/time';
import { ActivityStrip } from '../activity/ActivityStrip';
import { DEFAULT_ZOOM, stripSpan, ZOOMS, type ZoomKey } from '../activity/activity-math';
import { JUMP_KEYS, type JumpState, MotionSearch } from '../activity/MotionSearch';
import { RegionPicker } from '../activity/RegionPicker';
import { clipStartFor, HOUR_MS } from '../clips/day-layout';
import { ExportTimelapse } from '../export/ExportTimelapse';
import { type LatestOnly, latestOnly } from './latest-only';
import { Timeline } from './Timeline';
import { SPANS, type SpanKey, viewWindow } from './timeline-math';
import { useCoverage } from './use-coverage';

type Result =
  | { status: 'idle' }
  | { status: 'done'; requestedMs: number; frame: ClosestFrame | null }
  | { status: 'failed'; requestedMs: number; error: unknown };

const SPAN_LABELS: Record<SpanKey, string> = { '24h': '24 h', '6h': '6 h', '1h': '1 h', '10m': '10 min' };

type ScrubRoute = Extract<Route, { view: 'scrub' }>;

interface StripPlacement {
  camera: string | undefined;
  zoom: ZoomKey;
  anchorMs: number;
  nowMs: number;
}

/**
 * Where the activity strip was, kept across the remount that a move to another
 * day causes, so that clicking a multi-day strip does not shift it under the pointer.
 */
let lastStrip: StripPlacement | null = null;
/** The last motion found, so its message survives that remount too. */
let lastJump: Extract<JumpState, { status: 'found' }> | null = null;

function initialStrip(camera: string | undefined, zoom: ZoomKey, atMs: number, nowMs: number): StripPlacement {
  const kept = lastStrip;
  if (kept && kept.camera === camera && kept.zoom === zoom && nowMs - kept.nowMs < 10 * 60_000) {
    const span = stripSpan(kept.anchorMs, ZOOMS[zoom], kept.nowMs);
    if (atMs >= span.startMs && atMs <= span.endMs) return kept;
  }
  return { camera, zoom, anchorMs: atMs, nowMs };
}

export function ScrubView({ camera, day, at, span, zoom, min, region }: Omit<ScrubRoute, 'view'>) {
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
  const zoomKey = zoom ?? DEFAULT_ZOOM;
  const minMotion = min ?? DEFAULT_MIN_MOTION;
  const [strip, setStrip] = useState(() => initialStrip(camera, zoomKey, initialAt, Date.now()));
  useEffect(() => {
    lastStrip = strip;
  }, [strip]);
  // A zoom changed from outside (history) places the strip afresh.
  if (strip.zoom !== zoomKey) setStrip({ camera, zoom: zoomKey, anchorMs: requestedMs, nowMs: Date.now() });
  const [jump, setJump] = useState<JumpState>(() =>
    lastJump && at !== undefined && lastJump.frame.timeMs === at ? lastJump : { status: 'idle' },
  );
  const [drawing, setDrawing] = useState(false);

  // Made in an effect, not useMemo: StrictMode's mount, cleanup, mount in development would
  // otherwise dispose the one runner and keep it, and the view would answer nothing.
  const [runner, setRunner] = useState<LatestOnly<number> | null>(null);
  useEffect(() => {
    if (!camera) {
      setRunner(null);
      return;
    }
    const created = latestOnly(
      (ms: number, signal) => getClosestThumbnail(client, { camera, atMs: ms }, signal),
      (ms, outcome) =>
        setResult(
          outcome.ok
            ? { status: 'done', requestedMs: ms, frame: outcome.value }
            : { status: 'failed', requestedMs: ms, error: outcome.error },
        ),
    );
    setRunner(created);
    return () => created.dispose();
  }, [client, camera]);
  useEffect(() => runner?.request(requestedMs), [runner, requestedMs]);

  const route: Omit<ScrubRoute, 'view'> = { camera, day, at, span, zoom, min, region };
  const latest = useRef({ route, navigate, timeWindow, strip, requestedMs });
  latest.current = { route, navigate, timeWindow, strip, requestedMs };
  /** The scrub route with some parameters changed; the motion search and zoom always carry over. */
  const routeWith = useCallback((patch: Partial<Omit<ScrubRoute, 'view'>>): ScrubRoute => {
    const merged = { ...latest.current.route, ...patch };
    const clean = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
    return { view: 'scrub', ...(clean as Omit<ScrubRoute, 'view'>) };
  }, []);
  const commit = useCallback(
    (ms: number) => {
      const { navigate: go, timeWindow: w, strip: placed } = latest.current;
      setRequestedMs(ms);
      // Keys can move past the edge of the timeWindow: then it recentres on the new moment.
      if (ms < w.startMs || ms > w.endMs) setCenter(ms);
      // The activity strip moves only when the moment leaves it.
      const shown = stripSpan(placed.anchorMs, ZOOMS[placed.zoom], placed.nowMs);
      if (ms < shown.startMs || ms > shown.endMs) setStrip({ ...placed, anchorMs: ms, nowMs: Date.now() });
      // Leaving the day (keys past midnight, the strip, a motion jump) moves to that day.
      go(routeWith({ day: dayOf(ms), at: ms }), { replace: true });
    },
    [routeWith],
  );

  const onControls = useCallback(
    (next: { camera?: string; day: string }, options?: { replace?: boolean }) =>
      navigate(routeWith({ camera: undefined, at: undefined, ...next }), options),
    [navigate, routeWith],
  );

  const onZoom = useCallback(
    (key: ZoomKey) => {
      const { requestedMs: ms, navigate: go } = latest.current;
      setStrip({ camera, zoom: key, anchorMs: ms, nowMs: Date.now() });
      go(routeWith({ zoom: key, at: ms }), { replace: true });
    },
    [camera, routeWith],
  );
  const onMin = useCallback(
    (value: number) =>
      navigate(routeWith({ min: value === DEFAULT_MIN_MOTION ? undefined : value }), { replace: true }),
    [navigate, routeWith],
  );
  const onRegion = useCallback(
    (value: Region | null) => {
      setDrawing(false);
      navigate(routeWith({ region: value ?? undefined }), { replace: true });
    },
    [navigate, routeWith],
  );

  const searching = useRef<AbortController | null>(null);
  useEffect(() => () => searching.current?.abort(), []);
  const onJump = useCallback(
    async (dir: MotionDirection) => {
      const { route: r, requestedMs: fromMs } = latest.current;
      if (!r.camera || searching.current) return;
      const controller = new AbortController();
      searching.current = controller;
      const minValue = r.min ?? DEFAULT_MIN_MOTION;
      setJump({ status: 'searching', dir, fromMs });
      try {
        const frame: MovingFrame | null = await getMotionJump(
          client,
          { camera: r.camera, atMs: fromMs, dir, min: minValue, region: r.region ?? null },
          controller.signal,
        );
        if (controller.signal.aborted) return;
        if (frame) {
          const found = { status: 'found' as const, dir, fromMs, frame };
          lastJump = found;
          setJump(found);
          commit(frame.timeMs);
        } else {
          setJump({ status: 'none', dir, fromMs, min: minValue, region: r.region ?? null });
        }
      } catch (error) {
        if (!controller.signal.aborted) setJump({ status: 'failed', dir, fromMs, error });
      } finally {
        if (searching.current === controller) searching.current = null;
      }
    },
    [client, commit],
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
                navigate(routeWith({ day: shownDay, at: requestedMs, span: key }), { replace: true });
              }}
            >
              {SPAN_LABELS[key]}
            </button>
          ))}
        </fieldset>
        <ExportTimelapse
          camera={camera}
          range={{ fromMs: timeWindow.startMs, toMs: Math.min(timeWindow.endMs, maxMs) }}
          scope="the timeline's window"
          minMotion={minMotion}
        />
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

      <ActivityStrip
        camera={camera}
        zoom={strip.zoom}
        onZoom={onZoom}
        anchorMs={strip.anchorMs}
        nowMs={strip.nowMs}
        maxMs={now}
        requestedMs={requestedMs}
        min={minMotion}
        highlight={timeWindow}
        onPoint={setRequestedMs}
        onCommit={commit}
      />
      <p className="hint">
        <span className="legend-heat" aria-hidden="true" /> motion (faded: below the minimum),{' '}
        <span className="legend-gap" aria-hidden="true" /> no footage. Click the strip to go there;{' '}
        <kbd>{JUMP_KEYS.prev}</kbd> and <kbd>{JUMP_KEYS.next}</kbd> jump to the previous and next motion.
      </p>
      <MotionSearch
        jump={jump}
        onJump={onJump}
        enabled={Boolean(camera)}
        min={minMotion}
        onMin={onMin}
        region={region ?? null}
        onRegion={onRegion}
        drawing={drawing}
        onDrawing={setDrawing}
        day={shownDay}
      />

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
              <RegionPicker
                src={shown.src}
                alt={`Closest frame to ${formatClock(result.status === 'done' ? result.requestedMs : requestedMs)}`}
                region={region ?? null}
                drawing={drawing}
                onRegion={onRegion}
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
