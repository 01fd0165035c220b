/**
 * `docker compose up`, run for real, the way a new user runs it: a copy of the
 * checkout with `.env` from `.env.example`, the four project images built by
 * `docker compose build` from their Dockerfiles, then the whole stack on a
 * real Docker engine. It checks that the stack records and serves footage,
 * that the dashboard shows it in Chromium, that a feed-handler which cannot
 * write its volume says so, that a bind mount owned by a user's uid works,
 * that footage survives `down` and `up`, and that the dashboard's own compose
 * file serves it from a second project. Everything it starts is removed at
 * the end, on failure too (images stay: they are the build cache).
 *
 * The project name is not the default `fathom`, so a person's own stack and
 * its `fathom_thumbnails` volume are never touched.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closestFrame, group, newestFrameTime, tsParam } from '../../e2e/support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from '../../e2e/support/browser.js';
import { waitFor } from '../../scripts/lib/process.js';
import { checkoutCopy, type DockerHandle, log, parsePs, provideDocker, run } from './support/docker.js';

const PROJECT = 'fathom-composetest';
const DASHBOARD_PROJECT = 'fathom-composetest-dashboard';
const CAMERA = 'test';
const SERVICES = ['influxdb', 'rtsp', 'feed-handler', 'backend', 'frontend'];
// The ports of .env.example: the test uses the file as it is.
const BACKEND = 'http://127.0.0.1:3000';
const FEED_HANDLER = 'http://127.0.0.1:3001';
const DASHBOARD = 'http://localhost:8080';
const SECOND_DASHBOARD_PORT = 8081;
/** Build-time only: image builds here reach the registries through the host network. */
const BUILD_NETWORK_FILE = join(import.meta.dirname, 'build-network.yml');
/** A uid that owns nothing in the images: what a person's own account looks like to the container. */
const OTHER_UID = 4321;
const RATE_WINDOW_MS = 30_000;

let docker: DockerHandle;
let project: string;
let browser: BrowserHandle | undefined;
let firstFrameMs: number;
const timings: Record<string, number> = {};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function compose(
  args: string[],
  options: { env?: Record<string, string>; allowFailure?: boolean; file?: string } = {},
) {
  const files = options.file ? ['-f', options.file] : [];
  return run('docker', ['compose', '-p', options.file ? DASHBOARD_PROJECT : PROJECT, ...files, ...args], {
    cwd: project,
    env: { ...docker.env, ...options.env },
    ...(options.allowFailure ? { allowFailure: true } : {}),
  });
}

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = (Date.now() - started) / 1000;
    log(`${name}: ${timings[name].toFixed(1)} s`);
  }
}

async function services(): Promise<Map<string, { state: string; health: string }>> {
  const ps = await compose(['ps', '--all', '--format', 'json']);
  return new Map(parsePs(ps.stdout).map((s) => [s.Service, { state: s.State, health: s.Health }]));
}

async function logsOnFailure(): Promise<string> {
  const logs = await compose(['logs', '--no-color', '--tail', '40'], { allowFailure: true }).catch(() => null);
  return logs ? logs.stdout + logs.stderr : '';
}

interface FeedHealthBody {
  ok: boolean;
  cameras: { ok: boolean; frames: number; storing: boolean; storeError: string | null }[];
  detector?: { ok: boolean; state: string; reason: string | null; analysed: number; failed: number };
}
interface CamerasBody {
  cameras: { camera: string; status: { online: boolean; reason: string } | null }[];
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as T };
}

async function feedHealth() {
  return getJson<FeedHealthBody>(`${FEED_HANDLER}/healthz`).catch(() => null);
}

async function cameraStatus(): Promise<{ online: boolean; reason: string } | null> {
  const answer = await getJson<CamerasBody>(`${BACKEND}/cameras`).catch(() => null);
  return answer?.body?.cameras?.find((c) => c.camera === CAMERA)?.status ?? null;
}

async function containerHealth(service: string): Promise<string> {
  return (await services()).get(service)?.health ?? 'missing';
}

/** Recreates only the feed-handler with these settings over .env (the other services keep running). */
async function recreateFeedHandler(env: Record<string, string>) {
  await compose(['up', '-d', '--no-deps', '--force-recreate', 'feed-handler'], { env });
}

