import { ApiError, describeError } from '../lib/api-client';
import { useApiClient } from '../lib/api-context';
import { Notice } from './Notice';

/** An API failure in plain words; "offline" when the backend is not answering at all. */
export function ApiErrorNotice({ error, what, stale }: { error: unknown; what: string; stale?: boolean }) {
  const client = useApiClient();
  const offline = error instanceof ApiError && error.kind === 'unreachable';
  const title = offline
    ? `The Fathom API is not answering${stale ? ' — showing the last known state' : ''}`
    : `Could not load ${what}`;
  return (
    <Notice tone={offline ? 'offline' : 'error'} title={title}>
      {describeError(error, client.baseUrl)}
    </Notice>
  );
}
