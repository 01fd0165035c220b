/**
 * Which recorded chunks Debian's chromium plays, and what the dashboard says
 * when it cannot (issue #17). Real MP4s made by real ffmpeg the way the chunk
 * recorder makes them (a camera's stream copied with `-c copy` into a faststart
 * MP4), published under CHUNK_DIR and indexed by the feed-handler's own code
 * (./support/seed-chunks.ts), served by the real backend to the built dashboard:
 *
 * - yard, H.264 + AAC (a camera with a microphone): plays; the picture has its
 *   size, time moves on, and the sound track is decoded beside it without
 *   stopping anything.
 * - porch, H.265 alone: Chromium on Linux has no HEVC decoder (its HEVC support
 *   is through platform decoders only) and refuses the file (MediaError 4,
 *   DEMUXER_ERROR_NO_SUPPORTED_STREAMS). The player is replaced by an alert
 *   naming H.265 (read from the file) with a download link.
 * - garage, H.265 + AAC: no error at all: Chromium plays the sound and the
 *   picture stays black with no size. The dashboard tells that apart too.
 *
 * Should this chromium decode H.265 after all (canPlayType says so), the H.265
 * cases check that it plays instead, and say so.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, startApiStack } from './support/api-stack.js';
import { type BrowserHandle, launchBrowser, screenshot } from './support/browser.js';
import {
  type CameraStreamSpec,
  encodeCameraStream,
  encoderFor,
  extractStill,
  hasEncoder,
  probeStreams,
  recordChunk,
  seedChunk,
} from './support/seed-chunks.js';
import { seedCameraStills } from './support/seed-detections.js';

const MINUTE = 60_000;
const LOCATION = 'lab';
const CHUNK_MS = 10_000;
const HEVC_TYPE = 'video/mp4; codecs="hvc1.1.6.L93.B0"';

interface Case {
  camera: string;
  spec: CameraStreamSpec;
  /** Why it cannot be made here (no encoder), or null. */
  skip: string | null;
  url?: string;
  bytes?: number;
}

const base: Omit<CameraStreamSpec, 'video' | 'audio'> = { seconds: CHUNK_MS / 1000, width: 640, height: 360, fps: 25 };
const hevcSkip = hasEncoder(encoderFor('h265'))
  ? null
  : 'this ffmpeg has no libx265 (`ffmpeg -encoders`), so no H.265 chunk can be made';
/** A skipped H.265 test's title says why. */
const skipped = (title: string) => (hevcSkip ? `${title} (skipped: ${hevcSkip})` : title);
const cases = {
  h264aac: { camera: 'yard', spec: { ...base, video: 'h264', audio: true }, skip: null } as Case,
  hevc: { camera: 'porch', spec: { ...base, video: 'h265', audio: false }, skip: hevcSkip } as Case,
  hevcaac: { camera: 'garage', spec: { ...base, video: 'h265', audio: true }, skip: hevcSkip } as Case,
};

let stack: ApiStack;
let browser: BrowserHandle;
/** The clip minute; every chunk is [startMs, startMs + 10 s) inside it. */
let clipFrom: number;
let startMs: number;
/** Whether this chromium says it can play H.265. */
let chromiumPlaysHevc: boolean;

