/**
 * Why a recorded chunk does not play in this browser, and what to tell the
 * person: pure. Inputs are what the page can observe: the <video> element's
 * MediaError (or that it loaded without a picture: Chromium plays the sound of
 * an H.265 + AAC file and leaves the picture black, with no error), what the
 * first bytes of the file say about its codecs (./chunk-probe.ts), and whether
 * the browser says it can play a codec (HTMLMediaElement.canPlayType).
 */
import type { Mp4Codecs } from './mp4-codecs';

/** MediaError codes (HTML): 1 aborted, 2 network, 3 decode, 4 source not supported. */
export const MEDIA_ERR_ABORTED = 1;
export const MEDIA_ERR_NETWORK = 2;
export const MEDIA_ERR_DECODE = 3;
export const MEDIA_ERR_SRC_NOT_SUPPORTED = 4;

export type PlaybackFailure =
  /** The element's `error`: its code, and the browser's own words (may be empty). */
  | { kind: 'media-error'; code: number; message: string }
  /** Metadata loaded but the picture has no size: the video track is not decoded (only sound, if any, plays). */
  | { kind: 'no-picture' };

/** What reading the start of the file found out. */
export type ChunkProbe =
  | { state: 'checking' }
  | { state: 'read'; codecs: Mp4Codecs }
  /** The API answered this status instead of the file. */
  | { state: 'http'; status: number }
  /** No answer, or no body. */
  | { state: 'unreadable' };

/** Does this browser say it can play `type` (a MIME type with codecs)? */
export type CanPlay = (type: string) => boolean;

export type UnplayableReason =
  | 'checking' // the file is being read
  | 'codec' // its video codec is one this browser cannot play
  | 'damaged' // the codec is playable, yet it did not play
  | 'unknown-format' // the codec could not be read from the file
  | 'network' // loading broke off
  | 'gone' // the API no longer has the file (404/410)
  | 'refused' // the API refused it (401/403)
  | 'server'; // any other status

export interface UnplayableExplanation {
  reason: UnplayableReason;
  title: string;
  detail: string;
  /** Offer the file for download (a player such as VLC or mpv may play it). */
  download: boolean;
  /** The video codec's name, when known: "H.265 (HEVC)". */
  videoCodec: string | null;
  /** The sound codec's name, when known: "AAC". */
  audioCodec: string | null;
}

interface VideoCodec {
  name: string;
  /** A typical stream of the codec, as a MIME type for canPlayType. */
  type: string;
}

const HEVC_TYPE = 'video/mp4; codecs="hvc1.1.6.L93.B0"';

/** MP4 sample entry types of video codecs a camera or encoder may write. */
const VIDEO_CODECS: Record<string, VideoCodec> = {
  avc1: { name: 'H.264 (AVC)', type: 'video/mp4; codecs="avc1.4D401F"' },
  avc3: { name: 'H.264 (AVC)', type: 'video/mp4; codecs="avc3.4D401F"' },
  hvc1: { name: 'H.265 (HEVC)', type: HEVC_TYPE },
  hev1: { name: 'H.265 (HEVC)', type: 'video/mp4; codecs="hev1.1.6.L93.B0"' },
  av01: { name: 'AV1', type: 'video/mp4; codecs="av01.0.05M.08"' },
  vp09: { name: 'VP9', type: 'video/mp4; codecs="vp09.00.10.08"' },
  mp4v: { name: 'MPEG-4 Part 2', type: 'video/mp4; codecs="mp4v.20.9"' },
};

const AUDIO_CODECS: Record<string, string> = {
  mp4a: 'AAC',
  alaw: 'G.711 A-law',
  ulaw: 'G.711 µ-law',
  Opus: 'Opus',
  fLaC: 'FLAC',
  'ac-3': 'AC-3',
  '.mp3': 'MP3',
};

const PLAYERS = 'Download the clip to watch it in a player that can (VLC, mpv).';

