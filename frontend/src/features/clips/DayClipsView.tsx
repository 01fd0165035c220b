import { useCallback, useEffect, useMemo, useRef } from 'react';
import { DEFAULT_MIN_MOTION, formatMotionPercent } from '../../api/activity';
import { useCameras } from '../../api/use-cameras';
import type { Route } from '../../app/route';
import { RouteLink, useRouter } from '../../app/router';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { LazyApiImage } from '../../components/ApiImage';
import { CameraDayControls } from '../../components/CameraDayControls';
import { Notice } from '../../components/Notice';
import { useNearViewport } from '../../lib/hooks';
import { dayBounds, dayOf, formatClock, formatDuration, formatHourMinute } from '../../lib/time';
import { MinMotionSlider } from '../activity/MinMotionSlider';
import { Sparkline } from '../activity/Sparkline';
import { ExportTimelapse } from '../export/ExportTimelapse';
import { type ClipActivity, onlyClipsWithMotion, type ShownItem, sliceActivity } from './clip-activity';
import { CLIP_MINUTES, HOUR_MS, type Interval } from './day-layout';
import { useDayActivity } from './use-day-activity';
import { useDayClips } from './use-day-clips';

type ClipsRoute = Extract<Route, { view: 'clips' }>;

export function DayClipsView({ camera, day, minutes, onlyMotion, min }: Omit<ClipsRoute, 'view'>) {
  const { navigate } = useRouter();
  const cameras = useCameras(30_000);
  const today = dayOf(Date.now());
  const shownDay = day ?? today;
  const { items, checking, requestClip, refresh, asOfMs } = useDayClips(camera, shownDay, minutes);
  const activity = useDayActivity(camera, shownDay, asOfMs);
  const row = activity.data ?? null;
  const minMotion = min ?? DEFAULT_MIN_MOTION;

  const route = { camera, day, minutes, onlyMotion, min };
  const latest = useRef(route);
  latest.current = route;
  /** The clips route with some parameters changed; the motion filter carries over. */
  const routeWith = useCallback((patch: Partial<Omit<ClipsRoute, 'view'>>): ClipsRoute => {
    const merged = { ...latest.current, ...patch };
    const clean = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== false));
    return { view: 'clips', ...(clean as Omit<ClipsRoute, 'view'>) };
  }, []);

  const onChange = useCallback(
    (next: { camera?: string; day: string }, options?: { replace?: boolean }) =>
      navigate(routeWith({ camera: undefined, ...next }), options),
    [navigate, routeWith],
  );

  const activityOf = useCallback((clip: Interval) => (row ? sliceActivity(row, clip.fromMs, clip.toMs) : null), [row]);
  const filtering = Boolean(onlyMotion) && row !== null;
  const shownItems: ShownItem[] = useMemo(
    () => (filtering ? onlyClipsWithMotion(items, activityOf, minMotion) : items),
    [filtering, items, activityOf, minMotion],
  );

  const clips = items.filter((i) => i.kind === 'clip');
  const frames = clips.reduce((sum, c) => sum + (c.kind === 'clip' ? c.summary.count : 0), 0);
  const shownClips = shownItems.filter((i) => i.kind === 'clip').length;
  const pending =
    shownItems.some((i) => i.kind === 'pending' || i.kind === 'checking') || (Boolean(onlyMotion) && activity.loading);
  const future = shownDay > today;
  const wholeDay = useMemo(() => {
    const { startMs, endMs } = dayBounds(shownDay);
    return { fromMs: startMs, toMs: endMs };
  }, [shownDay]);

  return (
    <section aria-labelledby="clips-heading">
      <h1 id="clips-heading" className="view-title">
        Clips
      </h1>
      <div className="toolbar">
        <CameraDayControls cameras={cameras.data} camera={camera} day={shownDay} today={today} onChange={onChange} />
        <label>
          <span>Clip length</span>
          <select
            value={minutes}
            onChange={(e) => navigate(routeWith({ day: shownDay, minutes: Number(e.target.value) }))}
            data-testid="minutes-select"
          >
            {CLIP_MINUTES.map((m) => (
              <option key={m} value={m}>
                {m} min
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={refresh} data-testid="refresh">
          Refresh
        </button>
        <button
          type="button"
          aria-pressed={Boolean(onlyMotion)}
          onClick={() => navigate(routeWith({ onlyMotion: !onlyMotion }), { replace: true })}
          title={`Hide clips in which less than ${formatMotionPercent(minMotion)} of the picture changed`}
          data-testid="only-motion"
        >
          Only clips with motion
        </button>
        <MinMotionSlider
          value={minMotion}
          onChange={(value) =>
            navigate(routeWith({ min: value === DEFAULT_MIN_MOTION ? undefined : value }), { replace: true })
          }
        />
        <ExportTimelapse
          key={`${camera}:${shownDay}`}
          camera={camera}
          range={future ? null : wholeDay}
          scope={`the whole of ${shownDay}`}
          minMotion={minMotion}
        />
      </div>

      {cameras.error && !cameras.data ? <ApiErrorNotice error={cameras.error} what="the cameras" /> : null}
      {!camera && cameras.data?.length === 0 ? (
        <Notice tone="empty" title="No cameras yet">
          Clips appear here once a camera has recorded footage.
        </Notice>
      ) : null}
      {!camera && cameras.loading ? <Notice tone="loading" title="Loading cameras…" /> : null}
      {future ? <Notice tone="empty" title="This day has not started yet" /> : null}
      {onlyMotion && activity.error && !row ? (
        <ApiErrorNotice error={activity.error} what="the motion of this day, so every clip is shown" />
      ) : null}

      {camera && !future ? (
        <>
          <p
            className="summary"
            aria-live="polite"
            data-testid="clips-summary"
            data-loading={pending || checking}
            data-as-of-ms={asOfMs}
          >
            {checking
              ? `Looking for footage from ${camera} on ${shownDay}…`
              : clips.length === 0 && !pending
                ? `No footage from ${camera} on ${shownDay}.`
                : `${clips.length} clip${clips.length === 1 ? '' : 's'} of ${minutes} min, ${frames} frames${
                    pending ? ' so far (more load as you scroll)' : ''
                  }${shownDay === today ? `, as of ${formatClock(asOfMs)}` : ''}.`}
            {onlyMotion && !checking
              ? row
                ? ` Showing ${shownClips} with motion of ${formatMotionPercent(minMotion)} or more.`
                : activity.loading
                  ? ' Checking which clips have motion…'
                  : ''
              : ''}
          </p>
          <ol className="clip-grid" data-testid="clip-grid" data-filter={filtering ? 'motion' : 'none'}>
            {shownItems.map((item) => (
              <DayItemCard
                key={`${item.kind}-${item.fromMs}`}
                item={item}
                camera={camera}
                minutes={minutes}
                requestClip={requestClip}
                onRetry={refresh}
                activity={item.kind === 'clip' ? activityOf(item) : null}
                min={minMotion}
              />
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

/** "14:00–15:00", with seconds when an end is not on a whole minute. */
function range(item: Interval) {
  const fmt = (ms: number) => (ms % 60_000 === 0 ? formatHourMinute(ms) : formatClock(ms));
  // A stretch reaching the next midnight ends at 24:00, not 00:00.
  const end = fmt(item.toMs);
  return `${fmt(item.fromMs)}–${end === '00:00' && item.toMs > item.fromMs ? '24:00' : end}`;
}

function DayItemCard({
  item,
  camera,
  minutes,
  requestClip,
  onRetry,
  activity,
  min,
}: {
  item: ShownItem;
  camera: string;
  minutes: number;
  requestClip: (clip: Interval) => void;
  onRetry: () => void;
  activity: ClipActivity | null;
  min: number;
}) {
  switch (item.kind) {
    case 'clip': {
      const peak =
        activity?.peak !== null && activity?.peak !== undefined
          ? `, peak motion ${formatMotionPercent(activity.peak)}`
          : '';
      return (
        <li
          className="card clip"
          data-testid="clip"
          data-from-ms={item.fromMs}
          data-count={item.summary.count}
          data-peak={activity?.peak ?? undefined}
        >
          <RouteLink
            to={{ view: 'clip', camera, from: item.fromMs, minutes }}
            aria-label={`Clip ${range(item)}, ${item.summary.count} frames${peak}`}
          >
            <LazyApiImage
              url={item.summary.representative.url}
              alt={`Frame at ${formatClock(item.summary.representative.timeMs)}`}
              className="clip-image"
            />
            {activity ? <Sparkline activity={activity} min={min} /> : <span className="sparkline-empty" />}
            <span className="clip-range">
              {formatClock(item.summary.firstMs)}–{formatClock(item.summary.lastMs)}
            </span>
            <span className="clip-meta">
              {item.summary.count} frame{item.summary.count === 1 ? '' : 's'}
              {item.live ? <span className="badge badge-online">recording</span> : null}
            </span>
          </RouteLink>
        </li>
      );
    }
    case 'quiet':
      return (
        <li
          className={`card gap quiet${item.clips > 2 ? ' gap-wide' : ''}`}
          data-testid="quiet"
          data-from-ms={item.fromMs}
          data-to-ms={item.toMs}
          data-clips={item.clips}
        >
          <span className="gap-title">No motion</span>
          <span className="clip-range">{range({ fromMs: item.firstMs, toMs: item.lastMs })}</span>
          <span className="clip-meta">
            {item.clips} clip{item.clips === 1 ? '' : 's'} hidden
          </span>
        </li>
      );
    case 'gap':
      return (
        <li
          className={`card gap${item.toMs - item.fromMs >= HOUR_MS ? ' gap-wide' : ''}`}
          data-testid="gap"
          data-from-ms={item.fromMs}
          data-to-ms={item.toMs}
        >
          <span className="gap-title">No footage</span>
          <span className="clip-range">{range(item)}</span>
          <span className="clip-meta">{formatDuration(item.toMs - item.fromMs)}</span>
        </li>
      );
    case 'pending':
      return <PendingClip item={item} requestClip={requestClip} />;
    case 'checking':
      return (
        <li className="card placeholder gap-wide" data-testid="checking">
          <span className="spinner" aria-hidden="true" /> Checking {range(item)} for footage…
        </li>
      );
    case 'error':
      return (
        <li className="card error gap-wide" data-testid="clip-error" role="alert">
          <span className="gap-title">Could not load {range(item)}</span>
          <span className="clip-meta">{item.message}</span>
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        </li>
      );
  }
}

function PendingClip({ item, requestClip }: { item: Interval; requestClip: (clip: Interval) => void }) {
  const [ref, near] = useNearViewport<HTMLLIElement>('600px');
  useEffect(() => {
    if (near) requestClip({ fromMs: item.fromMs, toMs: item.toMs });
  }, [near, item.fromMs, item.toMs, requestClip]);
  return (
    <li ref={ref} className="card placeholder" data-testid="clip-pending" data-from-ms={item.fromMs}>
      <span className="spinner" aria-hidden="true" /> Loading {range(item)}…
    </li>
  );
}
