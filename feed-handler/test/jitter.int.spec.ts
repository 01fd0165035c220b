/**
 * Issue #17, "A Wi-Fi camera's link": capture times survive a jittery network. The GStreamer
 * timecode source (capture time painted into every frame, 10 fps, a keyframe a second) sits
 * behind the jitter proxy (test/support/jitter-proxy.ts: server → client held 40 ± 30 ms,
 * uniform, seeded, in order), a real feed-handler (DECODE_MODE auto, as deployed) reads the
 * proxy's URL for 35 s from its first thumbnail, and each thumbnail's capture time (file name =
 * point time, checked against the index) is compared with the time painted in its picture.
 *
 * What is compared, as in capture.int.spec.ts: capture time minus painted time, both epoch ms
 * from the same host clock, with nothing taken out: the painted clock *is* our clock, so there
 * is no constant between them to remove; the fixed latency from painting to our reading the
 * frame (~21 ms with keyframes-only decoding here) stays in the error, as it does there.
 *
 * - TCP (RTP interleaved in the RTSP connection): every thumbnail readable, one a second,
 *   |error| p99 <= 50 ms (the issue's bound), and the spacing of consecutive capture times equals
 *   the painted spacing: see SPACING below for what "equals" can mean over a jittery link.
 * - UDP (camera setting "transport": "udp") with 1 % of RTP packets dropped: see the UDP case.
 *
 * The 50 ms bound is checked with expect.soft, after the rest, so a run that misses it still
 * shows everything else. History on the 2-core VM (2026-11-30): with an anchor of 3 arrivals after
 * each ffmpeg start and at the switch to keyframes-only decoding, p99 was over 50 ms in 8 of 13 TCP
 * runs (3 samples of 10..70 ms leave the smallest above 29 ms with p = (41/60)^3 ≈ 0.32); with every
 * decoded frame an arrival and 8 of them, 4 of 9 runs were still over 50 ms right after the switch
 * (its new run's 8 keyframe arrivals). Now the new run takes the old run's anchor at a keyframe both
 * saw (src/capture/frame-pairing.ts seedFromDonor): 6 runs, p99 32-35 ms over TCP and 33-34 ms over
 * UDP, every spacing pair exact across the switch. Not load: through the same proxy without jitter,
 * under a load of 6.7, the worst was 24 ms. The figures go to the console: a table per link, every
 * thumbnail's error with the ffmpeg run boundaries marked, every spacing step and the proxy's counters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type JitterProxy, type JitterStats, startJitterProxy } from '../../test/support/jitter-proxy.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { decodeTimecodeFromJpeg } from '../../test/support/timecode.js';
import { cameraSchema } from '../src/config.js';
import {
  type CameraEntry,
  compareIndexWithDisk,
  FeedHandlers,
  filesOnDisk,
  indexedThumbnails,
  quantile,
  sleep,
  stopCleanly,
} from './harness.js';

const influx = inject('influx');
const RUN_ID = Date.now().toString(36);
const SECONDS = 35;
const FPS = 10;
/**
 * SPACING. A capture time is stream time (RTP, exact frame to frame) plus one offset: the smallest
 * (arrival - stream time) over the last 30 s of arrivals of the ffmpeg run: every decoded frame's, through
 * the stream clock's showinfo (src/capture/capture-clock.ts, ffmpeg-args.ts CLOCK_SHOWINFO_NAME). Between two thumbnails timed by the same offset, capture spacing
 * minus painted spacing is rounding only (the painted time is floored to the ms, the capture time
 * rounded): SPACING_MS covers it, and such a pair is "exact". The offset moves, and with it every
 * later capture time, when
 * - a less delayed arrival comes: the offset drops (the anchor gets better), a negative step;
 * - a new ffmpeg run takes over (the switch to keyframes-only decoding, a restart): its own
 *   anchor, a step either way;
 * - the least delayed arrival leaves the window (30 s into a run): a positive step.
 * A "one-frame outlier" is one thumbnail off while its neighbours agree (the next pair takes the
 * step back): the source paints in Python between reading the clock and stamping the buffer, so
 * on a loaded host one frame's painted time can be a few ms early; no offset moved.
 * On loopback arrivals barely vary, the steps are ~0 and every pair is exact. Over a link whose
 * delay varies by 60 ms they are not, by design. So the check is: every pair is exact, or one of
 * those (told apart by the run boundaries in the feed-handler's log). Anything else, above all a
 * lasting positive step inside a run's first 30 thumbnails, would mean capture times follow the
 * arrivals, i.e. the stream times are not what is timed. The steps are counted and printed; the
 * 50 ms bound on the error bounds what they can do.
 */
