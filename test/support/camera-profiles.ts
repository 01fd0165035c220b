/**
 * Camera profiles as data, and ffmpeg publishers that stream each one to an RTSP
 * server (MediaMTX, test/support/mediamtx.ts) the way such a camera would: H.265 with
 * and without B-frames, H.264 High with B-frames, AAC or G.711 A-law (PCMA) sound,
 * a keyframe every 2, 4 or 10 s, digest auth, UDP transport, and a reboot (the encoder
 * killed and started again mid-stream: a new RTSP session, SSRC and RTP timestamps).
 *
 * The picture is the capture-time code of test/support/timecode.ts (the same layout
 * rtsp/server.py paints): frame n is painted with t0 + n / fps on the wall clock and
 * written to ffmpeg's stdin (raw video) at that time, and ffmpeg stamps it n / fps, as a
 * camera's encoder stamps its frames by its own clock. So every thumbnail can be checked
 * against the time painted in it. The encoders run with camera-like latency (no
 * rate-control lookahead, one frame thread); the sound is a sine tone (lavfi, `-re`).
 */
import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { spawnBound, stopChild, tailOf } from '../../scripts/lib/process.js';
import { TIMECODE_COLUMNS, TIMECODE_ROWS, timecodeGridHeight } from './timecode.js';

const execFileAsync = promisify(execFile);

export type VideoCodec = 'h264' | 'hevc';
export type AudioCodec = 'aac' | 'pcm_alaw';

export interface CameraProfile {
  /** The MediaMTX path and part of the camera id: letters, digits and -. */
  name: string;
  video: {
    codec: VideoCodec;
    /** B-frames (reordered frames): the decoder holds frames back, pts != dts. */
    bFrames: boolean;
    /** Keyframe interval. */
    gopSeconds: number;
    /** H.264 profile as ffprobe names it (Main, High); H.265: Main. */
    profile: 'Main' | 'High';
  };
  audio: AudioCodec;
  /** Readers must authenticate (digest); the credentials go in the camera's URL. */
  auth?: { user: string; pass: string };
  /** How the camera's RTP travels: over the RTSP TCP connection (interleaved) or UDP. */
  transport: 'tcp' | 'udp';
  /** The camera reboots (its encoder is killed and started again) this long after it started. */
  rebootAfterSeconds?: number;
}

export const PROFILE_WIDTH = 640;
export const PROFILE_HEIGHT = 360;
export const PROFILE_FPS = 10;

const base = {
  video: { codec: 'h264', bFrames: false, gopSeconds: 2, profile: 'Main' },
  audio: 'aac',
  transport: 'tcp',
} as const satisfies Omit<CameraProfile, 'name'>;

export const CAMERA_PROFILES: readonly CameraProfile[] = [
  { ...base, name: 'h265', video: { codec: 'hevc', bFrames: false, gopSeconds: 2, profile: 'Main' } },
  { ...base, name: 'h265-bframes', video: { codec: 'hevc', bFrames: true, gopSeconds: 2, profile: 'Main' } },
  { ...base, name: 'h264-high-bframes', video: { codec: 'h264', bFrames: true, gopSeconds: 2, profile: 'High' } },
  { ...base, name: 'pcma', audio: 'pcm_alaw' },
  { ...base, name: 'gop4', video: { ...base.video, gopSeconds: 4 } },
  { ...base, name: 'gop10', video: { ...base.video, gopSeconds: 10 } },
  { ...base, name: 'digest', auth: { user: 'viewer', pass: 's3cret-digest' } },
  { ...base, name: 'udp', transport: 'udp' },
  { ...base, name: 'reboot', rebootAfterSeconds: 15 },
];

/** True when this ffmpeg has the encoder (Debian's has libx264 and libx265). */
export function ffmpegHasEncoder(name: string): boolean {
  const list = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(list);
}

// Luma levels of rtsp/server.py's timecode (studio range).
const LUMA_ONE = 235;
const LUMA_ZERO = 16;
const LUMA_BACKGROUND = 128;
const LUMA_BAR = 200;

