/**
 * The timelapse's ffmpeg invocation (pure): the concat list of stills and the arguments.
 *
 * The stills are read by the concat demuxer straight from the footage volume, in the order
 * of the list, one output frame per still: `setpts=N/(fps*TB)` renumbers the frames and
 * `-r fps` keeps that rate, so nothing is duplicated or dropped whatever the gaps between
 * capture times. The burned-in time travels with each still as `file_packet_metadata`, which
 * the decoder copies into the frame's metadata, where drawtext's `%{metadata:…}` reads it.
 */

export const TIME_METADATA_KEY = 'fathom_time';

export interface ListedStill {
  /** Absolute path of the JPEG. */
  path: string;
  /** The text to draw on it, or undefined for none. */
  label?: string | undefined;
}

/** ffconcat quoting: inside '…' nothing is special except the quote itself, written '\''. */
function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

export function concatList(stills: readonly ListedStill[]): string {
  const lines = ['ffconcat version 1.0'];
  for (const still of stills) {
    lines.push(`file ${quote(still.path)}`);
    if (still.label !== undefined) lines.push(`file_packet_metadata ${quote(`${TIME_METADATA_KEY}=${still.label}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Output height for a width, keeping the stills' aspect ratio, even (4:2:0 needs it). */
export function outputHeight(width: number, still: { width: number; height: number } | undefined): number {
  if (!still || still.width <= 0 || still.height <= 0) return evenAtLeast2(Math.round((width * 9) / 16));
  return evenAtLeast2(Math.round((width * still.height) / still.width));
}

const evenAtLeast2 = (value: number) => Math.max(2, value - (value % 2));

/** A font for drawtext: a file when we know one exists, else a fontconfig family. */
export type BurnInFont = { file: string } | { family: string };

/**
 * The JPEG decoder's `-lowres` factor: decode at 1/2, 1/4 or 1/8 size when the output is at most
 * that wide, which skips most of the decoding work (a 640 px still for a 320 px timelapse: ~20 %
 * less CPU per still, measured). 0 when the still's width is unknown.
 */
export function lowresFor(stillWidth: number | undefined, outputWidth: number): 0 | 1 | 2 | 3 {
  if (!stillWidth) return 0;
  for (const factor of [3, 2, 1] as const) if (stillWidth / 2 ** factor >= outputWidth) return factor;
  return 0;
}

export interface TimelapseArgsInput {
  /** Decode the stills at 1/2^lowres of their size (see lowresFor). */
  lowres?: number;
  listPath: string;
  outputPath: string;
  fps: number;
  width: number;
  height: number;
  /** Draw each still's label; undefined for no burn-in. */
  font?: BurnInFont | undefined;
}

/** Filtergraph option values: ':' , '\' and quotes are special inside filter arguments. */
function filterValue(value: string): string {
  return value.replace(/[\\:']/g, (c) => `\\${c}`);
}

export function timelapseFilter(input: Pick<TimelapseArgsInput, 'fps' | 'width' | 'height' | 'font'>): string {
  const { width, height, fps, font } = input;
  // Letterbox instead of stretch: a camera whose resolution changed mid-range keeps its shape.
  const filters = [
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
    'format=yuv420p',
  ];
  if (font) {
    const fontSize = Math.max(12, Math.round(width / 40));
    const fontOption = 'file' in font ? `fontfile=${filterValue(font.file)}` : `font=${filterValue(font.family)}`;
    filters.push(
      `drawtext=${[
        fontOption,
        // Quoted for the option parser, the ':' escaped for drawtext's own %{…} parser.
        `text='%{metadata\\:${TIME_METADATA_KEY}}'`,
        `fontsize=${fontSize}`,
        'fontcolor=white',
        'box=1',
        'boxcolor=black@0.6',
        `boxborderw=${Math.max(2, Math.round(fontSize / 4))}`,
        `x=${Math.round(fontSize / 2)}`,
        `y=${Math.round(fontSize / 2)}`,
      ].join(':')}`,
    );
  }
  filters.push(`setpts=N/(${fps}*TB)`);
  return filters.join(',');
}

/**
 * H.264 (High, yuv420p) in MP4 with the index at the front (`+faststart`), so a browser plays
 * it while it downloads. The output format is named because the working file ends in `.part`.
 */
export function timelapseArgs(input: TimelapseArgsInput): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-progress',
    'pipe:1',
    '-nostats',
    ...(input.lowres ? ['-lowres', String(input.lowres)] : []),
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    input.listPath,
    '-vf',
    timelapseFilter(input),
    '-r',
    String(input.fps),
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    input.outputPath,
  ];
}

/**
 * The command that runs ffmpeg at low priority: `ionice -c 3 -t` (idle I/O, ignored where not
 * allowed) and `nice -n <n>` (CPU), each only when the tool exists, so ingest keeps the machine.
 */
export function lowPriorityCommand(
  ffmpeg: string,
  args: string[],
  tools: { nice?: string | undefined; ionice?: string | undefined; niceness: number },
): { command: string; args: string[] } {
  let command = ffmpeg;
  let full = args;
  if (tools.niceness > 0 && tools.nice) {
    full = ['-n', String(tools.niceness), command, ...full];
    command = tools.nice;
  }
  if (tools.ionice) {
    full = ['-c', '3', '-t', command, ...full];
    command = tools.ionice;
  }
  return { command, args: full };
}