async function videoState(page: Page) {
  return page.locator('[data-testid=clip-video]').evaluate((v: HTMLVideoElement) => ({
    readyState: v.readyState,
    currentTime: v.currentTime,
    width: v.videoWidth,
    height: v.videoHeight,
    paused: v.paused,
    ended: v.ended,
    error: v.error?.code ?? null,
    errorMessage: v.error?.message ?? null,
    // Chromium's counters of what its decoders were fed (not in lib.dom).
    audioDecodedBytes: (v as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount,
    videoDecodedBytes: (v as HTMLVideoElement & { webkitVideoDecodedByteCount?: number }).webkitVideoDecodedByteCount,
  }));
}

/** Console errors and page errors since `from` (an index into browser.problems). */
const problemsSince = (from: number) => browser.problems.slice(from).filter((p) => !p.includes('favicon'));

async function openClip(camera: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.dashboard}/?view=clip&camera=${camera}&from=${clipFrom}&minutes=1&frame=${startMs + 2_000}`);
  await page.locator('[data-testid=clip-video]').waitFor({ state: 'attached', timeout: 30_000 });
  return page;
}

/** Plays the chunk and checks the picture moves: time advances and the picture has its size. */
async function expectPlays(page: Page, c: Case): Promise<void> {
  await expect.poll(async () => (await videoState(page)).readyState, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const opened = await videoState(page);
  expect(opened.error).toBeNull();
  expect(opened.width).toBe(c.spec.width);
  expect(opened.height).toBe(c.spec.height);
  expect(opened.currentTime).toBeCloseTo(2, 1);
  await page.locator('[data-testid=clip-video]').evaluate((v: HTMLVideoElement) => v.play());
  await expect.poll(async () => (await videoState(page)).currentTime, { timeout: 30_000 }).toBeGreaterThan(4);
  const playing = await videoState(page);
  expect(playing.error).toBeNull();
  expect(playing.paused).toBe(false);
  expect(playing.videoDecodedBytes ?? 1).toBeGreaterThan(0);
  expect(await page.locator('[data-testid=chunk-unplayable]').count()).toBe(0);
}

/** The player's place is taken by an alert naming H.265, with a download link the keyboard reaches. */
async function expectHevcMessage(page: Page, c: Case, audio: boolean): Promise<void> {
  const box = page.locator('[data-testid=chunk-unplayable]');
  await box.waitFor({ timeout: 30_000 });
  // The codec is read from the file's first bytes: wait for that, not for a time.
  await expect.poll(async () => box.getAttribute('data-reason'), { timeout: 30_000 }).toBe('codec');
  expect(await box.getAttribute('data-video-codec')).toBe('hev1');
  expect(await box.getAttribute('data-audio-codec')).toBe(audio ? 'mp4a' : '');
  const alert = box.getByRole('alert');
  await expect.poll(async () => alert.count()).toBe(1);
  const text = ((await alert.textContent()) ?? '').replace(/\s+/g, ' ');
  expect(text).toContain('This camera records H.265 (HEVC), which this browser cannot play.');
  expect(text).toContain('Download the clip to watch it in a player that can (VLC, mpv).');
  expect(text).toContain(audio ? 'This file: video H.265 (HEVC), sound AAC.' : 'This file: video H.265 (HEVC).');
  if (audio) expect(text).toContain('Here only its sound would play.');
  // The broken player itself is not shown.
  expect(await page.locator('[data-testid=clip-video]').isVisible()).toBe(false);

  const link = box.getByRole('link', { name: /Download the clip/ });
  const href = (await link.getAttribute('href')) as string;
  // On the API's own origin, as an attachment: the dashboard's origin is another one, where `download` is ignored.
  expect(href).toBe(`${stack.backend}${c.url}?download=1`);
  expect(await link.getAttribute('download')).toBe(
    `${c.camera}-${new Date(startMs).toISOString().slice(0, 19).replaceAll(':', '-')}Z.mp4`,
  );
  // The link serves the chunk itself, whole.
  const served = await fetch(href);
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toBe('video/mp4');
  expect(served.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
  expect((await served.arrayBuffer()).byteLength).toBe(c.bytes);

  // Reached by Tab from the top of the page, before the filmstrip's frames.
  await page.locator('body').focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await link.evaluate((el) => el === document.activeElement);
  }
  expect(reached, 'the download link is in the tab order').toBe(true);
}

beforeAll(async () => {
  stack = await startApiStack();
  // A whole minute a few minutes back, the chunk 10 s into it: a finished clip, not a live one.
  clipFrom = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
  startMs = clipFrom + 10_000;
  const scratch = join(stack.workDir, 'camera-streams');
  for (const c of Object.values(cases)) {
    if (c.skip) continue;
    const stream = encodeCameraStream(scratch, c.camera, c.spec);
    const staging = join(scratch, `${c.camera}.mp4`);
    recordChunk(stream, staging);
    const chunk = { camera: c.camera, location: LOCATION, startMs, endMs: startMs + CHUNK_MS };
    const point = await seedChunk(stack.influx, stack, chunk, staging);
    c.url = `/chunks/${point.filepath}`;
    c.bytes = point.bytes;
    expect(statSync(join(stack.chunkDir, point.filepath)).size).toBe(point.bytes);
    // The clip's thumbnails beside it, one a second, as the camera's own frames would be.
    const jpeg = join(scratch, `${c.camera}.jpg`);
    extractStill(stream, jpeg, 320);
    const times = Array.from({ length: CHUNK_MS / 1000 }, (_, i) => startMs + i * 1000);
    await seedCameraStills(
      stack.influx,
      stack.thumbnailDir,
      { camera: c.camera, location: LOCATION, jpeg, width: 320, height: 180 },
      times,
    );
  }
  browser = await launchBrowser({ timezoneId: 'UTC' });
  const page = await browser.newPage();
  chromiumPlaysHevc = await page.evaluate(
    (type) => document.createElement('video').canPlayType(type) !== '',
    HEVC_TYPE,
  );
  console.log(
    `chromium ${browser.context.browser()?.version() ?? ''}: canPlayType(${HEVC_TYPE}) ${chromiumPlaysHevc ? 'yes' : 'no'}`,
  );
  await page.close();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('recorded chunks in chromium', () => {
  it('the chunks are what a camera would record: H.264 + AAC, H.265, H.265 + AAC, listed by /clips', async () => {
    const expected: Record<keyof typeof cases, string[]> = {
      h264aac: ['video h264 avc1', 'audio aac mp4a'],
      hevc: ['video hevc hev1'],
      hevcaac: ['video hevc hev1', 'audio aac mp4a'],
    };
    for (const [name, c] of Object.entries(cases) as [keyof typeof cases, Case][]) {
      if (c.skip) continue;
      const streams = probeStreams(join(stack.chunkDir, (c.url as string).slice('/chunks/'.length)));
      expect(streams.map((s) => `${s.codec_type} ${s.codec_name} ${s.codec_tag_string}`)).toEqual(expected[name]);
      const res = await fetch(
        `${stack.backend}/clips?camera=${c.camera}&from=${clipFrom / 1000}&to=${(clipFrom + MINUTE) / 1000}`,
      );
      const body = (await res.json()) as { clips: { url: string; bytes: number }[] };
      expect(body.clips).toEqual([expect.objectContaining({ url: c.url, bytes: c.bytes })]);
    }
  });

  it('H.264 + AAC plays: the picture has its size, time moves on, and the sound track is decoded beside it', async () => {
    const c = cases.h264aac;
    const page = await openClip(c.camera);
    await expectPlays(page, c);
    // Chromium counts the bytes its audio decoder was fed (muted or not): the AAC track is played, not dropped.
    await expect.poll(async () => (await videoState(page)).audioDecodedBytes, { timeout: 30_000 }).toBeGreaterThan(0);
    const state = await videoState(page);
    console.log(`H.264 + AAC in chromium: ${JSON.stringify(state)}`);
    const video = page.locator('[data-testid=clip-video]');
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await screenshot(page, 'chunk-h264-aac');
    // And on to the end of the chunk, the sound track beside it all the way.
    await video.evaluate((v: HTMLVideoElement) => v.play());
    await expect.poll(async () => (await videoState(page)).ended, { timeout: 60_000 }).toBe(true);
    const ended = await videoState(page);
    expect(ended.error).toBeNull();
    expect(ended.currentTime).toBeGreaterThan(CHUNK_MS / 1000 - 0.5);
    expect(await page.locator('[data-testid=chunk-unplayable]').count()).toBe(0);
    expect(problemsSince(0)).toEqual([]);
    await page.close();
  });

  it.skipIf(hevcSkip !== null)(
    skipped('H.265 alone: chromium cannot play it, and the dashboard says so with a download'),
    async () => {
      const c = cases.hevc;
      const seen = browser.problems.length;
      const page = await openClip(c.camera);
      if (chromiumPlaysHevc) {
        console.log('this chromium plays H.265: checking that it does, instead of the message');
        await expectPlays(page, c);
      } else {
        await expectHevcMessage(page, c, false);
        const state = await videoState(page);
        console.log(`H.265 in chromium: ${JSON.stringify(state)}`);
        // What Chromium did: it refused the source (MediaError 4, MEDIA_ERR_SRC_NOT_SUPPORTED).
        expect(state.error).toBe(4);
        expect(state.width).toBe(0);
      }
      await screenshot(page, 'chunk-hevc-message');
      expect(problemsSince(seen)).toEqual([]);
      await page.close();
    },
  );

  it.skipIf(hevcSkip !== null)(
    skipped('H.265 + AAC: chromium plays only the sound, and the dashboard says so instead of a black player'),
    async () => {
      const c = cases.hevcaac;
      const seen = browser.problems.length;
      const page = await openClip(c.camera);
      if (chromiumPlaysHevc) {
        console.log('this chromium plays H.265: checking that it does, instead of the message');
        await expectPlays(page, c);
      } else {
        await expectHevcMessage(page, c, true);
        const state = await videoState(page);
        console.log(`H.265 + AAC in chromium: ${JSON.stringify(state)}`);
        // What Chromium did: no error; metadata loaded with a picture of no size (sound only).
        expect(state.error).toBeNull();
        expect(state.readyState).toBeGreaterThanOrEqual(1);
        expect(state.width).toBe(0);
      }
      await screenshot(page, 'chunk-hevc-aac-message');
      expect(problemsSince(seen)).toEqual([]);
      await page.close();
    },
  );
});