/** A sample entry type as a person reads it: "H.265 (HEVC)", or the type itself when unknown. */
export function videoCodecName(entry: string): string {
  return VIDEO_CODECS[entry]?.name ?? `"${entry.trim()}"`;
}

export function audioCodecName(entry: string): string {
  return AUDIO_CODECS[entry] ?? `"${entry.trim()}"`;
}

/** The element's error as a failure; null for none, and for an abort (the page changed the source). */
export function mediaFailure(error: { code: number; message?: string } | null): PlaybackFailure | null {
  if (!error || error.code === MEDIA_ERR_ABORTED) return null;
  return { kind: 'media-error', code: error.code, message: error.message ?? '' };
}

/** After loadedmetadata: a video with no picture size means its picture will not be decoded. */
export function pictureFailure(video: { videoWidth: number; videoHeight: number }): PlaybackFailure | null {
  return video.videoWidth === 0 && video.videoHeight === 0 ? { kind: 'no-picture' } : null;
}

export function explainUnplayable(
  failure: PlaybackFailure,
  probe: ChunkProbe,
  canPlay: CanPlay,
): UnplayableExplanation {
  const codecs = probe.state === 'read' ? probe.codecs : { video: null, audio: null };
  const known = {
    videoCodec: codecs.video === null ? null : videoCodecName(codecs.video),
    audioCodec: codecs.audio === null ? null : audioCodecName(codecs.audio),
  };
  const soundOnly = failure.kind === 'no-picture' && codecs.audio !== null ? ' Here only its sound would play.' : '';

  if (probe.state === 'http') {
    const { status } = probe;
    if (status === 404 || status === 410) {
      return {
        reason: 'gone',
        title: 'This recording is no longer on the server.',
        detail: 'Retention may have deleted it since the clip was opened.',
        download: false,
        ...known,
      };
    }
    if (status === 401 || status === 403) {
      return {
        reason: 'refused',
        title: 'The API refused this recording.',
        detail: "Check the dashboard's API token (FATHOM_API_TOKEN).",
        download: false,
        ...known,
      };
    }
    return {
      reason: 'server',
      title: `The API answered ${status} for this recording.`,
      detail: 'Try again later; the API log says more.',
      download: false,
      ...known,
    };
  }
  if (failure.kind === 'media-error' && failure.code === MEDIA_ERR_NETWORK) {
    return {
      reason: 'network',
      title: 'The recording stopped loading.',
      detail: 'The connection to the API broke off. Reload the page, or download the clip.',
      download: true,
      ...known,
    };
  }
  if (codecs.video !== null) {
    const codec = VIDEO_CODECS[codecs.video];
    const name = videoCodecName(codecs.video);
    if (!codec || !canPlay(codec.type)) {
      return {
        reason: 'codec',
        title: `This camera records ${name}, which this browser cannot play.`,
        detail: `${PLAYERS}${soundOnly}`,
        download: true,
        ...known,
      };
    }
    return {
      reason: 'damaged',
      title: `This browser could not play this recording (${name}).`,
      detail: `The file may be damaged, or use a form of ${name} this browser does not decode. ${PLAYERS}`,
      download: true,
      ...known,
    };
  }
  if (probe.state === 'checking') {
    return {
      reason: 'checking',
      title: 'This browser cannot play this recording.',
      detail: 'Reading which video format it has…',
      download: true,
      ...known,
    };
  }
  const hint = canPlay(HEVC_TYPE) ? '' : ' This browser cannot play H.265 (HEVC), which many cameras record.';
  return {
    reason: 'unknown-format',
    title: 'This browser cannot play this recording.',
    detail: `Its video format could not be read.${hint} ${PLAYERS}${soundOnly}`,
    download: true,
    ...known,
  };
}

/** A file name for the download: camera and start time (UTC), e.g. "porch-2026-11-30T04-50-10Z.mp4". */
export function chunkDownloadName(chunk: { camera: string; startMs: number }): string {
  const stamp = new Date(chunk.startMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
  return `${chunk.camera}-${stamp}.mp4`;
}
