import { getMotionEvents, type MotionEvent } from '../../api/activity';
import { useApiClient } from '../../lib/api-context';
import { type PollState, usePoll } from '../../lib/hooks';

const NEVER = 24 * 3_600_000;

/**
 * The motion events of a camera in a window (runs of frames with at least `min` motion, and
 * what the detector saw in each), reloaded every `refreshMs`; null without a window.
 */
export function useActivityEvents(
  camera: string | undefined,
  window: { fromMs: number; toMs: number } | null,
  min: number,
  refreshMs: number | null,
): PollState<MotionEvent[] | null> & { key: string } {
  const client = useApiClient();
  const key = camera && window ? `${camera}:${window.fromMs}:${window.toMs}:${min}` : 'none';
  const state = usePoll(
    (signal) =>
      camera && window ? getMotionEvents(client, { camera, ...window, min }, signal) : Promise.resolve(null),
    refreshMs ?? NEVER,
    `events:${client.baseUrl}:${key}`,
  );
  return { ...state, key };
}
