import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { type DetectionCandidate, type DetectionOutcome, DetectionScheduler } from './detection-scheduler.js';
import type { DetectionResult, DetectorPort } from './detector-thread.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
const SETTINGS = {
  motionMin: 0.01,
  sampleMs: 60_000,
  maxFps: 2,
  cpuBudget: 1,
  queuePerCamera: 3,
  timeoutMs: 10_000,
  backoff: { baseMs: 1_000, maxMs: 8_000, jitter: 0 },
};

/** A detector that answers after `ms` with a person, or as told. */
class FakeDetector implements DetectorPort {
  static opened = 0;
  static closed = 0;
  up = false;
  constructor(
    private readonly clock: FakeClock,
    private readonly behaviour: {
      openFails?: boolean;
      ms?: number;
      answer?: 'person' | 'nothing' | 'throw' | 'hang' | 'die';
    },
  ) {}
  async open() {
    FakeDetector.opened++;
    if (this.behaviour.openFails) throw new Error('model did not load: no such file');
    this.up = true;
    return { loadMs: 50 };
  }
  detect(): Promise<DetectionResult> {
    const answer = this.behaviour.answer ?? 'person';
    return new Promise((resolve, reject) => {
      if (answer === 'hang') return;
      this.clock.setTimeout(() => {
        if (answer === 'throw') return reject(new Error('SOI not found'));
        if (answer === 'die') {
          this.up = false;
          return reject(new Error('detector thread exited (code 1)'));
        }
        resolve({
          objects: answer === 'person' ? [{ label: 'person', score: 0.8, box: [0.1, 0.1, 0.5, 0.9] }] : [],
          width: 320,
          height: 180,
          inferenceMs: this.behaviour.ms ?? 200,
        });
      }, this.behaviour.ms ?? 200);
    });
  }
  alive() {
    return this.up;
  }
  async close() {
    FakeDetector.closed++;
    this.up = false;
  }
}

function setup(behaviours: ConstructorParameters<typeof FakeDetector>[1][], settings = SETTINGS) {
  const clock = new FakeClock();
  const results: DetectionOutcome[] = [];
  const dropped: string[] = [];
  let made = 0;
  const scheduler = new DetectionScheduler({
    detector: () => new FakeDetector(clock, behaviours[Math.min(made++, behaviours.length - 1)] ?? {}),
    settings,
    cameras: ['a', 'b'],
    clock,
    log: silent,
    onResult: (o) => results.push(o),
    onDropped: (c) => dropped.push(c),
    random: () => 0,
  });
  const frame = (camera: string, atMs: number, motion?: number): DetectionCandidate => ({
    camera,
    location: 'here',
    capturedAtMs: atMs,
    filepath: `${camera}/${atMs}.jpg`,
    jpeg: new Uint8Array([0xff, 0xd8]),
    ...(motion === undefined ? {} : { motion }),
  });
  return { clock, scheduler, results, dropped, frame, made: () => made };
}

