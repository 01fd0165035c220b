import { useApiClient } from '../lib/api-context';
import { usePoll } from '../lib/hooks';
import { getCameras } from './cameras';

/** The camera list, polled every `intervalMs`. */
export function useCameras(intervalMs: number) {
  const client = useApiClient();
  return usePoll((signal) => getCameras(client, signal), intervalMs, `cameras:${client.baseUrl}`);
}
