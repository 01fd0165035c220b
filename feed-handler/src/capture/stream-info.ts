/**
 * What the camera sends, read from ffmpeg's own description of its input on stderr
 * (av_dump_format, printed at the info level once the input is opened):
 *
 *   Input #0, rtsp, from 'rtsp://127.0.0.1:8554/cam':
 *     Metadata:
 *       title           : No Name
 *     Duration: N/A, start: 0.000000, bitrate: N/A
 *     Stream #0:0: Video: h264 (Main), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
 *     Stream #0:1: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s
 *   Stream mapping:
 *
 * So the running ffmpeg itself tells its supervisor the codecs, with no probe of its
 * own. Every line of the description but the first is indented; the first line that
 * is not ("Stream mapping:", "Output #0, ...", "[segment @ 0x...] Opening ...") ends it.
 * Only input #0 is read, and of it the first video and the first audio stream by
 * index: the streams `-map 0:v:0` and `-map 0:a:0` pick. Pure.
 */

export interface VideoStreamInfo {
  /** ffmpeg's codec name: h264, hevc, mjpeg, ... */
  codec: string;
  /**
   * The last name in parentheses after the codec, e.g. Main, High (ffmpeg prints the
   * decoder's name there too when it differs from the codec's, e.g. `av1 (libdav1d)`).
   */
  profile?: string;
  /** Absent when ffmpeg could not tell (`Video: h264, none, ...`: too little was analysed). */
  width?: number;
  height?: number;
  /** The average frame rate ffmpeg estimated (`10 fps`); absent when it printed none. */
  fps?: number;
  /** The frame rate ffmpeg guessed from the timestamps (`10 tbr`), which showinfo reports; absent when none. */
  tbr?: number;
}

export interface AudioStreamInfo {
  /** ffmpeg's codec name: aac, pcm_alaw, pcm_mulaw, opus, ... */
  codec: string;
  /** e.g. LC for AAC; see VideoStreamInfo.profile. */
  profile?: string;
  sampleRate?: number;
  channels?: number;
}

export interface StreamInfo {
  /** The first video stream of input #0; null when it has none. */
  video: VideoStreamInfo | null;
  /** The first audio stream of input #0; null when the camera sends no sound. */
  audio: AudioStreamInfo | null;
}

const INPUT_HEADER = /^Input #(\d+), .*:$/;
/*
 * "  Stream #0:1: Audio: ...", also with an id and a language ("Stream #0:1[0x101](eng): Audio:")
 * and, at the debug level, frame count and time base ("Stream #0:0, 24, 1/90000: Video:").
 */
const STREAM_LINE = /^\s+Stream #(\d+):(\d+)[^:]*: (Video|Audio|Subtitle|Data|Attachment): (.*)$/;

export type StreamLine =
  | { file: number; index: number; type: 'video'; video: VideoStreamInfo }
  | { file: number; index: number; type: 'audio'; audio: AudioStreamInfo }
  | { file: number; index: number; type: 'other' };

/** One "Stream #f:i: Type: ..." line of a stream dump; null for any other line. */
export function parseStreamLine(line: string): StreamLine | null {
  const m = STREAM_LINE.exec(line.trimEnd());
  if (!m) return null;
  const file = Number(m[1]);
  const index = Number(m[2]);
  const description = m[4] as string;
  if (m[3] === 'Video') return { file, index, type: 'video', video: parseVideo(description) };
  if (m[3] === 'Audio') return { file, index, type: 'audio', audio: parseAudio(description) };
  return { file, index, type: 'other' };
}

