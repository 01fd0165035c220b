/**
 * The motion features of the dashboard in a real browser, against the real backend
 * and a real influxd holding seeded motion (e2e/support/activity-fixture.ts): the
 * activity strip under the scrub timeline, previous / next motion with a minimum and
 * a region, and the clips view's sparklines and "only clips with motion" filter.
 * Every claim is checked against the seeded truth and against the API's own answers.
 *
 * The browser runs in UTC, so the test's days and 10-minute clips match the page's.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActivityStack, type Burst, CAMERA, startActivityStack } from './support/activity-fixture.js';
import { tsParam } from './support/api.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';

const MINUTE = 60_000;
const PHONE = { width: 390, height: 844 };

let stack: ActivityStack;
let browser: BrowserHandle;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcClock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

beforeAll(async () => {
  stack = await startActivityStack();
  browser = await launchBrowser({ timezoneId: 'UTC' });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// ---- the truth and the API -------------------------------------------------------

interface BucketView {
  startMs: number;
  max: number | null;
  coverage: number;
}

/** What each bucket of a row must say, from the seeded frames (the backend rounds to 4 decimals). */
function expectedBuckets(fromMs: number, bucketMs: number, count: number): BucketView[] {
  const seconds = bucketMs / 1000;
  const max: (number | null)[] = new Array(count).fill(null);
  const frames: number[] = new Array(count).fill(0);
  for (const frame of stack.seed.frames) {
    const i = Math.floor((frame.ms - fromMs) / bucketMs);
    if (i < 0 || i >= count) continue;
    max[i] = Math.max(max[i] ?? 0, frame.motion);
    frames[i] = (frames[i] as number) + 1;
  }
  return max.map((m, i) => ({
    startMs: fromMs + i * bucketMs,
    max: m,
    coverage: Math.round(Math.min(1, (frames[i] as number) / seconds) * 10_000) / 10_000,
  }));
}

const burstList = () => Object.values(stack.seed.bursts);

async function motionApi(
  atMs: number,
  dir: 'next' | 'prev',
  options: { min?: string; region?: string } = {},
): Promise<number | null> {
  const query = new URLSearchParams({ camera: CAMERA, ts: tsParam(atMs), dir });
  if (options.min) query.set('min', options.min);
  if (options.region) query.set('region', options.region);
  const res = await fetch(`${stack.backend}/motion?${query}`);
  const body = (await res.json()) as { frame?: { time: string }; error?: string };
  if (res.status === 404 && body.error === 'not_found') return null;
  if (res.status !== 200 || !body.frame) throw new Error(`/motion answered ${res.status}: ${JSON.stringify(body)}`);
  return Date.parse(body.frame.time);
}

/** The seeded truth: the first (next) or last (prev) burst frame after / before a moment, with the filters. */
function truthJump(atMs: number, dir: 'next' | 'prev', min = 0.002, side?: Burst['side']): number | null {
  const moving = stack.seed.frames.filter((f) => f.motion >= min && (!side || f.side === side));
  if (dir === 'next') return moving.find((f) => f.ms > atMs)?.ms ?? null;
  return moving.filter((f) => f.ms < atMs).at(-1)?.ms ?? null;
}

// ---- the page ----------------------------------------------------------------------

function scrubUrl(atMs: number, zoom: string, extra = ''): string {
  return `${stack.dashboard}/?view=scrub&camera=${CAMERA}&day=${utcDay(atMs)}&at=${atMs}&span=1h&zoom=${zoom}${extra}`;
}

