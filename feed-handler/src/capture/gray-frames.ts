/**
 * The analysis frames of one ffmpeg run: its analysis output is a byte stream of
 * fixed-size gray pictures, the k-th belonging to the k-th JPEG (both branches of
 * the filter graph see the same frames). The two outputs reach us on different
 * channels, so either may come first: a JPEG's frame is asked for by number and
 * waited for a short while. Time comes from the injected clock.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';

export class GrayFrames {
  private pending: Buffer = Buffer.alloc(0);
  private nextIndex = 0;
  private readonly frames = new Map<number, Uint8Array>();
  private readonly waiting = new Map<number, { resolve(frame: Uint8Array | null): void; timer: TimerHandle }>();
  private closed = false;

  constructor(
    private readonly frameBytes: number,
    private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    /** How long a JPEG waits for its gray frame before going on without metrics. */
    private readonly waitMs = 1_000,
    /** Frames kept for JPEGs that have not asked yet (bounded: a run that stops asking cannot grow it). */
    private readonly keep = 16,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= this.frameBytes) {
      const frame = new Uint8Array(this.pending.subarray(0, this.frameBytes));
      this.pending = this.pending.subarray(this.frameBytes);
      const n = this.nextIndex++;
      const waiter = this.waiting.get(n);
      if (waiter) {
        this.clock.clearTimeout(waiter.timer);
        this.waiting.delete(n);
        waiter.resolve(frame);
        continue;
      }
      this.frames.set(n, frame);
      if (this.frames.size > this.keep) this.frames.delete(Math.min(...this.frames.keys()));
    }
  }

  /** The n-th frame of the run, or null when it does not come in time (or the run ended). */
  get(n: number): Promise<Uint8Array | null> {
    const frame = this.frames.get(n);
    if (frame) {
      this.frames.delete(n);
      return Promise.resolve(frame);
    }
    if (this.closed || n < this.nextIndex) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(n);
        resolve(null);
      }, this.waitMs);
      this.waiting.set(n, { resolve, timer });
    });
  }

  /** The run ended: nothing more will come. */
  close(): void {
    this.closed = true;
    for (const [n, waiter] of this.waiting) {
      this.clock.clearTimeout(waiter.timer);
      this.waiting.delete(n);
      waiter.resolve(null);
    }
    this.frames.clear();
  }
}
