/**
 * The simulated cameras' footage, as pure data: the clip's parameters, its cache file name
 * (every parameter that shapes it is in the name) and the ffmpeg arguments that encode it.
 * The RTSP server relays it without re-encoding (RTSP_FILE_COPY=1), so N cameras cost the
 * source little. ffmpeg.ts runs the encode.
 */
export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  /** Target (and VBV max) bitrate, kbit/s. */
  bitrateKbps: number;
  keyframeSeconds: number;
  /** Whole GOPs: the server loops the clip, so it must end where a GOP ends. */
  seconds: number;
}

/** Clips loop: at least 16 s and a whole number of GOPs (16 s at a 1, 2, 4 or 8 s GOP, 20 s at 10 s). */
export function clipSeconds(keyframeSeconds: number): number {
  return keyframeSeconds * Math.ceil(16 / keyframeSeconds);
}

/** What every camera records: 1080p30 at ~6 Mbit/s. */
export function mainClipSpec(keyframeSeconds: number): ClipSpec {
  return {
    width: 1920,
    height: 1080,
    fps: 30,
    bitrateKbps: 6000,
    keyframeSeconds,
    seconds: clipSeconds(keyframeSeconds),
  };
}

/** A camera's low-resolution sub-stream (two-stream mode): 640x360, 30 fps, ~1 Mbit/s, the main stream's GOP. */
export function subClipSpec(keyframeSeconds: number): ClipSpec {
  return {
    width: 640,
    height: 360,
    fps: 30,
    bitrateKbps: 1000,
    keyframeSeconds,
    seconds: clipSeconds(keyframeSeconds),
  };
}

/** One line of the report's camera list. */
export function describeClip(spec: ClipSpec, stats: ClipStats & { path: string }, home: string): string {
  return `${spec.width}x${spec.height} ${spec.fps} fps H.264 (libx264 veryfast, high profile, no B-frames, testsrc2 + temporal noise), ${spec.seconds} s looped, ${stats.frames} frames / ${stats.keyframes} keyframes, ${(stats.bitrateKbps / 1000).toFixed(2)} Mbit/s measured (\`${home && stats.path.startsWith(home) ? `~${stats.path.slice(home.length)}` : stats.path}\`)`;
}

/** Bump when the recipe below changes, so an old cached clip is never measured as a new one. */
export const CLIP_RECIPE_VERSION = 1;

export function clipFileName(spec: ClipSpec): string {
  return `clip-v${CLIP_RECIPE_VERSION}-${spec.width}x${spec.height}-${spec.fps}fps-${spec.bitrateKbps}k-gop${spec.keyframeSeconds}s-${spec.seconds}s.mp4`;
}

export function validateClipSpec(spec: ClipSpec): void {
  const gop = spec.fps * spec.keyframeSeconds;
  if (!Number.isInteger(gop) || gop < 1) throw new Error(`fps x keyframe seconds must be a whole number of frames`);
  if (!Number.isInteger(spec.seconds / spec.keyframeSeconds)) {
    throw new Error(`a clip of ${spec.seconds} s is not a whole number of ${spec.keyframeSeconds} s GOPs`);
  }
}

/**
 * testsrc2 (moving shapes, a counter) under temporal noise: detail and motion in every
 * frame, so each P-frame costs bits and decode work as a real scene would. A keyframe
 * exactly every GOP (scene-cut keyframes off) and no B-frames, as IP cameras send.
 */
export function clipEncodeArgs(spec: ClipSpec, output: string): string[] {
  validateClipSpec(spec);
  const gop = String(spec.fps * spec.keyframeSeconds);
  const rate = `${spec.bitrateKbps}k`;
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps},noise=alls=20:allf=t+u`,
    '-t',
    String(spec.seconds),
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-bf',
    '0',
    '-b:v',
    rate,
    '-maxrate',
    rate,
    '-bufsize',
    `${spec.bitrateKbps * 2}k`,
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    output,
  ];
}

export interface ClipStats {
  /** Average bitrate over the clip, kbit/s. */
  bitrateKbps: number;
  frames: number;
  keyframes: number;
}

/** ffprobe `-show_entries packet=size,flags -of csv=p=0` lines and the clip's duration → its stats. */
export function clipStatsFromPackets(csv: string, durationSeconds: number): ClipStats {
  let bytes = 0;
  let frames = 0;
  let keyframes = 0;
  for (const line of csv.split('\n')) {
    const [size, flags] = line.trim().split(',');
    if (!size) continue;
    bytes += Number(size);
    frames += 1;
    if (flags?.includes('K')) keyframes += 1;
  }
  const bitrateKbps = durationSeconds > 0 ? Math.round((bytes * 8) / 1000 / durationSeconds) : 0;
  return { bitrateKbps, frames, keyframes };
}

/** ffmpeg's own naive pull, as the issue states it: full decode, one full-size JPEG a second. */
export function naivePullArgs(url: string, outputPattern: string): string[] {
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    '-i',
    url,
    '-vf',
    'fps=1',
    outputPattern,
  ];
}
