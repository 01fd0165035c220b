import { describe, expect, it } from 'vitest';
import { CaptureClock } from './capture-clock.js';

describe('capture clock', () => {
  const t0 = 1_795_618_800_000;
  it('anchors stream time to the least-delayed arrival, so late arrivals do not move capture times', () => {
    const clock = new CaptureClock(30_000);
    // Stream times are exact (1 s apart); arrivals are 21 ms late, one of them 110 ms.
    expect(clock.capturedAt(0, t0 + 25)).toBe(t0 + 25);
    expect(clock.capturedAt(1000, t0 + 1021)).toBe(t0 + 1021);
    expect(clock.capturedAt(2000, t0 + 2110)).toBe(t0 + 2021);
    expect(clock.capturedAt(3000, t0 + 3022)).toBe(t0 + 3021);
  });
  it('forgets arrivals older than its window, following a drifting camera clock', () => {
    const clock = new CaptureClock(2_500);
    clock.capturedAt(0, t0 + 20);
    for (let k = 1; k <= 5; k++) clock.capturedAt(k * 1000, t0 + k * 1000 + 20 + k * 5);
    expect(clock.capturedAt(6000, t0 + 6000 + 50)).toBe(t0 + 6000 + 40);
  });
  it('starts over when the stream time jumps', () => {
    const clock = new CaptureClock(30_000);
    clock.capturedAt(0, t0 + 20);
    clock.capturedAt(1000, t0 + 1020);
    // The camera restarted its RTP clock: stream time back to 0 while the wall clock moved on.
    expect(clock.capturedAt(0, t0 + 2030)).toBe(t0 + 2030);
    expect(clock.capturedAt(1000, t0 + 3025)).toBe(t0 + 3025);
  });
  it('keeps the least delayed of every arrival in the window, however many come a second', () => {
    const clock = new CaptureClock(30_000);
    // 30 decoded frames a second for 20 s, 10 to 70 ms late; one of them only 3 ms.
    let k = 0;
    for (let ms = 0; ms < 20_000; ms += 33, k++) clock.add(ms, t0 + ms + (k === 250 ? 3 : 10 + ((k * 37) % 61)));
    expect(clock.offsetMs).toBe(t0 + 3);
    expect(clock.size).toBe(k);
    // 30 s after that arrival it has left the window; the least delayed of the others (10 ms) is the anchor.
    clock.add(250 * 33 + 30_001, t0 + 250 * 33 + 30_001 + 40);
    expect(clock.offsetMs).toBe(t0 + 10);
  });
});

describe('capture clock seeded from another run', () => {
  const t0 = 1_795_618_800_000;
  it("takes another clock's capture time of a frame as an arrival without delay, which ages out like one", () => {
    const clock = new CaptureClock(30_000);
    clock.add(0, t0 + 60);
    clock.seed(0, t0 + 12, t0 + 60);
    expect(clock.map(1000)).toBe(t0 + 1012);
    // A later arrival less delayed than the seed takes over; the seed counts as no arrival of this run.
    clock.add(1000, t0 + 1010);
    expect(clock.offsetMs).toBe(t0 + 10);
    expect(clock.size).toBe(2);
    // 30 s on, the seed has left the window as an arrival at t0 + 60 would have.
    const later = new CaptureClock(30_000);
    later.seed(0, t0 + 12, t0 + 60);
    later.add(30_100, t0 + 30_100 + 40);
    expect(later.offsetMs).toBe(t0 + 40);
  });
});
