/**
 * Timelapse exports: POST /exports asks for one, GET /exports/{id} follows it
 * (queued → planning → encoding → done, or failed / cancelled / interrupted),
 * DELETE /exports/{id} cancels it or, once finished, deletes it, and
 * /exports/{id}/video is the MP4 (inline, or as a download with ?download=1).
 */
import { z } from 'zod';
import type { ApiClient } from '../lib/api-client';
import { msToUnixSecondsParam } from '../lib/time';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });

export const EXPORT_STATES = ['queued', 'planning', 'encoding', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

export const EXPORT_MODES = ['all', 'motion'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

/** One job as GET /exports/{id} shows it (fields this dashboard does not use are left out). */
export const ExportJobSchema = z.object({
  id: z.string().min(1),
  state: z.enum(EXPORT_STATES),
  camera: z.string(),
  from: isoTime,
  to: isoTime,
  fps: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive().nullable(),
  mode: z.enum(EXPORT_MODES),
  burnIn: z.boolean(),
  timeZone: z.string(),
  stills: z.object({
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    missing: z.number().int().nonnegative(),
  }),
  progress: z.number().min(0).max(1),
  createdAt: isoTime,
  finishedAt: isoTime.nullable(),
  expectedEnd: isoTime.nullable(),
  durationSeconds: z.number().nonnegative(),
  bytes: z.number().int().nonnegative().nullable(),
  error: z.object({ error: z.string(), detail: z.string() }).nullable(),
  videoUrl: z.string().min(1).nullable(),
});

export const ExportListSchema = z.object({ exports: z.array(ExportJobSchema) });

export interface ExportJob {
  id: string;
  state: ExportState;
  camera: string;
  /** The range asked for, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  fps: number;
  width: number;
  /** Known once the stills are planned. */
  height: number | null;
  mode: ExportMode;
  burnIn: boolean;
  timeZone: string;
  /** Encoded so far, in the video (the index's count until planned), and indexed but missing on disk. */
  stills: { done: number; total: number; missing: number };
  /** Share of the job done, 0..1. */
  progress: number;
  createdMs: number;
  finishedMs: number | null;
  /** When encoding should end at the rate so far; null until there is a rate, and once finished. */
  expectedEndMs: number | null;
  /** Length of the video: stills / fps. */
  durationSeconds: number;
  bytes: number | null;
  error: { error: string; detail: string } | null;
  /** The API path of the MP4 once done. */
  videoUrl: string | null;
}

export function toExportJob(body: z.infer<typeof ExportJobSchema>): ExportJob {
  return {
    id: body.id,
    state: body.state,
    camera: body.camera,
    fromMs: Date.parse(body.from),
    toMs: Date.parse(body.to),
    fps: body.fps,
    width: body.width,
    height: body.height,
    mode: body.mode,
    burnIn: body.burnIn,
    timeZone: body.timeZone,
    stills: body.stills,
    progress: body.progress,
    createdMs: Date.parse(body.createdAt),
    finishedMs: body.finishedAt ? Date.parse(body.finishedAt) : null,
    expectedEndMs: body.expectedEnd ? Date.parse(body.expectedEnd) : null,
    durationSeconds: body.durationSeconds,
    bytes: body.bytes,
    error: body.error,
    videoUrl: body.videoUrl,
  };
}

/** What the dashboard asks for; the backend fills in the rest (context seconds) with its defaults. */
export interface ExportRequest {
  camera: string;
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  fps: number;
  width: number;
  mode: ExportMode;
  /** Motion mode: least share of the picture that must change, 0..1. */
  minMotion?: number;
  burnIn: boolean;
  /** IANA zone of the burned-in times. */
  timeZone: string;
}

/** The POST /exports body: times as exact unix seconds text (no float artefacts), minMotion only for motion mode. */
export function exportRequestBody(request: ExportRequest): Record<string, string | number | boolean> {
  return {
    camera: request.camera,
    from: msToUnixSecondsParam(request.fromMs),
    to: msToUnixSecondsParam(request.toMs),
    fps: request.fps,
    width: request.width,
    mode: request.mode,
    ...(request.mode === 'motion' && request.minMotion !== undefined ? { minMotion: request.minMotion } : {}),
    burnIn: request.burnIn,
    timeZone: request.timeZone,
  };
}

const jobPath = (id: string) => `/exports/${encodeURIComponent(id)}`;

export async function createExport(client: ApiClient, request: ExportRequest, signal?: AbortSignal) {
  return toExportJob(await client.postJson('/exports', exportRequestBody(request), ExportJobSchema, signal));
}

export async function getExport(client: ApiClient, id: string, signal?: AbortSignal): Promise<ExportJob> {
  return toExportJob(await client.getJson(jobPath(id), {}, ExportJobSchema, signal));
}

/** Every job the backend keeps, newest first. */
export async function listExports(client: ApiClient, signal?: AbortSignal): Promise<ExportJob[]> {
  return (await client.getJson('/exports', {}, ExportListSchema, signal)).exports.map(toExportJob);
}

/**
 * Cancels a queued or running job (the answer is the job, cancelled) or deletes a
 * finished one (null: it is gone, video and all).
 */
export async function cancelExport(client: ApiClient, id: string, signal?: AbortSignal): Promise<ExportJob | null> {
  const body = await client.deleteJson(jobPath(id), ExportJobSchema, signal);
  return body ? toExportJob(body) : null;
}

/** The MP4 for a <video> (with ?access_token= when the API needs a token); null until the job is done. */
export function exportVideoUrl(client: ApiClient, job: Pick<ExportJob, 'videoUrl'>): string | null {
  return job.videoUrl ? client.resolveMedia(job.videoUrl) : null;
}

/** The same MP4, served as an attachment so the browser saves it. */
export function exportDownloadUrl(client: ApiClient, job: Pick<ExportJob, 'videoUrl'>): string | null {
  const video = exportVideoUrl(client, job);
  if (!video) return null;
  const url = new URL(video);
  url.searchParams.set('download', '1');
  return url.toString();
}
