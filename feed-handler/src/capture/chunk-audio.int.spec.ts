/**
 * Chunk sound with the real ffmpeg (issue #17): sources made by ffmpeg itself (H.264 or
 * H.265 without B-frames, a keyframe a second, like a camera; AAC, G.711 A-law or µ-law
 * sound, or none), recorded with exactly the options chunkOutput() gives, read back with
 * ffprobe. The picture flashes white and the sound beeps at x.5 s of every second, so
 * the sync of each chunk is measured, not assumed.
 *
 * The recorders read with `-re` because `-segment_atclocktime 1` cuts by the wall clock:
 * read as fast as possible, a 6.6 s source would be over before the first cut. They run
 * at once, so the file takes about as long as one source lasts. `-copyts` is there
 * because the capture command sets it (it is global: the chunk output gets it too).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChunkAudio, chunkAudioFor } from './chunk-audio.js';
import { chunkOutput } from './ffmpeg-args.js';

const exec = promisify(execFile);

// 6.6, not 6.5: the last chunk, however short, then holds a flash (at 6.5 s).
const SECONDS = 6.6;
const FPS = 10;
/** White for the frame at x.5 s of every second (frames are 0.1 s apart). */
const FLASHING_PICTURE = `color=c=black:size=320x180:rate=${FPS},drawbox=c=white:t=fill:enable='between(mod(t\\,1)\\,0.45\\,0.55)'`;
/** A 1 kHz beep from x.5 to x.6 s of every second, silence otherwise. */
const beeping = (rate: number) => `aevalsrc=0.5*sin(2*PI*1000*t)*between(mod(t\\,1)\\,0.5\\,0.6):s=${rate}`;

const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-bf', '0'];
const H264_GOP = [...H264, '-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0'];
const HEVC = [
  '-c:v',
  'libx265',
  '-preset',
  'ultrafast',
  '-x265-params',
  `keyint=${FPS}:min-keyint=${FPS}:scenecut=0:bframes=0:frame-threads=1:log-level=error`,
];

interface Source {
  name: string;
  /** The camera's audio codec as ffmpeg names it; null: no sound. */
  audioCodec: string | null;
  videoCodec: 'h264' | 'hevc';
  encode: string[];
  /** Extra input options for the picture (the sound-first source starts it later). */
  pictureInput?: string[];
}

const SOURCES: Source[] = [
  {
    name: 'aac',
    audioCodec: 'aac',
    videoCodec: 'h264',
    encode: [...H264_GOP, '-c:a', 'aac', '-b:a', '48k', '-ar', '16000', '-ac', '1'],
  },
  {
    name: 'pcma',
    audioCodec: 'pcm_alaw',
    videoCodec: 'h264',
    encode: [...H264_GOP, '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1'],
  },
  {
    name: 'hevc-pcmu',
    audioCodec: 'pcm_mulaw',
    videoCodec: 'hevc',
    encode: [...HEVC, '-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1'],
  },
  { name: 'silent', audioCodec: null, videoCodec: 'h264', encode: [...H264_GOP, '-an'] },
  {
    // The sound starts 1 s before the first keyframe, as when a reader joins a camera mid-GOP.
    name: 'sound-first',
    audioCodec: 'aac',
    videoCodec: 'h264',
    encode: [...H264_GOP, '-c:a', 'aac', '-b:a', '48k', '-ar', '16000', '-ac', '1'],
    pictureInput: ['-itsoffset', '1'],
  },
];

interface StreamReport {
  codec_type: 'video' | 'audio';
  codec_name: string;
  profile?: string;
  codec_tag_string: string;
  sample_rate?: string;
  channels?: number;
  start_time: string;
  duration: string;
}

interface ChunkReport {
  file: string;
  probeErrors: string;
  decodeErrors: string;
  video: StreamReport[];
  audio: StreamReport[];
  /** Times (s) the picture turns white. */
  flashes: number[];
  /** Times (s) a beep starts (silencedetect's silence_end). */
  beeps: number[];
}

interface Recording {
  source: Source;
  audio: ChunkAudio;
  sourceVideo: StreamReport;
  segmentList: string[];
  chunks: ChunkReport[];
}

async function ffprobeStreams(file: string): Promise<StreamReport[]> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,profile,codec_tag_string,sample_rate,channels,start_time,duration',
    '-of',
    'json',
    file,
  ]);
  return (JSON.parse(stdout) as { streams: StreamReport[] }).streams;
}

