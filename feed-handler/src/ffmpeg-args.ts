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
}

export interface FfmpegArgs {
  inputOptions: string[];
  outputOptions: string[];
}

/**
 * Input options shared by capture and probe. `-use_wallclock_as_timestamps 1`
 * stamps every packet with its arrival wall-clock time (90 kHz time base), which
 * on a LAN is within a few ms of the capture time; `-skip_frame nokey` is a
 * decoder option and therefore must come before `-i`.
 */
export function inputOptions(spec: Pick<CaptureSpec, 'mode' | 'socketTimeoutSeconds'>): string[] {
  return [
    '-rtsp_transport',
    'tcp',
    // ffmpeg 5.1's RTSP demuxer takes the socket timeout in microseconds.
    '-timeout',
    String(Math.round(spec.socketTimeoutSeconds * 1_000_000)),
    '-use_wallclock_as_timestamps',
    '1',
    ...(spec.mode === 'keyframes' ? ['-skip_frame', 'nokey'] : []),
  ];
}

/**
 * Keeps the first frame of every wall-clock second. `t` is the wall-clock pts
 * in seconds (kept by -copyts), so this is "one a second" by the clock, not by
 * frame count. It runs in both modes: keyframes 0.5 s apart would otherwise
 * give two thumbnails a second.
 */
export const ONE_PER_SECOND_SELECT = 'select=isnan(prev_selected_t)+gt(floor(t)\\,floor(prev_selected_t))';

export function videoFilter(spec: Pick<CaptureSpec, 'width'>): string {
  // Downscale before encoding (cheap JPEGs); -2 keeps the height even for the encoder.
  // showinfo comes last, so its frame numbers count exactly the JPEGs on stdout.
  return [ONE_PER_SECOND_SELECT, `scale=${spec.width}:-2`, 'showinfo'].join(',');
}

export function captureArgs(spec: CaptureSpec): FfmpegArgs {
  return {
    inputOptions: inputOptions(spec),
    outputOptions: [
      '-hide_banner',
      '-nostats',
      // showinfo reports at the info level; everything else there is small.
      '-loglevel',
      'info',
      // Keep the wall-clock pts end to end and never duplicate or drop a frame
      // after the filter: the n-th showinfo line is the n-th JPEG.
      '-copyts',
      '-fps_mode',
      'passthrough',
      '-an',
      '-sn',
      '-dn',
      '-vf',
      videoFilter(spec),
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
  };
}

/** A short run that decodes keyframes only and reports their times through showinfo. */
export function probeArgs(spec: Pick<CaptureSpec, 'socketTimeoutSeconds'>): FfmpegArgs {
  return {
    inputOptions: inputOptions({ mode: 'keyframes', socketTimeoutSeconds: spec.socketTimeoutSeconds }),
    outputOptions: ['-hide_banner', '-nostats', '-loglevel', 'info', '-copyts', '-an', '-vf', 'showinfo', '-f', 'null'],
  };
}
