/**
 * Real JPEG stills for export tests, made by ffmpeg: each a flat grey of its own level,
 * so the order of frames in a video can be read back from their brightness.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The grey level of still i: consecutive stills differ by 53 levels (mod 220), far above codec noise. */
export const stillLevel = (i: number) => 16 + ((i * 53) % 220);

/**
 * Still i's mean grey as decoded to full-range grey, from the JPEG or from the video: geq paints
 * limited range (16 = black), the JPEG stores full range, and decoding the video expands it again.
 */
export const videoLevel = (i: number) => ((stillLevel(i) - 16) * 255) / 219;

export function makeStills(count: number, size = { width: 320, height: 180 }): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'fathom-stills-'));
  try {
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `nullsrc=s=${size.width}x${size.height}:r=1,geq=lum='16+mod(N*53\\,220)':cb=128:cr=128`,
      '-frames:v',
      String(count),
      '-q:v',
      '3',
      join(dir, '%05d.jpg'),
    ]);
    return readdirSync(dir)
      .sort()
      .map((name) => readFileSync(join(dir, name)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean brightness of every frame of a video (decoded to 16×9 grey). */
export function frameLevels(video: string): number[] {
  const raw = execFileSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-i', video, '-vf', 'scale=16:9,format=gray', '-f', 'rawvideo', '-'],
    { maxBuffer: 1 << 30 },
  );
  const levels: number[] = [];
  for (let offset = 0; offset + 144 <= raw.length; offset += 144) {
    let sum = 0;
    for (let i = offset; i < offset + 144; i++) sum += raw[i] as number;
    levels.push(sum / 144);
  }
  return levels;
}

/** ffprobe's view of a video's first stream: codec, size, frames counted by decoding, and the container's brand. */
export function probeVideo(video: string): {
  codec: string;
  width: number;
  height: number;
  frames: number;
  format: string;
} {
  const out = JSON.parse(
    execFileSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,width,height,nb_read_frames:format=format_name',
        '-of',
        'json',
        video,
      ],
      { encoding: 'utf8' },
    ),
  ) as {
    streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[];
    format: { format_name: string };
  };
  const stream = out.streams[0];
  if (!stream) throw new Error(`no video stream in ${video}`);
  return {
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
    frames: Number(stream.nb_read_frames),
    format: out.format.format_name,
  };
}

/** One frame of a video as grey pixels at its own size. */
export function frameGray(video: string, index: number, size: { width: number; height: number }): Buffer {
  return execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      video,
      '-vf',
      `select=eq(n\\,${index}),format=gray`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-',
    ],
    { maxBuffer: 1 << 26 },
  ).subarray(0, size.width * size.height);
}

/** Mean absolute difference of two grey frames of `width` pixels a row, over the rectangle given (default: all). */
export function meanAbsDiff(
  a: Buffer,
  b: Buffer,
  width: number,
  box: { x: number; y: number; w: number; h: number } = { x: 0, y: 0, w: width, h: Math.floor(a.length / width) },
): number {
  let sum = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++)
      sum += Math.abs((a[y * width + x] as number) - (b[y * width + x] as number));
  }
  return sum / (box.w * box.h);
}
