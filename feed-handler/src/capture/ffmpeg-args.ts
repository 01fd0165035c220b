/**
 * ffmpeg arguments as pure data. The adapter (ffmpeg.ts) hands them to
 * fluent-ffmpeg unchanged, so what the unit tests see is what ffmpeg gets.
 */

import { type ChunkAudio, chunkAudioOptions } from './chunk-audio.js';
import { KEYFRAME_LIST_TARGET, keyframeListOptions } from './keyframe-list.js';
import { SEGMENTS_FROM_FIRST_PACKET } from './segment-list.js';

export type DecodeMode = 'keyframes' | 'all';

/** RTP interleaved in the RTSP TCP connection, or RTP in UDP datagrams. */
export type RtspTransport = 'tcp' | 'udp';

export interface CaptureSpec {
  url: string;
  mode: DecodeMode;
  /** Output width in pixels; the height follows the aspect ratio, rounded to an even number. */
  width: number;
  /** mjpeg -q:v, 2 (best) .. 31 (smallest). */
  quality: number;
  /** RTSP socket timeout: a server that stops answering makes ffmpeg exit instead of hanging. */
  socketTimeoutSeconds: number;
  /** How the camera's RTP reaches us (config.ts cameraSchema `transport`); absent: tcp. */
  transport?: RtspTransport;
  /** Also record the stream, copied as is, into clock-aligned MP4 chunks (same RTSP session). */
  chunks?: ChunkSpec;
  /**
   * false: no JPEGs (the chunk recorder of a camera whose thumbnails come from its sub-stream). Nothing is
   * decoded: the keyframe list (keyframe-list.ts) times the stream and anchors the chunks' clock.
   */
  thumbnails?: boolean;
  /**
   * Also hand each thumbnail's frame, downscaled to a small grayscale picture, to the
   * motion analysis: raw bytes written to this ffmpeg output URL (a unix socket).
   */
  analysis?: AnalysisSpec;
}

export interface AnalysisSpec {
  width: number;
  height: number;
  /** ffmpeg output URL, e.g. unix:/tmp/fathom-analysis-ab12.sock; the adapter that listens there sets it. */
  target?: string;
}

export interface ChunkSpec {
  /** Staging file pattern with one %06d, e.g. /data/chunks/.staging/cam1/<run>-%06d.mp4. */
  stagingPattern: string;
  /** Chunk length; chunks are cut at the first keyframe after each multiple of it since midnight. */
  seconds: number;
  /** The camera's sound in the chunks (chunk-audio.ts chunkAudioFor); absent: none, as `-an`. */
  audio?: ChunkAudio;
  /** The camera's video codec as ffmpeg names it (stream-info.ts), when known: hevc is tagged hvc1. */
  videoCodec?: string;
}

export interface FfmpegArgs {
  inputOptions: string[];
  outputOptions: string[];
  /** Where the main output goes; absent: ffmpeg's stdout (the JPEGs). */
  mainTarget?: string;
  /** A second output of the same ffmpeg: the chunk recorder. */
  chunkOutput?: { target: string; options: string[] };
  /** Another output: one small grayscale frame per thumbnail, for the motion analysis. */
  analysisOutput?: { target: string; options: string[] };
}

/**
 * Extra input options for RTP over UDP (ffmpeg 5.1's RTSP demuxer). Over TCP none of
 * them applies: TCP delivers every packet once, in order.
 */
const UDP_INPUT_OPTIONS = [
  // The receive buffer (SO_RCVBUF) of each RTP/RTCP socket. A keyframe comes as a burst
  // of datagrams while ffmpeg's one thread may be busy decoding; what the kernel cannot
  // hold is lost, and the picture with it. ffmpeg asks for 384 KiB by default; 2 MiB
  // holds the keyframes of 4K cameras. Linux caps it at net.core.rmem_max (default
  // 208 KiB: ffmpeg then warns "attempted to set receive buffer ... only ended up set
  // as ..."), so a host with big streams should raise that sysctl.
  '-buffer_size',
  '2097152',
  // How long a missing packet is waited for before the packets after it go on without
  // it (libavformat's RTSP default: 0.1 s). Only a gap costs the wait, in-order packets
  // pass at once, and a frame held back does not move capture times (they come from the
  // RTP timestamps, anchored on the least-delayed frame); a packet given up on garbles
  // a picture. So: wait for reordered packets as long as a thumbnail a second allows.
  '-max_delay',
  '500000',
  // The packets held meanwhile. The default 500 is 0.5 s of a ~11 Mbit/s stream; past
  // it the queue is flushed early and the late packet dropped. 1000 covers 0.5 s up to
  // ~22 Mbit/s (at most ~1.5 MB, and only while a gap is open).
  '-reorder_queue_size',
  '1000',
];

