/**
 * Recorded video in a real browser against the real stack, with 10-second
 * chunks: GStreamer RTSP test pattern → feed-handler (thumbnails and MP4
 * chunks from one RTSP session) → influxd → backend → dashboard. The backend
 * serves a chunk with byte ranges; Debian's chromium opens the clip at a
 * moment picked in the URL (as the scrub timeline's "Open its clip" does),
 * shows the frame of that moment, plays and seeks, and fetches the MP4 with
 * range requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../scripts/lib/process.js';
import { type StackHandle, startStack } from '../scripts/lib/stack.js';
import { tsParam } from './support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import { ensureDashboardBuilt } from './support/dashboard-build.js';

const CAMERA = 'test';
const CHUNK_SECONDS = 10;

interface ApiClip {
  start: string;
  end: string;
  url: string;
  bytes: number;
  durationSeconds: number;
  thumbnailGroupUrl: string;
}

let stack: StackHandle;
let browser: BrowserHandle;
let workDir: string;
const logLines: string[] = [];

async function clips(fromMs: number, toMs: number): Promise<ApiClip[]> {
  const res = await fetch(`${stack.urls.backend}/clips?camera=${CAMERA}&from=${tsParam(fromMs)}&to=${tsParam(toMs)}`);
  if (res.status !== 200) throw new Error(`/clips answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { clips: ApiClip[] }).clips;
}

async function videoState(page: Page) {
  return page.locator('[data-testid=clip-video]').evaluate((v: HTMLVideoElement) => ({
    readyState: v.readyState,
    currentTime: v.currentTime,
    duration: v.duration,
    width: v.videoWidth,
    paused: v.paused,
    error: v.error?.code ?? null,
  }));
}

beforeAll(async () => {
  ensureDashboardBuilt();
  workDir = mkdtempSync(join(tmpdir(), 'fathom-e2e-chunks-'));
  const dashboardPort = await freePort();
  stack = await startStack({
    workDir,
    cameras: 1,
    ports: { dashboard: dashboardPort },
    env: {
      CHUNK_SECONDS: String(CHUNK_SECONDS),
      CORS_ORIGINS: `http://127.0.0.1:${dashboardPort}`,
      LOG_LEVEL: 'warn',
    },
    log: (service, line) => {
      logLines.push(`${service}| ${line}`);
      if (logLines.length > 300) logLines.shift();
    },
  });
  browser = await launchBrowser({ timezoneId: 'UTC' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

describe('recorded video through the backend', () => {
  let full: ApiClip;

  it('lists the chunks of a window with their times and thumbnail group, and serves byte ranges', async () => {
    const since = Date.now() - 60_000;
    // The first chunk ends at the first 10 s boundary; the second is a whole one.
    const listed = await waitFor(
      'two recorded chunks',
      async () => {
        const found = await clips(since, Date.now() + 60_000);
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${logLines.slice(-40).join('\n')}`);
    });
    full = listed[1] as ApiClip;
    const start = Date.parse(full.start);
    const end = Date.parse(full.end);
    expect(Math.abs(full.durationSeconds - CHUNK_SECONDS)).toBeLessThanOrEqual(1);
    expect(full.url).toMatch(new RegExp(`^/chunks/${CAMERA}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${start}-${end}\\.mp4$`));

    // The thumbnail group URL lists the chunk's own thumbnails.
    const group = (await (await fetch(`${stack.urls.backend}${full.thumbnailGroupUrl}`)).json()) as {
      thumbnails: { time: string }[];
    };
    const inside = group.thumbnails.filter((t) => Date.parse(t.time) >= start && Date.parse(t.time) < end);
    expect(Math.abs(inside.length - CHUNK_SECONDS)).toBeLessThanOrEqual(1);

    const url = `${stack.urls.backend}${full.url}`;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('video/mp4');
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(head.headers.get('content-length'))).toBe(full.bytes);
    const part = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${full.bytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(whole.length).toBe(full.bytes);
    // Faststart: the index (moov) comes right after ftyp, before the media.
    expect(whole.toString('latin1', 4, 8)).toBe('ftyp');
    expect(whole.toString('latin1', whole.readUInt32BE(0) + 4, whole.readUInt32BE(0) + 8)).toBe('moov');
    expect((await fetch(url, { headers: { Range: `bytes=${full.bytes + 10}-` } })).status).toBe(416);
    expect((await fetch(`${stack.urls.backend}/chunks/${CAMERA}/../etc/passwd`)).status).toBeGreaterThanOrEqual(400);
    // The shape of a chunk path, but not a name of ours (start ms 1 is not in that hour): no such chunk.
    expect((await fetch(`${stack.urls.backend}/chunks/${CAMERA}/2026/01/01/00/1-2.mp4`)).status).toBe(404);
    expect((await fetch(`${stack.urls.backend}/chunks/${CAMERA}/2026/01/01/00/x.mp4`)).status).toBe(400);
  });

  it('chromium opens the clip at the picked moment, plays the chunk and seeks in it', async () => {
    const start = Date.parse(full.start);
    const moment = start + 4_000;
    const clipFrom = Math.floor(moment / 60_000) * 60_000;
    const page = await browser.newPage();
    const ranges: number[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/chunks/')) ranges.push(res.status());
    });
    await page.goto(`${stack.urls.dashboard}/?view=clip&camera=${CAMERA}&from=${clipFrom}&minutes=1&frame=${moment}`);
    const video = page.locator('[data-testid=clip-video]');
    await video.waitFor({ timeout: 30_000 });
    expect(await video.getAttribute('data-chunk-start-ms')).toBe(String(start));

    // Opened at the moment: 4 s into the chunk, and the caption names that moment.
    await expect.poll(async () => (await videoState(page)).readyState, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const opened = await videoState(page);
    expect(opened.error).toBeNull();
    expect(opened.width).toBe(640);
    expect(Math.abs(opened.duration - CHUNK_SECONDS)).toBeLessThanOrEqual(1);
    expect(Math.abs(opened.currentTime - 4)).toBeLessThanOrEqual(0.1);
    expect(
      Math.abs(Number(await page.locator('[data-testid=video-time]').getAttribute('data-time-ms')) - moment),
    ).toBeLessThanOrEqual(100);
    await screenshot(page, 'clip-video-opened');

    // It plays: H.264 in MP4 decodes in Debian's chromium and time moves on.
    await video.evaluate((v: HTMLVideoElement) => v.play());
    await expect.poll(async () => (await videoState(page)).currentTime, { timeout: 15_000 }).toBeGreaterThan(5);
    await video.evaluate((v: HTMLVideoElement) => v.pause());

    // Seeking: picking another frame in the filmstrip moves the video to that moment.
    const target = page.locator('[data-testid=filmstrip-frame]').filter({
      has: page.locator('span'),
    });
    const frames = await target.evaluateAll((items) => items.map((el) => Number(el.getAttribute('data-time-ms'))));
    const pick = frames.find((t) => t >= start + 7_000 && t < Date.parse(full.end));
    expect(pick, 'a thumbnail 7..10 s into the chunk').toBeDefined();
    await page.locator(`[data-testid=filmstrip-frame][data-time-ms="${pick}"]`).click();
    await expect
      .poll(async () => (await videoState(page)).currentTime, { timeout: 10_000 })
      .toBeCloseTo(((pick as number) - start) / 1000, 1);
    await expect
      .poll(async () => Number(await page.locator('[data-testid=video-time]').getAttribute('data-time-ms')))
      .toBe(pick);

    // And the native seek (as a person drags the video's own bar).
    await video.evaluate((v: HTMLVideoElement) => {
      v.currentTime = 2;
    });
    await expect
      .poll(async () => Number(await page.locator('[data-testid=video-time]').getAttribute('data-time-ms')))
      .toBe(start + 2_000);
    await screenshot(page, 'clip-video-seeked');
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((status) => status === 200 || status === 206)).toBe(true);
    expect(browser.problems.filter((p) => !p.includes('favicon'))).toEqual([]);
    await page.close();
  });
});