beforeAll(async () => {
  docker = await timed('provide engine, compose and base images', provideDocker);
  project = await checkoutCopy();
  log(`checkout copy: ${project}`);
  // A run that was killed (no afterAll) leaves its containers, which would restart with the engine.
  await compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], { allowFailure: true });
  await timed('docker compose build', () =>
    run('docker', ['compose', '-p', PROJECT, '-f', 'docker-compose.yml', '-f', BUILD_NETWORK_FILE, 'build'], {
      cwd: project,
      env: docker.env,
    }),
  );
  await timed('docker compose up -d --wait', () =>
    compose(['up', '-d', '--wait', '--wait-timeout', '180']).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await logsOnFailure()}`);
    }),
  );
  firstFrameMs = await timed('first frame in the index', () =>
    waitFor('a first frame in the index', () => newestFrameTime(BACKEND, CAMERA).then((t) => t ?? undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  if (project && docker) {
    await compose(['down', '--volumes', '--remove-orphans', '--timeout', '10'], {
      file: 'frontend/docker-compose.yml',
      env: { FATHOM_API_URL: BACKEND },
      allowFailure: true,
    }).catch(() => {});
    await compose(['down', '--volumes', '--remove-orphans', '--timeout', '10'], { allowFailure: true }).catch(() => {});
    const left = await run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`], {
      env: docker.env,
      allowFailure: true,
    });
    if (left.stdout.trim()) log(`containers left behind: ${left.stdout.trim()}`);
    // A rebuild leaves the previous images untagged: drop those of this test's project only.
    await run('docker', ['image', 'prune', '-f', '--filter', `label=com.docker.compose.project=${PROJECT}`], {
      env: docker.env,
      allowFailure: true,
    });
  }
  if (project) rmSync(project, { recursive: true, force: true });
  await docker?.release();
  log(`timings (s): ${JSON.stringify(timings)}`);
}, 120_000);