/** Splits at ", " outside parentheses and brackets: "yuv420p(tv, bt709, progressive)" is one field. */
function fields(description: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < description.length; i++) {
    const c = description[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      out.push(description.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(description.slice(start).trim());
  return out;
}

/** "h264 (Main) (avc1 / 0x31637661)" → codec h264, profile Main (the codec tag is not a name). */
function codecAndProfile(first: string): { codec: string; profile?: string } {
  const codec = /^[A-Za-z0-9_]+/.exec(first)?.[0] ?? first;
  const names = [...first.matchAll(/\(([^()]*)\)/g)]
    .map((g) => (g[1] as string).trim())
    .filter((name) => name !== '' && !/ \/ 0x[0-9A-Fa-f]+$/.test(name));
  const profile = names.at(-1);
  return profile === undefined ? { codec } : { codec, profile };
}

function parseVideo(description: string): VideoStreamInfo {
  const [first = '', ...rest] = fields(description);
  const info: VideoStreamInfo = codecAndProfile(first);
  for (const field of rest) {
    const size = /^(\d+)x(\d+)(?:\s|$)/.exec(field);
    if (size && info.width === undefined) {
      info.width = Number(size[1]);
      info.height = Number(size[2]);
      continue;
    }
    // print_fps: "10 fps", "29.97 fps", "1k fps".
    const rate = /^(\d+(?:\.\d+)?)(k?) (fps|tbr)$/.exec(field);
    if (rate) info[rate[3] as 'fps' | 'tbr'] = Number(rate[1]) * (rate[2] ? 1000 : 1);
  }
  return info;
}

/** Channel counts of the layout names ffmpeg prints that are not "X.Y" nor "N channels". */
const NAMED_LAYOUTS: Readonly<Record<string, number>> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  quad: 4,
  hexagonal: 6,
  octagonal: 8,
  hexadecagonal: 16,
};

function channelCount(field: string): number | undefined {
  const counted = /^(\d+) channels\b/.exec(field);
  if (counted) return Number(counted[1]);
  // "5.1", "5.1(side)", "7.1(wide-side)", "22.2": main channels plus LFE channels.
  const dotted = /^(\d+)\.(\d+)(?:\([\w-]+\))?$/.exec(field);
  if (dotted) return Number(dotted[1]) + Number(dotted[2]);
  const name = /^([a-z]+)(?:\([\w-]+\))?$/.exec(field)?.[1];
  return name !== undefined && Object.hasOwn(NAMED_LAYOUTS, name) ? NAMED_LAYOUTS[name] : undefined;
}

function parseAudio(description: string): AudioStreamInfo {
  const [first = '', ...rest] = fields(description);
  const info: AudioStreamInfo = codecAndProfile(first);
  for (const field of rest) {
    const rate = /^(\d+) Hz$/.exec(field);
    if (rate) {
      info.sampleRate = Number(rate[1]);
      continue;
    }
    const channels = channelCount(field);
    if (channels !== undefined && info.channels === undefined) info.channels = channels;
  }
  return info;
}

/*
 * Shapes of a stream dump's lines after the "Input #n"/"Output #n" line: the duration,
 * metadata ("  Metadata:" then "    key : value" one level deeper), programs, streams,
 * side data, chapters.
 */
const DUMP_LINE =
  /^(?:\s+(?:Duration: |Metadata:$|Program \d+|No Program$|Stream #\d+:\d+[^:]*: \w+: |Side data:$|Chapters?(?: #\d+:\d+:|:$))|\s{4,}\S[^:]*?\s*: )/;

/**
 * True for a line of ffmpeg's description of an input: the "Input #n, fmt, from '...':"
 * line and the indented lines below it (duration, metadata, programs, streams, side data).
 * It looks at one line only, so the same shapes in the description of an output are
 * taken too; neither is an error message, so both can stay out of a tail kept for errors.
 * "Stream mapping:" and its "  Stream #0:0 -> #0:0 (copy)" lines are not taken.
 */
export function isInputDescriptionLine(line: string): boolean {
  const text = line.trimEnd();
  return INPUT_HEADER.test(text) || DUMP_LINE.test(text);
}

/**
 * Reads stderr line by line and yields the StreamInfo of input #0 once its description
 * is complete. One parser per ffmpeg run: it reports once, and ignores everything
 * after (an "Input #0" of a later run needs a new parser).
 */
export class InputDescriptionParser {
  private state: 'before' | 'inside' | 'done' = 'before';
  private video: { index: number; info: VideoStreamInfo } | null = null;
  private audio: { index: number; info: AudioStreamInfo } | null = null;

  /** Whether the description has been reported (by push or end). */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Feeds one stderr line; returns the description the one time it becomes complete, else null. */
  push(line: string): StreamInfo | null {
    if (this.state === 'done') return null;
    const text = line.trimEnd();
    if (this.state === 'before') {
      if (INPUT_HEADER.exec(text)?.[1] === '0') this.state = 'inside';
      return null;
    }
    // ffmpeg prints no blank line in the dump; one that a line splitter made says nothing,
    // so it neither ends the description nor belongs to it.
    if (text === '') return null;
    if (!/^\s/.test(text)) return this.finish();
    const stream = parseStreamLine(text);
    if (stream?.file !== 0) return null;
    // Streams inside programs (MPEG-TS) are printed by program, not by index: keep the lowest index.
    if (stream.type === 'video' && (!this.video || stream.index < this.video.index)) {
      this.video = { index: stream.index, info: stream.video };
    } else if (stream.type === 'audio' && (!this.audio || stream.index < this.audio.index)) {
      this.audio = { index: stream.index, info: stream.audio };
    }
    return null;
  }

  /**
   * stderr ended (ffmpeg exited): the description when one was being read and never
   * closed by a following line, else null.
   */
  end(): StreamInfo | null {
    return this.state === 'inside' ? this.finish() : null;
  }

  private finish(): StreamInfo {
    this.state = 'done';
    return { video: this.video?.info ?? null, audio: this.audio?.info ?? null };
  }
}

/** The StreamInfo of input #0 in a whole stderr text or list of lines; null when it has none. */
export function parseInputDescription(stderr: string | readonly string[]): StreamInfo | null {
  const lines = typeof stderr === 'string' ? stderr.split(/\r\n|\r|\n/) : stderr;
  const parser = new InputDescriptionParser();
  for (const line of lines) {
    const info = parser.push(line);
    if (info) return info;
  }
  return parser.end();
}
