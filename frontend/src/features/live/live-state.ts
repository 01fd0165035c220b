import type { Camera } from '../../api/cameras';
import { formatAge, formatClock } from '../../lib/time';

/** Frames come once a second; a camera silent for longer than this is shown as stalled. */
export const STALE_AFTER_MS = 10_000;

export type LiveState = 'online' | 'stalled' | 'offline' | 'waiting';

export interface LiveStatus {
  state: LiveState;
  /** One or two words for the badge. */
  label: string;
  /** A sentence saying what is going on. */
  detail: string;
}

/** What a camera tile says, from the backend's status and the newest frame's age. */
export function liveStatus(camera: Camera, nowMs: number): LiveStatus {
  const frame = camera.newestFrame;
  const age = frame ? nowMs - frame.timeMs : null;
  const reason = camera.status?.reason ? ` (${camera.status.reason})` : '';
  if (camera.status && !camera.status.online) {
    const since = camera.status.sinceMs !== null ? ` since ${formatClock(camera.status.sinceMs)}` : '';
    const last = frame && age !== null ? ` Last frame ${formatAge(age)}.` : '';
    return { state: 'offline', label: 'Offline', detail: `Camera offline${since}${reason}.${last}` };
  }
  if (!frame || age === null) {
    return { state: 'waiting', label: 'No frames', detail: 'No frame has been recorded for this camera yet.' };
  }
  if (age > STALE_AFTER_MS) {
    return { state: 'stalled', label: 'Stalled', detail: `No new frame for ${formatAge(age).replace(/ ago$/, '')}.` };
  }
  return { state: 'online', label: 'Live', detail: `Newest frame ${formatAge(age)}.` };
}