describe('docker compose up, as a new user runs it', () => {
  it('all five services are up and healthy, with the image names compose declares', async () => {
    const state = await services();
    expect([...state.keys()].sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES)
      expect(state.get(service), service).toEqual({ state: 'running', health: 'healthy' });
    const images = await compose(['images', '--format', 'json']);
    const names = new Set(parsePs(images.stdout).map((i) => `${(i as unknown as { Repository: string }).Repository}`));
    for (const name of ['fathom-rtsp', 'fathom-feed-handler', 'fathom-backend', 'fathom-dashboard', 'influxdb']) {
      expect(names, name).toContain(name);
    }
  });

  it('indexes thumbnails at 0.95 or more per second', async () => {
    const fromMs = Math.max(Date.now(), firstFrameMs + 2_000);
    // The window, plus time for the last points to reach the index (flushed every second).
    await sleep(fromMs + RATE_WINDOW_MS + 3_000 - Date.now());
    const frames = (await group(BACKEND, CAMERA, fromMs, 1)).filter((f) => f.timeMs <= fromMs + RATE_WINDOW_MS);
    const rate = frames.length / (RATE_WINDOW_MS / 1000);
    log(`indexed ${frames.length} frames in ${RATE_WINDOW_MS / 1000} s: ${rate.toFixed(3)}/s`);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  it('/thumbnail answers JSON for the closest frame, and its URL serves the JPEG', async () => {
    const asked = Date.now() - 5_000;
    const frame = await closestFrame(BACKEND, CAMERA, asked);
    expect(frame).not.toBeNull();
    expect(Math.abs((frame?.timeMs ?? 0) - asked)).toBeLessThanOrEqual(1_000);
    const image = await fetch(`${BACKEND}${frame?.url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    // The same frame as the JPEG itself, straight from /thumbnail.
    const direct = await fetch(`${BACKEND}/thumbnail?camera=${CAMERA}&ts=${tsParam(asked)}`, {
      headers: { accept: 'image/jpeg' },
    });
    expect(direct.headers.get('content-type')).toBe('image/jpeg');
    expect(sha256(Buffer.from(await direct.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('/thumbnailGroup returns the frames of the last minute, in order', async () => {
    const fromMs = Date.now() - 60_000;
    const frames = await group(BACKEND, CAMERA, fromMs, 1);
    const covered = (Date.now() - Math.max(fromMs, firstFrameMs)) / 1000;
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor(0.95 * covered) - 2);
    for (const [i, frame] of frames.entries()) {
      expect(frame.timeMs).toBeGreaterThan(fromMs);
      expect(frame.timeMs).toBeLessThanOrEqual(fromMs + 60_000);
      if (i > 0) expect(frame.timeMs).toBeGreaterThan(frames[i - 1]?.timeMs ?? 0);
    }
  });

  it('exports a timelapse of the last 30 s: the backend image encodes it with its ffmpeg and font, into its volume', async () => {
    const toMs = Date.now() - 2_000;
    const fromMs = Math.max(firstFrameMs, toMs - 30_000);
    const res = await fetch(`${BACKEND}/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ camera: CAMERA, from: fromMs / 1000, to: toMs / 1000, width: 320, fps: 10 }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { url } = (await res.json()) as { url: string };
    type Job = { state: string; frames: number; stills: { total: number }; videoUrl: string; error: unknown };
    const job = await waitFor(
      'the export to finish',
      async () => {
        const { body } = await getJson<Job>(`${BACKEND}${url}`);
        return ['queued', 'planning', 'encoding'].includes(body.state) ? undefined : body;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    expect(job.frames).toBe(job.stills.total);
    expect(job.stills.total).toBeGreaterThanOrEqual(25);
    const video = await fetch(`${BACKEND}${job.videoUrl}`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const file = join(project, 'export.mp4');
    writeFileSync(file, Buffer.from(await video.arrayBuffer()));
    const probe = spawnSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,width,nb_read_frames',
        '-of',
        'csv=p=0',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe(`h264,320,${job.stills.total}`);
  });

  it('the dashboard, in Chromium, shows the live tile changing', async () => {
    browser = await launchBrowser({ timezoneId: 'UTC' });
    const page = await browser.newPage();
    await page.goto(`${DASHBOARD}/`);
    const tile = page.locator(`[data-testid=camera-tile][data-camera=${CAMERA}]`);
    const image = tile.locator('[data-testid=live-image]');
    await image.waitFor({ timeout: 30_000 });
    const firstTime = Number(await image.getAttribute('data-time-ms'));
    const firstSrc = await image.getAttribute('src');
    await expect
      .poll(async () => Number(await image.getAttribute('data-time-ms')), { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(firstTime);
    expect(await image.getAttribute('src')).not.toBe(firstSrc);
    expect(await tile.getAttribute('data-state')).toBe('online');
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, 'compose-live');
    await page.close();
  });

  it('a feed-handler that cannot write its volume is unhealthy and says why', async () => {
    // The named volume belongs to node (1000); another uid may not write it. No chunks, so
    // ffmpeg runs and decodes: the frames arrive and cannot be stored.
    await recreateFeedHandler({
      FATHOM_UID: String(OTHER_UID),
      FATHOM_GID: String(OTHER_UID),
      CHUNKS_ENABLED: 'false',
    });
    const health = await waitFor(
      'healthz to report the store failure',
      async () => {
        const answer = await feedHealth();
        return answer?.body?.cameras?.[0]?.storeError ? answer : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(health.status).toBe(503);
    expect(health.body.ok).toBe(false);
    expect(health.body.cameras[0]).toMatchObject({ ok: false, storing: false, storeError: 'permission denied' });
    await expect
      .poll(cameraStatus, { timeout: 20_000, interval: 500 })
      .toEqual(expect.objectContaining({ online: false, reason: 'not stored (permission denied)' }));
    // Docker's healthcheck (every 10 s, 3 retries) turns it red too, so `docker compose ps` shows it.
    await expect.poll(() => containerHealth('feed-handler'), { timeout: 60_000, interval: 2_000 }).toBe('unhealthy');
    const logs = await compose(['logs', '--no-color', 'feed-handler']);
    expect(logs.stdout).toContain('frames are decoded but not stored (permission denied)');
  });

  it('records into a bind mount owned by a user uid (FOOTAGE_VOLUME + FATHOM_UID)', async () => {
    const footage = join(project, 'footage');
    mkdirSync(footage);
    chownSync(footage, OTHER_UID, OTHER_UID);
    await recreateFeedHandler({
      FOOTAGE_VOLUME: './footage',
      FATHOM_UID: String(OTHER_UID),
      FATHOM_GID: String(OTHER_UID),
    });
    const health = await waitFor(
      'a healthy feed-handler writing the bind mount',
      async () => {
        const answer = await feedHealth();
        return answer?.status === 200 && (answer.body.cameras[0]?.frames ?? 0) > 0 ? answer : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(health.body.cameras[0]).toMatchObject({ storing: true, storeError: null });
    const jpegs: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.jpg')) jpegs.push(join(dir, entry.name));
      }
    };
    walk(join(footage, CAMERA));
    expect(jpegs.length).toBeGreaterThan(0);
    expect(statSync(jpegs[0] as string).uid).toBe(OTHER_UID);
    // Back to the defaults of .env.example.
    await recreateFeedHandler({});
    await expect.poll(() => containerHealth('feed-handler'), { timeout: 60_000, interval: 1_000 }).toBe('healthy');
  });

  it('the feed-handler image runs the object detector from its dist, on the model inside its node_modules', async () => {
    await recreateFeedHandler({ DETECT_ENABLED: 'true', DETECT_SAMPLE_SECONDS: '2' });
    const health = await waitFor(
      'the detector ready and looking at frames',
      async () => {
        const answer = await feedHealth();
        return answer && (answer.body?.detector?.analysed ?? 0) >= 3 ? answer : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(health.status).toBe(200);
    expect(health.body.detector).toMatchObject({ ok: true, state: 'ready', reason: null, failed: 0 });
    // The test pattern shows no person, car or animal: nothing is stored, and the API says so.
    const answer = await getJson<{ appearances: unknown[] }>(`${BACKEND}/detections?label=people%20and%20vehicles`);
    expect(answer.status).toBe(200);
    expect(answer.body.appearances).toEqual([]);
    await recreateFeedHandler({});
    await expect.poll(() => containerHealth('feed-handler'), { timeout: 60_000, interval: 1_000 }).toBe('healthy');
  });

  it('after docker compose down and up, footage recorded before is still found', async () => {
    const before = await closestFrame(BACKEND, CAMERA, firstFrameMs + 10_000);
    expect(before).not.toBeNull();
    const jpegBefore = Buffer.from(await (await fetch(`${BACKEND}${before?.url}`)).arrayBuffer());
    expect(existsSync(join(project, 'influx', 'data', 'influxd.bolt'))).toBe(true);

    // A second dashboard (next test) on another port: the API must allow its origin, as a person would set it.
    appendFileSync(
      join(project, '.env'),
      `\nCORS_ORIGINS=http://localhost:8080,http://127.0.0.1:8080,http://localhost:${SECOND_DASHBOARD_PORT}\n`,
    );
    await timed('docker compose down', () => compose(['down', '--timeout', '10']));
    expect(await services()).toEqual(new Map());
    await timed('docker compose up -d --wait (again)', () => compose(['up', '-d', '--wait', '--wait-timeout', '180']));

    const after = await closestFrame(BACKEND, CAMERA, firstFrameMs + 10_000);
    expect(after).toEqual(before);
    const jpegAfter = Buffer.from(await (await fetch(`${BACKEND}${after?.url}`)).arrayBuffer());
    expect(sha256(jpegAfter)).toBe(sha256(jpegBefore));
    // And it records again.
    const restartedAt = Date.now();
    await waitFor(
      'a new frame after the restart',
      async () => ((await newestFrameTime(BACKEND, CAMERA)) ?? 0) > restartedAt || undefined,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  it('frontend/docker-compose.yml brings the dashboard up on its own against the main API', async () => {
    const env = { FATHOM_API_URL: 'http://localhost:3000', DASHBOARD_PORT: String(SECOND_DASHBOARD_PORT) };
    await timed('dashboard compose up -d --wait', () =>
      compose(['up', '-d', '--wait', '--wait-timeout', '60'], { file: 'frontend/docker-compose.yml', env }),
    );
    const page = await (browser as BrowserHandle).newPage();
    await page.goto(`http://localhost:${SECOND_DASHBOARD_PORT}/`);
    const image = page.locator(`[data-testid=camera-tile][data-camera=${CAMERA}] [data-testid=live-image]`);
    await image.waitFor({ timeout: 30_000 });
    const firstTime = Number(await image.getAttribute('data-time-ms'));
    await expect
      .poll(async () => Number(await image.getAttribute('data-time-ms')), { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(firstTime);
    await screenshot(page, 'compose-dashboard-alone');
    await page.close();
  });
});
