/**
 * Whether each camera's frames are being stored. A camera can decode frames
 * and still record nothing (a volume it may not write, a full disk): that is
 * a fault the health report, the status index and the logs must show, in the
 * same path-free words as the other status reasons. Pure: times come in.
 */
import { classifyFfmpegError } from '../capture/exit-reason.js';

export interface StoreFault {
  /** Path-free kind, e.g. "permission denied", "disk full", "write failed". */
  kind: string;
  sinceMs: number;
  failures: number;
}

export interface FailureOutcome {
  fault: StoreFault;
  /** This failure began the fault: the status changes now. */
  began: boolean;
  /** Log this one: the first of a fault, then at most one every `logEveryMs`. */
  log: boolean;
}

/** The status reason of a camera whose frames are decoded but not stored. */
export const notStoredReason = (kind: string) => `not stored (${kind})`;

export class StoreFaults {
  private readonly faults = new Map<string, StoreFault & { loggedAtMs: number }>();

  constructor(private readonly logEveryMs = 60_000) {}

  failed(camera: string, error: unknown, nowMs: number): FailureOutcome {
    const message = error instanceof Error ? error.message : String(error);
    const kind = classifyFfmpegError(message) ?? 'write failed';
    const current = this.faults.get(camera);
    if (!current || current.kind !== kind) {
      const fault = { kind, sinceMs: nowMs, failures: 1, loggedAtMs: nowMs };
      this.faults.set(camera, fault);
      return { fault: { kind, sinceMs: nowMs, failures: 1 }, began: true, log: true };
    }
    current.failures++;
    const log = nowMs - current.loggedAtMs >= this.logEveryMs;
    if (log) current.loggedAtMs = nowMs;
    return { fault: { kind, sinceMs: current.sinceMs, failures: current.failures }, began: false, log };
  }

  /** A frame was stored. Returns the fault this ends, if there was one. */
  stored(camera: string): StoreFault | null {
    const current = this.faults.get(camera);
    if (!current) return null;
    this.faults.delete(camera);
    return { kind: current.kind, sinceMs: current.sinceMs, failures: current.failures };
  }

  fault(camera: string): StoreFault | null {
    const current = this.faults.get(camera);
    return current ? { kind: current.kind, sinceMs: current.sinceMs, failures: current.failures } : null;
  }
}
