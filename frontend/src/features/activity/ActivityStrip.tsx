import {
  type CSSProperties,
  type KeyboardEvent,
  type PointerEvent,
  type RefObject,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { ActivityRow, MotionEvent } from '../../api/activity';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { formatClock } from '../../lib/time';
import {
  chipRoomPx,
  describeBucket,
  describeLabelledEvent,
  eventsWindow,
  fractionAt,
  heatColor,
  labelledEvents,
  labelsDuring,
  planStrip,
  type Span,
  type StripPlan,
  stripSpan,
  stripTicks,
  tickLabel,
  timeAtFraction,
  ZOOM_LABELS,
  ZOOMS,
  type ZoomKey,
} from './activity-math';
import { useActivityEvents } from './use-activity-events';
import { useActivityRow } from './use-activity-row';

const localOffsetMs = (ms: number) => -new Date(ms).getTimezoneOffset() * 60_000;
/** Rows reaching now are reloaded this often, so the newest buckets fill in. */
const LIVE_REFRESH_MS = 30_000;

/** The element's width, rounded down to 50 px so a scrollbar appearing does not ask for a new row. */
function useQuantisedWidth<E extends HTMLElement>(): [RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.floor(element.clientWidth / 50) * 50);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * A heatmap row of one camera's motion under the scrub timeline, with its own
 * zoom (10 min to 30 days). Pointing at it or dragging along it previews a
 * moment; letting go (or the keyboard) moves the requested moment there.
 */
export function ActivityStrip({
  camera,
  zoom,
  onZoom,
  anchorMs,
  nowMs,
  maxMs,
  requestedMs,
  min,
  highlight,
  onPoint,
  onCommit,
}: {
  camera: string | undefined;
  zoom: ZoomKey;
  onZoom: (zoom: ZoomKey) => void;
  /** The strip is centred here (or ends at `nowMs`). */
  anchorMs: number;
  /** "Now" as of when the strip was placed: it never reaches past it. */
  nowMs: number;
  /** The latest moment that can be picked. */
  maxMs: number;
  requestedMs: number;
  /** Motion below this is drawn faded. */
  min: number;
  /** The timeline's window, outlined on the strip. */
  highlight: Span | null;
  onPoint: (ms: number) => void;
  onCommit: (ms: number) => void;
}) {
  const [track, width] = useQuantisedWidth<HTMLDivElement>();
  const span = stripSpan(anchorMs, ZOOMS[zoom], nowMs);
  const plan = width > 0 ? planStrip(span, width, localOffsetMs) : null;
  const live = plan !== null && plan.toMs >= nowMs;
  const state = useActivityRow(camera, plan, live ? LIVE_REFRESH_MS : null);
  const row = state.data ?? null;
  // The events of a strip up to a day or so long, for what the object detector saw in them.
  const events = useActivityEvents(camera, eventsWindow(plan), min, live ? LIVE_REFRESH_MS : null);
  const labelled = useMemo(() => labelledEvents(events.data ?? []), [events.data]);
  const [hovered, setHovered] = useState<number | null>(null);
  const dragging = useRef(false);

  const timeAt = (event: PointerEvent<HTMLDivElement>) => {
    if (!plan) return requestedMs;
    const rect = event.currentTarget.getBoundingClientRect();
    const fraction = rect.width > 0 ? (event.clientX - rect.left) / rect.width : 0;
    return timeAtFraction(plan, fraction, maxMs);
  };
  const bucketAt = (ms: number) => (plan ? Math.floor((ms - plan.fromMs) / plan.bucketMs) : null);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (!plan || event.button > 0) return;
    dragging.current = true;
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    onPoint(timeAt(event));
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const ms = timeAt(event);
    setHovered(bucketAt(ms));
    if (dragging.current) onPoint(ms);
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (!dragging.current) return;
    dragging.current = false;
    onCommit(timeAt(event));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!plan) return;
    const step = plan.bucketMs;
    const moves: Record<string, number> = {
      ArrowLeft: -step * (event.shiftKey ? 10 : 1),
      ArrowRight: step * (event.shiftKey ? 10 : 1),
      ArrowDown: -step,
      ArrowUp: step,
      PageDown: -10 * step,
      PageUp: 10 * step,
    };
    let next: number | undefined;
    if (event.key in moves) next = requestedMs + (moves[event.key] ?? 0);
    else if (event.key === 'Home') next = plan.fromMs;
    else if (event.key === 'End') next = Math.min(plan.toMs, maxMs);
    if (next === undefined) return;
    event.preventDefault();
    const bounded = Math.min(Math.max(next, 0), maxMs);
    onPoint(bounded);
    onCommit(bounded);
  };

  const at = (ms: number) => (plan ? `${Math.min(Math.max(fractionAt(plan, ms), 0), 1) * 100}%` : '0%');
  // Labels too close to an edge would be cut off.
  const marks = plan
    ? stripTicks({ startMs: plan.fromMs, endMs: plan.toMs }, Math.max(2, Math.floor(width / 90)), localOffsetMs).filter(
        (ms) => fractionAt(plan, ms) > 0.025 && fractionAt(plan, ms) < 0.975,
      )
    : [];
  const shownRow = row && plan && row.fromMs === plan.fromMs && row.max.length === plan.buckets ? row : null;
  const readoutIndex = hovered ?? bucketAt(requestedMs);
  const bucketReadout =
    shownRow && plan && readoutIndex !== null && readoutIndex >= 0 && readoutIndex < shownRow.max.length
      ? describeBucket(shownRow, plan, readoutIndex, nowMs)
      : null;
  const seen =
    bucketReadout && plan && readoutIndex !== null
      ? labelsDuring(
          labelled,
          plan.fromMs + readoutIndex * plan.bucketMs,
          plan.fromMs + (readoutIndex + 1) * plan.bucketMs,
        )
      : [];
  const readout = bucketReadout && seen.length > 0 ? `${bucketReadout}; seen: ${seen.join(', ')}` : bucketReadout;
  const buckets = useMemo(
    () => (shownRow ? <Buckets row={shownRow} nowMs={nowMs} min={min} /> : null),
    [shownRow, nowMs, min],
  );
  const status = !camera ? 'idle' : state.error && !shownRow ? 'failed' : shownRow ? 'done' : 'loading';
  const showHighlight =
    plan && highlight && highlight.endMs - highlight.startMs < (plan.toMs - plan.fromMs) * 0.9 ? highlight : null;

  return (
    <section className="activity" aria-labelledby="activity-heading">
      <div className="activity-head">
        <h2 id="activity-heading" className="activity-title">
          Activity
        </h2>
        <fieldset className="segmented" aria-label="Activity zoom">
          {(Object.keys(ZOOMS) as ZoomKey[]).map((key) => (
            <button
              key={key}
              type="button"
              aria-pressed={key === zoom}
              onClick={() => onZoom(key)}
              data-testid={`zoom-${key}`}
              title={`Show ${ZOOM_LABELS[key]} of activity`}
            >
              {ZOOM_LABELS[key]}
            </button>
          ))}
        </fieldset>
      </div>
      <div className="activity-track-wrap">
        <div
          ref={track}
          className="activity-strip"
          role="slider"
          tabIndex={0}
          aria-label={`Activity over ${ZOOM_LABELS[zoom]}: moment to show`}
          aria-valuemin={plan?.fromMs}
          aria-valuemax={plan ? Math.min(plan.toMs, maxMs) : undefined}
          aria-valuenow={requestedMs}
          aria-valuetext={readout ?? formatClock(requestedMs)}
          aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown Home End"
          aria-busy={status === 'loading'}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => setHovered(null)}
          onPointerCancel={() => {
            dragging.current = false;
          }}
          onKeyDown={onKeyDown}
          data-testid="activity-strip"
          data-status={status}
          data-zoom={zoom}
          data-from-ms={plan?.fromMs}
          data-to-ms={plan?.toMs}
          data-bucket-ms={plan?.bucketMs}
          data-source={shownRow?.source}
        >
          <div className="activity-buckets" aria-hidden="true">
            {buckets}
          </div>
          {plan && labelled.length > 0 ? <EventChips events={labelled} plan={plan} widthPx={width} /> : null}
          {showHighlight ? (
            <div
              className="activity-window"
              style={{
                left: at(showHighlight.startMs),
                width: `${(Math.min(Math.max(fractionAt(plan as StripPlan, showHighlight.endMs), 0), 1) - Math.min(Math.max(fractionAt(plan as StripPlan, showHighlight.startMs), 0), 1)) * 100}%`,
              }}
              aria-hidden="true"
            />
          ) : null}
          {plan && requestedMs >= plan.fromMs && requestedMs <= plan.toMs ? (
            <div className="activity-cursor" style={{ left: at(requestedMs) }} aria-hidden="true" />
          ) : null}
          {status === 'loading' ? <span className="activity-loading">Loading activity…</span> : null}
        </div>
        <div className="activity-ticks" aria-hidden="true">
          {marks.map((ms) => (
            <span key={ms} style={{ left: at(ms) }}>
              {tickLabel(ms)}
            </span>
          ))}
        </div>
      </div>
      <p className="activity-readout" data-testid="activity-readout" aria-live="off">
        {readout ?? (status === 'loading' ? 'Loading activity…' : '\u00a0')}
      </p>
      {status === 'failed' ? <ApiErrorNotice error={state.error} what="the activity of this camera" /> : null}
    </section>
  );
}

