/**
 * Restreaming on real services: nginx with the RTMP module (recording every
 * publish as FLV, refusing unknown keys through on_publish), the GStreamer RTSP
 * server (video only), ffmpeg, influxd and the real feed-handler.
 *
 * One feed-handler run, one camera with three targets: `local` (the right key),
 * `wrongkey` (refused by the server) and `nobody` (a port nothing listens on).
 * Over it: the restream child of `local` is SIGKILLed (thumbnails and chunks
 * of the camera go on at the same rate, without a gap), then the RTMP server is
 * restarted (publishing resumes within 10 s, the bound), and what the
 * server recorded is ffprobed (H.264 copied, a silent AAC track, timestamps
 * without a gap). The two bad targets show a steady `failing` with the reason,
 * retried no more often than the backoff allows. Keys appear nowhere.
 *
 * A real backend (createApp, FEED_HANDLER_URL at this feed-handler, reading the index it
 * writes) shows the same in `/cameras`: `local` live, `wrongkey` failing with the reason;
 * with the feed-handler stopped, `restreamStatus: unavailable` and `restreams: null`.
 *
 * A second case runs the restream stage alone on a file with H.264 and AAC
 * (our RTSP server has no audio): the camera's AAC is copied, not replaced.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CamerasResponseBody } from '../../backend/src/restream-schemas.js';
import { type Fixture, startFixture } from '../../backend/test/influx-fixture.js';
import { provideFeedHandlerFfmpeg } from '../../scripts/lib/feed-handler-ffmpeg.js';
import { freePort, waitFor } from '../../scripts/lib/process.js';
import { type RtmpServerHandle, rtmpServerAvailable, startRtmpServer } from '../../test/support/rtmp-server.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { resolveFfmpegBinary } from '../src/capture/ffmpeg.js';
import { keyRedactor } from '../src/restream/redaction.js';
import { createRestreamRunner } from '../src/restream/restream-process.js';
import type { RestreamSnapshot } from '../src/restream/restream-supervisor.js';
import { RestreamSupervisor } from '../src/restream/restream-supervisor.js';
import { systemClock } from '../src/shared/clock.js';
import { chunksOnDisk, FeedHandlers, filesOnDisk, sleep, stopCleanly } from './harness.js';

const influx = inject('influx');
const RUN_ID = Date.now().toString(36);
const CAMERA = `restream-${RUN_ID}`;
const GOOD_KEY = `good-${RUN_ID}-k3y`;
const WRONG_KEY = `wrong-${RUN_ID}-k3y`;
const NOBODY_KEY = `nobody-${RUN_ID}-k3y`;
const AAC_KEY = `aac-${RUN_ID}-k3y`;
const API_TOKEN = `token-${RUN_ID}-0123456789`;
const CHUNK_SECONDS = 4;
const BACKOFF = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };

interface Packet {
  stream: number;
  ptsS: number;
}

function ffprobeJson(path: string, args: string[]): unknown {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', ...args, '-of', 'json', path], { encoding: 'utf8' }));
}

function streamsOf(
  path: string,
): { codec_type: string; codec_name: string; sample_rate?: string; channels?: number }[] {
  return (
    ffprobeJson(path, ['-show_entries', 'stream=codec_type,codec_name,profile,width,height,sample_rate,channels']) as {
      streams: { codec_type: string; codec_name: string; sample_rate?: string; channels?: number }[];
    }
  ).streams;
}

function packetsOf(path: string): Packet[] {
  const out = ffprobeJson(path, ['-show_entries', 'packet=stream_index,pts_time']) as {
    packets: { stream_index: number; pts_time?: string }[];
  };
  return out.packets
    .filter((p) => p.pts_time !== undefined)
    .map((p) => ({ stream: p.stream_index, ptsS: Number(p.pts_time) }));
}

/** Per stream: first and last time, the largest step between packets, and whether time ever went back. */
function timeline(packets: Packet[], stream: number) {
  const times = packets.filter((p) => p.stream === stream).map((p) => p.ptsS);
  let maxStepS = 0;
  let backwards = 0;
  for (let i = 1; i < times.length; i++) {
    const step = (times[i] as number) - (times[i - 1] as number);
    if (step < 0) backwards++;
    maxStepS = Math.max(maxStepS, step);
  }
  return { packets: times.length, firstS: times[0] ?? 0, lastS: times.at(-1) ?? 0, maxStepS, backwards };
}

