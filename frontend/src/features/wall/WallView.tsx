import { useCallback, useEffect, useRef, useState } from 'react';
import { getWall, type Wall } from '../../api/wall';
import type { Route } from '../../app/route';
import { useRouter } from '../../app/router';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { useNow } from '../../lib/hooks';
import { dayBounds, dayOf, formatClock, formatDuration } from '../../lib/time';
import { HOUR_MS } from '../clips/day-layout';
import { type LatestOnly, latestOnly } from '../scrub/latest-only';
import { Timeline } from '../scrub/Timeline';
import { SPANS, type SpanKey, viewWindow } from '../scrub/timeline-math';
import { useWallLayout } from './use-wall-layout';
import { WallTile } from './WallTile';
import {
  answerMayChange,
  FAR_FRAME_SECONDS,
  isFarFrame,
  isLiveWall,
  LIVE_LAG_MS,
  liveInstant,
  msToNextLiveTick,
  NEAR_WITHIN_SECONDS,
  openingInstant,
  WALL_SPAN_LABELS,
  wallKeyStep,
} from './wall-math';

type WallRoute = Extract<Route, { view: 'wall' }>;

type WallResult =
  | { status: 'idle' }
  | { status: 'done'; instantMs: number; askedAtMs: number; wall: Wall }
  /** The last wall shown stays, dimmed, under the error. */
  | { status: 'failed'; instantMs: number; error: unknown; last: { instantMs: number; wall: Wall } | null };

/** A focused control keeps its own keys; anywhere else on the page the wall's keys move the moment. */
function keysAreForTheWall(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return true;
  if (target.isContentEditable) return false;
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return false;
  return target.getAttribute('role') !== 'slider';
}

/**
 * Every camera's frame at one instant, scrubbed together on one timeline. Each instant is one
 * /wall request for all cameras; while the moment moves faster than answers come back, only the
 * newest is asked next (latestOnly). Live mode follows now, LIVE_LAG_MS behind.
 */
