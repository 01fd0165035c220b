import { z } from 'zod';
import type { ApiClient } from '../lib/api-client';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a time' });

const NewestFrameSchema = z.object({ time: isoTime, ts: z.number().optional(), url: z.string().min(1) });
const StatusSchema = z.object({
  online: z.boolean(),
  reason: z.string().nullable().optional(),
  since: isoTime.nullable().optional(),
});

const CameraSchema = z.object({
  camera: z.string().min(1),
  location: z.string().nullable().optional(),
  newestFrame: NewestFrameSchema.nullable().optional(),
  status: StatusSchema.nullable().optional(),
});

/** GET /cameras: a bare array or `{cameras: [...]}`. */
export const CamerasResponseSchema = z.union([z.array(CameraSchema), z.object({ cameras: z.array(CameraSchema) })]);

export interface Camera {
  id: string;
  location: string | null;
  newestFrame: { timeMs: number; url: string } | null;
  /** null when the feed-handler never reported a state for it. */
  status: { online: boolean; reason: string | null; sinceMs: number | null } | null;
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
  }));
}

export async function getCameras(client: ApiClient, signal?: AbortSignal): Promise<Camera[]> {
  return toCameras(await client.getJson('/cameras', {}, CamerasResponseSchema, signal));
}