/**
 * How ffmpeg reads an RTSP camera: the capture (inputOptions) and the restreams
 * (restream-args.ts) alike. TCP (the default) carries RTP inside the RTSP
 * connection: nothing is lost, and it passes NAT and firewalls. UDP is for
 * cameras and relays that offer nothing else, at a lower latency.
 */
export function rtspInputOptions(spec: {
  transport?: RtspTransport | undefined;
  socketTimeoutSeconds: number;
}): string[] {
  const transport = spec.transport ?? 'tcp';
  return [
    '-rtsp_transport',
    transport,
    // ffmpeg 5.1's RTSP demuxer takes the socket timeout in microseconds. Over UDP it
    // bounds the wait for RTP packets too: without it a frozen server (SIGSTOP) kept
    // ffmpeg waiting for over a minute; with 10 s it exited 20 s later, as over TCP.
    '-timeout',
    String(Math.round(spec.socketTimeoutSeconds * 1_000_000)),
    ...(transport === 'udp' ? UDP_INPUT_OPTIONS : []),
  ];
}

/**
 * Input options shared by capture and probe. Timestamps stay the stream's own
 * (RTP, 90 kHz): they are set by the camera at capture, so they are exact
 * frame to frame, where arrival times (-use_wallclock_as_timestamps) carry
 * every scheduling delay. CaptureClock anchors them to the wall clock.
 * `-skip_frame nokey` is a decoder option and therefore must come before `-i`.
 */
export function inputOptions(spec: Pick<CaptureSpec, 'mode' | 'socketTimeoutSeconds' | 'transport'>): string[] {
  return [...demuxerOptions(spec), ...decoderOptions(spec)];
}

function demuxerOptions(spec: Pick<CaptureSpec, 'socketTimeoutSeconds' | 'transport'>): string[] {
  return [
    ...rtspInputOptions(spec),
    // Packets read while ffmpeg analyses the stream are dropped, not delivered
    // seconds late in a burst (which would look like late frames); a second of
    // analysis is enough for H.264 whose SPS comes with every keyframe.
    '-fflags',
    'nobuffer',
    '-analyzeduration',
    '1000000',
    '-probesize',
    '1000000',
  ];
}

function decoderOptions(spec: Pick<CaptureSpec, 'mode'>): string[] {
  return [
    // One decoder thread: frame threading holds (threads - 1) frames back, a
    // delay that would depend on the host's core count. Keyframe-only decoding
    // needs little CPU anyway.
    '-threads',
    '1',
    ...(spec.mode === 'keyframes' ? ['-skip_frame', 'nokey'] : []),
  ];
}

/**
 * Keeps the first frame of every second of stream time. `t` is the stream's
 * pts in seconds (kept by -copyts), so this is "one a second" by the camera's
 * clock, not by frame count. It runs in both modes: keyframes 0.5 s apart
 * would otherwise give two thumbnails a second.
 *
 * Nothing passes before the first keyframe the decoder outputs: `st(0, max(ld(0), key))`
 * latches variable 0 at 1 on it (select keeps its variables from frame to frame) and
 * multiplies the rest. Joined mid-GOP, ffmpeg's H.265 decoder outputs the frames before
 * the first keyframe with their references missing: garbled pictures, stored as 1-3
 * thumbnails in the first 2 s without this. H.264's decoder outputs nothing before a
 * keyframe anyway, so there the first thumbnail is the same frame as without the gate.
 * Dropped frames never reach showinfo (the JPEG pairing counts only what passed), and
 * prev_selected_t stays NaN until the first keyframe, which is therefore always kept.
 * `\,` escapes the commas from the filter-graph parser (-vf and -filter_complex alike).
 */
export const ONE_PER_SECOND_SELECT =
  'select=st(0\\,max(ld(0)\\,key))*(isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t)))';

