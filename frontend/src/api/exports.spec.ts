import { describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client';
import {
  cancelExport,
  createExport,
  ExportJobSchema,
  exportDownloadUrl,
  exportRequestBody,
  exportVideoUrl,
  listExports,
  toExportJob,
} from './exports';

const ID = '0b9e8a3c-5f1d-4d8e-9a63-2f4b8c1d7e90';

/** A job as the backend's exportView writes it. */
const answer = (patch: Record<string, unknown> = {}) => ({
  id: ID,
  state: 'encoding',
  camera: 'test',
  from: '2026-11-25T12:00:00.000Z',
  to: '2026-11-25T12:10:00.000Z',
  fps: 30,
  width: 640,
  height: 360,
  mode: 'all',
  minMotion: 0.01,
  contextSeconds: 2,
  burnIn: true,
  timeZone: 'Europe/Berlin',
  stills: { done: 120, total: 600, missing: 0 },
  progress: 0.24,
  createdAt: '2026-11-25T12:10:01.000Z',
  startedAt: '2026-11-25T12:10:01.100Z',
  finishedAt: null,
  expectedEnd: '2026-11-25T12:10:09.000Z',
  frames: null,
  durationSeconds: 20,
  bytes: null,
  error: null,
  restarts: 0,
  url: `/exports/${ID}`,
  videoUrl: null,
  ...patch,
});

function recorder(respond: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return respond(String(input), init ?? {});
  }) as typeof fetch;
  return { impl, calls };
}

describe('the export job', () => {
  it('turns the answer into epoch ms', () => {
    const job = toExportJob(ExportJobSchema.parse(answer()));
    expect(job).toMatchObject({
      id: ID,
      state: 'encoding',
      fromMs: Date.UTC(2026, 10, 25, 12),
      toMs: Date.UTC(2026, 10, 25, 12, 10),
      createdMs: Date.UTC(2026, 10, 25, 12, 10, 1),
      finishedMs: null,
      expectedEndMs: Date.UTC(2026, 10, 25, 12, 10, 9),
      stills: { done: 120, total: 600, missing: 0 },
    });
  });

  it('refuses an answer the dashboard cannot follow', () => {
    expect(ExportJobSchema.safeParse(answer({ state: 'paused' })).success).toBe(false);
    expect(ExportJobSchema.safeParse(answer({ progress: 1.5 })).success).toBe(false);
    expect(ExportJobSchema.safeParse(answer({ stills: { done: 1 } })).success).toBe(false);
  });
});

describe('POST /exports', () => {
  it('sends exact unix seconds, and minMotion only for motion mode', () => {
    const request = {
      camera: 'test',
      fromMs: 1795618800000,
      toMs: 1795619400123,
      fps: 30,
      width: 640,
      mode: 'all' as const,
      minMotion: 0.002,
      burnIn: true,
      timeZone: 'Europe/Berlin',
    };
    expect(exportRequestBody(request)).toEqual({
      camera: 'test',
      from: '1795618800.000',
      to: '1795619400.123',
      fps: 30,
      width: 640,
      mode: 'all',
      burnIn: true,
      timeZone: 'Europe/Berlin',
    });
    expect(exportRequestBody({ ...request, mode: 'motion' })).toMatchObject({ mode: 'motion', minMotion: 0.002 });
  });

  it('posts JSON with the token and reads the 202 job', async () => {
    const { impl, calls } = recorder(() => Response.json(answer({ state: 'queued' }), { status: 202 }));
    const client = createApiClient({ apiBaseUrl: 'http://api', apiToken: 't0k' }, impl);
    const job = await createExport(client, {
      camera: 'test',
      fromMs: 1795618800000,
      toMs: 1795619400000,
      fps: 10,
      width: 480,
      mode: 'all',
      burnIn: false,
      timeZone: 'UTC',
    });
    expect(job.state).toBe('queued');
    expect(calls[0]?.url).toBe('http://api/exports');
    expect(calls[0]?.init.method).toBe('POST');
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers.Authorization).toBe('Bearer t0k');
    expect(JSON.parse(String(calls[0]?.init.body))).toMatchObject({ fps: 10, width: 480, burnIn: false });
  });
});

describe('GET and DELETE', () => {
  it('lists the jobs newest first, as the backend sends them', async () => {
    const older = answer({ id: '1b9e8a3c-5f1d-4d8e-9a63-2f4b8c1d7e90', state: 'done' });
    const { impl } = recorder(() => Response.json({ exports: [answer(), older] }));
    const jobs = await listExports(createApiClient({ apiBaseUrl: 'http://api' }, impl));
    expect(jobs.map((j) => j.state)).toEqual(['encoding', 'done']);
  });

  it('cancels a running job (200, the job) and deletes a finished one (204, null)', async () => {
    const cancelled = recorder(() => Response.json(answer({ state: 'cancelled', finishedAt: '2026-11-25T12:10:05Z' })));
    const job = await cancelExport(createApiClient({ apiBaseUrl: 'http://api' }, cancelled.impl), ID);
    expect(job?.state).toBe('cancelled');
    expect(cancelled.calls[0]).toMatchObject({ url: `http://api/exports/${ID}`, init: { method: 'DELETE' } });

    const deleted = recorder(() => new Response(null, { status: 204 }));
    expect(await cancelExport(createApiClient({ apiBaseUrl: 'http://api' }, deleted.impl), ID)).toBeNull();
  });
});

describe('the video', () => {
  const done = { videoUrl: `/exports/${ID}/video` };

  it('plays from the API, and downloads with ?download=1', () => {
    const client = createApiClient({ apiBaseUrl: 'http://api:3000' });
    expect(exportVideoUrl(client, done)).toBe(`http://api:3000/exports/${ID}/video`);
    expect(exportDownloadUrl(client, done)).toBe(`http://api:3000/exports/${ID}/video?download=1`);
    expect(exportVideoUrl(client, { videoUrl: null })).toBeNull();
    expect(exportDownloadUrl(client, { videoUrl: null })).toBeNull();
  });

  it('carries the token in the URL, since a <video> and a link cannot send a header', () => {
    const client = createApiClient({ apiBaseUrl: 'http://h/api', apiToken: 's3cret' });
    expect(exportVideoUrl(client, done)).toBe(`http://h/api/exports/${ID}/video?access_token=s3cret`);
    const download = new URL(exportDownloadUrl(client, done) ?? '');
    expect(download.pathname).toBe(`/api/exports/${ID}/video`);
    expect(Object.fromEntries(download.searchParams)).toEqual({ access_token: 's3cret', download: '1' });
  });
});