const SPACING_MS = 2;
/** CaptureClock's window is 30 s of arrivals; its least delayed one may leave from then on. */
const WINDOW_MS = 29_000;

/** Whether the camera setting `transport` is there yet (feed-handler/src/config.ts cameraSchema). */
const UDP_SUPPORTED = (() => {
  const parsed = cameraSchema.safeParse({ id: 'probe', url: 'rtsp://127.0.0.1/x', transport: 'udp' });
  return parsed.success && (parsed.data as Record<string, unknown>).transport === 'udp';
})();

interface Frame {
  filepath: string;
  capturedAtMs: number;
  /** Time painted in the picture; null when the timecode does not read (check word fails). */
  paintedMs: number | null;
  /** `earlier frame`: the code reads, but it is another (earlier) frame's picture (see markPictures). */
  picture: 'ok' | 'unreadable' | 'earlier frame';
}

const FRAME_MS = 1000 / FPS;

/**
 * Which thumbnails show their own frame. A lost packet damages a frame, and ffmpeg conceals the
 * missing part from the last picture it decoded: with keyframes-only decoding that is the previous
 * keyframe, a second older, and when the code area is all concealed it reads as that frame's time.
 * The thumbnail's time is still its own frame's (from its RTP timestamp); its picture is not. Such a
 * picture paints a time no newer than the thumbnail before, or it jumps the error by at least half
 * a frame interval for one thumbnail, the next pair taking the jump back (no anchor does that, and
 * the source's wobble is a few ms).
 */
function markPictures(frames: Frame[]): void {
  let newest = Number.NEGATIVE_INFINITY;
  for (const frame of frames) {
    if (frame.paintedMs === null) frame.picture = 'unreadable';
    else if (frame.paintedMs <= newest) frame.picture = 'earlier frame';
    else newest = frame.paintedMs;
  }
  const off = (a: Frame, b: Frame) => b.capturedAtMs - a.capturedAtMs - ((b.paintedMs ?? 0) - (a.paintedMs ?? 0));
  for (let i = 1; i + 1 < frames.length; i++) {
    const [a, b, c] = [frames[i - 1] as Frame, frames[i] as Frame, frames[i + 1] as Frame];
    if (a.picture !== 'ok' || b.picture !== 'ok' || c.picture !== 'ok') continue;
    const jump = off(a, b);
    if (jump >= FRAME_MS / 2 && Math.abs(jump + off(b, c)) <= SPACING_MS) b.picture = 'earlier frame';
  }
}

/** Where a new ffmpeg run's frames begin (from the feed-handler's log), and when that run started. */
interface RunBoundary {
  atMs: number;
  runStartMs: number;
  why: 'handover' | 'restart';
}

function runBoundaries(logs: string): RunBoundary[] {
  const out: RunBoundary[] = [];
  let switchAt: number | null = null;
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { time?: number; msg?: string; takesFromMs?: number | null };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // a line cut by the log tail
    }
    const { time, msg = '' } = entry;
    if (typeof time !== 'number') continue;
    if (msg.includes(': switching to decoding')) switchAt = time;
    if (msg.startsWith('handed over:') && typeof entry.takesFromMs === 'number') {
      out.push({ atMs: entry.takesFromMs, runStartMs: switchAt ?? time, why: 'handover' });
    }
    if (msg === 'ffmpeg ended, restarting') out.push({ atMs: time, runStartMs: time, why: 'restart' });
  }
  return out;
}

type Step =
  | 'exact'
  | 'one-frame outlier'
  | 'anchor improved'
  | 'new run'
  | 'window slid'
  | 'last of its run'
  | 'unexplained';

interface Pair {
  /** Index of the later thumbnail of the pair. */
  index: number;
  /** Capture spacing minus painted spacing (ms). */
  offMs: number;
  step: Step;
}

