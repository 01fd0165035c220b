/**
 * Timelapse exports in a real browser against the real stack: GStreamer RTSP test
 * pattern → feed-handler → influxd → backend (EXPORT_DIR in the stack's work folder,
 * its own ffmpeg) → dashboard, in Debian's chromium.
 *
 * - The scrub view exports the timeline's window of live recording; the panel follows
 *   the job to done, the <video> plays it, and the Download link is the MP4 with one
 *   H.264 frame per still (ffprobe -count_frames).
 * - The day view exports the whole day at 1920 px. Older footage is seeded behind the
 *   live recording (e2e/support/seed-stills.ts), so that export encodes for tens of
 *   seconds: the panel shows its progress and expected end, and Cancel stops it for good.
 * - Ingest keeps one still a second while a long export encodes, measured through the
 *   API as the compose test does, and printed beside the same measure without an export.
 * - The Exports view lists every job; a done one plays there, a cancelled one is deleted.
 *
 * The browser runs in a zone where it is about noon, so the day view's day and the
 * scrub window never straddle midnight, and the burned-in zone is not UTC.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../scripts/lib/process.js';
import { group, tsParam } from './support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import { type E2eStack, startE2eStack } from './support/e2e-stack.js';
import { type SeededStills, seedStills } from './support/seed-stills.js';

const CAMERA = 'test';
/** The compose test's ingest measure: stills indexed over 20 s, at least 0.95 a second. */
const RATE_WINDOW_MS = 20_000;
const MIN_RATE = 0.95;
/** Older footage: about 40 s of encoding at 1920 px on two cores, far more than any check here waits for. */
const SEEDED_STILLS = 1_500;
const MINUTE = 60_000;

interface ApiJob {
  id: string;
  state: string;
  camera: string;
  from: string;
  to: string;
  fps: number;
  width: number;
  height: number | null;
  mode: string;
  burnIn: boolean;
  timeZone: string;
  stills: { done: number; total: number; missing: number };
  progress: number;
  startedAt: string | null;
  expectedEnd: string | null;
  frames: number | null;
  durationSeconds: number;
  bytes: number | null;
  error: { error: string; detail: string } | null;
  videoUrl: string | null;
}

let e2e: E2eStack;
let browser: BrowserHandle;
let scratch: string;
let exportDir: string;
let backend: string;
let dashboard: string;
let timeZone: string;
let liveFromMs: number;
let seeded: SeededStills;
let doneId: string | undefined;
let cancelledId: string | undefined;
const rates: { idle?: number; exporting?: number } = {};
/** Every 4xx/5xx the browser got, as "status METHOD path". */
const failedResponses: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** An Etc zone in which it is about noon now (Etc/GMT-3 is UTC+3: POSIX counts the other way). */
function zoneNearNoon(nowMs: number): string {
  const hoursEast = 12 - new Date(nowMs).getUTCHours();
  if (hoursEast === 0) return 'UTC';
  return hoursEast > 0 ? `Etc/GMT-${hoursEast}` : `Etc/GMT+${-hoursEast}`;
}

