import { useEffect, useId, useState } from 'react';
import {
  formatMotionPercent,
  formatRegionParam,
  type MotionDirection,
  type MovingFrame,
  parseRegionParam,
  type Region,
} from '../../api/activity';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { Notice } from '../../components/Notice';
import { dayOf, formatClock, formatDistance } from '../../lib/time';
import { MinMotionSlider } from './MinMotionSlider';
import { describeRegion } from './region';

export type JumpState =
  | { status: 'idle' }
  | { status: 'searching'; dir: MotionDirection; fromMs: number }
  | { status: 'found'; dir: MotionDirection; fromMs: number; frame: MovingFrame }
  | { status: 'none'; dir: MotionDirection; fromMs: number; min: number; region: Region | null }
  | { status: 'failed'; dir: MotionDirection; fromMs: number; error: unknown };

/** Keys that jump to the previous / next motion. */
export const JUMP_KEYS: Record<MotionDirection, string> = { prev: '[', next: ']' };

/** Keys typed into a text field (or a select) belong to it, not to the page's shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  if (target.tagName !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file'].includes(type);
}

function moment(ms: number, day: string): string {
  return `${dayOf(ms) !== day ? `${dayOf(ms)} ` : ''}${formatClock(ms)}`;
}

/**
 * Previous / next motion (buttons and the [ ] keys), the minimum motion that
 * counts, and the region to look in.
 */
export function MotionSearch({
  jump,
  onJump,
  enabled,
  min,
  onMin,
  region,
  onRegion,
  drawing,
  onDrawing,
  day,
}: {
  jump: JumpState;
  onJump: (dir: MotionDirection) => void;
  enabled: boolean;
  min: number;
  onMin: (min: number) => void;
  region: Region | null;
  onRegion: (region: Region | null) => void;
  drawing: boolean;
  onDrawing: (drawing: boolean) => void;
  /** The day shown, so that times on other days say their date. */
  day: string;
}) {
  const regionFieldId = useId();
  const [regionText, setRegionText] = useState(region ? formatRegionParam(region) : '');
  const [regionError, setRegionError] = useState(false);
  useEffect(() => {
    setRegionText(region ? formatRegionParam(region) : '');
    setRegionError(false);
  }, [region]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!enabled || event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
      const dir = event.key === JUMP_KEYS.next ? 'next' : event.key === JUMP_KEYS.prev ? 'prev' : null;
      if (!dir) return;
      event.preventDefault();
      onJump(dir);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled, onJump]);

  const applyRegionText = () => {
    const text = regionText.trim();
    if (text === '') {
      if (region) onRegion(null);
      setRegionError(false);
      return;
    }
    const parsed = parseRegionParam(text);
    setRegionError(parsed === null);
    if (parsed) onRegion(parsed);
  };

  const searching = jump.status === 'searching';
  const scope = `${formatMotionPercent(min)} or more${region ? ', in the region' : ''}`;
  return (
    <div className="motion-search">
      <div className="toolbar motion-toolbar">
        <div className="motion-buttons">
          <button
            type="button"
            className="motion-button"
            onClick={() => onJump('prev')}
            disabled={!enabled || searching}
            aria-keyshortcuts={JUMP_KEYS.prev}
            title={`Previous motion (${JUMP_KEYS.prev}): the last frame before the requested moment with ${scope}`}
            data-testid="motion-prev"
          >
            ◀ Previous motion <kbd>{JUMP_KEYS.prev}</kbd>
          </button>
          <button
            type="button"
            className="motion-button"
            onClick={() => onJump('next')}
            disabled={!enabled || searching}
            aria-keyshortcuts={JUMP_KEYS.next}
            title={`Next motion (${JUMP_KEYS.next}): the first frame after the requested moment with ${scope}`}
            data-testid="motion-next"
          >
            Next motion <kbd>{JUMP_KEYS.next}</kbd> ▶
          </button>
        </div>
        <MinMotionSlider value={min} onChange={onMin} />
        <div className="region-controls">
          <button
            type="button"
            aria-pressed={drawing}
            onClick={() => onDrawing(!drawing)}
            title="Then drag on the frame (a mouse can always drag there)"
            data-testid="region-draw"
          >
            Draw region
          </button>
          <button type="button" onClick={() => onRegion(null)} disabled={!region} data-testid="region-clear">
            Clear region
          </button>
          <label className="region-field" htmlFor={regionFieldId}>
            <span>Region x,y,w,h</span>
            <input
              id={regionFieldId}
              type="text"
              inputMode="decimal"
              placeholder="whole picture"
              value={regionText}
              onChange={(e) => setRegionText(e.target.value)}
              onBlur={applyRegionText}
              onKeyDown={(e) => {
                if (e.key === 'Enter') applyRegionText();
              }}
              aria-invalid={regionError}
              aria-describedby={`${regionFieldId}-help`}
              data-testid="region-input"
            />
          </label>
        </div>
      </div>
      <p id={`${regionFieldId}-help`} className="hint">
        {region
          ? `Looking for motion only in ${describeRegion(region)} of the picture.`
          : 'Drag a rectangle on the frame (or type fractions of the picture, e.g. 0.5,0,0.5,1) to look for motion only there.'}
        {regionError ? ' That is not a region: four fractions x,y,w,h with x + w and y + h at most 1.' : ''}
      </p>
      <div className="motion-status" data-testid="motion-status" data-status={jump.status} aria-live="polite">
        {jump.status === 'searching' ? (
          <Notice
            tone="loading"
            title={`Looking for motion ${jump.dir === 'next' ? 'after' : 'before'} ${moment(jump.fromMs, day)}…`}
          />
        ) : null}
        {jump.status === 'found' ? (
          <p className="motion-found" data-testid="motion-found" data-frame-ms={jump.frame.timeMs}>
            Motion {formatMotionPercent(jump.frame.motion)} at {moment(jump.frame.timeMs, day)} (
            {formatDistance(jump.frame.timeMs, jump.fromMs)} {moment(jump.fromMs, day)}).
          </p>
        ) : null}
        {jump.status === 'none' ? (
          <Notice
            tone="info"
            title={`No motion ${jump.dir === 'next' ? 'after' : 'before'} ${moment(jump.fromMs, day)}`}
          >
            Nothing moved {formatMotionPercent(jump.min)} of the picture or more
            {jump.region ? ' inside the region' : ''} {jump.dir === 'next' ? 'since then' : 'before then'}. Lower the
            minimum{jump.region ? ' or clear the region' : ''} to find smaller motion.
          </Notice>
        ) : null}
        {jump.status === 'failed' ? <ApiErrorNotice error={jump.error} what="the next moving frame" /> : null}
      </div>
    </div>
  );
}