/** Consecutive thumbnails whose timecodes both read, and what their spacing error is (see SPACING). */
function spacingPairs(frames: Frame[], boundaries: RunBoundary[]): Pair[] {
  const firstMs = frames[0]?.capturedAtMs ?? 0;
  const between = (a: Frame, b: Frame) => boundaries.some((x) => a.capturedAtMs < x.atMs && b.capturedAtMs >= x.atMs);
  const pairs: Pair[] = [];
  for (let i = 1; i < frames.length; i++) {
    const [a, b] = [frames[i - 1] as Frame, frames[i] as Frame];
    if (a.picture !== 'ok' || b.picture !== 'ok' || a.paintedMs === null || b.paintedMs === null) continue;
    pairs.push({ index: i, offMs: b.capturedAtMs - a.capturedAtMs - (b.paintedMs - a.paintedMs), step: 'exact' });
  }
  for (const [k, pair] of pairs.entries()) {
    const [a, b] = [frames[pair.index - 1] as Frame, frames[pair.index] as Frame];
    const before = pairs[k - 1];
    const after = pairs[k + 1];
    const runStartMs = boundaries.filter((x) => x.atMs <= b.capturedAtMs).at(-1)?.runStartMs ?? firstMs;
    if (Math.abs(pair.offMs) <= SPACING_MS) pair.step = 'exact';
    // One thumbnail off and its neighbours agreeing (the pair before or after takes it back): the
    // source painted that frame's time a few ms early or late (Python paints between reading the
    // clock and stamping the buffer), or one frame was late; no offset moved.
    else if (
      (after?.index === pair.index + 1 && Math.abs(pair.offMs + after.offMs) <= SPACING_MS) ||
      (before?.index === pair.index - 1 &&
        before.step === 'one-frame outlier' &&
        Math.abs(before.offMs + pair.offMs) <= SPACING_MS)
    )
      pair.step = 'one-frame outlier';
    else if (between(a, b)) pair.step = 'new run';
    else if (pair.offMs < 0) pair.step = 'anchor improved';
    else if (b.capturedAtMs - runStartMs >= WINDOW_MS) pair.step = 'window slid';
    // A positive step with no next thumbnail in the same run to show whether it lasts (a step) or
    // is taken back (one frame off): the last pair before a switch or the end cannot tell.
    else if (after?.index !== pair.index + 1 || between(b, frames[after.index] as Frame)) pair.step = 'last of its run';
    else pair.step = 'unexplained';
  }
  return pairs;
}

interface Figures {
  thumbnails: number;
  unreadable: number;
  /** Thumbnails showing an earlier frame's picture (concealed loss). */
  earlier: number;
  perSecond: number;
  /** |capture - painted| over the thumbnails that show their own frame. */
  errorP50: number;
  errorP95: number;
  errorP99: number;
  errorMax: number;
  pairs: number;
  steps: Record<Exclude<Step, 'exact'>, number>;
  /** The largest spacing error outside the exact ones (0 when all are exact). */
  worstStepMs: number;
}

function figures(frames: Frame[], pairs: Pair[]): Figures & { errors: number[] } {
  const readable = frames.filter((f): f is Frame & { paintedMs: number } => f.picture === 'ok' && f.paintedMs !== null);
  const errors = readable.map((f) => f.capturedAtMs - f.paintedMs);
  const absolute = errors.map(Math.abs);
  const first = frames[0]?.capturedAtMs ?? 0;
  const last = frames.at(-1)?.capturedAtMs ?? 0;
  const spanSeconds = (last - first) / 1000 + 1;
  const count = (step: Step) => pairs.filter((p) => p.step === step).length;
  return {
    thumbnails: frames.length,
    unreadable: frames.filter((f) => f.picture === 'unreadable').length,
    earlier: frames.filter((f) => f.picture === 'earlier frame').length,
    perSecond: Math.round((frames.length / spanSeconds) * 1000) / 1000,
    errorP50: quantile(absolute, 0.5),
    errorP95: quantile(absolute, 0.95),
    errorP99: quantile(absolute, 0.99),
    errorMax: Math.max(...absolute),
    pairs: pairs.length,
    steps: {
      'one-frame outlier': count('one-frame outlier'),
      'anchor improved': count('anchor improved'),
      'new run': count('new run'),
      'window slid': count('window slid'),
      'last of its run': count('last of its run'),
      unexplained: count('unexplained'),
    },
    worstStepMs: pairs.reduce((worst, p) => (Math.abs(p.offMs) > Math.abs(worst) ? p.offMs : worst), 0),
    errors,
  };
}