/** Waits for the strip to show a loaded row at this zoom, then reads it. */
async function readStrip(page: Page, zoom: string) {
  const strip = page.locator('[data-testid=activity-strip]');
  await expect
    .poll(async () => `${await strip.getAttribute('data-zoom')}:${await strip.getAttribute('data-status')}`, {
      timeout: 30_000,
    })
    .toBe(`${zoom}:done`);
  const fromMs = Number(await strip.getAttribute('data-from-ms'));
  const toMs = Number(await strip.getAttribute('data-to-ms'));
  const bucketMs = Number(await strip.getAttribute('data-bucket-ms'));
  const buckets: BucketView[] = await page.$$eval('[data-testid=activity-bucket]', (items) =>
    items.map((el) => {
      const max = el.getAttribute('data-max');
      return {
        startMs: Number(el.getAttribute('data-start-ms')),
        max: max === '' || max === null ? null : Number(max),
        coverage: Number(el.getAttribute('data-coverage')),
      };
    }),
  );
  return { fromMs, toMs, bucketMs, buckets, strip };
}

/** Checks a strip against the seeded truth: motion exactly at the bursts, nothing over the gap. */
function checkStrip(view: Awaited<ReturnType<typeof readStrip>>, label: string) {
  const { fromMs, toMs, bucketMs, buckets } = view;
  expect(buckets.length, label).toBe((toMs - fromMs) / bucketMs);
  expect(buckets, label).toEqual(expectedBuckets(fromMs, bucketMs, buckets.length));
  // Stated plainly as well: the buckets with motion are exactly those holding burst frames...
  const moving = buckets.filter((b) => (b.max ?? 0) > 0).map((b) => b.startMs);
  const holding = [
    ...new Set(
      burstList().flatMap((burst) =>
        Array.from({ length: burst.seconds }, (_, s) => burst.startMs + s * 1000)
          .filter((ms) => ms >= fromMs && ms < toMs)
          .map((ms) => fromMs + Math.floor((ms - fromMs) / bucketMs) * bucketMs),
      ),
    ),
  ].sort((a, b) => a - b);
  expect(moving, `${label}: buckets with motion`).toEqual(holding);
  // ...and the buckets wholly inside the gap have no footage.
  const { gap } = stack.seed;
  const inGap = buckets.filter((b) => b.startMs >= gap.fromMs && b.startMs + bucketMs <= gap.toMs);
  if (gap.toMs - gap.fromMs >= 2 * bucketMs && gap.fromMs >= fromMs && gap.toMs <= toMs) {
    expect(inGap.length, `${label}: buckets inside the gap`).toBeGreaterThan(0);
  }
  for (const b of inGap)
    expect(b, `${label}: gap bucket ${utcClock(b.startMs)}`).toMatchObject({ coverage: 0, max: null });
  return { moving, inGap };
}

/** Waits until the scrub view shows the frame for `ms` as the requested moment, and returns what it shows. */
async function waitForRequested(page: Page, ms: number) {
  const result = page.locator('[data-testid=scrub-result]');
  await expect
    .poll(
      async () =>
        `${await result.getAttribute('data-status')}:${await result.getAttribute('data-requested-ms')}:${new URL(page.url()).searchParams.get('at')}`,
      { timeout: 30_000 },
    )
    .toBe(`done:${ms}:${ms}`);
  return {
    frameMs: Number(await result.getAttribute('data-frame-ms')),
    day: new URL(page.url()).searchParams.get('day'),
  };
}

async function openScrub(page: Page, atMs: number, zoom: string, extra = '') {
  await page.goto(scrubUrl(atMs, zoom, extra));
  await waitForRequested(page, atMs);
  await page.locator('[data-testid=scrub-image]').waitFor({ timeout: 30_000 });
}

// ---- the tests -----------------------------------------------------------------------

