/**
 * The dashboard in a real browser against the real stack: GStreamer RTSP test
 * pattern → feed-handler → influxd → backend, and the dashboard server serving
 * the production build. Every claim the page makes is checked against the
 * backend's own answers. Screenshots of each view go to e2e/screenshots/.
 *
 * The browser runs in UTC so that the test's clip arithmetic (1-minute clips,
 * aligned to the minute) and the page's local-time day agree.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../scripts/lib/process.js';
import { closestFrame, group, newestFrameTime } from './support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import { type E2eStack, startE2eStack } from './support/e2e-stack.js';

const CAMERA = 'test';
const MINUTE = 60_000;
const PHONE = { width: 390, height: 844 };
/** Enough footage for several 1-minute clips, little enough to keep the suite short. */
const FOOTAGE_MS = 150_000;

let env: E2eStack;
let browser: BrowserHandle;
let backend: string;
let dashboard: string;
let firstFrameMs: number;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcClock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
/** The 1-minute clip (from, from + 1 min] holding a frame, as /thumbnailGroup defines groups. */
const clipStart = (ms: number) => Math.ceil(ms / MINUTE) * MINUTE - MINUTE;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function attr(page: Page, selector: string, name: string): Promise<string | null> {
  return page.locator(selector).first().getAttribute(name);
}

