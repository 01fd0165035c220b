import { describe, expect, it } from 'vitest';
import { ArrivalLog } from './arrivals.js';

describe('ArrivalLog', () => {
  it('times each frame from its capture to the end of the poll that first returned it', () => {
    const log = new ArrivalLog(10_000);
    expect(log.record({ startMs: 10_000, endMs: 10_020 }, [])).toBe(0);
    expect(log.record({ startMs: 10_250, endMs: 10_270 }, [{ camera: 'a', capturedAtMs: 8_000 }])).toBe(1);
    // Seen again, and another label of the same frame: not new.
    expect(
      log.record({ startMs: 10_500, endMs: 10_530 }, [
        { camera: 'a', capturedAtMs: 8_000 },
        { camera: 'a', capturedAtMs: 8_000 },
        { camera: 'b', capturedAtMs: 8_000 },
      ]),
    ).toBe(1);
    const s = log.summary(0, 20_000);
    expect(s.frames).toBe(2);
    expect(s.p50Ms).toBe(2_270);
    expect(s.p95Ms).toBe(2_530);
    expect(s.maxMs).toBe(2_530);
    expect(s.polls).toBe(3);
    expect(s.pollEveryMs).toBe(250);
    // Widths: 10020 - 10000, 10270 - 10000, 10530 - 10250.
    expect(s.resolutionMs).toBeCloseTo((20 + 270 + 280) / 3, 6);
    expect(s.resolutionMaxMs).toBe(280);
  });

  it('keeps to the frames captured in the window', () => {
    const log = new ArrivalLog(0);
    log.record({ startMs: 0, endMs: 10 }, [
      { camera: 'a', capturedAtMs: -1 },
      { camera: 'a', capturedAtMs: 0 },
      { camera: 'a', capturedAtMs: 5 },
    ]);
    expect(log.summary(0, 5).frames).toBe(1);
  });

  it('has no latency before anything arrived', () => {
    const s = new ArrivalLog(0).summary(0, 1);
    expect(s.frames).toBe(0);
    expect(Number.isNaN(s.p50Ms)).toBe(true);
    expect(Number.isNaN(s.pollEveryMs)).toBe(true);
  });
});
