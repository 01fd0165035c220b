/**
 * Timelapse exports:
 *   POST   /exports              ask for one (202, Location: /exports/{id})
 *   GET    /exports              every job, newest first
 *   GET    /exports/{id}         one job: state, progress, expected end, then videoUrl
 *   DELETE /exports/{id}         cancel it (queued or running), or delete it when finished
 *   GET    /exports/{id}/video   the MP4 of a finished job (Range requests; ?download=1 to save)
 */
import type { Request, Response } from 'express';
import type { Clock } from '../adapters/clock.js';
import type { ExportVolume } from '../adapters/export-volume.js';
import type { ExportQueue } from '../exports/export-jobs.js';
import { checkExportRequest, type ExportLimits, exportRequestSchema } from '../exports/export-request.js';
import { exportIdParams, exportVideoQuery, exportView } from '../exports/export-schemas.js';
import type { StillsSource } from '../exports/stills-source.js';
import type { ThumbnailIndex } from '../index-reader.js';
import { badRequest, HttpProblem, notFound } from '../problems.js';
import { describeIssues } from '../schemas.js';
import { nsToIso } from '../time-input.js';
import { sendVideo } from './chunk-files.js';
import { parseQuery } from './shared.js';

export interface ExportsDeps {
  queue: ExportQueue;
  stills: StillsSource;
  volume: ExportVolume;
  index: ThumbnailIndex;
  clock: Clock;
  limits: ExportLimits;
  /** Why exports cannot run here (no ffmpeg, volume not writable); undefined when they can. */
  unavailable?: string | undefined;
}

function idOf(req: Request): string {
  const parsed = exportIdParams.safeParse(req.params);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data.id;
}

function jobOf(deps: ExportsDeps, req: Request) {
  const id = idOf(req);
  const job = deps.queue.get(id);
  if (!job) throw notFound(`no export ${id} (finished exports are kept for EXPORT_RETENTION_HOURS)`);
  return job;
}

export function createExportHandler(deps: ExportsDeps) {
  return async (req: Request, res: Response) => {
    if (deps.unavailable) throw new HttpProblem(503, 'exports_unavailable', deps.unavailable);
    if (!req.is('application/json')) {
      throw new HttpProblem(
        415,
        'unsupported_media_type',
        'send the export request as JSON (Content-Type: application/json)',
      );
    }
    const parsed = exportRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const checked = checkExportRequest(parsed.data, deps.limits);
    if (!checked.ok) throw badRequest(checked.detail);
    const request = checked.value;
    const count = await deps.stills.count(request.camera, request.fromNs, request.toNs);
    if (count === 0) {
      const cameras = await deps.index.cameras(deps.clock.nowNs());
      if (!cameras.some((camera) => camera.camera === request.camera)) {
        throw notFound(`no camera "${request.camera}" in the index`);
      }
      throw new HttpProblem(
        422,
        'no_stills',
        `camera "${request.camera}" has no stills from ${nsToIso(request.fromNs)} to ${nsToIso(request.toNs)}`,
      );
    }
    const job = await deps.queue.submit(request, count);
    res.status(202).location(`/exports/${job.id}`).json(exportView(job));
  };
}

export function listExportsHandler(deps: ExportsDeps) {
  return (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ exports: deps.queue.list().map(exportView) });
  };
}

export function getExportHandler(deps: ExportsDeps) {
  return (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json(exportView(jobOf(deps, req)));
  };
}

export function deleteExportHandler(deps: ExportsDeps) {
  return async (req: Request, res: Response) => {
    const job = jobOf(deps, req);
    const outcome = await deps.queue.cancel(job.id);
    if (outcome === 'removed') {
      res.status(204).end();
      return;
    }
    const after = deps.queue.get(job.id);
    if (!after) {
      res.status(204).end();
      return;
    }
    res.json(exportView(after));
  };
}

export function exportVideoHandler(deps: ExportsDeps) {
  return async (req: Request, res: Response) => {
    const { download } = parseQuery(exportVideoQuery, req.query);
    const job = jobOf(deps, req);
    if (job.state !== 'done') {
      throw new HttpProblem(
        409,
        'not_ready',
        `export ${job.id} is ${job.state}; its video exists only once it is done`,
      );
    }
    const file = await deps.volume.openVideo(job.id);
    if (!file) throw notFound(`the video of export ${job.id} is gone from the export volume`);
    const from = new Date(job.request.fromMs).toISOString().replace(/[:.]/g, '-');
    const disposition = download === '1' ? 'attachment' : 'inline';
    res.set('Content-Disposition', `${disposition}; filename="fathom-${job.request.camera}-${from}.mp4"`);
    await sendVideo(req, res, file);
  };
}