/** The row's buckets, drawn once per row (not on every pointer move). */
function Buckets({ row, nowMs, min }: { row: ActivityRow; nowMs: number; min: number }) {
  return row.max.map((max, i) => {
    const startMs = row.fromMs + i * row.bucketMs;
    const coverage = row.coverage[i] ?? 0;
    const future = startMs >= nowMs;
    const kind = future ? 'future' : coverage === 0 ? 'gap' : coverage < 1 ? 'partial' : 'full';
    const color = heatColor(max, { belowMin: max !== null && max < min });
    const style = {
      ...(color ? { backgroundColor: color } : {}),
      ...(kind === 'partial' ? { '--missing': `${Math.round((1 - coverage) * 100)}%` } : {}),
    } as CSSProperties;
    return (
      <div
        key={startMs}
        className={`activity-bucket activity-${kind}`}
        style={style}
        data-testid="activity-bucket"
        data-start-ms={startMs}
        data-end-ms={startMs + row.bucketMs}
        data-max={max ?? ''}
        data-coverage={coverage}
      />
    );
  });
}

/**
 * Events in which the object detector saw something: a bar over the event with a chip naming
 * what was seen (just a mark where the next chip is too close), its tooltip listing the labels.
 */
function EventChips({ events, plan, widthPx }: { events: MotionEvent[]; plan: StripPlan; widthPx: number }) {
  const clamp = (f: number) => Math.min(Math.max(f, 0), 1);
  const inside = events.filter((e) => e.endMs >= plan.fromMs && e.startMs < plan.toMs);
  const starts = inside.map((e) => clamp(fractionAt(plan, e.startMs)));
  const room = chipRoomPx(starts, widthPx);
  return (
    <div className="activity-events" aria-hidden="true">
      {inside.map((event, i) => {
        const left = starts[i] as number;
        const right = clamp(fractionAt(plan, event.endMs));
        const more = event.labels.length > 1 ? ` +${event.labels.length - 1}` : '';
        const roomy = (room[i] ?? 0) >= 40;
        return (
          <span
            key={event.startMs}
            className="activity-event"
            style={{ left: `${left * 100}%`, width: `${(right - left) * 100}%` }}
            title={describeLabelledEvent(event)}
            data-testid="activity-event"
            data-start-ms={event.startMs}
            data-end-ms={event.endMs}
            data-labels={event.labels.join(',')}
          >
            <span className={`activity-event-chip${roomy ? '' : ' is-compact'}`}>
              {roomy ? `${event.labels[0]}${more}` : ''}
            </span>
          </span>
        );
      })}
    </div>
  );
}
