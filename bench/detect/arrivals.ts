/**
 * Capture → stored detection, seen from outside: the bench polls InfluxDB for `detections`
 * points and notes when each frame's points first show up (pure bookkeeping; the polling is
 * in live.ts).
 *
 * A frame first returned by poll k became visible after poll k−1's query ran (not before
 * poll k−1 was sent) and before poll k's answer came back. Its arrival is taken as the end
 * of poll k, so each latency is an upper bound, too high by at most that poll's resolution:
 * end(k) − start(k−1) (the first poll's lower bound is when polling began).
 */
import { percentile } from '../lib/stats.js';

export interface PolledFrame {
  camera: string;
  capturedAtMs: number;
}

export interface ArrivalSummary {
  /** Frames with capture time in the window whose points were seen. */
  frames: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  polls: number;
  /** Mean time from one poll's start to the next's. */
  pollEveryMs: number;
  /** Mean and worst uncertainty of an arrival: end(k) − start(k−1). */
  resolutionMs: number;
  resolutionMaxMs: number;
}

export class ArrivalLog {
  private readonly arrivals = new Map<string, { capturedAtMs: number; arrivedAtMs: number }>();
  private readonly polls: { startMs: number; endMs: number }[] = [];

  constructor(private readonly startedAtMs: number) {}

  /** One poll's answer (every frame it returned, seen before or not); returns how many were new. */
  record(poll: { startMs: number; endMs: number }, frames: readonly PolledFrame[]): number {
    this.polls.push(poll);
    let fresh = 0;
    for (const f of frames) {
      const key = `${f.camera}\u0000${f.capturedAtMs}`;
      if (this.arrivals.has(key)) continue;
      this.arrivals.set(key, { capturedAtMs: f.capturedAtMs, arrivedAtMs: poll.endMs });
      fresh++;
    }
    return fresh;
  }

  /** Latencies of the frames captured in [fromMs, toMs). */
  summary(fromMs: number, toMs: number): ArrivalSummary {
    const latencies = [...this.arrivals.values()]
      .filter((a) => a.capturedAtMs >= fromMs && a.capturedAtMs < toMs)
      .map((a) => a.arrivedAtMs - a.capturedAtMs)
      .sort((a, b) => a - b);
    const widths = this.polls.map((p, i) => p.endMs - (i === 0 ? this.startedAtMs : (this.polls[i - 1]?.startMs ?? 0)));
    const gaps = this.polls.slice(1).map((p, i) => p.startMs - (this.polls[i]?.startMs ?? 0));
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
    return {
      frames: latencies.length,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: latencies.length ? (latencies.at(-1) as number) : Number.NaN,
      polls: this.polls.length,
      pollEveryMs: mean(gaps),
      resolutionMs: mean(widths),
      resolutionMaxMs: widths.length ? Math.max(...widths) : Number.NaN,
    };
  }
}