/**
 * The stream clock's own showinfo, first in the graph: every decoded frame (all of them while every frame is
 * decoded, the keyframes otherwise) reports its stream time as soon as it leaves the decoder, before the
 * select, the scale and the encoder. Each line is one more arrival for CaptureClock's anchor: at 10–30 fps
 * the anchor rests on many arrivals within a second instead of one a second, so a link's jitter (the least
 * delayed of many) hardly reaches the capture times. Named, so its lines never count as JPEGs; no checksum.
 */
export const CLOCK_SHOWINFO_NAME = 'showinfo@clock';

/**
 * How many decoded frames reach the clock's showinfo: every frame of a run's first CLOCK_ALL_FRAMES_S seconds
 * of stream time (a new anchor needs many arrivals at once: over UDP a lost packet holds the frames behind it
 * in ffmpeg's reorder queue, and the first second's arrivals can all be 100 ms late), then every keyframe, the
 * first frame of every new second and any frame CLOCK_MIN_SPACING_S after the last one let through: about 5 a
 * second, where a camera decoded in full gives 10–30. ffmpeg writes each showinfo report in 9 write() calls,
 * and node wakes for each: at 30 fps that held node at ~1.3 % of a core per camera against ~0.4 % for one
 * frame a second. An anchor rests on the least delayed arrival of 30 s, so 150 arrivals serve it as well as 900.
 * It never holds back a frame the one-a-second select after it keeps: that is the first frame of its second,
 * whose floor(t) differs from every frame let through before it, and `key` lets every keyframe through, so the
 * keyframe gate latches on the same frame.
 */
export const CLOCK_ALL_FRAMES_S = 2;
export const CLOCK_MIN_SPACING_S = 0.2;
export const CLOCK_THINNING_SELECT = `select=lt(t-start_t\\,${CLOCK_ALL_FRAMES_S})+key+isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t))+gte(t-prev_selected_t\\,${CLOCK_MIN_SPACING_S})`;
const CLOCK_SHOWINFO = `${CLOCK_THINNING_SELECT},${CLOCK_SHOWINFO_NAME}=checksum=0`;

export function videoFilter(spec: Pick<CaptureSpec, 'width'>): string {
  // Downscale before encoding (cheap JPEGs); -2 keeps the height even for the encoder.
  // The unnamed showinfo comes last, so its frame numbers count exactly the JPEGs on stdout.
  return [CLOCK_SHOWINFO, ONE_PER_SECOND_SELECT, `scale=${spec.width}:-2`, 'showinfo'].join(',');
}

/**
 * With the analysis: one filter graph whose selected frames split in two, the thumbnail
 * branch (scale, showinfo: its frame numbers count the JPEGs, as with videoFilter) and
 * the analysis branch (an area downscale to a few thousand gray pixels: each averages
 * 100+ source pixels, which is what makes the motion score deaf to sensor noise).
 * Both branches see the same frames in the same order, so the n-th gray frame belongs
 * to the n-th JPEG. (A branch ending in nullsink made ffmpeg 5.1 run forever; this one
 * ends in a real output.)
 */
export function analysisFilterGraph(spec: Pick<CaptureSpec, 'width'> & { analysis: AnalysisSpec }): string {
  const { width, height } = spec.analysis;
  return (
    `[0:v:0]${CLOCK_SHOWINFO},${ONE_PER_SECOND_SELECT},split=2[thumb][motion];` +
    `[thumb]scale=${spec.width}:-2,showinfo[jpeg];` +
    `[motion]scale=${width}:${height}:flags=area,format=gray[gray]`
  );
}

/**
 * Every capture's: no banner or progress lines on stderr, where showinfo and the segment lists report at the
 * info level and everything else there is small. The stream's pts are kept end to end (-copyts).
 */
const QUIET_COPYTS = ['-hide_banner', '-nostats', '-loglevel', 'info', '-copyts'] as const;

/**
 * What the JPEG output starts with: no frame is duplicated or dropped after the filter, so the n-th showinfo
 * line is the n-th output frame.
 */
const TIMED_VIDEO_OUTPUT = [...QUIET_COPYTS, '-fps_mode', 'passthrough', '-an', '-sn', '-dn'] as const;