async function flashesOf(file: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-f',
    'lavfi',
    `movie=${file},signalstats`,
    '-show_entries',
    'frame=pts_time:frame_tags=lavfi.signalstats.YAVG',
    '-of',
    'csv=p=0',
  ]);
  const flashes: number[] = [];
  let white = false;
  for (const line of stdout.trim().split('\n')) {
    const [time, luma] = line.split(',').map(Number);
    const now = (luma ?? 0) > 100;
    if (now && !white) flashes.push(time ?? Number.NaN);
    white = now;
  }
  return flashes;
}

async function beepsOf(file: string): Promise<number[]> {
  const { stderr } = await exec('ffmpeg', [
    '-hide_banner',
    '-nostats',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    'silencedetect=noise=-30dB:d=0.2',
    '-f',
    'null',
    '-',
  ]);
  return [...stderr.matchAll(/silence_end: (-?[\d.]+)/g)].map((m) => Number(m[1]));
}

async function reportChunk(file: string, withSound: boolean): Promise<ChunkReport> {
  const [probe, decode, streams, flashes, beeps] = await Promise.all([
    exec('ffprobe', ['-v', 'error', file]),
    // The chunk's own time base for the null muxer (see feed-handler/test/profiles.int.spec.ts inspectChunk).
    exec('ffmpeg', ['-v', 'error', '-i', file, '-enc_time_base:v', '-1', '-f', 'null', '-']),
    ffprobeStreams(file),
    flashesOf(file),
    withSound ? beepsOf(file) : Promise.resolve([]),
  ]);
  return {
    file,
    probeErrors: probe.stderr,
    decodeErrors: decode.stderr,
    video: streams.filter((s) => s.codec_type === 'video'),
    audio: streams.filter((s) => s.codec_type === 'audio'),
    flashes,
    beeps,
  };
}

let dir: string;
const recordings = new Map<string, Recording>();