async function apiJob(id: string): Promise<ApiJob> {
  const res = await fetch(`${backend}/exports/${id}`);
  if (res.status !== 200) throw new Error(`GET /exports/${id} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ApiJob;
}

async function apiJobs(): Promise<ApiJob[]> {
  return ((await (await fetch(`${backend}/exports`)).json()) as { exports: ApiJob[] }).exports;
}

const RUNNING = ['queued', 'planning', 'encoding'];

/** Cancels whatever a failed test left running, so the next test's export is not queued behind it. */
async function cancelUnfinished(): Promise<void> {
  for (const job of await apiJobs()) {
    if (RUNNING.includes(job.state)) await fetch(`${backend}/exports/${job.id}`, { method: 'DELETE' });
  }
}

/** The machine's 1-minute load average: an ingest rate means little on a machine other work is saturating. */
const load = () => `load average ${loadavg()[0]?.toFixed(2)} on this machine`;

/** Stills the index holds for the camera in [fromMs, toMs) (at most an hour). */
async function indexedStills(fromMs: number, toMs: number): Promise<number> {
  const frames = await group(backend, CAMERA, fromMs - 1, Math.ceil((toMs - fromMs + 1) / MINUTE));
  return frames.filter((f) => f.timeMs >= fromMs && f.timeMs < toMs).length;
}

/** Stills indexed per second in (fromMs, fromMs + RATE_WINDOW_MS], as the compose test counts them. */
async function ingestRate(fromMs: number): Promise<{ frames: number; rate: number }> {
  const frames = (await group(backend, CAMERA, fromMs, 1)).filter((f) => f.timeMs <= fromMs + RATE_WINDOW_MS);
  return { frames: frames.length, rate: frames.length / (RATE_WINDOW_MS / 1000) };
}

function ffprobe(file: string) {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const stream = (JSON.parse(out) as { streams: Record<string, string | number>[] }).streams[0] ?? {};
  return {
    codec: stream.codec_name,
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number(stream.nb_read_frames),
  };
}

async function videoState(page: Page, selector: string) {
  return page.locator(selector).evaluate((v: HTMLVideoElement) => ({
    readyState: v.readyState,
    currentTime: v.currentTime,
    duration: v.duration,
    width: v.videoWidth,
    height: v.videoHeight,
    error: v.error?.code ?? null,
  }));
}

/** Clicks Start and returns the POST's body and its 202 answer. */
async function startFromPanel(page: Page): Promise<{ sent: Record<string, unknown>; created: ApiJob }> {
  const posted = page.waitForResponse((r) => r.url() === `${backend}/exports` && r.request().method() === 'POST');
  await page.locator('[data-testid=export-start]').click();
  const response = await posted;
  const created = (await response.json()) as ApiJob;
  expect(response.status(), JSON.stringify(created)).toBe(202);
  return { sent: JSON.parse(response.request().postData() ?? '{}') as Record<string, unknown>, created };
}

/** The day view's long export, from its 202: watched mid-way (screenshot), then cancelled from the panel. */
async function followAndCancel(page: Page, sent: Record<string, unknown>, created: ApiJob) {
  expect(sent).toMatchObject({ camera: CAMERA, width: 1920, fps: 30, timeZone });
  // The whole day so far: the older stills and the live ones (about 30 by now; the newest may still be on its way to the index).
  expect(created.stills.total).toBeGreaterThanOrEqual(SEEDED_STILLS + 20);

  // Mid-way: encoding, a sixth of the stills done (so the expected end has a rate to go by), the end known.
  const jobView = page.locator('[data-testid=export-job]');
  await expect
    .poll(
      async () => {
        const done = Number(await jobView.getAttribute('data-done'));
        const total = Number(await jobView.getAttribute('data-total'));
        return `${await jobView.getAttribute('data-state')}:${done >= total / 6}`;
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBe('encoding:true');
  await page.locator('[data-testid=export-expected-end]').waitFor({ timeout: 5_000 });
  const stillsText = (await page.locator('[data-testid=export-stills]').textContent()) ?? '';
  expect(stillsText).toMatch(/^[\d,]+ of [\d,]+ stills$/);
  const progress = await page
    .locator('[data-testid=export-progress]')
    .evaluate((p: HTMLProgressElement) => ({ value: p.value, position: p.position }));
  expect(progress.value).toBeGreaterThan(0);
  expect(progress.value).toBeLessThan(1);
  const endText = await page.locator('[data-testid=export-expected-end]').textContent();
  console.log(`day export ${created.id} mid-way: "${stillsText}", progress ${progress.value}, "${endText}"`);
  console.log(`screenshot: ${await screenshot(page, 'export-progress')}`);

  const before = await apiJob(created.id);
  expect(before.state).toBe('encoding');
  expect(before.stills.done).toBeLessThan(before.stills.total);
  await page.locator('[data-testid=export-cancel]').click();
  await expect.poll(() => jobView.getAttribute('data-state'), { timeout: 15_000 }).toBe('cancelled');
  await page.locator('[data-testid=export-cancelled]').waitFor();
  expect(await page.locator('[data-testid=export-cancel]').count()).toBe(0);
  expect(await page.locator('[data-testid=export-video]').count()).toBe(0);
  cancelledId = created.id;

  const after = await apiJob(created.id);
  expect(after).toMatchObject({ state: 'cancelled', videoUrl: null });
  console.log(`cancelled at ${after.stills.done} of ${after.stills.total} stills`);
  const video = await fetch(`${backend}/exports/${created.id}/video`);
  expect(video.status).toBe(409);
  expect(((await video.json()) as { error: string }).error).toBe('not_ready');
  // Nothing of it on the export volume: no finished MP4, no half-made one.
  const leftovers = () =>
    [...readdirSync(exportDir), ...readdirSync(join(exportDir, 'work'))].filter(
      (name) => name.includes(created.id) && !name.endsWith('.json'),
    );
  expect(existsSync(join(exportDir, `${created.id}.mp4`))).toBe(false);
  expect(leftovers()).toEqual([]);
  // And it stays that way: the encoder is gone, not finishing in the background.
  await sleep(2_000);
  expect(leftovers()).toEqual([]);
  expect((await apiJob(created.id)).state).toBe('cancelled');
  console.log(`screenshot: ${await screenshot(page, 'export-cancelled')}`);
}

beforeAll(async () => {
  const startedMs = Date.now();
  e2e = await startE2eStack();
  backend = e2e.stack.urls.backend;
  dashboard = e2e.stack.urls.dashboard;
  exportDir = e2e.stack.serviceEnv.EXPORT_DIR as string;
  scratch = mkdtempSync(join(tmpdir(), 'fathom-e2e-exports-'));
  timeZone = zoneNearNoon(Date.now());
  browser = await launchBrowser({ timezoneId: timeZone });
  browser.context.on('response', (res) => {
    if (res.status() >= 400)
      failedResponses.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  // The first live still: everything the camera records from here on is "live".
  liveFromMs = await waitFor(
    'the first live still',
    async () => (await group(backend, CAMERA, startedMs - MINUTE, 10))[0]?.timeMs,
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${e2e.logTail()}`);
  });
  // Ending a quarter of an hour before the live stills: outside the scrub view's 10-minute window.
  seeded = await seedStills(e2e.stack, {
    camera: CAMERA,
    fromMs: liveFromMs - 15 * MINUTE - SEEDED_STILLS * 1000,
    count: SEEDED_STILLS,
    scratchDir: scratch,
  });
  console.log(
    `stack up in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; browser zone ${timeZone}; ` +
      `${seeded.count} older stills seeded ${new Date(seeded.fromMs).toISOString()}..${new Date(seeded.toMs).toISOString()}`,
  );
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('timelapse exports in the dashboard', () => {
  it('ingest: one still a second while no export runs', async () => {
    expect(await apiJobs()).toEqual([]);
    const fromMs = Date.now();
    // The window, plus time for the last points to reach the index (flushed every second).
    await sleep(fromMs + RATE_WINDOW_MS + 3_000 - Date.now());
    const { frames, rate } = await ingestRate(fromMs);
    rates.idle = rate;
    console.log(
      `ingest without an export: ${frames} stills in ${RATE_WINDOW_MS / 1000} s = ${rate.toFixed(3)}/s (${load()})`,
    );
    expect(rate).toBeGreaterThanOrEqual(MIN_RATE);
    expect(await apiJobs()).toEqual([]);
  });

  it('scrub view: exports the timeline window, follows it to done, plays it, and the download has one frame per still', async () => {
    const page = await browser.newPage();
    await page.goto(`${dashboard}/?view=scrub&camera=${CAMERA}&span=10m`);
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.waitFor({ timeout: 30_000 });
    const windowStartMs = Number(await timeline.getAttribute('data-start-ms'));
    const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(browserZone).toBe(timeZone);

    await page.locator('[data-testid=export-open]').click();
    const panel = page.locator('[data-testid=export-panel]');
    await panel.waitFor();
    // The defaults: every still, 30 fps, 640 px, times burned in, in the browser's zone.
    expect(await page.locator('[data-testid=export-mode-all]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid=export-fps]').inputValue()).toBe('30');
    expect(await page.locator('[data-testid=export-width]').inputValue()).toBe('640');
    expect(await page.locator('[data-testid=export-burn-in]').isChecked()).toBe(true);
    expect(await panel.textContent()).toContain(`(${timeZone})`);
    expect(await page.locator('[data-testid=export-range]').textContent()).toMatch(/^test · \d{4}-\d\d-\d\d /);
    await page.locator('[data-testid=export-fps]').selectOption('10');
    await page.locator('[data-testid=export-width]').selectOption('480');

    const { sent, created } = await startFromPanel(page);
    expect(sent).toMatchObject({ camera: CAMERA, fps: 10, width: 480, mode: 'all', burnIn: true, timeZone });
    // The window as shown, up to the moment Start was pressed: all the live recording, none of the older stills.
    expect(Date.parse(created.from)).toBe(windowStartMs);
    expect(Date.parse(created.from)).toBeLessThan(liveFromMs);
    expect(Date.parse(created.from)).toBeGreaterThan(seeded.toMs);
    expect(Date.parse(created.to)).toBeLessThanOrEqual(Date.now());

    // The panel follows the job until it is done.
    const jobView = page.locator('[data-testid=export-job]');
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const state = await jobView.getAttribute('data-state');
          if (state && seen.at(-1) !== state) seen.push(state);
          return state;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe('done');
    console.log(`scrub export ${created.id}: the panel showed ${seen.join(' → ')}`);
    expect(await page.locator('[data-testid=export-cancel]').count()).toBe(0);

    const done = await apiJob(created.id);
    doneId = done.id;
    expect(done).toMatchObject({
      state: 'done',
      progress: 1,
      fps: 10,
      width: 480,
      burnIn: true,
      timeZone,
      error: null,
    });
    expect(done.stills.done).toBe(done.stills.total);
    expect(done.frames).toBe(done.stills.total);
    expect(done.stills.total).toBeGreaterThanOrEqual(20);
    // The index's stills of that range; its last second or two may have reached the index after the job was planned.
    const indexed = await indexedStills(Date.parse(done.from), Date.parse(done.to));
    expect(indexed - done.stills.total).toBeGreaterThanOrEqual(0);
    expect(indexed - done.stills.total).toBeLessThanOrEqual(2);
    expect(await panel.textContent()).toContain(`${done.stills.total} stills`);

    // Chromium plays the MP4 straight from the API.
    const video = page.locator('[data-testid=export-video]');
    expect(await video.getAttribute('src')).toBe(`${backend}/exports/${done.id}/video`);
    await expect
      .poll(async () => (await videoState(page, '[data-testid=export-video]')).readyState, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    const loaded = await videoState(page, '[data-testid=export-video]');
    expect(loaded.error).toBeNull();
    expect(loaded.width).toBe(480);
    expect(loaded.height).toBe(done.height);
    expect(Math.abs(loaded.duration - done.stills.total / 10)).toBeLessThanOrEqual(0.15);
    await video.evaluate((v: HTMLVideoElement) => v.play());
    await expect
      .poll(async () => (await videoState(page, '[data-testid=export-video]')).currentTime, { timeout: 15_000 })
      .toBeGreaterThan(1);
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    console.log(
      `scrub export: ${done.stills.total} stills → ${loaded.duration.toFixed(2)} s at 10 fps, ${loaded.width}×${loaded.height}, ${done.bytes} bytes`,
    );
    console.log(`screenshot: ${await screenshot(page, 'export-done')}`);

    // The Download link: the same MP4 as an attachment, one H.264 frame per still.
    const link = page.locator('[data-testid=export-download]');
    const href = await link.getAttribute('href');
    expect(href).toBe(`${backend}/exports/${done.id}/video?download=1`);
    const res = await fetch(href as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="fathom-test-[^"]+\.mp4"$/);
    const file = join(scratch, `${done.id}.mp4`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    expect(statSync(file).size).toBe(done.bytes);
    expect(ffprobe(file)).toEqual({ codec: 'h264', width: 480, height: done.height, frames: done.stills.total });
    // And chromium saves it when the link is clicked.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^fathom-test-.+\.mp4$/);
    expect(statSync(await download.path()).size).toBe(done.bytes);
    await page.close();
  });

  it('day view: a whole-day export at 1920 px shows stills done and the expected end, and Cancel stops it for good', async () => {
    const page = await browser.newPage();
    await page.goto(`${dashboard}/?view=clips&camera=${CAMERA}&minutes=10`);
    const day = await page.locator('[data-testid=day-input]').inputValue();
    await page.locator('[data-testid=export-open]').click();
    expect(await page.locator('[data-testid=export-range]').textContent()).toMatch(
      new RegExp(`^test · ${day} 00:00:00–\\d\\d:\\d\\d:\\d\\d`),
    );
    await page.locator('[data-testid=export-width]').selectOption('1920');
    const { sent, created } = await startFromPanel(page);
    try {
      await followAndCancel(page, sent, created);
    } finally {
      // Whatever failed above, the next test must not wait behind a 1920 px encode.
      await cancelUnfinished();
      await page.close();
    }
  });

  it('ingest: still one still a second while a long 1920 px export encodes', async () => {
    await cancelUnfinished();
    // The whole recorded range, twice: the second waits behind the first, so encoding never pauses.
    const body = {
      camera: CAMERA,
      from: tsParam(seeded.fromMs),
      to: tsParam(Date.now()),
      width: 1920,
      fps: 30,
      burnIn: true,
      timeZone,
    };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${backend}/exports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as ApiJob).id);
    }
    const first = await waitFor(
      'the export to encode',
      async () => {
        const job = await apiJob(ids[0] as string);
        return job.state === 'encoding' ? job : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const fromMs = Date.now();
    await sleep(RATE_WINDOW_MS);
    const atEnd = await Promise.all(ids.map(apiJob));
    // Encoding for the whole window: still at it when the window closed.
    expect(atEnd.map((job) => job.state).filter((state) => state === 'encoding' || state === 'planning')).not.toEqual(
      [],
    );
    const encoded = atEnd.reduce((sum, job) => sum + job.stills.done, 0) - first.stills.done;
    for (const id of ids) await fetch(`${backend}/exports/${id}`, { method: 'DELETE' });
    await sleep(fromMs + RATE_WINDOW_MS + 3_000 - Date.now());

    const { frames, rate } = await ingestRate(fromMs);
    rates.exporting = rate;
    console.log(
      `ingest while exporting: ${frames} stills in ${RATE_WINDOW_MS / 1000} s = ${rate.toFixed(3)}/s ` +
        `(without an export: ${rates.idle?.toFixed(3)}/s); meanwhile the export encoded ${encoded} stills at 1920 px ` +
        `(${(encoded / (RATE_WINDOW_MS / 1000)).toFixed(1)}/s) of ${first.stills.total}; ${load()}`,
    );
    expect(rate).toBeGreaterThanOrEqual(MIN_RATE);
    for (const id of ids) expect(['cancelled', 'done']).toContain((await apiJob(id)).state);
  });

  it('the Exports view lists every job with its state; a done one plays there, a cancelled one is deleted', async () => {
    if (!doneId || !cancelledId) throw new Error('needs the jobs of the tests before');
    const page = await browser.newPage();
    await page.goto(`${dashboard}/?view=exports`);
    const rows = page.locator('[data-testid=export-row]');
    const listed = await apiJobs();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(listed.length);
    const shown = await rows.evaluateAll((items) =>
      items.map((el) => `${el.getAttribute('data-job-id')}:${el.getAttribute('data-state')}`),
    );
    expect(shown).toEqual(listed.map((job) => `${job.id}:${job.state}`));

    const doneRow = page.locator(`[data-testid=export-row][data-job-id="${doneId}"]`);
    expect(await doneRow.locator('[data-testid=export-row-download]').getAttribute('href')).toBe(
      `${backend}/exports/${doneId}/video?download=1`,
    );
    await doneRow.getByRole('button', { name: 'Video' }).click();
    const rowVideo = `[data-testid=export-row][data-job-id="${doneId}"] [data-testid=export-video]`;
    await expect
      .poll(async () => (await videoState(page, rowVideo)).readyState, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    console.log(`screenshot: ${await screenshot(page, 'exports-list')}`);

    const cancelledRow = page.locator(`[data-testid=export-row][data-job-id="${cancelledId}"]`);
    await cancelledRow.locator('[data-testid=export-row-delete]').click();
    await expect.poll(() => cancelledRow.count(), { timeout: 10_000 }).toBe(0);
    expect((await fetch(`${backend}/exports/${cancelledId}`)).status).toBe(404);
    expect(browser.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    // The views use 404 as "no frame there" elsewhere; every export request the browser made succeeded.
    expect(failedResponses.filter((line) => line.includes(' /exports'))).toEqual([]);
    const others = new Map<string, number>();
    for (const line of failedResponses) others.set(line, (others.get(line) ?? 0) + 1);
    console.log(`other failed responses in the browser: ${JSON.stringify(Object.fromEntries(others))}`);
    await page.close();
  });
});