beforeAll(async () => {
  env = await startE2eStack();
  backend = env.stack.urls.backend;
  dashboard = env.stack.urls.dashboard;
  // The first frame marks the start of the recording; the earliest frame is the one nearest a moment before it.
  await waitFor('a first frame in the index', () => newestFrameTime(backend, CAMERA).then((t) => t ?? undefined), {
    timeoutMs: 90_000,
    intervalMs: 500,
  });
  const earliest = await closestFrame(backend, CAMERA, Date.now() - 3_600_000);
  if (!earliest) throw new Error(`no frame although /cameras had one\n${env.logTail()}`);
  firstFrameMs = earliest.timeMs;
  browser = await launchBrowser({ timezoneId: 'UTC' });
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('dashboard against the real stack', () => {
  it('live: the camera tile shows a newer frame about every second', async () => {
    const page = await browser.newPage();
    await page.goto(`${dashboard}/`);
    const tile = page.locator(`[data-testid=camera-tile][data-camera=${CAMERA}]`);
    const image = tile.locator('[data-testid=live-image]');
    await image.waitFor({ timeout: 30_000 });
    const firstSrc = await image.getAttribute('src');
    const firstTime = Number(await image.getAttribute('data-time-ms'));
    const firstLabel = await tile.locator('[data-testid=live-time] time').textContent();

    await expect
      .poll(async () => Number(await image.getAttribute('data-time-ms')), { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(firstTime);
    expect(await image.getAttribute('src')).not.toBe(firstSrc);
    expect(await tile.locator('[data-testid=live-time] time').textContent()).not.toBe(firstLabel);
    expect(await tile.getAttribute('data-state')).toBe('online');
    // The image really decoded, not just a changed attribute.
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    // What the tile shows is a frame the backend has, at the time the tile says.
    const shown = Number(await image.getAttribute('data-time-ms'));
    expect((await closestFrame(backend, CAMERA, shown))?.timeMs).toBe(shown);
    await screenshot(page, 'live');

    const phone = await browser.newPage(PHONE);
    await phone.goto(`${dashboard}/`);
    await phone.locator('[data-testid=live-image]').first().waitFor({ timeout: 30_000 });
    await screenshot(phone, 'live-phone');
    await phone.close();
    await page.close();
  });

  it('clips: the grid shows one clip per minute that has footage, with the right frame counts', async () => {
    await sleep(firstFrameMs + FOOTAGE_MS - Date.now());
    const page = await browser.newPage();
    const day = utcDay(Date.now());
    await page.goto(`${dashboard}/?view=clips&camera=${CAMERA}&day=${day}&minutes=1`);
    const summary = page.locator('[data-testid=clips-summary]');

    // Clips load lazily as they scroll into view: scroll until nothing is left loading.
    await expect
      .poll(
        async () => {
          await page.mouse.wheel(0, 10_000);
          return page.locator('[data-testid=checking], [data-testid=clip-pending]').count();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(0);
    await expect.poll(() => summary.getAttribute('data-loading'), { timeout: 10_000 }).toBe('false');
    const asOf = Number(await summary.getAttribute('data-as-of-ms'));

    const clips = await page.$$eval('[data-testid=clip]', (items) =>
      items.map((el) => ({
        from: Number(el.getAttribute('data-from-ms')),
        count: Number(el.getAttribute('data-count')),
      })),
    );
    // The backend's own data: every frame since shortly before the first, clipped the way the page clips.
    const frames = await group(backend, CAMERA, clipStart(firstFrameMs) - MINUTE, 60);
    const expectedStarts = [...new Set(frames.map((f) => clipStart(f.timeMs)).filter((from) => from < asOf))];
    expect(expectedStarts.length).toBeGreaterThanOrEqual(3);
    expect(clips.map((c) => c.from)).toEqual(expectedStarts);
    // Finished clips (not the one still recording) have exactly the backend's count.
    for (const clip of clips.filter((c) => c.from + MINUTE < asOf - 10_000)) {
      expect(clip.count, `clip at ${utcClock(clip.from)}`).toBe((await group(backend, CAMERA, clip.from, 1)).length);
    }
    // The empty stretch before the recording is shown as a gap, not hidden.
    expect(await page.locator('[data-testid=gap]').count()).toBeGreaterThanOrEqual(1);
    await page.mouse.wheel(0, -10_000);
    await screenshot(page, 'clips');

    const phone = await browser.newPage(PHONE);
    await phone.goto(`${dashboard}/?view=clips&camera=${CAMERA}&day=${day}&minutes=1`);
    await phone.locator('[data-testid=clip]').first().waitFor({ timeout: 30_000 });
    await screenshot(phone, 'clips-phone');
    await phone.close();

    // A day without footage says so.
    const yesterday = utcDay(Date.now() - 86_400_000);
    await page.goto(`${dashboard}/?view=clips&camera=${CAMERA}&day=${yesterday}&minutes=10`);
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toContain('No footage');
    await screenshot(page, 'clips-empty-day');
    await page.close();
  });

  it('a clip opened: its frames in order, all of them, playable and steppable', async () => {
    const page = await browser.newPage();
    const day = utcDay(Date.now());
    await page.goto(`${dashboard}/?view=clips&camera=${CAMERA}&day=${day}&minutes=1`);
    const clipLinks = page.locator('[data-testid=clip] a');
    await clipLinks.nth(1).waitFor({ timeout: 30_000 });
    // The second clip is complete: the first may have begun mid-minute, the last is still recording.
    const from = Number(await page.locator('[data-testid=clip]').nth(1).getAttribute('data-from-ms'));
    await clipLinks.nth(1).click();
    expect(new URL(page.url()).searchParams.get('view')).toBe('clip');

    const expected = await group(backend, CAMERA, from, 1);
    expect(expected.length).toBeGreaterThan(30);
    const strip = page.locator('[data-testid=filmstrip-frame]');
    await expect.poll(() => strip.count(), { timeout: 30_000 }).toBe(expected.length);
    const times = await strip.evaluateAll((items) => items.map((el) => Number(el.getAttribute('data-time-ms'))));
    for (let i = 1; i < times.length; i += 1) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    expect(times).toEqual(expected.map((f) => f.timeMs));

    // Step with the arrow keys.
    const position = page.locator('[data-testid=player-position]');
    await expect.poll(() => position.textContent()).toContain(`frame 1 of ${expected.length}`);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => position.textContent()).toContain(`frame 3 of ${expected.length}`);
    await expect
      .poll(() => attr(page, '[data-testid=player-image]', 'data-time-ms'), { timeout: 10_000 })
      .toBe(String(expected[2]?.timeMs));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => position.textContent()).toContain(`frame 2 of ${expected.length}`);
    await screenshot(page, 'clip-opened');

    // Play as a timelapse, then pause.
    await page.locator('[data-testid=play-toggle]').click();
    await expect
      .poll(async () => Number(/frame (\d+)/.exec((await position.textContent()) ?? '')?.[1]), { timeout: 10_000 })
      .toBeGreaterThan(5);
    await page.locator('[data-testid=play-toggle]').click();
    expect(await page.locator('[data-testid=play-toggle]').textContent()).toBe('Play');
    await page.close();
  });

  it('scrubbing: pointing at a moment shows the closest frame, the same one /thumbnail returns', async () => {
    const page = await browser.newPage();
    const lastFrameMs = (await newestFrameTime(backend, CAMERA)) as number;
    const middle = Math.round((firstFrameMs + lastFrameMs) / 2);
    await page.goto(`${dashboard}/?view=scrub&camera=${CAMERA}&day=${utcDay(middle)}&at=${middle}&span=10m`);
    const track = page.locator('[data-testid=timeline]');
    await track.waitFor({ timeout: 30_000 });
    const box = await track.boundingBox();
    if (!box) throw new Error('timeline not laid out');
    const start = Number(await track.getAttribute('data-start-ms'));
    const end = Number(await track.getAttribute('data-end-ms'));
    const xFor = (ms: number) => box.x + ((ms - start) / (end - start)) * box.width;
    const result = page.locator('[data-testid=scrub-result]');

    /** Waits until the shown result answers the moment the timeline points at, then checks it against the API. */
    const checkShownFrame = async (label: string) => {
      await expect
        .poll(
          async () =>
            (await result.getAttribute('data-status')) === 'done' &&
            (await result.getAttribute('data-requested-ms')) === (await track.getAttribute('aria-valuenow')),
          { timeout: 15_000, interval: 100 },
        )
        .toBe(true);
      const requested = Number(await result.getAttribute('data-requested-ms'));
      const shown = Number(await result.getAttribute('data-frame-ms'));
      const api = await closestFrame(backend, CAMERA, requested);
      expect(shown, `${label}: requested ${utcClock(requested)}`).toBe(api?.timeMs);
      expect(await page.locator('[data-testid=scrub-frame-time]').textContent()).toBe(utcClock(shown));
      expect(await page.locator('[data-testid=scrub-requested]').textContent()).toBe(utcClock(requested));
      return { requested, shown };
    };

    // Hovering at several moments inside the recording.
    const y = box.y + box.height / 2;
    for (const target of [firstFrameMs + 20_300, middle + 700, lastFrameMs - 15_500]) {
      await page.mouse.move(xFor(target), y);
      const { requested, shown } = await checkShownFrame(`hover at ${utcClock(target)}`);
      // One pixel is under a second at the 10-minute span.
      expect(Math.abs(requested - target)).toBeLessThan(((end - start) / box.width) * 2);
      expect(Math.abs(shown - requested)).toBeLessThanOrEqual(1_000);
    }
    await expect(
      page.locator('[data-testid=scrub-image]').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).resolves.toBeGreaterThan(0);
    // The footage band under the timeline marks the recording.
    await expect
      .poll(() => page.locator('[data-testid=coverage-footage]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await screenshot(page, 'scrub');

    // Dragging: the moment let go of is remembered in the URL.
    await page.mouse.move(xFor(firstFrameMs + 40_000), y);
    await page.mouse.down();
    await page.mouse.move(xFor(firstFrameMs + 70_000), y, { steps: 8 });
    await page.mouse.up();
    const dragged = await checkShownFrame('drag');
    await expect.poll(() => new URL(page.url()).searchParams.get('at')).toBe(String(dragged.requested));

    // The keyboard moves the moment by a second at this span.
    await track.focus();
    await page.keyboard.press('ArrowRight');
    const stepped = await checkShownFrame('ArrowRight');
    expect(stepped.requested).toBe(dragged.requested + 1_000);
    await page.close();

    const phone = await browser.newPage(PHONE);
    await phone.goto(`${dashboard}/?view=scrub&camera=${CAMERA}&day=${utcDay(middle)}&at=${middle}&span=10m`);
    await phone.locator('[data-testid=scrub-image]').waitFor({ timeout: 30_000 });
    await screenshot(phone, 'scrub-phone');
    await phone.close();
  });

  it('errors: an unreachable backend is said in plain words, and the page recovers', async () => {
    const live = await browser.newPage();
    await live.goto(`${dashboard}/`);
    await live.locator('[data-testid=live-image]').first().waitFor({ timeout: 30_000 });

    await env.stack.stopService('backend');
    try {
      const fresh = await browser.newPage();
      await fresh.goto(`${dashboard}/`);
      const notice = fresh.locator('[data-testid=notice-offline]');
      await notice.waitFor({ timeout: 20_000 });
      expect(await notice.textContent()).toContain(`Can't reach the Fathom API at ${backend}`);
      await screenshot(fresh, 'error-backend-down');
      await fresh.close();
      // An open page keeps the last frames, dimmed, under the same notice.
      await live.locator('[data-testid=notice-offline]').waitFor({ timeout: 20_000 });
      expect(await live.locator('[data-testid=camera-tile]').count()).toBe(1);
      await screenshot(live, 'error-backend-down-open-page');
    } finally {
      await env.stack.startService('backend');
    }
    await live.locator('[data-testid=notice-offline]').waitFor({ state: 'detached', timeout: 30_000 });
    const before = Number(await attr(live, '[data-testid=live-image]', 'data-time-ms'));
    await expect
      .poll(async () => Number(await attr(live, '[data-testid=live-image]', 'data-time-ms')), { timeout: 20_000 })
      .toBeGreaterThan(before);
    await live.close();
    expect(browser.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });
});
