/**
 * A restream's ffmpeg command as pure data: what to ask of the camera's stream
 * before starting (which codecs it carries), what to do with them, and the
 * arguments of the child that sends them to an RTMP server. The adapter
 * (restream-process.ts) runs these unchanged, so what the unit tests see is
 * what ffmpeg gets.
 */

import { type RtspTransport, rtspInputOptions } from '../capture/ffmpeg-args.js';

/**
 * Where a restream reads from: the camera's RTSP stream (over the camera's `transport`, as the
 * capture reads it; absent: tcp), or a media file played in real time, looped (tests, bench).
 */
export type RestreamInput =
  | { kind: 'rtsp'; url: string; socketTimeoutSeconds: number; transport?: RtspTransport }
  | { kind: 'file'; path: string };

/** Codec names (ffmpeg's) of the first video and the first audio stream of the input; null when there is none. */
export interface InputStreams {
  video: string | null;
  audio: string | null;
}

/**
 * copy: the camera's AAC goes out as it is; encode: another audio codec (G.711 and
 * the like) becomes AAC; silent: a camera without audio gets a silent AAC track,
 * because YouTube and most RTMP ingests refuse a stream without audio.
 */
export type AudioMode = 'copy' | 'encode' | 'silent';

export interface RestreamPlan {
  audio: AudioMode;
}

export interface RestreamSpec {
  input: RestreamInput;
  plan: RestreamPlan;
  /** The full publish URL, stream key included: it is only ever handed to ffmpeg. */
  outputUrl: string;
  /** AAC bitrate when audio is encoded or generated. */
  audioBitrateKbps: number;
}

/** The silent track: stereo 44.1 kHz, what RTMP ingests expect. */
export const SILENT_AUDIO = 'anullsrc=channel_layout=stereo:sample_rate=44100';

/** FLV (and so RTMP as YouTube, Twitch and nginx-rtmp take it) carries H.264 video only. */
const RTMP_VIDEO_CODEC = 'h264';

/** The publish URL: the server's URL and the stream key as its last path segment. */
export function publishUrl(target: { url: string; key: string }): string {
  return `${target.url.replace(/\/+$/, '')}/${target.key}`;
}

function inputOptions(input: RestreamInput): string[] {
  if (input.kind === 'file') return ['-re', '-stream_loop', '-1', '-i', input.path];
  return [
    // The camera's transport and socket timeout, exactly as the capture reads it.
    ...rtspInputOptions(input),
    // With a second input (the silent track) each input is read by its own thread; the
    // default queue of 8 packets fills while the outputs open and ffmpeg then warns.
    '-thread_queue_size',
    '512',
    '-i',
    input.url,
  ];
}

/**
 * The probe: the input alone, without an output. ffmpeg opens the stream, prints
 * what it carries ("Stream #0:0: Video: h264 ...") and exits ("At least one output
 * file must be specified"), which takes a second or two on an RTSP camera.
 */
export function probeArgs(input: RestreamInput): string[] {
  return ['-hide_banner', '-nostdin', ...inputOptions(input)];
}

const STREAM_LINE = /^\s*Stream #0:\d+(?:\[0x[0-9a-f]+\])?(?:\([^)]*\))?: (Video|Audio): ([A-Za-z0-9_]+)/;

/** The input's first video and audio codecs from a probe's stderr; null when ffmpeg never opened the input. */
export function parseInputStreams(lines: readonly string[]): InputStreams | null {
  let opened = false;
  const streams: InputStreams = { video: null, audio: null };
  for (const line of lines) {
    if (line.startsWith('Input #0')) opened = true;
    const match = STREAM_LINE.exec(line);
    if (!match) continue;
    const codec = (match[2] as string).toLowerCase();
    if (match[1] === 'Video') streams.video ??= codec;
    else streams.audio ??= codec;
  }
  return opened ? streams : null;
}

/** What to do with the streams, or why they cannot go to an RTMP server as they are. */
export function planRestream(streams: InputStreams): { ok: true; plan: RestreamPlan } | { ok: false; reason: string } {
  if (!streams.video) return { ok: false, reason: 'camera stream has no video' };
  // Re-encoding video would cost a core per camera: the camera must send H.264.
  if (streams.video !== RTMP_VIDEO_CODEC) {
    return { ok: false, reason: `camera video is ${streams.video}; RTMP carries H.264 only` };
  }
  if (!streams.audio) return { ok: true, plan: { audio: 'silent' } };
  return { ok: true, plan: { audio: streams.audio === 'aac' ? 'copy' : 'encode' } };
}

/**
 * The restream child: video copied (never decoded), audio copied, encoded or
 * generated, out as FLV to the RTMP server; progress as key=value blocks on
 * stdout (its `frame=` is what the watchdog watches), messages on stderr.
 *
 * The silent track is a second, endless input mapped as the only audio. It needs
 * no -shortest (which ends or cuts a live output when one stream lags): ffmpeg
 * always reads for the output stream that is furthest behind, so the silence is
 * paced by the camera's video timestamps and never runs ahead. If the camera's
 * video stops while the silence goes on, video frames stop advancing and the
 * supervisor's watchdog restarts the child.
 */
export function restreamArgs(spec: RestreamSpec): string[] {
  const silent = spec.plan.audio === 'silent';
  const audio =
    spec.plan.audio === 'copy'
      ? ['-map', '0:a:0', '-c:a', 'copy']
      : [
          '-map',
          silent ? '1:a:0' : '0:a:0',
          '-c:a',
          'aac',
          '-b:a',
          `${spec.audioBitrateKbps}k`,
          // A G.711 camera sends 8 kHz mono; ingests expect 44.1 or 48 kHz.
          '-ar',
          '44100',
        ];
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'info',
    '-progress',
    'pipe:1',
    ...inputOptions(spec.input),
    ...(silent ? ['-f', 'lavfi', '-i', SILENT_AUDIO] : []),
    '-map',
    '0:v:0',
    '-c:v',
    'copy',
    ...audio,
    '-f',
    'flv',
    // A live output has no duration or size to write back into its header at the end.
    '-flvflags',
    'no_duration_filesize',
    spec.outputUrl,
  ];
}