async function record(source: Source): Promise<Recording> {
  const file = join(dir, `${source.name}.mkv`);
  const soundInput = source.audioCodec === null ? [] : ['-f', 'lavfi', '-i', beeping(48_000)];
  await exec('ffmpeg', [
    '-hide_banner',
    '-v',
    'error',
    ...(source.pictureInput ?? []),
    '-f',
    'lavfi',
    '-i',
    FLASHING_PICTURE,
    ...soundInput,
    '-t',
    String(SECONDS),
    ...source.encode,
    file,
  ]);
  const [sourceVideo] = (await ffprobeStreams(file)).filter((s) => s.codec_type === 'video');
  if (!sourceVideo) throw new Error(`${file} has no video`);

  const audio = chunkAudioFor(source.audioCodec === null ? undefined : source.audioCodec).audio;
  const out = join(dir, source.name);
  mkdirSync(out);
  const chunks = chunkOutput({
    stagingPattern: join(out, 'r1-%06d.mp4'),
    seconds: 2,
    audio,
    videoCodec: source.videoCodec,
  });
  const { stderr } = await exec(
    'ffmpeg',
    ['-hide_banner', '-nostats', '-loglevel', 'info', '-re', '-copyts', '-i', file, ...chunks.options, chunks.target],
    { timeout: 30_000 },
  );
  const segmentList = stderr.split('\n').filter((line) => /^r1-\d{6}\.mp4,/.test(line));
  const files = readdirSync(out)
    .filter((f) => f.endsWith('.mp4'))
    .sort();
  return {
    source,
    audio,
    sourceVideo,
    segmentList,
    chunks: await Promise.all(files.map((f) => reportChunk(join(out, f), source.audioCodec !== null))),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fathom-chunk-audio-'));
  const done = await Promise.all(SOURCES.map(record));
  for (const r of done) recordings.set(r.source.name, r);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const recording = (name: string): Recording => {
  const r = recordings.get(name);
  if (!r) throw new Error(`no recording ${name}`);
  return r;
};
const seconds = (value: string | undefined) => Number(value ?? Number.NaN);
/** One AAC frame (1024 samples): sound is cut between frames, so its ends sit up to this far from the picture's. */
const aacFrameSeconds = (stream: StreamReport) => 1024 / seconds(stream.sample_rate);

describe.each([
  ['aac', 'copy', 16_000],
  ['pcma', 'aac', 8000],
  ['hevc-pcmu', 'aac', 8000],
] as const)('chunks of a camera with %s sound', (name, chunkAudio, sampleRate) => {
  it('chooses the chunk audio by the codec', () => {
    expect(recording(name).audio).toBe(chunkAudio);
  });

  it('cuts several chunks, each announced on stderr', () => {
    const r = recording(name);
    expect(r.chunks.length).toBeGreaterThanOrEqual(3);
    expect(r.segmentList).toHaveLength(r.chunks.length);
  });

  it('gives every chunk one AAC track and the video copied, ffprobe- and decode-clean', () => {
    const r = recording(name);
    for (const chunk of r.chunks) {
      expect(chunk.probeErrors, chunk.file).toBe('');
      expect(chunk.decodeErrors, chunk.file).toBe('');
      expect(chunk.video, chunk.file).toHaveLength(1);
      expect(chunk.audio, chunk.file).toHaveLength(1);
      const [video] = chunk.video;
      const [audio] = chunk.audio;
      expect(video?.codec_name).toBe(r.sourceVideo.codec_name);
      expect(video?.profile).toBe(r.sourceVideo.profile);
      expect(video?.codec_tag_string).toBe(r.source.videoCodec === 'hevc' ? 'hvc1' : 'avc1');
      expect(audio?.codec_name).toBe('aac');
      expect(audio?.profile).toBe('LC');
      expect(audio?.codec_tag_string).toBe('mp4a');
      expect(seconds(audio?.sample_rate)).toBe(sampleRate);
      expect(audio?.channels).toBe(1);
    }
  });

  it('gives every chunk as much sound as picture, to within one AAC frame at each end', () => {
    for (const chunk of recording(name).chunks) {
      const [video] = chunk.video;
      const [audio] = chunk.audio;
      if (!video || !audio) throw new Error(`${chunk.file}: a track is missing`);
      const slack = aacFrameSeconds(audio) + 0.01;
      const videoStart = seconds(video.start_time);
      const audioStart = seconds(audio.start_time);
      expect(Math.abs(audioStart - videoStart), `${chunk.file} start`).toBeLessThanOrEqual(slack);
      const videoEnd = videoStart + seconds(video.duration);
      const audioEnd = audioStart + seconds(audio.duration);
      expect(Math.abs(audioEnd - videoEnd), `${chunk.file} end`).toBeLessThanOrEqual(slack);
    }
  });

  it('keeps sound and picture in sync in every chunk: each flash has its beep', () => {
    for (const chunk of recording(name).chunks) {
      expect(chunk.flashes.length, chunk.file).toBeGreaterThanOrEqual(1);
      for (const flash of chunk.flashes) {
        const nearest = Math.min(...chunk.beeps.map((beep) => Math.abs(beep - flash)));
        // Half a frame: measured to the 0.1 ms in practice.
        expect(nearest, `${chunk.file} flash at ${flash} s`).toBeLessThanOrEqual(0.03);
      }
    }
  });
});

describe('chunks of a camera without sound, recorded before its sound is known', () => {
  it('records the picture alone: the audio map is optional', () => {
    const r = recording('silent');
    expect(r.audio).toBe('aac');
    expect(r.chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of r.chunks) {
      expect(chunk.probeErrors, chunk.file).toBe('');
      expect(chunk.decodeErrors, chunk.file).toBe('');
      expect(chunk.video, chunk.file).toHaveLength(1);
      expect(chunk.audio, chunk.file).toHaveLength(0);
    }
  });
});

describe('the chunk timeline with sound', () => {
  // `-avoid_negative_ts make_zero` puts the first packet of either stream at 0. Without
  // sound that is the first keyframe; with sound it can be sound from before it (a reader
  // joining a camera mid-GOP gets up to a GOP of it; a conversion adds its encoder's
  // 1024-sample priming). The segment list's times count from there too, so whoever turns
  // them into stream times must allow for it (segment-list.ts assumes the first keyframe).
  it('starts at the first sound when the sound comes before the first keyframe', () => {
    const r = recording('sound-first');
    const [first] = r.chunks;
    const video = first?.video[0];
    const audio = first?.audio[0];
    expect(seconds(audio?.start_time)).toBeCloseTo(0, 1);
    expect(seconds(video?.start_time)).toBeGreaterThan(0.9);
    expect(seconds(video?.start_time)).toBeLessThan(1.1);
  });

  it("starts a converted recording one AAC frame before the picture (the encoder's priming)", () => {
    const [first] = recording('pcma').chunks;
    expect(seconds(first?.video[0]?.start_time)).toBeCloseTo(1024 / 8000, 2);
  });
});
