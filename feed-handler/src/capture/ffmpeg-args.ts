/**
 * ffmpeg arguments as pure data. The adapter (ffmpeg.ts) hands them to
 * fluent-ffmpeg unchanged, so what the unit tests see is what ffmpeg gets.
 */

export type DecodeMode = 'keyframes' | 'all';

export interface CaptureSpec {
  url: string;
  mode: DecodeMode;
  /** Output width in pixels; the height follows the aspect ratio, rounded to an even number. */
  width: number;
  /** mjpeg -q:v, 2 (best) .. 31 (smallest). */
  quality: number;
  /** RTSP socket timeout: a server that stops answering makes ffmpeg exit instead of hanging. */
  socketTimeoutSeconds: number;
  /** Also record the stream, copied as is, into clock-aligned MP4 chunks (same RTSP session). */
  chunks?: ChunkSpec;
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
}

export interface FfmpegArgs {
  inputOptions: string[];
  outputOptions: string[];
  /** A second output of the same ffmpeg: the chunk recorder. */
  chunkOutput?: { target: string; options: string[] };
  /** Another output: one small grayscale frame per thumbnail, for the motion analysis. */
  analysisOutput?: { target: string; options: string[] };
}

/**
 * Input options shared by capture and probe. Timestamps stay the stream's own
 * (RTP, 90 kHz): they are set by the camera at capture, so they are exact
 * frame to frame, where arrival times (-use_wallclock_as_timestamps) carry
 * every scheduling delay. CaptureClock anchors them to the wall clock.
 * `-skip_frame nokey` is a decoder option and therefore must come before `-i`.
 */
export function inputOptions(spec: Pick<CaptureSpec, 'mode' | 'socketTimeoutSeconds'>): string[] {
  return [
    '-rtsp_transport',
    'tcp',
    // ffmpeg 5.1's RTSP demuxer takes the socket timeout in microseconds.
    '-timeout',
    String(Math.round(spec.socketTimeoutSeconds * 1_000_000)),
    // Packets read while ffmpeg analyses the stream are dropped, not delivered
    // seconds late in a burst (which would look like late frames); a second of
    // analysis is enough for H.264 whose SPS comes with every keyframe.
    '-fflags',
    'nobuffer',
    '-analyzeduration',
    '1000000',
    '-probesize',
    '1000000',
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
 */
export const ONE_PER_SECOND_SELECT = 'select=isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t))';

export function videoFilter(spec: Pick<CaptureSpec, 'width'>): string {
  // Downscale before encoding (cheap JPEGs); -2 keeps the height even for the encoder.
  // showinfo comes last, so its frame numbers count exactly the JPEGs on stdout.
  return [ONE_PER_SECOND_SELECT, `scale=${spec.width}:-2`, 'showinfo'].join(',');
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
    `[0:v:0]${ONE_PER_SECOND_SELECT},split=2[thumb][motion];` +
    `[thumb]scale=${spec.width}:-2,showinfo[jpeg];` +
    `[motion]scale=${width}:${height}:flags=area,format=gray[gray]`
  );
}

export function captureArgs(spec: CaptureSpec): FfmpegArgs {
  const filter = spec.analysis
    ? ['-filter_complex', analysisFilterGraph({ width: spec.width, analysis: spec.analysis }), '-map', '[jpeg]']
    : ['-vf', videoFilter(spec)];
  return {
    inputOptions: inputOptions(spec),
    outputOptions: [
      '-hide_banner',
      '-nostats',
      // showinfo reports at the info level; everything else there is small.
      '-loglevel',
      'info',
      // Keep the stream's pts end to end and never duplicate or drop a frame
      // after the filter: the n-th showinfo line is the n-th JPEG.
      '-copyts',
      '-fps_mode',
      'passthrough',
      '-an',
      '-sn',
      '-dn',
      ...filter,
      '-c:v',
      'mjpeg',
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
 * no re-encoding), cut into MP4s at clock-aligned times. `-skip_frame nokey`
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
      '-an',
      '-sn',
      '-dn',
      '-f',
      'segment',
      // Chunk timestamps start at 0 (not at the stream's first timestamp): no leading gap in the first file.
      '-avoid_negative_ts',
      'make_zero',
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

/** A short run that decodes keyframes only and reports their times through showinfo. */
export function probeArgs(spec: Pick<CaptureSpec, 'socketTimeoutSeconds'>): FfmpegArgs {
  return {
    inputOptions: inputOptions({ mode: 'keyframes', socketTimeoutSeconds: spec.socketTimeoutSeconds }),
    outputOptions: ['-hide_banner', '-nostats', '-loglevel', 'info', '-copyts', '-an', '-vf', 'showinfo', '-f', 'null'],
  };
}