function table(rows: { name: string; f: Figures; proxy: JitterStats }[]): string {
  const header = [
    'link        | thumbs |  /s   | unread/earlier | |capture-painted| p50 p95 p99 max | pairs: exact/outlier/improved/new-run/slid/last/unexplained, worst',
    ' | proxy delay p50/p95/max (n) | RTP relayed/dropped',
  ].join('');
  const lines = rows.map(({ name, f, proxy }) => {
    const delay = proxy.udp.delay.count > 0 ? proxy.udp.delay : proxy.tcp.delay;
    const exact = f.pairs - Object.values(f.steps).reduce((sum, n) => sum + n, 0);
    const steps = f.steps;
    const counts = [
      steps['one-frame outlier'],
      steps['anchor improved'],
      steps['new run'],
      steps['window slid'],
      steps['last of its run'],
      steps.unexplained,
    ];
    return [
      name.padEnd(11),
      String(f.thumbnails).padStart(6),
      f.perSecond.toFixed(3),
      `${f.unreadable}/${f.earlier}`.padStart(14),
      `${f.errorP50} ${f.errorP95} ${f.errorP99} ${f.errorMax} ms`.padStart(33),
      `${f.pairs}: ${[exact, ...counts].join('/')}, ${f.worstStepMs} ms`.padEnd(65),
      `${delay.p50Ms}/${delay.p95Ms}/${delay.maxMs} ms (${delay.count})`.padEnd(27),
      `${proxy.udp.rtpRelayed}/${proxy.udp.rtpDropped}`,
    ].join(' | ');
  });
  return [header, ...lines].join('\n');
}

