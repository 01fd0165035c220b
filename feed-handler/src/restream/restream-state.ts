/**
 * A restream target's status as a pure state machine: the supervisor feeds it
 * what happened (switched on or off, child started, progress, child ended) and
 * reads what to show.
 *
 *   off ──enable──▶ starting ──video sent──▶ live
 *                      │                      │
 *                      └──ended──▶ failing ◀──┘ ended (a reason, a retry time)
 *                                   │   ▲
 *                                   └───┘ a retry that ends again
 *   any ──disable──▶ off
 *
 * A retry after a failure stays `failing` (with the last reason) until video is
 * sent again: a wrong key shows one steady reason, not starting/failing flicker.
 */
export type RestreamState = 'off' | 'starting' | 'live' | 'failing';

export interface RestreamStatus {
  state: RestreamState;
  enabled: boolean;
  /** Why it is off or failing; null while starting or live. */
  reason: string | null;
  /** When the state last changed (epoch ms). */
  sinceMs: number;
  /** When the current live period began; null unless live. */
  liveSinceMs: number | null;
  /** Bytes sent by the runs that ended, and by the current one so far. */
  endedRunsBytes: number;
  runBytes: number;
  /** Failed attempts (a child that ended, a probe that could not read the camera), each retried. */
  restarts: number;
  /** When the next attempt starts while failing; null otherwise. */
  retryAtMs: number | null;
}

export type RestreamEvent =
  | { type: 'enable' }
  | { type: 'disable'; reason: string }
  | { type: 'progress'; frames: number; bytes: number }
  | { type: 'failed'; reason: string; retryAtMs: number }
  | { type: 'retrying' };

export function initialStatus(
  enabled: boolean,
  nowMs: number,
  offReason = 'disabled in the configuration',
): RestreamStatus {
  return {
    state: enabled ? 'starting' : 'off',
    enabled,
    reason: enabled ? null : offReason,
    sinceMs: nowMs,
    liveSinceMs: null,
    endedRunsBytes: 0,
    runBytes: 0,
    restarts: 0,
    retryAtMs: null,
  };
}

const moved = (
  status: RestreamStatus,
  state: RestreamState,
  nowMs: number,
): Pick<RestreamStatus, 'state' | 'sinceMs'> => ({
  state,
  sinceMs: status.state === state ? status.sinceMs : nowMs,
});

export function nextStatus(status: RestreamStatus, event: RestreamEvent, nowMs: number): RestreamStatus {
  switch (event.type) {
    case 'enable':
      if (status.enabled) return status;
      return { ...status, ...moved(status, 'starting', nowMs), enabled: true, reason: null, retryAtMs: null };
    case 'disable':
      return {
        ...status,
        ...moved(status, 'off', nowMs),
        enabled: false,
        reason: event.reason,
        liveSinceMs: null,
        endedRunsBytes: status.endedRunsBytes + status.runBytes,
        runBytes: 0,
        retryAtMs: null,
      };
    case 'progress': {
      if (!status.enabled) return status;
      const runBytes = Math.max(status.runBytes, event.bytes);
      if (event.frames <= 0) return { ...status, runBytes };
      if (status.state === 'live') return { ...status, runBytes };
      return {
        ...status,
        ...moved(status, 'live', nowMs),
        reason: null,
        liveSinceMs: nowMs,
        runBytes,
        retryAtMs: null,
      };
    }
    case 'failed':
      if (!status.enabled) return status;
      return {
        ...status,
        ...moved(status, 'failing', nowMs),
        reason: event.reason,
        liveSinceMs: null,
        endedRunsBytes: status.endedRunsBytes + status.runBytes,
        runBytes: 0,
        restarts: status.restarts + 1,
        retryAtMs: event.retryAtMs,
      };
    case 'retrying':
      return status.state === 'failing' ? { ...status, retryAtMs: null } : status;
  }
}

/** A target's status as the HTTP endpoints show it. */
export interface RestreamStatusView {
  state: RestreamState;
  enabled: boolean;
  reason: string | null;
  since: string;
  /** Seconds live in the current live period; 0 unless live. */
  uptimeSeconds: number;
  bytesSent: number;
  restarts: number;
  retryAt: string | null;
}

/** What the status endpoints show for a status at `nowMs`. */
export function statusView(status: RestreamStatus, nowMs: number): RestreamStatusView {
  return {
    state: status.state,
    enabled: status.enabled,
    reason: status.reason,
    since: new Date(status.sinceMs).toISOString(),
    uptimeSeconds: status.liveSinceMs === null ? 0 : Math.max(0, (nowMs - status.liveSinceMs) / 1000),
    bytesSent: status.endedRunsBytes + status.runBytes,
    restarts: status.restarts,
    retryAt: status.retryAtMs === null ? null : new Date(status.retryAtMs).toISOString(),
  };
}
