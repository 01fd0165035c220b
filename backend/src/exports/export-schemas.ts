/** The /exports answers as zod schemas (for the OpenAPI document), and a job as the API shows it. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { EXPORT_STATES, type ExportJob } from './export-jobs.js';
import { EXPORT_MODES } from './export-request.js';

extendZodWithOpenApi(z);

const isoTime = z.string().openapi({ description: 'RFC 3339 UTC', example: '2026-11-25T15:00:00.000Z' });

export const exportIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an export id (a UUID)')
    .openapi({ description: 'The id POST /exports answered with', example: '0b9e8a3c-5f1d-4d8e-9a63-2f4b8c1d7e90' }),
});

export const exportVideoQuery = z.object({
  download: z
    .enum(['0', '1'], { error: 'must be "1" (save the file) or "0" (play it inline)' })
    .optional()
    .openapi({ description: '1: Content-Disposition attachment, to save the file; 0 or absent: inline, to play it' }),
});

export const exportBody = z
  .object({
    id: z.string(),
    state: z.enum(EXPORT_STATES).openapi({
      description:
        'queued → planning (reading the index) → encoding → done; or failed, cancelled, or interrupted (the backend stopped while it ran, too often)',
    }),
    camera: z.string(),
    from: isoTime,
    to: isoTime,
    fps: z.number().int(),
    width: z.number().int(),
    height: z.number().int().nullable().openapi({ description: 'Known once planned' }),
    mode: z.enum(EXPORT_MODES),
    minMotion: z.number(),
    contextSeconds: z.number().int(),
    burnIn: z.boolean(),
    timeZone: z.string(),
    stills: z
      .object({
        done: z.number().int().openapi({ description: 'Stills encoded so far' }),
        total: z.number().int().openapi({ description: 'Stills in the video (the index count until planned)' }),
        missing: z.number().int().openapi({ description: 'Indexed stills whose file was gone, left out' }),
      })
      .openapi({ description: 'Progress: done of total' }),
    progress: z.number().openapi({ description: 'Share of the job done, 0..1' }),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    expectedEnd: isoTime.nullable().openapi({ description: 'When encoding should end at the rate so far' }),
    frames: z.number().int().nullable().openapi({ description: 'Frames of the finished video (one per still)' }),
    durationSeconds: z.number().openapi({ description: 'Length of the video: stills / fps' }),
    bytes: z.number().int().nullable(),
    error: z.object({ error: z.string(), detail: z.string() }).nullable(),
    restarts: z.number().int().openapi({ description: 'Times a backend restart started it again' }),
    url: z.string().openapi({ example: '/exports/0b9e8a3c-5f1d-4d8e-9a63-2f4b8c1d7e90' }),
    videoUrl: z.string().nullable().openapi({
      description: 'The MP4 once done (plays inline; add ?download=1 to save it)',
      example: '/exports/0b9e8a3c-5f1d-4d8e-9a63-2f4b8c1d7e90/video',
    }),
  })
  .openapi('Export');

export const exportsBody = z.object({ exports: z.array(exportBody) }).openapi('Exports');

export type ExportBody = z.infer<typeof exportBody>;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** How much of a job is done: planning is the first 5 %, encoding the rest. */
function progressOf(job: ExportJob): number {
  if (job.state === 'done') return 1;
  if (job.state === 'planning') return 0.05 * job.planned;
  if (job.state === 'encoding' && job.stills.total > 0) return 0.05 + (0.95 * job.stills.done) / job.stills.total;
  return 0;
}

export function exportView(job: ExportJob): ExportBody {
  const { request } = job;
  return {
    id: job.id,
    state: job.state,
    camera: request.camera,
    from: new Date(request.fromMs).toISOString(),
    to: new Date(request.toMs).toISOString(),
    fps: request.fps,
    width: request.width,
    height: job.height ?? null,
    mode: request.mode,
    minMotion: request.minMotion,
    contextSeconds: request.contextSeconds,
    burnIn: request.burnIn,
    timeZone: request.timeZone,
    stills: { ...job.stills },
    progress: Math.round(progressOf(job) * 1000) / 1000,
    createdAt: new Date(job.createdMs).toISOString(),
    startedAt: iso(job.startedMs),
    finishedAt: iso(job.finishedMs),
    expectedEnd: iso(job.expectedEndMs),
    frames: job.frames ?? null,
    durationSeconds: Math.round(((job.frames ?? job.stills.total) / request.fps) * 1000) / 1000,
    bytes: job.bytes ?? null,
    error: job.error ?? null,
    restarts: job.restarts,
    url: `/exports/${job.id}`,
    videoUrl: job.state === 'done' ? `/exports/${job.id}/video` : null,
  };
}