describe('motion in the dashboard, against seeded activity', () => {
  it('the activity strip shows motion exactly at the bursts and the gap as no footage, at 1 h, 24 h and 7 days', async () => {
    const { a, b, old } = stack.seed.bursts;
    const page = await browser.newPage();
    // Between burst b and the gap: the 1-hour strip holds both.
    const at = stack.seed.gap.fromMs + 5 * MINUTE;
    await openScrub(page, at, '1h');
    const hour = await readStrip(page, '1h');
    expect(hour.bucketMs).toBeLessThan(MINUTE); // about one bucket per 2-4 px: seconds at this zoom
    const oneHour = checkStrip(hour, '1 h');
    expect(oneHour.moving.length).toBeGreaterThan(0);
    expect(oneHour.inGap.length).toBeGreaterThan(10);
    await screenshot(page, 'activity-strip-1h');

    await page.locator('[data-testid=zoom-24h]').click();
    const day = await readStrip(page, '24h');
    expect(day.bucketMs).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(day.toMs).toBeLessThanOrEqual(Date.now() + day.bucketMs);
    const oneDay = checkStrip(day, '24 h');
    expect(oneDay.moving.length).toBe(4); // a, b, weak and c, each inside one bucket
    expect(new URL(page.url()).searchParams.get('zoom')).toBe('24h');
    // Partial coverage: the bucket holding the 30-second dropout, and it is drawn as such.
    const { dropout } = stack.seed;
    const partial = day.buckets.filter((x) => x.coverage > 0 && x.coverage < 1).map((x) => x.startMs);
    const dropoutBucket = day.fromMs + Math.floor((dropout.fromMs - day.fromMs) / day.bucketMs) * day.bucketMs;
    expect(partial).toContain(dropoutBucket);
    expect(
      await page.locator(`[data-testid=activity-bucket][data-start-ms="${dropoutBucket}"]`).getAttribute('class'),
    ).toContain('activity-partial');
    // The strip's own readout describes the bucket under the pointer.
    const box = await day.strip.boundingBox();
    if (!box) throw new Error('strip not laid out');
    const xOf = (ms: number, view: { fromMs: number; toMs: number }) =>
      box.x + ((ms - view.fromMs) / (view.toMs - view.fromMs)) * box.width;
    await page.mouse.move(xOf(b.startMs + 2_000, day), box.y + box.height / 2);
    await expect.poll(() => page.locator('[data-testid=activity-readout]').textContent()).toContain('peak motion 8 %');
    await screenshot(page, 'activity-strip-24h');

    // Clicking the strip moves the requested moment there (and remembers it in the URL).
    await page.mouse.click(xOf(a.startMs, day), box.y + box.height / 2);
    // The URL follows the click once the page has committed it (the hover before it moved it elsewhere).
    const tolerance = ((day.toMs - day.fromMs) / box.width) * 2;
    const urlAt = () => Number(new URL(page.url()).searchParams.get('at'));
    await expect.poll(() => Math.abs(urlAt() - a.startMs), { timeout: 10_000 }).toBeLessThanOrEqual(tolerance);
    const clicked = urlAt();
    await waitForRequested(page, clicked);

    await page.locator('[data-testid=zoom-7d]').click();
    const week = await readStrip(page, '7d');
    expect(week.fromMs).toBeLessThanOrEqual(old.startMs);
    const sevenDays = checkStrip(week, '7 days');
    expect(sevenDays.moving).toContain(
      week.fromMs + Math.floor((old.startMs - week.fromMs) / week.bucketMs) * week.bucketMs,
    );
    await screenshot(page, 'activity-strip-7d');

    // Clicking the old burst on the 7-day strip moves to its day.
    const weekBox = await week.strip.boundingBox();
    if (!weekBox) throw new Error('strip not laid out');
    await page.mouse.click(
      weekBox.x + ((old.startMs - week.fromMs) / (week.toMs - week.fromMs)) * weekBox.width,
      weekBox.y + weekBox.height / 2,
    );
    await expect.poll(() => new URL(page.url()).searchParams.get('day')).toBe(utcDay(old.startMs));
    const there = Number(new URL(page.url()).searchParams.get('at'));
    expect(Math.abs(there - old.startMs)).toBeLessThanOrEqual(week.bucketMs);
    await waitForRequested(page, there);
    // The strip stayed where it was (it was not re-centred under the pointer).
    expect((await readStrip(page, '7d')).fromMs).toBe(week.fromMs);
    await page.close();
  });

  it('previous / next motion jump to the bursts, across three days at the 7-day zoom', async () => {
    const { a, old } = stack.seed.bursts;
    const page = await browser.newPage();
    const before = a.startMs - 5 * MINUTE;
    await openScrub(page, before, '7d');

    await page.locator('[data-testid=motion-next]').click();
    const api = await motionApi(before, 'next');
    expect(api).toBe(a.startMs);
    expect(truthJump(before, 'next')).toBe(a.startMs);
    const next = await waitForRequested(page, a.startMs);
    expect(next.frameMs).toBe(a.startMs); // the closest frame is the moving frame itself
    expect(await page.locator('[data-testid=motion-found]').textContent()).toContain('Motion 5 %');

    await page.locator('h1').click();
    await page.keyboard.press('[');
    expect(await motionApi(a.startMs, 'prev')).toBe(old.lastMs);
    expect(truthJump(a.startMs, 'prev')).toBe(old.lastMs);
    const back = await waitForRequested(page, old.lastMs);
    expect(back.day).toBe(utcDay(old.lastMs));
    expect(back.frameMs).toBe(old.lastMs);
    const week = await readStrip(page, '7d');
    expect(week.fromMs <= old.lastMs && old.lastMs < week.toMs).toBe(true);
    expect(await page.locator('[data-testid=motion-found]').textContent()).toContain('before');

    // "]" comes forward again across the same three days.
    await page.keyboard.press(']');
    expect(await motionApi(old.lastMs, 'next')).toBe(a.startMs);
    const forward = await waitForRequested(page, a.startMs);
    expect(forward.day).toBe(utcDay(a.startMs));
    await page.close();
  });

  it('a region drawn on the frame makes next motion skip a burst on the other side', async () => {
    const { a, b } = stack.seed.bursts;
    const page = await browser.newPage();
    const before = a.startMs - 5 * MINUTE;
    await openScrub(page, before, '24h');
    const picture = page.locator('[data-testid=region-picture]');
    await picture.waitFor({ timeout: 30_000 });
    const box = await picture.boundingBox();
    if (!box) throw new Error('frame not laid out');
    // Drag over the right third of the picture: burst b is there, burst a (left) is not.
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height * 0.9, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get('region')).not.toBeNull();
    const region = new URL(page.url()).searchParams.get('region') as string;
    const [x, y, w, h] = region.split(',').map(Number) as [number, number, number, number];
    expect(x).toBeCloseTo(0.62, 2);
    expect(y).toBeCloseTo(0.1, 2);
    expect(x + w).toBeCloseTo(0.97, 2);
    expect(y + h).toBeCloseTo(0.9, 2);
    expect(await page.locator('[data-testid=region-outline]').getAttribute('data-region')).toBe(region);
    await screenshot(page, 'activity-region');

    await page.locator('[data-testid=motion-next]').click();
    expect(await motionApi(before, 'next', { region })).toBe(b.startMs);
    expect(truthJump(before, 'next', 0.002, 'right')).toBe(b.startMs);
    await waitForRequested(page, b.startMs);
    // The link reproduces the search: a fresh page with this URL finds the same frame.
    const link = new URL(page.url());
    link.searchParams.set('at', String(before));
    link.searchParams.set('day', utcDay(before));
    const again = await browser.newPage();
    await again.goto(link.toString());
    await waitForRequested(again, before);
    await again.locator('[data-testid=motion-next]').click();
    await waitForRequested(again, b.startMs);
    await again.close();

    // Without the region, next motion from the same moment is burst a again.
    await page.locator('[data-testid=region-clear]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('region')).toBeNull();
    expect(await page.locator('[data-testid=region-outline]').count()).toBe(0);
    await page.goto(scrubUrl(before, '24h'));
    await waitForRequested(page, before);
    await page.locator('[data-testid=motion-next]').click();
    await waitForRequested(page, a.startMs);
    await page.close();
  });

  it('the minimum-motion slider skips a weak burst, and says so plainly when nothing is left', async () => {
    const { weak, c } = stack.seed.bursts;
    const page = await browser.newPage();
    const before = weak.startMs - 5 * MINUTE;
    await openScrub(page, before, '6h');
    const slider = page.locator('[data-testid=min-motion-input]');
    const min = page.locator('[data-testid=min-motion]');
    expect(await min.getAttribute('data-min')).toBe('0.002');
    expect(await page.locator('[data-testid=min-motion-value]').textContent()).toBe('0.2 %');

    // Default minimum: the weak burst (0.4 %) counts.
    await page.locator('[data-testid=motion-next]').click();
    expect(await motionApi(before, 'next')).toBe(weak.startMs);
    await waitForRequested(page, weak.startMs);

    // The highest minimum (30 %): nothing moves that much, and the page says so without an error.
    await page.goto(scrubUrl(before, '6h'));
    await waitForRequested(page, before);
    await slider.focus();
    await page.keyboard.press('End');
    await expect.poll(() => min.getAttribute('data-min')).toBe('0.3');
    expect(new URL(page.url()).searchParams.get('min')).toBe('0.3');
    await page.locator('[data-testid=motion-next]').click();
    const status = page.locator('[data-testid=motion-status]');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 30_000 }).toBe('none');
    expect(await status.textContent()).toContain(`No motion after ${utcClock(before)}`);
    expect(await page.locator('[data-testid=notice-error]').count()).toBe(0);
    expect(await motionApi(before, 'next', { min: '0.3' })).toBeNull();
    expect(new URL(page.url()).searchParams.get('at')).toBe(String(before));

    // About 1 %: above the weak burst, below c (3 %), so next motion skips to c.
    await slider.focus();
    await page.keyboard.press('Home');
    while (Number(await min.getAttribute('data-min')) < 0.01) await page.keyboard.press('ArrowRight');
    const chosen = (await min.getAttribute('data-min')) as string;
    expect(Number(chosen)).toBeLessThan(c.motion);
    expect(Number(chosen)).toBeGreaterThan(weak.motion);
    await expect.poll(() => new URL(page.url()).searchParams.get('min')).toBe(chosen);
    await page.locator('h1').click();
    await page.keyboard.press(']');
    expect(await motionApi(before, 'next', { min: chosen })).toBe(c.startMs);
    expect(truthJump(before, 'next', Number(chosen))).toBe(c.startMs);
    await waitForRequested(page, c.startMs);
    await page.close();
  });

  it('clips: every clip has a sparkline, and "Only clips with motion" leaves exactly the clips with bursts', async () => {
    const day = utcDay(stack.seed.bursts.c.startMs);
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard}/?view=clips&camera=${CAMERA}&day=${day}&minutes=10`);
    const loadEverything = async () => {
      await expect
        .poll(
          async () => {
            await page.mouse.wheel(0, 10_000);
            return page.locator('[data-testid=checking], [data-testid=clip-pending]').count();
          },
          { timeout: 60_000, interval: 300 },
        )
        .toBe(0);
      await expect
        .poll(() => page.locator('[data-testid=clips-summary]').getAttribute('data-loading'), { timeout: 20_000 })
        .toBe('false');
    };
    await loadEverything();
    const clipStart = (ms: number) => Math.ceil(ms / (10 * MINUTE)) * 10 * MINUTE - 10 * MINUTE;
    // A clip is (from, from + 10 min]: a frame exactly at midnight ends the previous day's last clip, so the
    // day's clips are those whose start is on the day (the seed crosses midnight when the tests run just after it).
    const dayStartMs = Date.parse(`${day}T00:00:00Z`);
    const seededOnDay = stack.seed.frames.filter((f) => utcDay(f.ms) === day && clipStart(f.ms) >= dayStartMs);
    const allClips = [...new Set(seededOnDay.map((f) => clipStart(f.ms)))];

    // Sparklines: one per clip, once the day's single activity row has loaded; each clip's peak is the truth.
    await expect
      .poll(() => page.locator('[data-testid=clip] [data-testid=clip-sparkline]').count())
      .toBe(allClips.length);
    const cards = await page.$$eval('[data-testid=clip]', (items) =>
      items.map((el) => {
        const spark = el.querySelector('[data-testid=clip-sparkline]');
        const peak = spark?.getAttribute('data-peak');
        return {
          from: Number(el.getAttribute('data-from-ms')),
          peak: peak ? Number(peak) : null,
          bars: Number(spark?.getAttribute('data-buckets')),
        };
      }),
    );
    expect(cards.map((card) => card.from)).toEqual(allClips);
    // The day's row: a bucket a minute, up to the minute holding the moment the grid was laid out.
    const asOf = Number(await page.locator('[data-testid=clips-summary]').getAttribute('data-as-of-ms'));
    const rowEnd = Math.min(Date.parse(`${day}T00:00:00Z`) + 24 * 60 * MINUTE, Math.ceil(asOf / MINUTE) * MINUTE);
    for (const card of cards) {
      // The sparkline's minutes are [from, from + 10 min); the clip is (from, from + 10 min]: they differ
      // only in a frame exactly on the boundary, and no moving frame is seeded there.
      const inClip = seededOnDay.filter((f) => f.ms >= card.from && f.ms < card.from + 10 * MINUTE);
      const peak = inClip.length ? Math.max(...inClip.map((f) => f.motion)) : null;
      expect(card.peak, `clip ${utcClock(card.from)}`).toBe(peak);
      expect(card.bars, `clip ${utcClock(card.from)}`).toBe(Math.min(10, (rowEnd - card.from) / MINUTE));
    }
    await page.mouse.wheel(0, -100_000);
    await screenshot(page, 'activity-clips');

    await page.locator('[data-testid=only-motion]').click();
    expect(await page.locator('[data-testid=only-motion]').getAttribute('aria-pressed')).toBe('true');
    expect(new URL(page.url()).searchParams.get('motion')).toBe('1');
    await loadEverything();
    const withMotion = [...new Set(seededOnDay.filter((f) => f.motion >= 0.002).map((f) => clipStart(f.ms)))];
    expect(withMotion.length).toBeGreaterThanOrEqual(1);
    const shown = await page.$$eval('[data-testid=clip]', (items) =>
      items.map((el) => Number(el.getAttribute('data-from-ms'))),
    );
    expect(shown).toEqual(withMotion);
    expect(await page.locator('[data-testid=quiet]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=clips-summary]').textContent()).toContain(
      `Showing ${withMotion.length} with motion of 0.2 % or more`,
    );
    await page.mouse.wheel(0, -100_000);
    await screenshot(page, 'activity-clips-filtered');
    await page.close();
  });

  it('works on a phone: strip, motion search and region fit 390 px', async () => {
    const { b } = stack.seed.bursts;
    const phone = await browser.newPage(PHONE);
    await openScrub(phone, b.startMs, '24h', '&region=0.6%2C0.1%2C0.35%2C0.8');
    const view = await readStrip(phone, '24h');
    checkStrip(view, 'phone 24 h');
    expect(view.buckets.length).toBeLessThanOrEqual(Math.ceil(390 / 2));
    await phone.locator('[data-testid=region-outline]').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const id of ['motion-prev', 'motion-next', 'min-motion-input', 'region-clear', 'zoom-30d']) {
      const box = await phone.locator(`[data-testid=${id}]`).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width, id).toBe(true);
    }
    await screenshot(phone, 'activity-phone');
    await phone.close();
    expect(browser.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });
});