describe('capture time over a jittery link (issue #17)', () => {
  let rtsp: RtspServerHandle;
  const handlers = new FeedHandlers();
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-jitter-'));
  const proxies: JitterProxy[] = [];
  const measured: { name: string; f: Figures; proxy: JitterStats }[] = [];

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['tcp', 'udp'],
      source: 'timecode',
      fps: FPS,
      keyframeSeconds: 1,
    });
  });
  afterAll(async () => {
    if (measured.length > 0) console.log(`capture time behind the jitter proxy (40 ± 30 ms):\n${table(measured)}`);
    await handlers.stopAll();
    for (const proxy of proxies) await proxy.close();
    await rtsp?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
  });

  /** One camera through a fresh proxy for SECONDS from its first thumbnail; its frames, decoded. */
  async function captureThrough(
    mount: string,
    camera: CameraEntry,
    proxyOptions: Parameters<typeof startJitterProxy>[1],
  ): Promise<{ frames: Frame[]; proxy: JitterProxy; logs: string }> {
    const proxy = await startJitterProxy({ host: '127.0.0.1', port: rtsp.port }, proxyOptions);
    proxies.push(proxy);
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [{ ...camera, url: proxy.url(mount) }],
      env: { DECODE_MODE: 'auto' },
    });
    await waitFor('first thumbnail', async () => (filesOnDisk(thumbnailDir, camera.id).length > 0 ? true : undefined), {
      timeoutMs: 60_000,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nfeed-handler log:\n${handler.logs().slice(-6_000)}`);
    });
    await sleep(SECONDS * 1000);
    await stopCleanly(handler);

    const files = filesOnDisk(thumbnailDir, camera.id);
    const points = await indexedThumbnails(influx, camera.id);
    expect(points).toHaveLength(files.length);
    expect(compareIndexWithDisk(files, points)).toEqual({ unindexed: [], orphans: [], timeMismatches: [] });
    const frames: Frame[] = [];
    for (const file of files) {
      const paintedMs = await decodeTimecodeFromJpeg(join(thumbnailDir, file.filepath));
      frames.push({ ...file, paintedMs, picture: 'ok' });
    }
    markPictures(frames);
    return { frames, proxy, logs: handler.logs() };
  }

  /** Figures of one run, printed: the control dialogue, every error with the run boundaries, every step. */
  function measure(name: string, frames: Frame[], proxy: JitterProxy, logs: string) {
    const boundaries = runBoundaries(logs);
    const pairs = spacingPairs(frames, boundaries);
    const f = figures(frames, pairs);
    const stats = proxy.stats();
    measured.push({ name, f, proxy: stats });
    const marked = frames.map((frame, i) => {
      const previous = frames[i - 1];
      const boundary = boundaries.find(
        (b) => previous && previous.capturedAtMs < b.atMs && frame.capturedAtMs >= b.atMs,
      );
      const error =
        frame.paintedMs === null
          ? 'unreadable'
          : `${frame.picture === 'earlier frame' ? 'earlier-frame:' : ''}${frame.capturedAtMs - frame.paintedMs}`;
      return `${boundary ? `[${boundary.why}] ` : ''}${error}`;
    });
    console.log(`${name}: control through the proxy:\n  ${proxy.control().join('\n  ')}`);
    console.log(`${name}: capture - painted per thumbnail (ms), oldest first: ${marked.join(' ')}`);
    console.log(
      `${name}: spacing off by more than ${SPACING_MS} ms: ${
        pairs
          .filter((p) => p.step !== 'exact')
          .map((p) => `#${p.index} ${p.offMs} ms (${p.step})`)
          .join(', ') || 'none'
      }`,
    );
    console.log(`${name}: proxy ${JSON.stringify(stats)}`);
    console.log(`${name}: ffmpeg runs: ${JSON.stringify(boundaries)}`);
    console.log(
      `${name}: capture times (ms past the first): ${frames.map((frame) => frame.capturedAtMs - (frames[0]?.capturedAtMs ?? 0)).join(' ')}`,
    );
    return { f, pairs, stats };
  }

  it('TCP, 40 ± 30 ms in order: |capture - painted| p99 <= 50 ms, spacing exact, one thumbnail a second', async () => {
    const id = `jit-tcp-${RUN_ID}`;
    const { frames, proxy, logs } = await captureThrough('tcp', { id, url: '' }, { seed: 17 });
    const { f, pairs, stats } = measure('TCP', frames, proxy, logs);

    // The link was the jittery one: the proxy held every chunk the server sent.
    expect(stats.tcp.chunks).toBeGreaterThan(SECONDS * FPS);
    expect(stats.udp.relays).toBe(0);
    expect(logs).toContain('decoding keyframes only');

    expect(f.thumbnails).toBeGreaterThanOrEqual(SECONDS - 1);
    expect(f.unreadable).toBe(0);
    expect(f.earlier).toBe(0);
    expect.soft(pairs.filter((p) => p.step === 'unexplained')).toEqual([]);
    expect.soft(f.errorP99).toBeLessThanOrEqual(50);
  }, 150_000);

  /**
   * UDP with 1 % of RTP packets lost. A lost packet damages its frame: ffmpeg conceals what is
   * missing from the last picture it decoded and hands the frame on (`corrupt decoded frame`), so
   * a thumbnail's code area may be garbled (unreadable) or wholly the previous keyframe's (it then
   * reads, as that frame's time: "earlier frame", see markPictures). What is asserted, and why:
   * - thumbnails >= 0.95 a second: a damaged frame is still a frame (nothing drops it), so only a
   *   keyframe lost whole loses a second;
   * - every thumbnail is indexed once, at its file's time: a loss must not break the pairing of
   *   JPEGs and times (showinfo numbers every frame handed on, damaged or not);
   * - unreadable and earlier-frame thumbnails are counted and printed, not failed: the picture is
   *   damaged, not the time (which comes from the frame's own RTP timestamp);
   * - the thumbnails that show their own frame: |capture - painted| p99 <= 50 ms and spacing
   *   exact but for anchor steps, as over TCP. A loss adds no error to a frame's time: its stream
   *   time is the RTP timestamp every packet of the frame carries. It only delays the frames behind
   *   it (ffmpeg waits up to -max_delay for the missing packet), and a later arrival is a larger
   *   (arrival - stream time) sample, which the anchor (the smallest) ignores.
   * The proxy must have relayed RTP over UDP: a `transport` the schema dropped would fall back to
   * TCP silently, and the test would measure the wrong link.
   */
  it.skipIf(!UDP_SUPPORTED)(
    'UDP, 40 ± 30 ms and 1 % RTP loss: readable thumbnails within 50 ms p99, spacing exact, >= 0.95 a second',
    async () => {
      const id = `jit-udp-${RUN_ID}`;
      // `transport` is the camera setting being added to cameraSchema; CameraEntry does not know it yet.
      const camera: CameraEntry = { id, url: '', ...{ transport: 'udp' } };
      const { frames, proxy, logs } = await captureThrough('udp', camera, { seed: 17, rtpLossRate: 0.01 });
      const { f, pairs, stats } = measure('UDP 1% loss', frames, proxy, logs);

      expect(stats.udp.relays).toBeGreaterThanOrEqual(1);
      expect(stats.udp.rtpRelayed).toBeGreaterThan(SECONDS * FPS);
      expect(stats.udp.rtpDropped).toBeGreaterThan(0);
      expect(logs).toContain('decoding keyframes only');

      expect(f.perSecond).toBeGreaterThanOrEqual(0.95);
      expect(f.thumbnails - f.unreadable).toBeGreaterThan(0);
      expect.soft(pairs.filter((p) => p.step === 'unexplained')).toEqual([]);
      expect.soft(f.errorP99).toBeLessThanOrEqual(50);
    },
    150_000,
  );
});
