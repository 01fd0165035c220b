/**
 * The whole detection path, nothing seeded: the GStreamer scene shows the detector
 * package's sample person during scripted intervals, the real feed-handler's detector
 * finds her, influxd keeps the points, the backend merges them into appearances, and
 * the dashboard's Search view shows them in Chromium. Scripted times are wall-clock
 * times (the scene's cycle is aligned to the epoch), so the card's times are checked
 * against the script.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../scripts/lib/process.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import { type E2eStack, startE2eStack } from './support/e2e-stack.js';

const require = createRequire(import.meta.url);
const SAMPLE = join(dirname(require.resolve('@vladmandic/human')), '..', 'assets', 'samples.jpg');
const PERIOD_S = 30;
const PERSON = { start: 8, end: 20 };
const SCRIPT = {
  period: PERIOD_S,
  pictures: [{ ...PERSON, image: SAMPLE, crop: [0, 0, 156, 156], at: [0.62, 0.56], height: 0.8 }],
  moves: [{ ...PERSON, from: [0.08, 0.09], to: [0.92, 0.09], size: 0.1 }],
};

interface Appearance {
  camera: string;
  label: string;
  firstSeen: string;
  lastSeen: string;
  frames: number;
  best: { time: string; score: number };
}

let e2e: E2eStack;
let browser: BrowserHandle;
let appearance: Appearance;

beforeAll(async () => {
  e2e = await startE2eStack({
    rtsp: { source: 'scene', env: { RTSP_SCENE_SCRIPT: JSON.stringify(SCRIPT), RTSP_FPS: '10' } },
    env: { DETECT_ENABLED: 'true' },
  });
  // The camera's first thumbnail: an interval that began before it is seen only in part.
  const firstFrameMs = await waitFor(
    'the first thumbnail and the detector ready',
    async () => {
      const res = await fetch(`${e2e.stack.urls.feedHandler}/healthz`);
      const health = (await res.json()) as { cameras: { frames: number }[]; detector?: { state: string } };
      return (health.cameras[0]?.frames ?? 0) > 0 && health.detector?.state === 'ready' ? Date.now() : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  // A whole appearance: her interval began after that (plus a second) and ended 5 s ago (time for
  // the last frame's detection to be stored).
  const cycleMs = PERIOD_S * 1000;
  const cycleOf = (a: Appearance) => Math.floor(Date.parse(a.lastSeen) / cycleMs) * cycleMs;
  const whole = (a: Appearance) =>
    cycleOf(a) + PERSON.start * 1000 > firstFrameMs + 1_000 && cycleOf(a) + (PERSON.end + 5) * 1000 < Date.now();
  appearance = await waitFor(
    'a whole appearance of a person from the live detector',
    async () => {
      const res = await fetch(`${e2e.stack.urls.backend}/detections?label=people`);
      const body = (await res.json()) as { appearances: Appearance[] };
      return body.appearances.find(whole);
    },
    { timeoutMs: 3 * cycleMs + 30_000, intervalMs: 1_000 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${e2e.logTail()}`);
  });
  browser = await launchBrowser({ timezoneId: 'UTC' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

describe('detections from the live detector, searched in the dashboard', () => {
  it('the appearance matches the script within 2 s', () => {
    const cycle = (iso: string) => (Date.parse(iso) % (PERIOD_S * 1000)) / 1000;
    const first = cycle(appearance.firstSeen);
    const last = cycle(appearance.lastSeen);
    console.log(
      `live appearance: first seen ${first.toFixed(3)} s (script ${PERSON.start}), last ${last.toFixed(3)} s (script ${PERSON.end}), ${appearance.frames} frames, best ${appearance.best.score.toFixed(2)}`,
    );
    expect(appearance.camera).toBe(e2e.stack.cameras[0]);
    expect(Math.abs(first - PERSON.start)).toBeLessThanOrEqual(2);
    expect(Math.abs(last - PERSON.end)).toBeLessThanOrEqual(2);
    expect(appearance.best.score).toBeGreaterThanOrEqual(0.5);
  });

  it('"people" in the Search view shows her card with the best frame; the card opens Scrub there', async () => {
    const page = await browser.newPage();
    await page.goto(`${e2e.stack.urls.dashboard}/?view=search&q=people&range=1h`);
    const card = page.locator('[data-testid=search-card]').first();
    await card.waitFor({ timeout: 30_000 });
    const image = card.locator('img');
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await card.getAttribute('data-label')).toBe('person');
    expect(await card.getAttribute('data-camera')).toBe(e2e.stack.cameras[0]);
    await screenshot(page, 'search-live');
    // The newest card may be a newer appearance than the one above: its own best frame is where it leads.
    const bestMs = Number(await card.getAttribute('data-best-ms'));
    await card.locator('a').first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view'), { timeout: 10_000 }).toBe('scrub');
    const at = Number(new URL(page.url()).searchParams.get('at'));
    expect(Math.abs(at - bestMs)).toBeLessThanOrEqual(1_000);
    await page.close();
  });
});