/** Mean loudness of the first audio stream, in dB (-91 is digital silence); ffmpeg's volumedetect reports it on stderr. */
function meanVolumeDb(path: string): number {
  const result = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-nostats', '-i', path, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  const match = /mean_volume: (-?[\d.]+) dB/.exec(result.stderr ?? '');
  return match ? Number(match[1]) : Number.NaN;
}

/** The pid of the ffmpeg child publishing with this key (its command line ends in the publish URL). */
function restreamChildPid(key: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('flv') && argv.some((a) => a.endsWith(`/live/${key}`)) && !argv[0]?.includes('setpriv')) {
        return Number(entry);
      }
    } catch {
      // gone while we looked
    }
  }
  return null;
}

/** The most attempts a target may make in `windowMs` when every one fails: the shortest delays (jitter) back to back. */
function maxAttempts(windowMs: number): number {
  let attempts = 1;
  let elapsed = 0;
  for (let i = 0; ; i++) {
    elapsed += Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** i) * (1 - BACKOFF.jitter);
    if (elapsed > windowMs) return attempts;
    attempts++;
  }
}

describe('restream to RTMP (nginx-rtmp, real feed-handler)', () => {
  let rtmp: RtmpServerHandle;
  let rtsp: RtspServerHandle;
  const handlers = new FeedHandlers();
  let backend: Fixture | undefined;
  const thumbnailDir = mkdtempSync(join(tmpdir(), 'fathom-restream-'));
  const scratch = mkdtempSync(join(tmpdir(), 'fathom-restream-media-'));

  beforeAll(async () => {
    if (!rtmpServerAvailable()) {
      throw new Error(
        'nginx with the RTMP module is missing: bash scripts/setup.sh installs nginx and libnginx-mod-rtmp',
      );
    }
    rtmp = await startRtmpServer({ port: await freePort(), acceptKeys: [GOOD_KEY, AAC_KEY] });
    // A mount of its own, and the timecode source: with the test pattern source, each new client of a
    // mount sends the timestamps every other client of it sees back to 0 (seen with ffmpeg: its
    // pipeline is seekable, and a new client's PLAY asks for npt=0-), which no camera does, and every
    // restream attempt is a new client. The timecode source (an appsrc) keeps them running.
    rtsp = await startRtspServer({
      port: await freePort(),
      mounts: ['restream'],
      source: 'timecode',
      fps: 10,
      keyframeSeconds: 1,
    });
  });
  afterAll(async () => {
    await handlers.stopAll();
    await backend?.close();
    await rtmp?.stop();
    await rtsp?.stop();
    rmSync(thumbnailDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('sends the camera on, survives a killed child and a server restart, and shows bad targets as failing', async () => {
    const closedPort = await freePort();
    const handler = await handlers.start({
      influx,
      thumbnailDir,
      cameras: [
        {
          id: CAMERA,
          url: rtsp.url('restream'),
          restream: [
            { name: 'local', url: rtmp.url, key: GOOD_KEY },
            { name: 'wrongkey', url: rtmp.url, key: WRONG_KEY },
            { name: 'nobody', url: `rtmp://127.0.0.1:${closedPort}/live`, key: NOBODY_KEY },
          ],
        },
      ],
      env: { DECODE_MODE: 'keyframes', CHUNK_SECONDS: String(CHUNK_SECONDS), FATHOM_API_TOKEN: API_TOKEN },
    });
    const startedAt = Date.now();
    const restreams = async () =>
      ((await (await fetch(`${handler.httpUrl}/restreams`)).json()) as { restreams: RestreamSnapshot[] }).restreams;
    const target = async (name: string) => (await restreams()).find((r) => r.target === name) as RestreamSnapshot;
    const liveAgain = (after: number) =>
      waitFor(
        'local live again',
        async () => {
          const local = await target('local');
          return local.state === 'live' && local.restarts > after ? Date.now() : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );

    // The backend, as compose runs it: FEED_HANDLER_URL at this feed-handler, the same token, its index.
    backend = await startFixture(
      { apiToken: API_TOKEN },
      { feedHandler: { url: handler.httpUrl, apiToken: API_TOKEN }, indexBucket: influx.bucket },
    );
    const backendAnswers: string[] = [];
    const backendCameras = async () => {
      const res = await fetch(`${backend?.url}/cameras`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      const text = await res.text();
      backendAnswers.push(text);
      expect(res.status, text).toBe(200);
      const body = JSON.parse(text) as CamerasResponseBody;
      return { body, camera: body.cameras.find((c) => c.camera === CAMERA) };
    };
    const backendTarget = async (name: string) =>
      (await backendCameras()).camera?.restreams?.find((r) => r.name === name);

    const firstLiveAt = await waitFor(
      'local live',
      async () => ((await target('local')).state === 'live' ? Date.now() : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    console.log(`local live ${(firstLiveAt - startedAt) / 1000} s after the feed-handler answered`);
    // Within the backend's cache (2 s) of the feed-handler saying so.
    const liveInBackend = await waitFor(
      'local live in the backend /cameras',
      async () => {
        const local = await backendTarget('local');
        return local?.state === 'live' ? local : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 200 },
    );
    expect(liveInBackend).toMatchObject({ name: 'local', state: 'live', reason: null });
    console.log(`local live in the backend /cameras ${(Date.now() - firstLiveAt) / 1000} s after the feed-handler`);
    await sleep(10_000);

    // 1. The restream child dies: the camera's capture must not notice.
    const pid = restreamChildPid(GOOD_KEY);
    expect(pid, 'the restream ffmpeg of target local').not.toBeNull();
    const killAt = Date.now();
    process.kill(pid as number, 'SIGKILL');
    const backAt = await liveAgain(0);
    console.log(`killed restream child live again after ${(backAt - killAt) / 1000} s`);
    // Long enough live again to count as a success (stableLiveMs, 10 s): a stream that had been running.
    await sleep(Math.max(0, backAt + 11_000 - Date.now(), killAt + 10_000 - Date.now()));

    // 2. The RTMP server restarts: publishing resumes within 10 s.
    const restartsBefore = (await target('local')).restarts;
    const recordingsBefore = rtmp.recordings(GOOD_KEY).length;
    const restartAt = Date.now();
    await rtmp.restart();
    const upAt = Date.now();
    const resumedAt = await liveAgain(restartsBefore);
    const growingAt = await waitFor(
      'a new recording growing',
      async () => {
        const newer = rtmp.recordings(GOOD_KEY).slice(recordingsBefore);
        return newer.some((r) => r.bytes > 20_000) ? Date.now() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const resumeS = (resumedAt - restartAt) / 1000;
    console.log(
      `RTMP server restart: down and up in ${(upAt - restartAt) / 1000} s; live again ${resumeS} s after the restart began (${(resumedAt - upAt) / 1000} s after it was up), new recording past 20 kB after ${(growingAt - restartAt) / 1000} s`,
    );
    expect(resumeS).toBeLessThanOrEqual(10);
    await sleep(CHUNK_SECONDS * 1000 + 2_000);

    // 3. The bad targets: failing, with the reason, no crash loop.
    const all = await restreams();
    const windowMs = Date.now() - startedAt;
    const wrong = all.find((r) => r.target === 'wrongkey') as RestreamSnapshot;
    const nobody = all.find((r) => r.target === 'nobody') as RestreamSnapshot;
    console.log(`after ${windowMs / 1000} s: ${JSON.stringify(all, null, 1)}`);
    expect(wrong).toMatchObject({ state: 'failing', reason: 'target: publish refused (check the stream key)' });
    expect(nobody).toMatchObject({ state: 'failing', reason: 'target: connection refused' });
    for (const bad of [wrong, nobody]) {
      expect(bad.restarts).toBeGreaterThanOrEqual(2);
      expect(bad.restarts).toBeLessThanOrEqual(maxAttempts(windowMs));
    }
    const refusals = rtmp.publishes().filter((p) => p.key === WRONG_KEY);
    expect(refusals.every((p) => !p.accepted)).toBe(true);
    expect(refusals.length).toBeLessThanOrEqual(maxAttempts(windowMs));
    const inBackend = (await backendCameras()).camera?.restreams;
    expect(inBackend?.map((r) => r.name)).toEqual(['local', 'wrongkey', 'nobody']);
    expect(inBackend?.find((r) => r.name === 'wrongkey')).toMatchObject({
      state: 'failing',
      reason: 'target: publish refused (check the stream key)',
      uptimeSeconds: 0,
    });
    expect(inBackend?.find((r) => r.name === 'wrongkey')?.restarts).toBeGreaterThanOrEqual(2);
    expect(inBackend?.find((r) => r.name === 'nobody')).toMatchObject({
      state: 'failing',
      reason: 'target: connection refused',
    });

    // 4. The switch: refused without the token, honoured with it.
    const switchUrl = `${handler.httpUrl}/restreams/${CAMERA}/wrongkey/off`;
    expect((await fetch(switchUrl, { method: 'POST' })).status).toBe(401);
    const off = await fetch(switchUrl, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ state: 'off', enabled: false, reason: 'switched off' });

    // Nothing that leaves the service names a key.
    const metrics = await (await fetch(`${handler.httpUrl}/metrics`)).text();
    const health = await (await fetch(`${handler.httpUrl}/healthz`)).text();
    expect(metrics).toMatch(
      new RegExp(`fathom_feed_restream_state\\{camera="${CAMERA}",target="local",state="live"\\} 1`),
    );
    expect(metrics).toMatch(
      new RegExp(`fathom_feed_restream_sent_bytes_total\\{camera="${CAMERA}",target="local"\\} [1-9]`),
    );
    await stopCleanly(handler);

    // The feed-handler gone: the backend still answers /cameras, and says the restream status is unknown.
    const unavailable = await waitFor(
      'restreamStatus unavailable in the backend /cameras',
      async () => {
        const answer = await backendCameras();
        return answer.body.restreamStatus === 'unavailable' ? answer : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 200 },
    );
    expect(unavailable.camera).toMatchObject({ camera: CAMERA, restreams: null });
    expect(unavailable.body.cameras.every((c) => c.restreams === null)).toBe(true);

    const published = [metrics, health, JSON.stringify(all), handler.logs(), ...backendAnswers].join('\n');
    expect(handler.logs()).toContain('restream failing, retrying');
    for (const key of [GOOD_KEY, WRONG_KEY, NOBODY_KEY]) expect(published).not.toContain(key);

    // The capture went on through the kill and the restart: one thumbnail a second, no gap, contiguous chunks.
    const thumbs = filesOnDisk(thumbnailDir, CAMERA).map((t) => t.capturedAtMs);
    const inWindow = (from: number, to: number) => thumbs.filter((t) => t >= from && t < to).length;
    const before = inWindow(killAt - 10_000, killAt);
    const after = inWindow(killAt, killAt + 10_000);
    const around = thumbs.filter((t) => t >= killAt - 10_000 && t < resumedAt + 5_000);
    const gaps = around.slice(1).map((t, i) => t - (around[i] as number));
    const chunks = chunksOnDisk(join(thumbnailDir, '_chunks'), CAMERA).filter(
      (c) => c.endMs > killAt - 10_000 && c.startMs < resumedAt,
    );
    const chunkBreaks = chunks.slice(1).filter((c, i) => c.startMs !== (chunks[i] as { endMs: number }).endMs);
    console.log(
      `thumbnails 10 s before the kill: ${before}, 10 s after: ${after}; largest gap from 10 s before the kill to 5 s after the server came back: ${Math.max(...gaps)} ms; chunks over that time: ${chunks.length}, breaks: ${chunkBreaks.length}`,
    );
    // The kill changes nothing: the same count on both sides of it. The absolute floor allows one
    // thumbnail late or missed in a 10 s window on a loaded 2-core CI machine (seen once: 8 and 8, one 2 s gap).
    expect(Math.abs(after - before)).toBeLessThanOrEqual(1);
    expect(before).toBeGreaterThanOrEqual(8);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2_100);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.floor((resumedAt - killAt) / (CHUNK_SECONDS * 1000)));
    expect(chunkBreaks).toEqual([]);

    // What the server received: H.264 copied, silent AAC, continuous timestamps.
    const recordings = rtmp.recordings(GOOD_KEY);
    expect(recordings.length).toBeGreaterThanOrEqual(3);
    for (const recording of recordings) {
      const streams = streamsOf(recording.path);
      const packets = packetsOf(recording.path);
      const video = timeline(
        packets,
        streams.findIndex((s) => s.codec_type === 'video'),
      );
      const audio = timeline(
        packets,
        streams.findIndex((s) => s.codec_type === 'audio'),
      );
      const volume = meanVolumeDb(recording.path);
      console.log(
        `recording ${recording.path.split('/').pop()?.replace(GOOD_KEY, '<key>')}: ${recording.bytes} B, streams ${JSON.stringify(streams)}, video ${JSON.stringify(video)}, audio ${JSON.stringify(audio)}, mean volume ${volume} dB`,
      );
      expect(streams.map((s) => [s.codec_type, s.codec_name])).toEqual([
        ['video', 'h264'],
        ['audio', 'aac'],
      ]);
      expect(streams[1]).toMatchObject({ sample_rate: '44100', channels: 2 });
      if (video.packets < 30) continue; // a publish cut at its start (the kill, the restart) has too little to judge
      expect(video.backwards).toBe(0);
      expect(audio.backwards).toBe(0);
      expect(video.maxStepS).toBeLessThanOrEqual(0.5);
      expect(audio.maxStepS).toBeLessThanOrEqual(0.1);
      // The silence runs alongside the video, neither ahead nor behind.
      expect(Math.abs(audio.lastS - video.lastS)).toBeLessThanOrEqual(1);
      expect(Math.abs(audio.firstS - video.firstS)).toBeLessThanOrEqual(1);
      expect(volume).toBeLessThanOrEqual(-90);
    }
  });

  it('copies the camera AAC as it is (a file with H.264 and AAC as the camera)', async () => {
    const media = join(scratch, 'h264-aac.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=640x360:rate=15',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '6',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '15',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-ac',
      '2',
      '-b:a',
      '96k',
      media,
    ]);
    const logged: string[] = [];
    const supervisor = new RestreamSupervisor({
      camera: 'file-camera',
      input: { kind: 'file', path: media },
      target: { name: 'local', url: rtmp.url, key: AAC_KEY, enabled: true },
      settings: {
        stallMs: 15_000,
        backoff: BACKOFF,
        stopGraceMs: 2_000,
        stderrLines: 40,
        probeTimeoutMs: 15_000,
        audioBitrateKbps: 128,
        stableLiveMs: 10_000,
      },
      runner: createRestreamRunner(resolveFfmpegBinary(await provideFeedHandlerFfmpeg())),
      clock: systemClock,
      log: pino({ level: 'debug' }, { write: (line: string) => logged.push(line) }),
      redact: keyRedactor([AAC_KEY]),
    });
    supervisor.start();
    try {
      await waitFor('file restream live', async () => (supervisor.snapshot().state === 'live' ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      expect(supervisor.snapshot().audio).toBe('copy');
      // Longer than the file: the loop goes on without a break in time.
      await sleep(9_000);
    } finally {
      await supervisor.stop();
    }
    expect(supervisor.snapshot()).toMatchObject({ state: 'off', restarts: 0 });
    const [recording] = rtmp.recordings(AAC_KEY);
    expect(recording).toBeDefined();
    const path = (recording as { path: string }).path;
    const streams = streamsOf(path);
    const packets = packetsOf(path);
    const video = timeline(packets, 0);
    const audio = timeline(packets, 1);
    const volume = meanVolumeDb(path);
    console.log(
      `AAC copy: streams ${JSON.stringify(streams)}, video ${JSON.stringify(video)}, audio ${JSON.stringify(audio)}, mean volume ${volume} dB`,
    );
    // The source's 48 kHz survives: an encoded or generated track would be 44.1 kHz.
    expect(streams.map((s) => [s.codec_type, s.codec_name])).toEqual([
      ['video', 'h264'],
      ['audio', 'aac'],
    ]);
    expect(streams[1]).toMatchObject({ sample_rate: '48000', channels: 2 });
    expect(volume).toBeGreaterThan(-40);
    expect(video.backwards + audio.backwards).toBe(0);
    expect(video.maxStepS).toBeLessThanOrEqual(0.5);
    expect(audio.maxStepS).toBeLessThanOrEqual(0.1);
    expect(video.lastS - video.firstS).toBeGreaterThan(7);
    expect(logged.join('\n')).not.toContain(AAC_KEY);
  });
});
