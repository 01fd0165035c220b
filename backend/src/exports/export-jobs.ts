/**
 * The export queue: timelapse jobs, one at a time, in the order they were asked for.
 *
 * A job goes queued → planning (reading the index) → encoding (ffmpeg) → done, or ends
 * failed, cancelled or interrupted. Every change of state is written to the export volume
 * before anyone can see it, so a restart finds each job where it was: queued jobs stay
 * queued, and a job that was running when the backend stopped starts again from the
 * beginning (its half-made file is gone with the work folder) — up to MAX_RESTARTS times,
 * after which it is reported as interrupted instead of looping on whatever kills it.
 * Only a finished job's video is ever served.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import type { ExportVolume } from '../adapters/export-volume.js';
import type { Encoder } from '../adapters/ffmpeg.js';
import type { Logger } from '../logger.js';
import { NS_PER_MS } from '../time-input.js';
import { captureTimeLabel } from './burn-in.js';
import type { ExportRequest } from './export-request.js';
import { expectedEndMs } from './progress.js';
import type { StillsSource } from './stills-source.js';
import { type BurnInFont, concatList, lowresFor, outputHeight, timelapseArgs } from './timelapse-args.js';

export const EXPORT_STATES = ['queued', 'planning', 'encoding', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];
const FINISHED: ReadonlySet<ExportState> = new Set(['done', 'failed', 'cancelled', 'interrupted']);
export const isFinished = (state: ExportState) => FINISHED.has(state);

/** A job that was running this many times when the backend stopped is not started again. */
export const MAX_RESTARTS = 2;

/** The request as stored and shown: the same settings, times as epoch ms (stills are named by ms). */
export type StoredRequest = Omit<ExportRequest, 'fromNs' | 'toNs'> & { fromMs: number; toMs: number };

export interface ExportJob {
  id: string;
  state: ExportState;
  request: StoredRequest;
  createdMs: number;
  startedMs?: number | undefined;
  finishedMs?: number | undefined;
  /** Stills encoded so far and in all (total is the index's count until planning has run). */
  stills: { done: number; total: number; missing: number };
  /** Planning progress, 0..1. */
  planned: number;
  expectedEndMs?: number | undefined;
  /** Frames of the finished video; equals stills.total. */
  frames?: number | undefined;
  bytes?: number | undefined;
  height?: number | undefined;
  error?: { error: string; detail: string } | undefined;
  restarts: number;
}

export interface ExportSettings {
  retentionHours: number;
  /** The font for burned-in times; undefined draws with fontconfig's default monospace. */
  font: BurnInFont;
}

export interface ExportQueueDeps {
  volume: ExportVolume;
  stills: StillsSource;
  encoder: Encoder;
  clock: Clock;
  logger: Logger;
  settings: ExportSettings;
  /** Counts finished jobs by outcome (metrics). */
  onFinished?: (state: ExportState) => void;
}

export interface ExportQueue {
  start(): Promise<void>;
  /** Stops the running encode without changing its record: the next start() runs it again. */
  stop(): Promise<void>;
  submit(request: ExportRequest, knownStills: number): Promise<ExportJob>;
  get(id: string): ExportJob | undefined;
  list(): ExportJob[];
  /** Cancels a queued or running job (kept, as cancelled), or removes a finished one. */
  cancel(id: string): Promise<'cancelled' | 'removed' | 'unknown'>;
  /** Removes finished jobs older than the retention; returns how many. */
  sweep(): Promise<number>;
}

class Shutdown extends Error {}
class Cancelled extends Error {}
class NoStills extends Error {}

const toStored = ({ fromNs, toNs, ...settings }: ExportRequest): StoredRequest => ({
  ...settings,
  fromMs: Number(fromNs / NS_PER_MS),
  toMs: Number((toNs + NS_PER_MS - 1n) / NS_PER_MS),
});

const toRequest = ({ fromMs, toMs, ...settings }: StoredRequest): ExportRequest => ({
  ...settings,
  fromNs: BigInt(fromMs) * NS_PER_MS,
  toNs: BigInt(toMs) * NS_PER_MS,
});

function isJob(value: unknown): value is ExportJob {
  const job = value as Partial<ExportJob> | null;
  return (
    typeof job?.id === 'string' &&
    typeof job.state === 'string' &&
    (EXPORT_STATES as readonly string[]).includes(job.state) &&
    typeof job.request?.camera === 'string' &&
    typeof job.createdMs === 'number'
  );
}

