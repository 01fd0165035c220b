import { z } from 'zod';
import type { ApiClient } from '../lib/api-client';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });

const NewestFrameSchema = z.object({ time: isoTime, ts: z.number().optional(), url: z.string().min(1) });
const StatusSchema = z.object({
  online: z.boolean(),
  reason: z.string().nullable().optional(),
  since: isoTime.nullable().optional(),
});

/** One RTMP restream target. `state` is any text, so a state added later shows as itself instead of failing the view. */
const RestreamTargetSchema = z.object({
  name: z.string(),
  state: z.string(),
  reason: z.string().nullable(),
  uptimeSeconds: z.number().nonnegative(),
  bytesSent: z.number().nonnegative(),
  restarts: z.number().nonnegative(),
});

const CameraSchema = z.object({
  camera: z.string().min(1),
  location: z.string().nullable().optional(),
  newestFrame: NewestFrameSchema.nullable().optional(),
  status: StatusSchema.nullable().optional(),
  /** [] when none are configured; null when the backend could not reach the feed-handler; absent when it does not ask. */
  restreams: z.array(RestreamTargetSchema).nullable().optional(),
});

/** GET /cameras: a bare array or `{cameras: [...]}`. */
export const CamerasResponseSchema = z.union([z.array(CameraSchema), z.object({ cameras: z.array(CameraSchema) })]);

export type RestreamTarget = z.infer<typeof RestreamTargetSchema>;

export interface Camera {
  id: string;
  location: string | null;
  newestFrame: { timeMs: number; url: string } | null;
  /** null when the feed-handler never reported a state for it. */
  status: { online: boolean; reason: string | null; sinceMs: number | null } | null;
  /**
   * Its RTMP restream targets ([] for none); 'unavailable' when the backend could not reach the
   * feed-handler (unknown, not none); undefined when the backend does not report restreams.
   */
  restreams?: RestreamTarget[] | 'unavailable';
}

function restreamsOf(restreams: RestreamTarget[] | null | undefined): Pick<Camera, 'restreams'> {
  if (restreams === undefined) return {};
  return { restreams: restreams ?? 'unavailable' };
}

export function toCameras(body: z.infer<typeof CamerasResponseSchema>): Camera[] {
  const list = Array.isArray(body) ? body : body.cameras;
  return list.map((c) => ({
    id: c.camera,
    location: c.location ?? null,
    newestFrame: c.newestFrame ? { timeMs: Date.parse(c.newestFrame.time), url: c.newestFrame.url } : null,
    status: c.status
      ? {
          online: c.status.online,
          reason: c.status.reason ?? null,
          sinceMs: c.status.since ? Date.parse(c.status.since) : null,
        }
      : null,
    ...restreamsOf(c.restreams),
  }));
}

export async function getCameras(client: ApiClient, signal?: AbortSignal): Promise<Camera[]> {
  return toCameras(await client.getJson('/cameras', {}, CamerasResponseSchema, signal));
}