export function WallView({ day, at, span }: Omit<WallRoute, 'view'>) {
  const client = useApiClient();
  const { navigate } = useRouter();
  const now = useNow(1000);
  const today = dayOf(now);
  const live = isLiveWall({ day, at }, today);

  const [instantMs, setInstantMs] = useState(() => openingInstant({ day, at }, dayOf(Date.now()), Date.now()));
  const [center, setCenter] = useState(instantMs);
  // Today's timeline ends a little after now, as of opening, as in the scrub view; moving later extends it.
  const [openedAt] = useState(() => Date.now());
  const [result, setResult] = useState<WallResult>({ status: 'idle' });

  // The instant's own day: keys past midnight or live mode at midnight move the timeline with it.
  const bounds = dayBounds(dayOf(instantMs));
  const maxMs = Math.min(bounds.endMs, now);
  const visible = {
    startMs: bounds.startMs,
    endMs: Math.min(bounds.endMs, Math.max(openedAt, center) + SPANS[span] / 20),
  };
  const timeWindow = viewWindow(visible, center, SPANS[span]);
  // An instant outside the window (live time running on, keys, history) recentres it; the
  // window always holds its own centre, so this settles at once.
  if (instantMs < timeWindow.startMs || instantMs > timeWindow.endMs) setCenter(instantMs);

  // A moment in the URL changed from outside (back and forward): show it.
  useEffect(() => {
    if (at !== undefined) setInstantMs(at);
  }, [at]);

  // A pointer pressed on the timeline: in live mode, hovering does not stop following now, dragging does.
  const pointing = useRef(false);
  useEffect(() => {
    if (!live) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const nowMs = Date.now();
      if (!pointing.current) setInstantMs(liveInstant(nowMs));
      timer = setTimeout(tick, msToNextLiveTick(nowMs));
    };
    tick();
    return () => clearTimeout(timer);
  }, [live]);

  const [runner, setRunner] = useState<LatestOnly<number> | null>(null);
  useEffect(() => {
    const created = latestOnly(
      async (ms: number, signal) => {
        const askedAtMs = Date.now();
        const wall = await getWall(client, { atMs: ms, withinSeconds: NEAR_WITHIN_SECONDS }, signal);
        return { askedAtMs, wall };
      },
      (ms, outcome) =>
        setResult((previous) => {
          if (outcome.ok) return { status: 'done', instantMs: ms, ...outcome.value };
          const last =
            previous.status === 'done'
              ? { instantMs: previous.instantMs, wall: previous.wall }
              : previous.status === 'failed'
                ? previous.last
                : null;
          return { status: 'failed', instantMs: ms, error: outcome.error, last };
        }),
    );
    setRunner(created);
    return () => created.dispose();
  }, [client]);
  useEffect(() => runner?.request(instantMs), [runner, instantMs]);

  // A paused moment so recent that frames near it may still be on their way is asked again.
  const answered = result.status === 'done' ? result : null;
  useEffect(() => {
    if (live || !answered || answered.instantMs !== instantMs) return;
    if (answerMayChange(answered.instantMs, answered.askedAtMs) && now - answered.askedAtMs >= 1000) {
      runner?.request(instantMs);
    }
  }, [live, answered, instantMs, now, runner]);

  const latest = useRef({ instantMs, span, navigate, maxMs });
  latest.current = { instantMs, span, navigate, maxMs };

  /** A moment chosen (a drag let go, a key, a click): remembered in the URL, and live mode ends. */
  const commit = useCallback((ms: number) => {
    const { navigate: go, span: currentSpan } = latest.current;
    setInstantMs(ms);
    go({ view: 'wall', day: dayOf(ms), at: ms, span: currentSpan }, { replace: true });
  }, []);

  const onPoint = useCallback(
    (ms: number) => {
      if (live && !pointing.current) return;
      setInstantMs(ms);
    },
    [live],
  );

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // The timeline slider handles its own keys (and prevents their default).
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (!keysAreForTheWall(event.target)) return;
      const step = wallKeyStep(event.key, event.shiftKey, SPANS[latest.current.span]);
      if (step === null) return;
      event.preventDefault();
      commit(Math.min(Math.max(latest.current.instantMs + step, 0), latest.current.maxMs));
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [commit]);

  const goLive = () => navigate({ view: 'wall', span });
  const onSpan = (key: SpanKey) => {
    setCenter(instantMs);
    navigate(live ? { view: 'wall', span: key } : { view: 'wall', day: dayOf(instantMs), at: instantMs, span: key }, {
      replace: true,
    });
  };
  const onDay = (value: string) => {
    if (!value) return;
    if (value === today) {
      goLive();
      return;
    }
    const noon = Math.min(dayBounds(value).startMs + 12 * HOUR_MS, Date.now());
    setCenter(noon);
    commit(noon);
  };

  const shown = result.status === 'done' ? result : result.status === 'failed' ? result.last : null;
  const cameras = shown?.wall.cameras ?? [];
  const [gridRef, layout] = useWallLayout(cameras.length);
  const farCount = cameras.filter((c) => c.frame && isFarFrame(c.frame.distanceSeconds)).length;
  const emptyCount = cameras.filter((c) => !c.frame).length;
  const upToDate = result.status === 'done' && result.instantMs === instantMs;

  return (
    <section aria-labelledby="wall-heading">
      <h1 id="wall-heading" className="view-title">
        Wall
      </h1>
      <div className="toolbar">
        <button
          type="button"
          className={live ? 'primary' : undefined}
          aria-pressed={live}
          onClick={goLive}
          data-testid="wall-live"
        >
          {live ? 'Live' : 'Go live'}
        </button>
        <label>
          <span>Day</span>
          <input type="date" value={dayOf(instantMs)} max={today} onChange={(e) => onDay(e.target.value)} />
        </label>
        <fieldset className="segmented" aria-label="Timeline span">
          {(Object.keys(SPANS) as SpanKey[]).map((key) => (
            <button key={key} type="button" aria-pressed={key === span} onClick={() => onSpan(key)}>
              {WALL_SPAN_LABELS[key]}
            </button>
          ))}
        </fieldset>
      </div>

      <div
        onPointerDownCapture={() => {
          pointing.current = true;
        }}
        onPointerUpCapture={() => {
          pointing.current = false;
        }}
        onPointerCancelCapture={() => {
          pointing.current = false;
        }}
      >
        <Timeline
          timeWindow={timeWindow}
          requestedMs={instantMs}
          frameMs={null}
          onPoint={onPoint}
          onCommit={commit}
          maxMs={maxMs}
          coverage={[]}
        />
      </div>
      <p className="hint">
        Point at the timeline or drag along it to move every camera together; ← → and PageUp/PageDown step through time.{' '}
        {live ? `Live: following now, ${formatDuration(LIVE_LAG_MS)} behind so that every camera's frame is in.` : ''}
      </p>

      <div
        className="wall-status"
        data-testid="wall"
        data-live={live}
        data-instant-ms={instantMs}
        data-status={upToDate ? 'done' : result.status === 'failed' ? 'failed' : 'loading'}
        data-shown-ms={shown?.instantMs}
        data-columns={layout.columns}
        // Live mode changes the moment every second: announcing each would drown everything else.
        aria-live={live ? 'off' : 'polite'}
      >
        <dl className="facts">
          <div>
            <dt>Moment</dt>
            <dd data-testid="wall-instant">
              {dayOf(instantMs) !== today ? `${dayOf(instantMs)} ` : ''}
              {formatClock(instantMs, { withMs: true })}
            </dd>
          </div>
          <div>
            <dt>Cameras</dt>
            <dd>{shown ? cameras.length : '—'}</dd>
          </div>
          <div>
            <dt>More than {FAR_FRAME_SECONDS} s away</dt>
            <dd data-testid="wall-far-count">{shown ? farCount : '—'}</dd>
          </div>
          <div>
            <dt>No frame near</dt>
            <dd data-testid="wall-empty-count">{shown ? emptyCount : '—'}</dd>
          </div>
        </dl>
        {live ? (
          <span className="badge badge-online" data-testid="wall-live-badge">
            Live
          </span>
        ) : null}
      </div>

      {result.status === 'failed' ? (
        <ApiErrorNotice error={result.error} what="the camera wall" stale={!!shown} />
      ) : null}
      {result.status === 'idle' ? <Notice tone="loading" title="Loading every camera's frame…" /> : null}
      {shown && cameras.length === 0 ? (
        <Notice tone="empty" title="No cameras yet">
          A camera appears on the wall as soon as the feed-handler has recorded its first frame.
        </Notice>
      ) : null}
      <div
        ref={gridRef}
        className={`wall-grid${result.status === 'failed' ? ' is-stale' : ''}`}
        style={{
          gridTemplateColumns: `repeat(${layout.columns}, minmax(0, ${layout.tileWidthPx === null ? '1fr' : `${layout.tileWidthPx}px`}))`,
        }}
        data-testid="wall-grid"
      >
        {shown
          ? cameras.map((entry) => (
              <WallTile key={entry.camera} entry={entry} instantMs={shown.instantMs} span={span} />
            ))
          : null}
      </div>
    </section>
  );
}
