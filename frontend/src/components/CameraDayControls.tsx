import { useEffect } from 'react';
import type { Camera } from '../api/cameras';
import { shiftDay } from '../lib/time';

/**
 * Camera and day pickers shared by the clips and scrubbing views. When no
 * camera is chosen yet, the first known camera is picked.
 */
export function CameraDayControls({
  cameras,
  camera,
  day,
  today,
  onChange,
}: {
  cameras: Camera[] | undefined;
  camera: string | undefined;
  day: string;
  today: string;
  onChange: (next: { camera?: string; day: string }, options?: { replace?: boolean }) => void;
}) {
  const first = cameras?.[0]?.id;
  useEffect(() => {
    if (!camera && first) onChange({ camera: first, day }, { replace: true });
  }, [camera, first, day, onChange]);

  const known = cameras?.map((c) => c.id) ?? [];
  const options = camera && !known.includes(camera) ? [camera, ...known] : known;
  return (
    <div className="controls">
      <label>
        <span>Camera</span>
        <select
          value={camera ?? ''}
          onChange={(e) => onChange({ camera: e.target.value, day })}
          disabled={options.length === 0}
          data-testid="camera-select"
        >
          {options.length === 0 ? <option value="">no cameras</option> : null}
          {options.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <div className="day-picker">
        <button
          type="button"
          onClick={() => onChange({ ...(camera ? { camera } : {}), day: shiftDay(day, -1) })}
          aria-label="Previous day"
        >
          ‹
        </button>
        <label>
          <span>Day</span>
          <input
            type="date"
            value={day}
            max={today}
            onChange={(e) => e.target.value && onChange({ ...(camera ? { camera } : {}), day: e.target.value })}
            data-testid="day-input"
          />
        </label>
        <button
          type="button"
          onClick={() => onChange({ ...(camera ? { camera } : {}), day: shiftDay(day, 1) })}
          disabled={day >= today}
          aria-label="Next day"
        >
          ›
        </button>
        {day !== today ? (
          <button type="button" onClick={() => onChange({ ...(camera ? { camera } : {}), day: today })}>
            Today
          </button>
        ) : null}
      </div>
    </div>
  );
}
