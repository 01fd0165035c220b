/**
 * The object search in a real browser, against the real backend and a real influxd: the
 * activity stack (e2e/support/activity-fixture.ts: three hours of one-a-second JPEG frames of
 * camera `yard` with scripted motion bursts, and a burst three days ago), plus a second camera
 * `porch` with a few stills, and detections written where the detector would write them
 * (e2e/support/seed-detections.ts, with the index contract's names). The detector itself is not
 * run: what it "saw" is the truth every card is checked against, and against GET /detections.
 *
 * - "people" shows one card per appearance, newest first, with its camera, first and last seen
 *   (local time: the browser runs in UTC), frames, best score, and the best frame's picture with
 *   the box drawn over it where the detection put it.
 * - The camera ("… at yard") and the range (last hour / 24 h / 7 days) narrow it; "vehicle" finds
 *   the car; a known word with no appearances says so; an unknown word shows the API's refusal.
 * - A card (by keyboard) opens the Scrub view of that camera at the best frame, where the
 *   activity strip marks the motion events in which something was detected, with their labels.
 */
import { type DetectionPoint, thumbnailRelativePath } from '@fathom/index-contract';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActivityStack, type Burst, CAMERA, LOCATION, startActivityStack } from './support/activity-fixture.js';
import { tsParam } from './support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import { seedCameraStills, seedDetections } from './support/seed-detections.js';

const MINUTE = 60_000;
const PORCH = 'porch';
const PORCH_LOCATION = 'front';

type Box = [number, number, number, number];

/** One appearance as seeded: a label on consecutive frames of a camera, one of them the best. */
interface Appearance {
  name: string;
  camera: string;
  location: string;
  label: string;
  frames: number[];
  bestMs: number;
  score: number;
  box: Box;
}

let stack: ActivityStack;
let browser: BrowserHandle;
let truth: Record<'a' | 'b' | 'c' | 'old' | 'porch', Appearance>;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcClock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** The frames of a burst, one a second. */
const burstFrames = (burst: Burst) => Array.from({ length: burst.seconds }, (_, s) => burst.startMs + s * 1000);

function appearance(
  name: string,
  where: { camera: string; location: string },
  label: string,
  frames: number[],
  best: { index: number; score: number; box: Box },
): Appearance {
  return { name, ...where, label, frames, bestMs: frames[best.index] as number, score: best.score, box: best.box };
}

/** One detection point per frame: the best frame has the best score; the others less, all above the API's minimum (0.5). */
function pointsOf(a: Appearance, filepathOf: (ms: number) => string): DetectionPoint[] {
  return a.frames.map((ms, i) => {
    const best = ms === a.bestMs;
    const shift = best ? 0 : ((i % 5) - 2) * 0.01;
    return {
      camera: a.camera,
      location: a.location,
      capturedAtMs: ms,
      label: a.label,
      score: best ? a.score : 0.6 + (i % 4) * 0.02,
      box: best ? a.box : (a.box.map((v) => Math.min(1, Math.max(0, v + shift))) as Box),
      count: 1,
      filepath: filepathOf(ms),
    };
  });
}