/** I420 frames carrying the epoch-ms timecode (rtsp/README.md, "Timecode"), like rtsp/server.py's TimecodePainter. */
export class TimecodePainter {
  private readonly gridHeight: number;
  private readonly chroma: Buffer;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    this.gridHeight = timecodeGridHeight(height);
    this.chroma = Buffer.alloc(2 * (width / 2) * (height / 2), 128);
  }

  frame(epochMs: number, index: number): Buffer {
    const { width, height, gridHeight } = this;
    const luma = Buffer.alloc(width * height, LUMA_BACKGROUND);
    // 48 bits of epoch ms, then the NOT of its low 16 bits (BigInt: beyond 32-bit bit operations).
    const ms = BigInt(epochMs) & ((1n << 48n) - 1n);
    const word = (ms << 16n) | (~ms & 0xffffn);
    for (let bit = 0; bit < TIMECODE_ROWS * TIMECODE_COLUMNS; bit++) {
      const row = Math.floor(bit / TIMECODE_COLUMNS);
      const column = bit % TIMECODE_COLUMNS;
      const one = (word >> BigInt(63 - bit)) & 1n;
      const y0 = Math.floor((row * gridHeight) / TIMECODE_ROWS);
      const y1 = Math.floor(((row + 1) * gridHeight) / TIMECODE_ROWS);
      const x0 = Math.floor((column * width) / TIMECODE_COLUMNS);
      const x1 = Math.floor(((column + 1) * width) / TIMECODE_COLUMNS);
      for (let y = y0; y < y1; y++) luma.fill(one ? LUMA_ONE : LUMA_ZERO, y * width + x0, y * width + x1);
    }
    // A bar sweeping across the lower part: real motion for the encoder.
    const bar = Math.max(2, Math.floor(width / 16));
    const x = (index * Math.max(1, Math.floor(width / 60))) % (width - bar);
    for (let y = gridHeight; y < height; y++) luma.fill(LUMA_BAR, y * width + x, y * width + x + bar);
    return Buffer.concat([luma, this.chroma]);
  }
}

function videoArgs(profile: CameraProfile): string[] {
  const gop = profile.video.gopSeconds * PROFILE_FPS;
  if (profile.video.codec === 'hevc') {
    const bframes = profile.video.bFrames ? 3 : 0;
    const params = [
      `keyint=${gop}`,
      `min-keyint=${gop}`,
      'scenecut=0',
      `bframes=${bframes}`,
      'b-adapt=0',
      // x265 wants a lookahead deeper than the longest run of B-frames.
      `rc-lookahead=${bframes + 1}`,
      'frame-threads=1',
      'repeat-headers=1',
      'log-level=error',
    ];
    return ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', params.join(':'), '-b:v', '600k'];
  }
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    profile.video.profile.toLowerCase(),
    '-bf',
    profile.video.bFrames ? '2' : '0',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
    // Camera-like latency: no lookahead, no frame threads (each holds a frame back).
    '-x264-params',
    'rc-lookahead=0:sync-lookahead=0:b-adapt=0',
    '-threads',
    '1',
    '-b:v',
    '600k',
  ];
}

function audioArgs(profile: CameraProfile): string[] {
  return profile.audio === 'aac'
    ? ['-c:a', 'aac', '-b:a', '48k', '-ar', '16000', '-ac', '1']
    : ['-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1'];
}

/** The publisher's ffmpeg command line: raw timecode frames on stdin, a sine tone, out to RTSP. */
export function publisherArgs(profile: CameraProfile, publishUrl: string): string[] {
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'warning',
    // Video: raw I420 frames as the painter writes them; frame n is stamped n / fps.
    '-thread_queue_size',
    '64',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-video_size',
    `${PROFILE_WIDTH}x${PROFILE_HEIGHT}`,
    '-framerate',
    String(PROFILE_FPS),
    '-i',
    'pipe:0',
    // Sound: a tone in real time.
    '-re',
    '-thread_queue_size',
    '64',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-map',
    '0:v',
    '-map',
    '1:a',
    // Every painted frame once, at its own time: none duplicated or dropped.
    '-fps_mode',
    'passthrough',
    ...videoArgs(profile),
    ...audioArgs(profile),
    '-f',
    'rtsp',
    '-rtsp_transport',
    profile.transport,
    publishUrl,
  ];
}

