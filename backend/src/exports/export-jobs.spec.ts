/** The queue's rules with in-memory stand-ins for the volume, the index and ffmpeg. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ExportVolume } from '../adapters/export-volume.js';
import type { Encoder } from '../adapters/ffmpeg.js';
import { createExportQueue, type ExportJob, MAX_RESTARTS } from './export-jobs.js';
import type { ExportRequest } from './export-request.js';
import type { StillsSource } from './stills-source.js';

const HOUR = 3_600_000;

function memoryVolume(records: Map<string, unknown>): ExportVolume & { removed: string[]; committed: string[] } {
  const removed: string[] = [];
  const committed: string[] = [];
  return {
    root: '/mem',
    removed,
    committed,
    init: async () => {},
    saveRecord: async (id, record) => void records.set(id, structuredClone(record)),
    loadRecords: async () => ({ records: [...records.values()].map((r) => structuredClone(r)), unreadable: [] }),
    writeList: async (id) => `/mem/work/${id}.ffconcat`,
    workVideoPath: (id) => `/mem/work/${id}.mp4.part`,
    commit: async (id) => {
      committed.push(id);
      return 1234;
    },
    discardWork: async () => {},
    remove: async (id) => {
      removed.push(id);
      records.delete(id);
    },
    openVideo: async () => null,
  };
}

const stills: StillsSource = {
  count: async () => 3,
  plan: async () => ({
    stills: [0, 1, 2].map((i) => ({ timeMs: i * 1000, path: `/f/${i}.jpg` })),
    missing: 1,
    size: { width: 640, height: 360 },
  }),
};

const encoder: Encoder = {
  probe: () => ({ ok: true, version: 'fake' }),
  run: async (_args, _signal, onFrames) => onFrames(3),
};

const request: ExportRequest = {
  camera: 'porch',
  fromNs: 0n,
  toNs: 3_000_000_000n,
  fps: 30,
  width: 320,
  mode: 'all',
  minMotion: 0.01,
  contextSeconds: 2,
  burnIn: true,
  timeZone: 'UTC',
};

function queueOver(records: Map<string, unknown>, nowMs: () => number, enc: Encoder = encoder) {
  const volume = memoryVolume(records);
  const queue = createExportQueue({
    volume,
    stills,
    encoder: enc,
    clock: { nowNs: () => BigInt(nowMs()) * 1_000_000n },
    logger: pino({ level: 'silent' }),
    settings: { retentionHours: 72, font: { family: 'monospace' } },
  });
  return { queue, volume };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('createExportQueue', () => {
  it('runs a job to done: frames, size, missing stills and the committed file', async () => {
    const { queue, volume } = queueOver(new Map(), () => 1_000);
    await queue.start();
    const job = await queue.submit(request, 3);
    await settle();
    expect(queue.get(job.id)).toMatchObject({
      state: 'done',
      frames: 3,
      height: 180,
      bytes: 1234,
      stills: { done: 3, total: 3, missing: 1 },
    });
    expect(volume.committed).toEqual([job.id]);
  });

  it('requeues a job that was running at a restart, and reports it interrupted after MAX_RESTARTS', async () => {
    const records = new Map<string, unknown>();
    const base = {
      request: { ...request, fromMs: 0, toMs: 3000, fromNs: undefined, toNs: undefined },
      createdMs: 1,
      stills: { done: 5, total: 3, missing: 0 },
      planned: 1,
    };
    records.set('a', { ...base, id: 'a', state: 'encoding', restarts: 0 });
    records.set('b', { ...base, id: 'b', state: 'planning', restarts: MAX_RESTARTS });
    const { queue } = queueOver(records, () => 1_000);
    await queue.start();
    await settle();
    expect(queue.get('a')).toMatchObject({ state: 'done', restarts: 1 });
    expect(queue.get('b')).toMatchObject({
      state: 'interrupted',
      restarts: MAX_RESTARTS + 1,
      error: { error: 'interrupted' },
    });
  });

  it('a failing encode ends failed with the reason; a queued job cancels without running', async () => {
    let release = () => {};
    const blocking: Encoder = {
      probe: encoder.probe,
      run: (_a, signal) =>
        new Promise((_resolve, reject) => {
          release = () => reject(new Error('ffmpeg exited with 1: broken'));
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    };
    const { queue } = queueOver(new Map(), () => 1_000, blocking);
    await queue.start();
    const first = await queue.submit(request, 3);
    const second = await queue.submit(request, 3);
    await settle();
    expect(queue.get(first.id)?.state).toBe('encoding');
    expect(await queue.cancel(second.id)).toBe('cancelled');
    release();
    await settle();
    expect(queue.get(first.id)).toMatchObject({
      state: 'failed',
      error: { error: 'export_failed', detail: 'ffmpeg exited with 1: broken' },
    });
    expect(queue.get(second.id)?.state).toBe('cancelled');
  });

  it('sweeps finished jobs past the retention, and keeps running and recent ones', async () => {
    let now = 0;
    const { queue, volume } = queueOver(new Map(), () => now);
    await queue.start();
    const old = await queue.submit(request, 3);
    await settle();
    now = 71 * HOUR;
    expect(await queue.sweep()).toBe(0);
    now = 73 * HOUR;
    expect(await queue.sweep()).toBe(1);
    expect(volume.removed).toEqual([old.id]);
    expect(queue.get(old.id)).toBeUndefined();
  });

  it('a finished job is removed by cancel; an unknown one is unknown', async () => {
    const { queue } = queueOver(new Map(), () => 0);
    await queue.start();
    const job = await queue.submit(request, 3);
    await settle();
    expect(await queue.cancel(job.id)).toBe('removed');
    expect(await queue.cancel(job.id)).toBe('unknown');
    expect(queue.list()).toEqual([] as ExportJob[]);
  });
});