beforeAll(async () => {
  stack = await startActivityStack();
  const { bursts, endMs, frames } = stack.seed;
  const yard = { camera: CAMERA, location: LOCATION };
  const porch = { camera: PORCH, location: PORCH_LOCATION };
  // Ten minutes before the end of the yard's footage, twelve stills of a second camera.
  const porchFrames = Array.from({ length: 12 }, (_, i) => endMs - 10 * MINUTE + 3_000 + i * 1000);
  const firstYardJpeg = `${stack.thumbnailDir}/${thumbnailRelativePath(CAMERA, (frames[0] as { ms: number }).ms)}`;
  const porchPaths = await seedCameraStills(
    stack.influx,
    stack.thumbnailDir,
    { ...porch, jpeg: firstYardJpeg, width: 320, height: 180 },
    porchFrames,
  );
  truth = {
    a: appearance('a', yard, 'person', burstFrames(bursts.a), { index: 8, score: 0.93, box: [0.02, 0.1, 0.22, 0.95] }),
    b: appearance('b', yard, 'car', burstFrames(bursts.b), { index: 5, score: 0.88, box: [0.76, 0.4, 0.98, 0.8] }),
    c: appearance('c', yard, 'person', burstFrames(bursts.c), { index: 12, score: 0.81, box: [0.05, 0.2, 0.2, 0.9] }),
    old: appearance('old', yard, 'person', burstFrames(bursts.old), {
      index: 3,
      score: 0.77,
      box: [0.8, 0.1, 0.95, 0.7],
    }),
    porch: appearance('porch', porch, 'person', porchFrames, { index: 4, score: 0.9, box: [0.4, 0.15, 0.6, 0.98] }),
  };
  const porchPathOf = new Map(porchFrames.map((ms, i) => [ms, porchPaths[i] as string]));
  await seedDetections(stack.influx, [
    ...[truth.a, truth.b, truth.c, truth.old].flatMap((a) => pointsOf(a, (ms) => thumbnailRelativePath(CAMERA, ms))),
    ...pointsOf(truth.porch, (ms) => porchPathOf.get(ms) as string),
  ]);
  browser = await launchBrowser({ timezoneId: 'UTC' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// ---- the API ---------------------------------------------------------------------------

interface ApiAppearance {
  camera: string;
  location: string;
  label: string;
  firstSeen: string;
  lastSeen: string;
  frames: number;
  best: { time: string; score: number; box: number[]; filepath: string; url: string };
}

async function detectionsApi(words: string, hours: number, camera?: string) {
  const toMs = Date.now();
  const query = new URLSearchParams({ label: words, from: tsParam(toMs - hours * 3_600_000), to: tsParam(toMs) });
  if (camera) query.set('camera', camera);
  const res = await fetch(`${stack.backend}/detections?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// ---- the page --------------------------------------------------------------------------

interface CardView {
  camera: string;
  label: string;
  firstMs: number;
  lastMs: number;
  bestMs: number;
  frames: number;
  score: number;
  seen: string;
  meta: string;
  href: string;
}

async function readCards(page: Page): Promise<CardView[]> {
  return page.$$eval('[data-testid=search-card]', (cards) =>
    cards.map((card) => ({
      camera: card.getAttribute('data-camera') ?? '',
      label: card.getAttribute('data-label') ?? '',
      firstMs: Number(card.getAttribute('data-first-ms')),
      lastMs: Number(card.getAttribute('data-last-ms')),
      bestMs: Number(card.getAttribute('data-best-ms')),
      frames: Number(card.getAttribute('data-frames')),
      score: Number(card.getAttribute('data-score')),
      seen: card.querySelector('[data-testid=search-seen]')?.textContent ?? '',
      meta: card.querySelector('[data-testid=search-meta]')?.textContent ?? '',
      href: card.querySelector('a')?.getAttribute('href') ?? '',
    })),
  );
}

/** Waits for the answer to the search in the URL (not an earlier one), then reads its cards. */
async function waitForResults(page: Page, expectedStatus = 'done'): Promise<CardView[]> {
  const results = page.locator('[data-testid=search-results]');
  const state = async () =>
    [
      await results.getAttribute('data-status'),
      await results.getAttribute('data-words'),
      await results.getAttribute('data-camera'),
      await results.getAttribute('data-range'),
    ].join('|');
  const wanted = () => {
    const params = new URL(page.url()).searchParams;
    return [expectedStatus, params.get('q'), params.get('camera') ?? '', params.get('range')].join('|');
  };
  await expect
    .poll(async () => (await state()) === wanted() || `${await state()} != ${wanted()}`, { timeout: 30_000 })
    .toBe(true);
  return readCards(page);
}

/** Types the words and presses Enter, as a person would. */
async function search(page: Page, words: string): Promise<void> {
  const input = page.locator('[data-testid=search-input]');
  await input.fill(words);
  await input.press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('q'), { timeout: 10_000 }).not.toBeNull();
}

/** What a card must show for a seeded appearance. */
function expectedCard(a: Appearance) {
  const today = utcDay(Date.now());
  const first = `${utcDay(a.frames[0] as number) !== today ? `${utcDay(a.frames[0] as number)} ` : ''}${utcClock(a.frames[0] as number)}`;
  return {
    camera: a.camera,
    label: a.label,
    firstMs: a.frames[0] as number,
    lastMs: a.frames.at(-1) as number,
    bestMs: a.bestMs,
    frames: a.frames.length,
    score: a.score,
    seen: `${first}–${utcClock(a.frames.at(-1) as number)}`,
  };
}

const shape = (cards: CardView[]) =>
  cards.map(({ camera, label, firstMs, lastMs, bestMs, frames, score, seen }) => ({
    camera,
    label,
    firstMs,
    lastMs,
    bestMs,
    frames,
    score,
    seen,
  }));

// ---- the tests -------------------------------------------------------------------------

describe('object search in the dashboard, against seeded detections', () => {
  it('"people" shows each appearance as a card with its best frame and box, newest first', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard}/?view=search`);
    await expect.poll(() => page.locator('[data-testid=search-results]').getAttribute('data-status')).toBe('idle');
    await search(page, 'people');
    const cards = await waitForResults(page);
    const expected = [truth.porch, truth.c, truth.a].map(expectedCard);
    expect(shape(cards)).toEqual(expected);
    expect(new URL(page.url()).searchParams.get('range')).toBe('24h');
    for (const [i, card] of cards.entries()) {
      const a = [truth.porch, truth.c, truth.a][i] as Appearance;
      expect(card.meta, a.name).toContain(`${a.frames.length} frames over ${a.frames.length} s`);
      expect(card.meta, a.name).toContain(`best ${Math.round(a.score * 100)} %`);
      expect(card.href, a.name).toContain(`camera=${a.camera}`);
      expect(card.href, a.name).toContain(`at=${a.bestMs}`);
    }

    // The same appearances as the API's own answer.
    const api = await detectionsApi('people', 24);
    expect(api.status).toBe(200);
    const appearances = api.body.appearances as ApiAppearance[];
    expect(
      appearances.map((a) => ({
        camera: a.camera,
        firstMs: Date.parse(a.firstSeen),
        lastMs: Date.parse(a.lastSeen),
        bestMs: Date.parse(a.best.time),
        frames: a.frames,
      })),
    ).toEqual(
      expected.map(({ camera, firstMs, lastMs, bestMs, frames }) => ({ camera, firstMs, lastMs, bestMs, frames })),
    );
    expect(api.body.truncated).toBe(false);

    // Every card's picture is the real JPEG, decoded, with the box over it where the detection put it.
    await expect
      .poll(
        () =>
          page.$$eval(
            '[data-testid=search-image]',
            (images) =>
              images.filter((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)
                .length,
          ),
        { timeout: 30_000 },
      )
      .toBe(3);
    const geometry = await page.$$eval('[data-testid=search-card]', (list) =>
      list.map((card) => {
        const image = card.querySelector('[data-testid=search-image]')?.getBoundingClientRect();
        const box = card.querySelector('[data-testid=search-box]')?.getBoundingClientRect();
        return image && box
          ? {
              image: { x: image.x, y: image.y, w: image.width, h: image.height },
              box: { x: box.x, y: box.y, w: box.width, h: box.height },
            }
          : null;
      }),
    );
    for (const [i, g] of geometry.entries()) {
      const a = [truth.porch, truth.c, truth.a][i] as Appearance;
      if (!g) throw new Error(`card ${a.name} has no picture or box`);
      const [x1, y1, x2, y2] = a.box;
      expect(Math.abs(g.box.x - (g.image.x + x1 * g.image.w)), `${a.name} left`).toBeLessThan(1.5);
      expect(Math.abs(g.box.y - (g.image.y + y1 * g.image.h)), `${a.name} top`).toBeLessThan(1.5);
      expect(Math.abs(g.box.w - (x2 - x1) * g.image.w), `${a.name} width`).toBeLessThan(1.5);
      expect(Math.abs(g.box.h - (y2 - y1) * g.image.h), `${a.name} height`).toBeLessThan(1.5);
    }
    await screenshot(page, 'search-results');
    await page.close();
  });

  it('a camera named in the words, and the range, narrow the search', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard}/?view=search&range=1h`);
    await search(page, 'people');
    expect(shape(await waitForResults(page))).toEqual([truth.porch, truth.c].map(expectedCard));

    // "… at yard" picks the camera: the words are what is left.
    await search(page, 'people at yard');
    await expect.poll(() => page.locator('[data-testid=search-camera]').inputValue()).toBe(CAMERA);
    expect(await page.locator('[data-testid=search-input]').inputValue()).toBe('people');
    expect(shape(await waitForResults(page))).toEqual([truth.c].map(expectedCard));
    expect(new URL(page.url()).searchParams.get('camera')).toBe(CAMERA);

    // Seven days reach the burst three days ago; a picked range applies at once.
    await page.locator('[data-testid=search-range]').selectOption('7d');
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('7d');
    expect(shape(await waitForResults(page))).toEqual([truth.c, truth.a, truth.old].map(expectedCard));
    await page.locator('[data-testid=search-camera]').selectOption('');
    await expect.poll(() => new URL(page.url()).searchParams.get('camera')).toBeNull();
    expect(shape(await waitForResults(page))).toEqual([truth.porch, truth.c, truth.a, truth.old].map(expectedCard));
    expect(await page.locator('[data-testid=search-summary]').textContent()).toContain('4 appearances of person');
    await page.close();
  });

  it('finds the car as a vehicle, says when nothing was seen, and shows why an unknown word is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard}/?view=search&range=24h`);
    await search(page, 'vehicle');
    expect(shape(await waitForResults(page))).toEqual([truth.b].map(expectedCard));

    await search(page, 'dogs');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('dogs');
    expect(await waitForResults(page)).toEqual([]);
    await expect
      .poll(() => page.locator('[data-testid=notice-empty]').textContent())
      .toContain('No dogs seen in the last 24 h');

    const refused = await detectionsApi('unicorns', 24);
    expect(refused.status).toBe(400);
    const detail = refused.body.detail as string;
    expect(detail).toContain('unicorns');
    await search(page, 'unicorns');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('unicorns');
    await waitForResults(page, 'failed');
    const error = page.locator('[data-testid=search-error]');
    expect(await error.getAttribute('data-kind')).toBe('refused');
    expect(await error.textContent()).toContain(detail);
    expect(await page.locator('[data-testid=search-card]').count()).toBe(0);
    await screenshot(page, 'search-refused');
    await page.close();
  });

  it('a card opens the Scrub view at its best frame, where the strip marks events with what was seen', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard}/?view=search&q=people&range=24h`);
    await waitForResults(page);
    const c = truth.c;
    // By keyboard: the card is a link.
    await page.locator(`[data-testid=search-card][data-best-ms="${c.bestMs}"] a`).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => {
        const params = new URL(page.url()).searchParams;
        return `${params.get('view')}:${params.get('camera')}:${params.get('at')}`;
      })
      .toBe(`scrub:${CAMERA}:${c.bestMs}`);
    const result = page.locator('[data-testid=scrub-result]');
    await expect
      .poll(
        async () =>
          `${await result.getAttribute('data-status')}:${await result.getAttribute('data-requested-ms')}:${await result.getAttribute('data-frame-ms')}`,
        { timeout: 30_000 },
      )
      .toBe(`done:${c.bestMs}:${c.bestMs}`);

    /** The strip's labelled events once loaded at this zoom, with the API's own events for its window. */
    const readEvents = async (zoom: string, count: number) => {
      const strip = page.locator('[data-testid=activity-strip]');
      await expect
        .poll(async () => `${await strip.getAttribute('data-zoom')}:${await strip.getAttribute('data-status')}`, {
          timeout: 30_000,
        })
        .toBe(`${zoom}:done`);
      await expect.poll(() => page.locator('[data-testid=activity-event]').count(), { timeout: 30_000 }).toBe(count);
      const shown = await page.$$eval('[data-testid=activity-event]', (items) =>
        items.map((el) => ({
          startMs: Number(el.getAttribute('data-start-ms')),
          endMs: Number(el.getAttribute('data-end-ms')),
          labels: (el.getAttribute('data-labels') ?? '').split(','),
          title: el.getAttribute('title') ?? '',
        })),
      );
      const fromMs = Number(await strip.getAttribute('data-from-ms'));
      const toMs = Number(await strip.getAttribute('data-to-ms'));
      const res = await fetch(`${stack.backend}/events?camera=${CAMERA}&from=${tsParam(fromMs)}&to=${tsParam(toMs)}`);
      expect(res.status).toBe(200);
      const api = (await res.json()) as { events: { start: string; end: string; labels?: string[] }[] };
      const labelled = api.events
        .filter((e) => (e.labels ?? []).length > 0)
        .map((e) => ({ startMs: Date.parse(e.start), endMs: Date.parse(e.end), labels: e.labels }));
      expect(shown.map(({ title: _, ...e }) => e)).toEqual(labelled);
      return shown;
    };
    /** An event holds an appearance's frames, and names its label in its tooltip. */
    const expectEventOf = (
      event: { startMs: number; endMs: number; labels: string[]; title: string },
      a: Appearance,
    ) => {
      expect(event.startMs, a.name).toBeLessThanOrEqual(a.frames[0] as number);
      expect(event.startMs, a.name).toBeGreaterThanOrEqual((a.frames[0] as number) - 1000);
      expect(event.endMs, a.name).toBeGreaterThanOrEqual(a.frames.at(-1) as number);
      expect(event.labels, a.name).toEqual([a.label]);
      expect(event.title, a.name).toContain(a.label);
      expect(event.title, a.name).toContain(utcClock(event.startMs));
    };

    // The card opened the strip at one hour around the frame: only this appearance's event is marked.
    const hour = await readEvents('1h', 1);
    expectEventOf(hour[0] as (typeof hour)[number], c);
    expect(await page.locator('[data-testid=activity-readout]').textContent()).toContain('seen: person');

    // At 24 h, every burst with something detected in it, and not the weak burst where nothing was.
    await page.locator('[data-testid=zoom-24h]').click();
    const day = await readEvents('24h', 3);
    expectEventOf(day[0] as (typeof day)[number], truth.a);
    expectEventOf(day[1] as (typeof day)[number], truth.b);
    expectEventOf(day[2] as (typeof day)[number], c);
    const weak = stack.seed.bursts.weak;
    expect(day.some((e) => e.startMs <= weak.lastMs && e.endMs >= weak.startMs)).toBe(false);
    await screenshot(page, 'search-scrub-labels');
    await page.close();
  });
});