export function createExportQueue(deps: ExportQueueDeps): ExportQueue {
  const { volume, stills, encoder, clock, logger, settings } = deps;
  const jobs = new Map<string, ExportJob>();
  let running: { id: string; abort: AbortController; settled: Promise<void> } | undefined;
  let stopped = false;
  let idle: Promise<void> = Promise.resolve();
  const nowMs = () => Number(clock.nowNs() / NS_PER_MS);

  const save = (job: ExportJob) => volume.saveRecord(job.id, job);

  async function finish(job: ExportJob, state: ExportState, error?: ExportJob['error']) {
    job.state = state;
    job.finishedMs = nowMs();
    job.expectedEndMs = undefined;
    job.error = error;
    await save(job);
    deps.onFinished?.(state);
    logger.info({ exportId: job.id, state, stills: job.stills, error }, 'export finished');
  }

  async function run(job: ExportJob, abort: AbortController) {
    const { signal } = abort;
    job.state = 'planning';
    job.startedMs = nowMs();
    job.planned = 0;
    await save(job);
    const request = toRequest(job.request);
    const plan = await stills.plan(request, signal, (share) => {
      job.planned = share;
    });
    if (plan.stills.length === 0) throw new NoStills();
    const height = outputHeight(request.width, plan.size);
    const listText = concatList(
      plan.stills.map((still) => ({
        path: still.path,
        label: request.burnIn ? captureTimeLabel(still.timeMs, request.timeZone) : undefined,
      })),
    );
    const listPath = await volume.writeList(job.id, listText);
    signal.throwIfAborted();
    job.state = 'encoding';
    job.height = height;
    job.stills = { done: 0, total: plan.stills.length, missing: plan.missing };
    await save(job);
    const encodeStartedMs = nowMs();
    let frames = 0;
    await encoder.run(
      timelapseArgs({
        listPath,
        outputPath: volume.workVideoPath(job.id),
        fps: request.fps,
        width: request.width,
        height,
        lowres: lowresFor(plan.size?.width, request.width),
        font: request.burnIn ? settings.font : undefined,
      }),
      signal,
      (count) => {
        frames = count;
        job.stills.done = Math.min(count, job.stills.total);
        job.expectedEndMs = expectedEndMs(encodeStartedMs, nowMs(), job.stills.done, job.stills.total);
      },
    );
    job.frames = frames;
    job.stills.done = job.stills.total;
    job.bytes = await volume.commit(job.id);
    await finish(job, 'done');
  }

  async function runNext(): Promise<void> {
    if (running || stopped) return;
    const next = [...jobs.values()]
      .filter((job) => job.state === 'queued')
      .sort((a, b) => a.createdMs - b.createdMs)[0];
    if (!next) return;
    const abort = new AbortController();
    let settle = () => {};
    running = { id: next.id, abort, settled: new Promise<void>((resolve) => (settle = resolve)) };
    try {
      await run(next, abort);
    } catch (error) {
      await volume.discardWork(next.id).catch(() => {});
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      if (reason instanceof Shutdown) {
        logger.info({ exportId: next.id }, 'export stopped by shutdown; it runs again at the next start');
      } else if (reason instanceof Cancelled) {
        await finish(next, 'cancelled');
      } else if (reason instanceof NoStills) {
        await finish(next, 'failed', {
          error: 'no_stills',
          detail: 'no stills of this camera were left in the range (deleted by retention, or none moved)',
        });
      } else {
        const detail = error instanceof Error ? error.message : String(error);
        logger.error({ err: error, exportId: next.id }, 'export failed');
        await finish(next, 'failed', { error: 'export_failed', detail });
      }
    } finally {
      running = undefined;
      settle();
    }
    return runNext();
  }

  const kick = () => {
    idle = idle.then(runNext).catch((error: unknown) => logger.error({ err: error }, 'export queue failed'));
  };

  return {
    async start() {
      stopped = false;
      await volume.init();
      const { records, unreadable } = await volume.loadRecords();
      if (unreadable.length) logger.warn({ files: unreadable }, 'export records that do not parse were skipped');
      for (const record of records) {
        if (!isJob(record)) continue;
        const job = record;
        if (job.state === 'planning' || job.state === 'encoding') {
          job.restarts = (job.restarts ?? 0) + 1;
          job.stills.done = 0;
          if (job.restarts > MAX_RESTARTS) {
            job.state = 'interrupted';
            job.finishedMs = nowMs();
            job.error = {
              error: 'interrupted',
              detail: `the backend stopped while this export ran, ${job.restarts} times; it was not started again`,
            };
          } else {
            job.state = 'queued';
          }
          await save(job);
        }
        jobs.set(job.id, job);
      }
      await this.sweep();
      kick();
    },

    async stop() {
      stopped = true;
      running?.abort.abort(new Shutdown());
      await idle;
    },

    async submit(request, knownStills) {
      const job: ExportJob = {
        id: randomUUID(),
        state: 'queued',
        request: toStored(request),
        createdMs: nowMs(),
        stills: { done: 0, total: knownStills, missing: 0 },
        planned: 0,
        restarts: 0,
      };
      await save(job);
      jobs.set(job.id, job);
      kick();
      return job;
    },

    get: (id) => jobs.get(id),
    list: () => [...jobs.values()].sort((a, b) => b.createdMs - a.createdMs),

    async cancel(id) {
      const job = jobs.get(id);
      if (!job) return 'unknown';
      if (isFinished(job.state)) {
        jobs.delete(id);
        await volume.remove(id);
        return 'removed';
      }
      if (running?.id === id) {
        const { settled } = running;
        running.abort.abort(new Cancelled());
        // The runner records the outcome once ffmpeg has gone and its work files are removed.
        await settled;
        return 'cancelled';
      }
      await finish(job, 'cancelled');
      return 'cancelled';
    },

    async sweep() {
      const cutoff = nowMs() - settings.retentionHours * 3_600_000;
      let removed = 0;
      for (const job of [...jobs.values()]) {
        if (!isFinished(job.state) || (job.finishedMs ?? job.createdMs) > cutoff) continue;
        jobs.delete(job.id);
        await volume.remove(job.id);
        removed += 1;
      }
      if (removed) logger.info({ removed, retentionHours: settings.retentionHours }, 'old exports removed');
      return removed;
    },
  };
}
