/**
 * Restart delay for a failing ffmpeg or a failing InfluxDB write: exponential,
 * capped, with jitter so that many cameras failing together (one RTSP server
 * restarting) do not reconnect in lockstep.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised: 0.2 gives a delay in [0.8 d, d]. */
  jitter: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry).
 * `random` is injectable so tests are deterministic.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  return Math.round(capped * (1 - jitter * random()));
}