export interface Publisher {
  profile: CameraProfile;
  /** Wall-clock ms of each start of the encoder (the first, then one per restart). */
  startsMs: number[];
  /** Wall-clock ms of each kill (restart). */
  stopsMs: number[];
  /** Frames painted and written; frames not written because no encoder was running (the reboot). */
  frames(): { written: number; dropped: number };
  /** The last lines ffmpeg printed, for error messages. */
  output(): string;
  /** The reboot: SIGKILL the encoder (no RTSP TEARDOWN, like a power cut) and start a new one at once. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts one camera: an ffmpeg publishing the profile to `publishUrl` (the MediaMTX path),
 * fed PROFILE_FPS timecode frames a second. A profile with `rebootAfterSeconds` is not
 * restarted here; the test calls `restart()` when it wants (so it knows the time).
 */
export function startPublisher(profile: CameraProfile, publishUrl: string): Publisher {
  const painter = new TimecodePainter(PROFILE_WIDTH, PROFILE_HEIGHT);
  const startsMs: number[] = [];
  const stopsMs: number[] = [];
  let child: ChildProcess | undefined;
  let tail: () => string = () => '';
  let written = 0;
  let dropped = 0;
  let index = 0;
  let stopped = false;

  const launch = () => {
    // die-with-parent execs ffmpeg, so our pipe is ffmpeg's own stdin.
    const started = spawnBound('ffmpeg', publisherArgs(profile, publishUrl));
    started.stdin?.on('error', () => {
      // EPIPE after a kill: the next frame goes to the next encoder.
    });
    started.on('error', () => {});
    child = started;
    tail = tailOf(started, 8_000);
    startsMs.push(Date.now());
  };

  const frameMs = 1000 / PROFILE_FPS;
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    // Every frame is written, however busy ffmpeg is: its stamp n / fps must stay the painted time.
    const stdin = child?.stdin;
    if (stdin?.writable) {
      stdin.write(painter.frame(Math.round(t0 + index * frameMs), index));
      written++;
    } else dropped++;
    index++;
    // Scheduled against t0, so timer lateness does not accumulate.
    timer = setTimeout(tick, Math.max(0, t0 + index * frameMs - Date.now()));
  };

  launch();
  timer = setTimeout(tick, 0);

  const halt = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    if (signal === 'SIGKILL') current.kill('SIGKILL');
    else {
      current.stdin?.end(); // ffmpeg finishes the stream and sends TEARDOWN
      await stopChild(current, 3_000);
    }
    await exited;
  };

  return {
    profile,
    startsMs,
    stopsMs,
    frames: () => ({ written, dropped }),
    output: () => tail(),
    async restart() {
      stopsMs.push(Date.now());
      await halt('SIGKILL');
      launch();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await halt('SIGTERM');
    },
  };
}

export interface ServedStream {
  video?: { codec_name: string; profile?: string; has_b_frames?: number; width?: number; height?: number };
  audio?: { codec_name: string; sample_rate?: string; channels?: number };
}

/**
 * What the RTSP server serves on a URL, by ffprobe (reading some packets, so has_b_frames is known).
 * Asynchronous on purpose: a blocked event loop would stop the painters feeding the publishers.
 */
export async function probeServedStream(url: string, transport: 'tcp' | 'udp' = 'tcp'): Promise<ServedStream> {
  const { stdout } = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-rtsp_transport', transport, '-show_streams', '-of', 'json', '-analyzeduration', '3000000', url],
    { encoding: 'utf8', timeout: 20_000 },
  );
  const streams = (JSON.parse(stdout) as { streams: Record<string, unknown>[] }).streams;
  const video = streams.find((s) => s.codec_type === 'video') as ServedStream['video'];
  const audio = streams.find((s) => s.codec_type === 'audio') as ServedStream['audio'];
  return { video, audio };
}

/** Mismatches between a profile and what is served ([] when it matches). */
export function profileMismatches(profile: CameraProfile, served: ServedStream): string[] {
  const out: string[] = [];
  if (served.video?.codec_name !== profile.video.codec)
    out.push(`video codec ${served.video?.codec_name}, want ${profile.video.codec}`);
  if (served.video?.profile !== profile.video.profile)
    out.push(`video profile ${served.video?.profile}, want ${profile.video.profile}`);
  const reorders = (served.video?.has_b_frames ?? 0) > 0;
  if (reorders !== profile.video.bFrames)
    out.push(`has_b_frames ${served.video?.has_b_frames}, want ${profile.video.bFrames ? '> 0' : '0'}`);
  if (served.audio?.codec_name !== profile.audio)
    out.push(`audio codec ${served.audio?.codec_name}, want ${profile.audio}`);
  return out;
}
