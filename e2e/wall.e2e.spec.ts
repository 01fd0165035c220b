/**
 * The Wall view in a real browser against the real stack with four cameras (GStreamer RTSP
 * test pattern, four mounts → feed-handler → influxd → backend → dashboard server): every
 * camera's frame at one instant, scrubbed together. Each tile's frame is checked against what
 * GET /thumbnail?camera=…&ts=… answers for that instant, and the page's own requests are
 * counted: one /wall per instant, none per camera.
 *
 * No test opens its own RTSP client: a new client on a testpattern mount resets the timestamps
 * the feed-handler sees. The browser runs in UTC so the tiles' clock times read like the API's.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../scripts/lib/process.js';
import { closestFrame, newestFrameTime, tsParam } from './support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import { type E2eStack, startE2eStack } from './support/e2e-stack.js';
import { readWall, recordRequests, settled, type WallView } from './support/wall-page.js';

const CAMERAS = 4;
/** Footage to scrub through before the scrubbing test starts. */
const RECORD_MS = 20_000;
/** The wall's bound (NEAR_WITHIN_SECONDS in frontend/src/features/wall/wall-math.ts). */
const WITHIN_SECONDS = 60;
const PHONE = { width: 390, height: 844 };

let env: E2eStack;
let browser: BrowserHandle;
let backend: string;
let dashboard: string;
let cameras: string[];
/** Each camera's first frame: where its recording began. */
const firstFrameMs = new Map<string, number>();

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcClock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const wallUrl = (atMs: number) => `${dashboard}/?view=wall&day=${utcDay(atMs)}&at=${atMs}&span=10m`;