describe('DetectionScheduler', () => {
  it('takes moving frames and one still frame a minute per camera', async () => {
    const { scheduler, frame } = setup([{}]);
    const t = 1_795_618_800_000;
    expect(scheduler.offer(frame('a', t, 0))).toBe(true); // the camera's first frame: a sample
    expect(scheduler.offer(frame('a', t + 1000, 0))).toBe(false);
    expect(scheduler.offer(frame('a', t + 2000, 0.02))).toBe(true); // moved
    expect(scheduler.offer(frame('a', t + 3000))).toBe(false); // not measured, not due
    expect(scheduler.offer(frame('a', t + 62_000, 0))).toBe(true); // a minute after the last taken
    expect(scheduler.offer(frame('zzz', t, 1))).toBe(false); // unknown camera
  });

  it('drops a camera’s oldest frame when its queue is full, and counts it', async () => {
    const { scheduler, frame, dropped } = setup([{}]);
    const t = 1_795_618_800_000;
    for (let i = 0; i < 5; i++) scheduler.offer(frame('a', t + i * 1000, 0.5));
    expect(dropped).toEqual(['a', 'a']);
    expect(scheduler.snapshot()).toMatchObject({ queued: 3, dropped: 2 });
  });

  it('analyses within the budget, cameras taking turns, and reports labels', async () => {
    const { clock, scheduler, frame, results } = setup([{ ms: 100 }]);
    const t = clock.now();
    for (let i = 0; i < 3; i++) {
      scheduler.offer(frame('a', t + i * 1000, 0.5));
      scheduler.offer(frame('b', t + i * 1000, 0.5));
    }
    scheduler.start();
    await clock.advance(1000);
    // 2 frames a second: one at 0 ms, one at 500 ms.
    expect(results.map((r) => r.frame.camera)).toEqual(['a', 'b']);
    await clock.advance(2000);
    expect(results.map((r) => r.frame.camera)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(results[0]?.labels).toEqual([{ label: 'person', score: 0.8, box: [0.1, 0.1, 0.5, 0.9], count: 1 }]);
    expect(scheduler.snapshot()).toMatchObject({ state: 'ready', analysed: 6, queued: 0 });
    await scheduler.stop();
    expect(scheduler.snapshot().state).toBe('stopped');
  });

  it('keeps the thread busy at most the CPU budget’s share of the time', async () => {
    // Frames take 400 ms; a budget of half a core makes each wait 400 ms after the previous ends.
    const { clock, scheduler, frame, results } = setup([{ ms: 400 }], { ...SETTINGS, maxFps: 10, cpuBudget: 0.5 });
    const t = clock.now();
    for (let i = 0; i < 3; i++) scheduler.offer(frame('a', t + i * 1000, 0.5));
    scheduler.start();
    await clock.advance(401);
    expect(results).toHaveLength(1);
    await clock.advance(400); // resting
    expect(results).toHaveLength(1);
    await clock.advance(400); // second frame done at 1200 ms
    expect(results).toHaveLength(2);
    await clock.advance(800);
    expect(results).toHaveLength(3);
    await scheduler.stop();
  });

  it('retries a detector that does not load, with backoff, and says why meanwhile', async () => {
    const { clock, scheduler, frame, results, made } = setup([{ openFails: true }, { openFails: true }, {}]);
    scheduler.offer(frame('a', clock.now(), 0.5));
    scheduler.start();
    await clock.advance(10);
    expect(scheduler.snapshot()).toMatchObject({ state: 'failing', reason: 'model did not load: no such file' });
    await clock.advance(1000); // first retry after 1 s: fails again
    expect(made()).toBe(2);
    await clock.advance(2000); // second after 2 s: loads
    await clock.advance(500);
    expect(scheduler.snapshot()).toMatchObject({ state: 'ready', reason: null, restarts: 2 });
    expect(results).toHaveLength(1);
    await scheduler.stop();
  });

  it('replaces a stalled detector (watchdog) and a dead one', async () => {
    const { clock, scheduler, frame, results, made } = setup([{ answer: 'hang' }, { answer: 'die' }, {}]);
    const t = clock.now();
    scheduler.offer(frame('a', t, 0.5));
    scheduler.offer(frame('a', t + 1000, 0.5));
    scheduler.offer(frame('a', t + 2000, 0.5));
    scheduler.start();
    await clock.advance(10_001);
    expect(scheduler.snapshot()).toMatchObject({ state: 'failing', failed: 1 });
    expect(scheduler.snapshot().reason).toMatch(/stalled/);
    await clock.advance(1_500); // new detector; its frame kills the thread
    expect(made()).toBe(2);
    expect(scheduler.snapshot()).toMatchObject({ state: 'failing', failed: 2 });
    await clock.advance(3_000); // third detector answers
    expect(made()).toBe(3);
    expect(results).toHaveLength(1);
    expect(scheduler.snapshot()).toMatchObject({ state: 'ready', restarts: 2 });
    await scheduler.stop();
  });

  it('keeps a live detector through a bad frame, but not through three in a row', async () => {
    const { clock, scheduler, frame, made } = setup([{ answer: 'throw' }, {}]);
    const t = clock.now();
    for (let i = 0; i < 3; i++) scheduler.offer(frame('a', t + i * 1000, 0.5));
    scheduler.start();
    await clock.advance(300); // frames start at 0, 500 and 1000 ms, each failing 200 ms later
    expect(made()).toBe(1);
    expect(scheduler.snapshot()).toMatchObject({ state: 'ready', failed: 1 });
    await clock.advance(1000);
    expect(scheduler.snapshot()).toMatchObject({ state: 'failing', failed: 3 });
    expect(made()).toBe(1);
    await clock.advance(1500);
    expect(made()).toBe(2);
    await scheduler.stop();
  });
});
