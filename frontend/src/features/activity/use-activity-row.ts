import { type ActivityRow, getActivity } from '../../api/activity';
import { useApiClient } from '../../lib/api-context';
import { type PollState, usePoll } from '../../lib/hooks';

const NEVER = 24 * 3_600_000;

/**
 * One /activity row for a camera, loaded when `query` is given and reloaded every
 * `refreshMs` (a row reaching now fills in as footage arrives); null without a query.
 */
export function useActivityRow(
  camera: string | undefined,
  query: { fromMs: number; toMs: number; buckets: number } | null,
  refreshMs: number | null,
): PollState<ActivityRow | null> & { key: string } {
  const client = useApiClient();
  const key = camera && query ? `${camera}:${query.fromMs}:${query.toMs}:${query.buckets}` : 'none';
  const state = usePoll(
    (signal) => (camera && query ? getActivity(client, { camera, ...query }, signal) : Promise.resolve(null)),
    refreshMs ?? NEVER,
    `activity:${client.baseUrl}:${key}`,
  );
  return { ...state, key };
}
