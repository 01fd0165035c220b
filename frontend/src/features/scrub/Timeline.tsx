import { type KeyboardEvent, type PointerEvent, useRef } from 'react';
import { formatClock, formatHourMinute } from '../../lib/time';
import { fractionToTime, keyStepMs, pointerFraction, type TimeWindow, ticks, timeToFraction } from './timeline-math';
import type { CoverageBand } from './use-coverage';

const localOffsetMs = (ms: number) => -new Date(ms).getTimezoneOffset() * 60_000;

/**
 * A time track: pointing at it (mouse hover, or drag with mouse, pen or
 * finger) asks for that moment; it is also a keyboard slider.
 */
export function Timeline({
  timeWindow,
  requestedMs,
  frameMs,
  onPoint,
  onCommit,
  maxMs,
  coverage,
}: {
  timeWindow: TimeWindow;
  requestedMs: number;
  frameMs: number | null;
  /** Called continuously while pointing or dragging. */
  onPoint: (ms: number) => void;
  /** Called when a drag ends or a key moved the time: worth remembering in the URL. */
  onCommit: (ms: number) => void;
  /** Nothing exists after this (now, for today). */
  maxMs: number;
  /** Where there is footage, as far as known. */
  coverage: CoverageBand[];
}) {
  const track = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);
  const clamp = (ms: number) => Math.min(Math.max(ms, timeWindow.startMs), Math.min(timeWindow.endMs, maxMs));

  const timeAt = (event: PointerEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return clamp(fractionToTime(pointerFraction(event.clientX, rect.left, rect.width), timeWindow));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    dragging.current = true;
    event.currentTarget.setPointerCapture(event.pointerId);
    track.current?.focus();
    onPoint(timeAt(event));
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    // A mouse previews by hovering; touch and pen only while pressed.
    if (dragging.current || event.pointerType === 'mouse') onPoint(timeAt(event));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (!dragging.current) return;
    dragging.current = false;
    onCommit(timeAt(event));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const span = timeWindow.endMs - timeWindow.startMs;
    const moves: Record<string, number> = {
      ArrowLeft: -keyStepMs(span, event.shiftKey),
      ArrowRight: keyStepMs(span, event.shiftKey),
      ArrowDown: -keyStepMs(span, false),
      ArrowUp: keyStepMs(span, false),
      PageDown: -keyStepMs(span, true),
      PageUp: keyStepMs(span, true),
    };
    let next: number | undefined;
    if (event.key in moves) next = requestedMs + (moves[event.key] ?? 0);
    else if (event.key === 'Home') next = timeWindow.startMs;
    else if (event.key === 'End') next = Math.min(timeWindow.endMs, maxMs);
    if (next === undefined) return;
    event.preventDefault();
    // Keys may leave the timeWindow: the parent recentres it on the committed time.
    const bounded = Math.min(Math.max(next, 0), maxMs);
    onPoint(bounded);
    onCommit(bounded);
  };

  const marks = ticks(timeWindow, 8, localOffsetMs);
  const at = (ms: number) => `${Math.min(Math.max(timeToFraction(ms, timeWindow), 0), 1) * 100}%`;
  const future = maxMs < timeWindow.endMs ? timeToFraction(maxMs, timeWindow) : 1;

  return (
    <div className="timeline">
      <div
        ref={track}
        className="timeline-track"
        role="slider"
        tabIndex={0}
        aria-label="Moment to show"
        aria-valuemin={timeWindow.startMs}
        aria-valuemax={timeWindow.endMs}
        aria-valuenow={requestedMs}
        aria-valuetext={formatClock(requestedMs)}
        aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown Home End"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          dragging.current = false;
        }}
        onKeyDown={onKeyDown}
        data-testid="timeline"
        data-start-ms={timeWindow.startMs}
        data-end-ms={timeWindow.endMs}
      >
        {future < 1 ? (
          <div className="timeline-future" style={{ left: `${Math.max(future, 0) * 100}%` }} aria-hidden="true" />
        ) : null}
        {coverage.map((band) => (
          <div
            key={band.startMs}
            className={band.footage ? 'timeline-footage' : 'timeline-empty'}
            style={{
              left: at(band.startMs),
              width: `${(timeToFraction(band.endMs, timeWindow) - timeToFraction(band.startMs, timeWindow)) * 100}%`,
            }}
            aria-hidden="true"
            data-testid={band.footage ? 'coverage-footage' : undefined}
          />
        ))}
        {marks.map((ms) => (
          <div key={ms} className="timeline-tick" style={{ left: at(ms) }} aria-hidden="true">
            <span className={tickLabelEdge(timeToFraction(ms, timeWindow))}>{formatHourMinute(ms)}</span>
          </div>
        ))}
        {frameMs !== null ? <div className="timeline-frame" style={{ left: at(frameMs) }} aria-hidden="true" /> : null}
        <div className="timeline-cursor" style={{ left: at(requestedMs) }} aria-hidden="true" />
      </div>
    </div>
  );
}

/** A label centred on a tick near either end would stick out of the page (a phone's width): align it inward. */
function tickLabelEdge(fraction: number): string | undefined {
  if (fraction > 0.94) return 'is-end';
  if (fraction < 0.06) return 'is-start';
  return undefined;
}