/** Waits until the wall shows `instantMs` (or, live, any instant) with every picture loaded. */
async function waitForWall(page: Page, instantMs?: number): Promise<WallView> {
  let view: WallView | undefined;
  await expect
    .poll(
      async () => {
        view = await readWall(page);
        return settled(view) && (instantMs === undefined || view.shownMs === instantMs) && view.tiles.length;
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe(CAMERAS);
  if (!view) throw new Error('the wall was never read');
  return view;
}

/** Every tile shows the instant's frame exactly as /thumbnail answers it, for its own camera. */
async function expectMatchesApi(view: WallView, label: string) {
  const instant = view.shownMs as number;
  expect(view.tiles.map((t) => t.camera).sort(), label).toEqual([...cameras].sort());
  for (const tile of view.tiles) {
    const api = await closestFrame(backend, tile.camera, instant);
    const where = `${label}: ${tile.camera} at ${utcClock(instant)}`;
    expect(tile.instantMs, where).toBe(instant);
    expect(api, where).not.toBeNull();
    expect(tile.frameMs, where).toBe(api?.timeMs);
    expect(tile.timeText, where).toBe(utcClock(api?.timeMs as number));
    expect(tile.imageMs, where).toBe(api?.timeMs);
  }
}

beforeAll(async () => {
  env = await startE2eStack({ cameras: CAMERAS });
  backend = env.stack.urls.backend;
  dashboard = env.stack.urls.dashboard;
  cameras = env.stack.cameras;
  await waitFor(
    'a first frame from every camera',
    async () => {
      const newest = await Promise.all(cameras.map((camera) => newestFrameTime(backend, camera)));
      return newest.every((t) => t !== null) ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${env.logTail()}`);
  });
  for (const camera of cameras) {
    const earliest = await closestFrame(backend, camera, Date.now() - 3_600_000);
    if (!earliest) throw new Error(`no frame from ${camera} although /cameras had one\n${env.logTail()}`);
    firstFrameMs.set(camera, earliest.timeMs);
  }
  // The live wall shows the instant 3 s ago (on a whole second): every camera must have been recording by
  // then. A first thumbnail is indexed within a second of its capture now, so wait for the others' too.
  const lastFirstMs = Math.max(...firstFrameMs.values());
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastFirstMs + 5_000 - Date.now())));
  browser = await launchBrowser({ timezoneId: 'UTC' });
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('the camera wall against the real stack, four cameras', () => {
  it('live: every camera at the same instant a few seconds ago, following now, one request per instant', async () => {
    const page = await browser.newPage();
    const walls = recordRequests(page, backend, '/wall');
    await page.goto(`${dashboard}/?view=wall`);
    const first = await waitForWall(page);
    expect(first.live).toBe(true);
    // Four cameras on a laptop screen: 2 × 2, all of them on the first screen.
    expect(first.columns).toBe(2);
    const bottoms = await page.$$eval('[data-testid=wall-tile]', (tiles) =>
      tiles.map((tile) => tile.getBoundingClientRect().bottom),
    );
    expect(Math.max(...bottoms)).toBeLessThanOrEqual(page.viewportSize()?.height ?? 0);
    // The instant trails now by the live lag (3 s, on a whole second), so every camera's frame is in.
    const lag = Date.now() - (first.shownMs as number);
    expect(lag).toBeGreaterThanOrEqual(3_000);
    expect(lag).toBeLessThan(6_000);
    await expectMatchesApi(first, 'live');
    for (const tile of first.tiles)
      expect(Math.abs((tile.frameMs as number) - (first.shownMs as number))).toBeLessThan(1_000);

    // It follows now.
    await expect
      .poll(async () => (await readWall(page)).shownMs, { timeout: 10_000, interval: 200 })
      .toBeGreaterThanOrEqual((first.shownMs as number) + 2_000);
    const later = await waitForWall(page);
    await expectMatchesApi(later, 'live, later');
    await screenshot(page, 'wall-live');
    // One request per instant for all four cameras: no camera filter, no instant asked twice.
    const instants = walls.map((url) => url.searchParams.get('ts'));
    expect(walls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(instants).size).toBe(walls.length);
    expect(walls.every((url) => !url.searchParams.has('camera') && url.searchParams.get('within') === '60')).toBe(true);

    // Hovering leaves live mode alone; a click on the timeline stops at that moment; "Go live" follows now again.
    const track = page.locator('[data-testid=timeline]');
    const box = await track.boundingBox();
    if (!box) throw new Error('timeline not laid out');
    const startMs = Number(await track.getAttribute('data-start-ms'));
    const endMs = Number(await track.getAttribute('data-end-ms'));
    // A moment of the recording: the stack has only been recording for a few seconds.
    const targetMs = (first.shownMs as number) - 1_500;
    await page.mouse.move(box.x + ((targetMs - startMs) / (endMs - startMs)) * box.width, box.y + box.height / 2);
    await sleep(1_200);
    expect((await readWall(page)).live).toBe(true);
    await page.mouse.down();
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get('at')).not.toBeNull();
    const clickedMs = Number(new URL(page.url()).searchParams.get('at'));
    // One pixel is under a second at the 10-minute span.
    expect(Math.abs(clickedMs - targetMs)).toBeLessThan(1_000);
    const paused = await waitForWall(page, clickedMs);
    expect(paused.live).toBe(false);
    await expectMatchesApi(paused, 'clicked on the timeline');
    await page.locator('[data-testid=wall-live]').click();
    await expect.poll(async () => (await readWall(page)).live).toBe(true);
    expect(new URL(page.url()).searchParams.get('at')).toBeNull();
    await expect
      .poll(async () => (await readWall(page)).shownMs, { timeout: 10_000 })
      .toBeGreaterThan(later.shownMs as number);

    const phone = await browser.newPage(PHONE);
    await phone.goto(`${dashboard}/?view=wall`);
    expect((await waitForWall(phone)).columns).toBe(1);
    await screenshot(phone, 'wall-phone');
    await phone.close();
    await page.close();
  });

  it('scrubbing: the arrow keys move every tile together, one /wall request per step', async () => {
    const recordingSince = Math.max(...firstFrameMs.values());
    await sleep(recordingSince + RECORD_MS - Date.now());
    // A moment inside every camera's recording, off the whole second, and every moment the test
    // visits at least LIVE_LAG_MS (3 s) old when asked: a more recent one is rightly asked again.
    const startMs = recordingSince + 12_250;
    const page = await browser.newPage();
    const walls = recordRequests(page, backend, '/wall');
    const thumbnails = recordRequests(page, backend, '/thumbnail');
    await page.goto(wallUrl(startMs));
    const opened = await waitForWall(page, startMs);
    expect(opened.live).toBe(false);
    await expectMatchesApi(opened, 'opened');
    expect(opened.tiles.every((t) => !t.far && !t.farBadge)).toBe(true);
    expect(walls.map((url) => url.searchParams.get('ts'))).toEqual([tsParam(startMs)]);

    const track = page.locator('[data-testid=timeline]');
    await track.focus();
    for (let step = 1; step <= 3; step += 1) {
      const before = walls.length;
      const expected = startMs + step * 1_000;
      await page.keyboard.press('ArrowRight');
      const view = await waitForWall(page, expected);
      await expectMatchesApi(view, `ArrowRight ×${step}`);
      expect(walls.length - before, `requests for step ${step}`).toBe(1);
      expect(walls.at(-1)?.searchParams.get('ts')).toBe(tsParam(expected));
      await expect.poll(() => new URL(page.url()).searchParams.get('at')).toBe(String(expected));
    }

    // The keys work anywhere on the wall, not only on the timeline: PageDown is ten steps back.
    await page.locator('#wall-heading').click();
    const before = walls.length;
    const tenEarlier = startMs + 3_000 - 10_000;
    await page.keyboard.press('PageDown');
    const paged = await waitForWall(page, tenEarlier);
    await expectMatchesApi(paged, 'PageDown');
    expect(walls.length - before).toBe(1);

    // A settled moment is not asked again, and no camera is ever asked for alone.
    await sleep(1_500);
    expect(walls.map((url) => url.searchParams.get('ts'))).toEqual(
      [0, 1_000, 2_000, 3_000, -7_000].map((offset) => tsParam(startMs + offset)),
    );
    expect(thumbnails).toEqual([]);
    await screenshot(page, 'wall-scrubbed');
    await page.close();
  });

  it('a moment before the recording: far frames are flagged, and with none near, a placeholder', async () => {
    const recordingFrom = Math.min(...firstFrameMs.values());
    const page = await browser.newPage();

    // Ten seconds before the first frames: each camera's nearest is its first frame, ~10 s away.
    const farMs = recordingFrom - 10_300;
    await page.goto(wallUrl(farMs));
    const far = await waitForWall(page, farMs);
    await expectMatchesApi(far, 'before the recording');
    for (const tile of far.tiles) {
      expect(tile.frameMs, tile.camera).toBe(firstFrameMs.get(tile.camera));
      expect(tile.far, tile.camera).toBe(true);
      expect(tile.farBadge, tile.camera).toBe(true);
    }
    expect(await page.locator('[data-testid=wall-far-count]').textContent()).toBe(String(CAMERAS));
    await screenshot(page, 'wall-far');

    // Further back than the wall's bound: no frame near the moment, for any camera, as the API agrees.
    const emptyMs = recordingFrom - (WITHIN_SECONDS + 30) * 1_000;
    await page.goto(wallUrl(emptyMs));
    const empty = await waitForWall(page, emptyMs);
    for (const tile of empty.tiles) {
      expect(tile.placeholder, tile.camera).toBe(true);
      expect(tile.frameMs, tile.camera).toBeNull();
      const res = await fetch(
        `${backend}/thumbnail?camera=${tile.camera}&ts=${tsParam(emptyMs)}&within=${WITHIN_SECONDS}`,
      );
      expect(res.status, tile.camera).toBe(404);
    }
    await expect
      .poll(() => page.locator('[data-testid=wall-no-frame]').first().textContent())
      .toContain('No frame near this moment');
    expect(await page.locator('[data-testid=wall-empty-count]').textContent()).toBe(String(CAMERAS));
    await screenshot(page, 'wall-no-frame');
    await page.close();
    expect(browser.problems).toEqual([]);
  });
});