export function captureArgs(spec: CaptureSpec): FfmpegArgs {
  if (spec.thumbnails === false) return recorderArgs(spec);
  const filter = spec.analysis
    ? ['-filter_complex', analysisFilterGraph({ width: spec.width, analysis: spec.analysis }), '-map', '[jpeg]']
    : ['-vf', videoFilter(spec)];
  return {
    inputOptions: inputOptions(spec),
    outputOptions: [
      ...TIMED_VIDEO_OUTPUT,
      // One thread per filter graph: ffmpeg sizes its pools by the host's cores (81 threads and 43 MiB of
      // its own memory on a 16-core host, bench:memory), and one small frame a second needs none of them.
      '-filter_threads',
      '1',
      '-filter_complex_threads',
      '1',
      ...filter,
      '-c:v',
      'mjpeg',
      // A frame-threaded encoder hands a frame's packet out only when the next frame comes in: one
      // thumbnail interval (1 s) late. One thread hands each JPEG out as soon as it is encoded.
      '-threads',
      '1',
      '-q:v',
      String(spec.quality),
      '-f',
      'image2pipe',
      // Each JPEG reaches the pipe as soon as it is encoded, not when 32 KiB have gathered.
      '-flush_packets',
      '1',
    ],
    ...(spec.chunks ? { chunkOutput: chunkOutput(spec.chunks) } : {}),
    ...(spec.analysis ? { analysisOutput: analysisOutput(spec.analysis) } : {}),
  };
}

/**
 * The chunk recorder alone: no picture is decoded. Its main output is the keyframe list (keyframe-list.ts): one
 * stderr line per keyframe as it arrives, with its stream time, which times the chunks on the same clock as the
 * thumbnails'. The copy beside it (chunkOutput) records them.
 */
function recorderArgs(spec: CaptureSpec): FfmpegArgs {
  return {
    // Nothing is decoded: no decoder options.
    inputOptions: demuxerOptions(spec),
    outputOptions: [...QUIET_COPYTS, ...keyframeListOptions()],
    mainTarget: KEYFRAME_LIST_TARGET,
    ...(spec.chunks ? { chunkOutput: chunkOutput(spec.chunks) } : {}),
  };
}

/** The analysis output: raw 8-bit gray frames of a fixed size, each flushed as soon as it is made. */
export function analysisOutput(analysis: AnalysisSpec): { target: string; options: string[] } {
  if (!analysis.target) throw new Error('the analysis output needs a target (the adapter listens there)');
  return {
    target: analysis.target,
    options: [
      '-map',
      '[gray]',
      '-fps_mode',
      'passthrough',
      '-c:v',
      'rawvideo',
      // As the JPEG's encoder: without it the gray frame would come a second after its JPEG.
      '-threads',
      '1',
      '-pix_fmt',
      'gray',
      '-f',
      'rawvideo',
      '-flush_packets',
      '1',
    ],
  };
}

/**
 * The chunk recorder: the video packets as received (`-c copy`, no decoding,
 * no re-encoding) and the sound as chunk-audio.ts decides (none, copied, or
 * G.711 converted to AAC), cut into MP4s at clock-aligned times. `-skip_frame nokey`
 * is a decoder option, so it thins only what the thumbnail side decodes; the
 * copy gets every packet. Each finished chunk is announced as a CSV line on
 * stderr (pipe:2). `+faststart` puts the index first so a browser can start
 * and seek without reading the whole file; files are written under a staging
 * name and published by rename, so a half-written MP4 is never visible.
 */
export function chunkOutput(chunks: ChunkSpec): { target: string; options: string[] } {
  return {
    target: chunks.stagingPattern,
    options: [
      '-map',
      '0:v:0',
      '-c:v',
      'copy',
      // Safari plays H.265 in MP4 only with the hvc1 sample entry (parameter sets in the
      // header), not ffmpeg's default hev1; Chromium takes both. The copies the camera sends
      // with its keyframes stay in the stream too (it is copied).
      ...(chunks.videoCodec === 'hevc' ? ['-tag:v', 'hvc1'] : []),
      ...chunkAudioOptions(chunks.audio ?? 'none'),
      // Chunk timestamps start at 0 (not at the stream's first timestamp): no leading gap in the first file.
      ...SEGMENTS_FROM_FIRST_PACKET,
      '-segment_time',
      String(chunks.seconds),
      // Cut at wall-clock multiples of the length (00:00, 00:10, ...), like the dashboard's clips.
      '-segment_atclocktime',
      '1',
      '-reset_timestamps',
      '1',
      '-segment_format',
      'mp4',
      '-segment_format_options',
      'movflags=+faststart',
      '-segment_list',
      'pipe:2',
      '-segment_list_type',
      'csv',
    ],
  };
}
