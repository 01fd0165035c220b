/**
 * Timelapse exports against a real influxd and the real ffmpeg: the video has one frame
 * per still, in time order (read back from each still's own grey level), motion mode keeps
 * the moving stills and their context, burned-in times are the index's, a cancelled job
 * leaves nothing served, a restart finishes the job, and hostile requests get 4xx.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thumbnailRelativePath } from '@fathom/index-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture, TEST_FONT } from '../../test/influx-fixture.js';
import {
  frameGray,
  frameLevels,
  makeStills,
  meanAbsDiff,
  probeVideo,
  stillLevel,
  videoLevel,
} from '../../test/stills.js';
import { captureTimeLabel } from './burn-in.js';
import type { ExportBody } from './export-schemas.js';
import { concatList, timelapseArgs } from './timelapse-args.js';

const T0 = Date.UTC(2026, 9, 3, 10, 0, 0, 250); // past: every still settled; .250 so labels truncate
const STILLS = 120;
const MOVING = [40, 41, 42, 43, 44];
const secondsOf = (ms: number) => ms / 1000;

let fx: Fixture;
let exportDir: string;
let work: string;
const stills = makeStills(STILLS);

async function post(body: unknown, contentType = 'application/json') {
  const res = await fetch(`${fx.url}/exports`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as ExportBody & { error?: unknown; detail?: string }, res };
}

async function waitFor(id: string, done: (job: ExportBody) => boolean, timeoutMs = 90_000): Promise<ExportBody> {
  const started = Date.now();
  for (;;) {
    const job = (await (await fetch(`${fx.url}/exports/${id}`)).json()) as ExportBody;
    if (done(job)) return job;
    if (Date.now() - started > timeoutMs) throw new Error(`export ${id} stayed ${job.state}: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function download(job: ExportBody): Promise<string> {
  expect(job.videoUrl).toBe(`/exports/${job.id}/video`);
  const res = await fetch(`${fx.url}${job.videoUrl}?download=1`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('video/mp4');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="fathom-porch-/);
  const path = join(work, `${job.id}.mp4`);
  writeFileSync(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

const finished = (job: ExportBody) => ['done', 'failed', 'cancelled', 'interrupted'].includes(job.state);

beforeAll(async () => {
  exportDir = mkdtempSync(join(tmpdir(), 'fathom-exports-'));
  work = mkdtempSync(join(tmpdir(), 'fathom-exports-check-'));
  fx = await startFixture({}, { exports: { dir: exportDir, maxRangeHours: 24 } });
  await fx.writeFrames(
    stills.map((bytes, i) => ({
      camera: 'porch',
      ms: T0 + i * 1000,
      jpeg: { bytes, width: 320, height: 180 },
      metrics: { motion: MOVING.includes(i) ? 0.2 : 0.001, grid: '0'.repeat(48), luma: stillLevel(i), lighting: false },
    })),
    { files: true },
  );
  await fx.writeFrames([{ camera: 'yard', ms: T0 }], { files: true });
});

afterAll(async () => {
  await fx?.close();
  rmSync(exportDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('POST /exports, then GET /exports/{id} until done', () => {
  it('"all": one H.264 frame per still, in time order, at the asked width, with progress on the way', async () => {
    const { status, body, res } = await post({
      camera: 'porch',
      from: secondsOf(T0),
      to: secondsOf(T0 + STILLS * 1000),
      fps: 10,
      width: 160,
      burnIn: false,
    });
    expect(status).toBe(202);
    expect(res.headers.get('location')).toBe(`/exports/${body.id}`);
    expect(body.stills.total).toBe(STILLS);
    const job = await waitFor(body.id, finished);
    expect(job).toMatchObject({ state: 'done', frames: STILLS, progress: 1, height: 90, durationSeconds: 12 });
    expect(job.stills).toEqual({ done: STILLS, total: STILLS, missing: 0 });
    const video = await download(job);
    expect(probeVideo(video)).toEqual({
      codec: 'h264',
      width: 160,
      height: 90,
      frames: STILLS,
      format: expect.stringContaining('mp4'),
    });
    const levels = frameLevels(video);
    expect(levels).toHaveLength(STILLS);
    for (const [i, level] of levels.entries()) expect(Math.abs(level - videoLevel(i)), `frame ${i}`).toBeLessThan(8);
    // faststart: the index (moov) comes before the media (mdat), so a browser plays while it downloads.
    const head = execFileSync('head', ['-c', '4096', video]).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
  });

  it('"motion": only the moving stills and contextSeconds around them, in order', async () => {
    const { status, body } = await post({
      camera: 'porch',
      from: new Date(T0).toISOString(),
      to: new Date(T0 + STILLS * 1000).toISOString(),
      mode: 'motion',
      minMotion: 0.1,
      contextSeconds: 2,
      width: 160,
      burnIn: false,
    });
    expect(status).toBe(202);
    const job = await waitFor(body.id, finished);
    const expected = [38, 39, 40, 41, 42, 43, 44, 45, 46];
    expect(job).toMatchObject({ state: 'done', frames: expected.length });
    const levels = frameLevels(await download(job));
    expect(levels.map((level) => expected.find((i) => Math.abs(videoLevel(i) - level) < 8))).toEqual(expected);
  });

  it("burns in each still's indexed capture time: each frame matches a rendering of its own label, not its neighbour's", async () => {
    const width = 320;
    const { body } = await post({
      camera: 'porch',
      from: secondsOf(T0),
      to: secondsOf(T0 + 10_000),
      width,
      fps: 5,
      timeZone: 'Europe/Berlin',
    });
    const job = await waitFor(body.id, finished);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ state: 'done', frames: 10, burnIn: true, timeZone: 'Europe/Berlin' });
    const video = await download(job);
    const size = { width, height: 180 };
    for (const i of [0, 4, 9]) {
      const still = join(fx.thumbnailDir, thumbnailRelativePath('porch', T0 + i * 1000));
      const render = (label: string) => {
        const list = join(work, `ref-${i}.ffconcat`);
        const out = join(work, `ref-${i}.mp4`);
        writeFileSync(list, concatList([{ path: still, label }]));
        execFileSync(
          'ffmpeg',
          timelapseArgs({ listPath: list, outputPath: out, fps: 5, width, height: 180, font: { file: TEST_FONT } }),
        );
        return frameGray(out, 0, size);
      };
      const label = captureTimeLabel(T0 + i * 1000, 'Europe/Berlin');
      expect(label).toBe(`2026-10-03 12:00:${String(i).padStart(2, '0')} GMT+2`);
      const frame = frameGray(video, i, size);
      // The seconds' two digits, where neighbouring labels differ: 12 px DejaVu Sans Mono at 320 px wide
      // advances 7.2 px a character from x = 6, so characters 17 and 18 of "2026-10-03 12:00:04 GMT+2" sit
      // at x 128..143; the type is 12 px tall from y = 6. Comparing only there keeps codec noise elsewhere out.
      const box = { x: 126, y: 4, w: 20, h: 18 };
      const own = meanAbsDiff(frame, render(label), width, box);
      // Its neighbours differ in one digit (or two): the own label must match clearly better than any of them.
      const others = [-2, -1, 1, 2].map((d) =>
        meanAbsDiff(frame, render(captureTimeLabel(T0 + (i + d) * 1000, 'Europe/Berlin')), width, box),
      );
      const closestOther = Math.min(...others);
      expect(
        own,
        `frame ${i}: own label ${own.toFixed(3)}, neighbours ${others.map((o) => o.toFixed(3))}`,
      ).toBeLessThan(0.75 * closestOther);
    }
  });
});

describe('cancel, restart and retention', () => {
  it('DELETE cancels a queued job and a running one; nothing of either is left or served', async () => {
    // A slow job: every still upscaled to 1920 px, 20 times over (2,400 frames).
    const big = { camera: 'porch', from: secondsOf(T0), to: secondsOf(T0 + STILLS * 1000), width: 1920, fps: 30 };
    const first = (await post(big)).body;
    const second = (await post(big)).body;
    expect(second.state).toBe('queued');
    const cancelledQueued = await fetch(`${fx.url}/exports/${second.id}`, { method: 'DELETE' });
    expect(cancelledQueued.status).toBe(200);
    expect(((await cancelledQueued.json()) as ExportBody).state).toBe('cancelled');

    await waitFor(first.id, (job) => job.state === 'encoding' || finished(job));
    const res = await fetch(`${fx.url}/exports/${first.id}`, { method: 'DELETE' });
    const after = (await res.json()) as ExportBody;
    // A 120-still job may, on a fast day, be done before the DELETE lands: then it is simply deleted next.
    if (after.state !== 'cancelled') expect(after.state).toBe('done');
    else {
      expect(after.videoUrl).toBeNull();
      const video = await fetch(`${fx.url}/exports/${first.id}/video`);
      expect(video.status).toBe(409);
      expect(await video.json()).toMatchObject({ error: 'not_ready' });
    }
    expect(readdirSync(join(exportDir, 'work'))).toEqual([]);
    expect(existsSync(join(exportDir, `${first.id}.mp4`))).toBe(after.state === 'done');
    expect(existsSync(join(exportDir, `${second.id}.mp4`))).toBe(false);
    // A finished job's DELETE removes it.
    expect((await fetch(`${fx.url}/exports/${second.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${fx.url}/exports/${second.id}`)).status).toBe(404);
  });

  it('a job running when the backend stops runs again at the next start and finishes', async () => {
    const queue = fx.exports;
    if (!queue) throw new Error('fixture without exports');
    const { body } = await post({
      camera: 'porch',
      from: secondsOf(T0),
      to: secondsOf(T0 + STILLS * 1000),
      width: 1280,
    });
    await waitFor(body.id, (job) => job.state === 'encoding' || finished(job));
    await queue.stop(); // as SIGTERM does: ffmpeg stopped, the record still says encoding
    expect(queue.get(body.id)?.state).toMatch(/encoding|done/);
    expect(readdirSync(join(exportDir, 'work')).filter((name) => name.startsWith(body.id))).toEqual([]);
    await queue.start();
    const job = await waitFor(body.id, finished);
    expect(job).toMatchObject({ state: 'done', frames: STILLS });
    if (job.restarts > 0) expect(job.restarts).toBe(1);
  });

  it('the list shows every job, newest first', async () => {
    const list = (await (await fetch(`${fx.url}/exports`)).json()) as { exports: ExportBody[] };
    expect(list.exports.length).toBeGreaterThanOrEqual(4);
    const created = list.exports.map((job) => Date.parse(job.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });
});

describe('hostile and bad requests get 4xx with a JSON error', () => {
  const valid = { camera: 'porch', from: secondsOf(T0), to: secondsOf(T0 + 60_000) };
  it.each([
    ['reversed range', { ...valid, from: valid.to, to: valid.from }, 400, /to must be after from/],
    ['empty range', { ...valid, to: valid.from }, 400, /to must be after from/],
    ['huge range', { ...valid, from: 0, to: 4_000_000_000 }, 400, /at most 24 hours/],
    ['milliseconds', { ...valid, from: T0 }, 400, /milliseconds/],
    ['camera id with a path', { ...valid, camera: '../porch' }, 400, /camera must be a camera id/],
    ['odd width', { ...valid, width: 161 }, 400, /width must be even/],
    ['fps 0', { ...valid, fps: 0 }, 400, /fps/],
    ['unknown mode', { ...valid, mode: 'fast' }, 400, /mode must be "all" or "motion"/],
    ['unknown zone', { ...valid, timeZone: 'Mars/Olympus' }, 400, /IANA time zone/],
    ['unknown field', { ...valid, path: '/etc/passwd' }, 400, /path/],
    ['unknown camera', { ...valid, camera: 'attic' }, 404, /no camera "attic"/],
    [
      "another camera's range with no stills",
      { ...valid, camera: 'yard', from: secondsOf(T0 + 1000) },
      422,
      /no stills/,
    ],
  ])('%s', async (_name, body, status, detail) => {
    const answer = await post(body);
    expect(answer.status).toBe(status);
    expect(answer.body.detail).toMatch(detail);
  });

  it('a body that is not JSON gets 415; malformed JSON 400; a bad id 400; an unknown id 404', async () => {
    expect((await post('camera=porch', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post('{"camera":', 'application/json')).status).toBe(400);
    const bad = await fetch(`${fx.url}/exports/..%2f..%2fetc`);
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${fx.url}/exports/00000000-0000-4000-8000-000000000000/video`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
  });
});
