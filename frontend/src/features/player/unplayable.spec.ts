import { describe, expect, it } from 'vitest';
import {
  type CanPlay,
  type ChunkProbe,
  chunkDownloadName,
  explainUnplayable,
  MEDIA_ERR_ABORTED,
  MEDIA_ERR_DECODE,
  MEDIA_ERR_NETWORK,
  MEDIA_ERR_SRC_NOT_SUPPORTED,
  mediaFailure,
  type PlaybackFailure,
  pictureFailure,
} from './unplayable';

/** Chromium on Linux without a platform HEVC decoder: H.264 and friends yes, H.265 no. */
const chromiumLinux: CanPlay = (type) => !/hvc1|hev1/.test(type);
const everything: CanPlay = () => true;

const notSupported: PlaybackFailure = {
  kind: 'media-error',
  code: MEDIA_ERR_SRC_NOT_SUPPORTED,
  message: 'DEMUXER_ERROR_NO_SUPPORTED_STREAMS: FFmpegDemuxer: no supported streams',
};
const noPicture: PlaybackFailure = { kind: 'no-picture' };
const read = (video: string | null, audio: string | null = null): ChunkProbe => ({
  state: 'read',
  codecs: { video, audio },
});

describe('which failures count', () => {
  it('takes the element error, except an abort (the page replaced the source)', () => {
    expect(mediaFailure(null)).toBeNull();
    expect(mediaFailure({ code: MEDIA_ERR_ABORTED, message: '' })).toBeNull();
    expect(mediaFailure({ code: MEDIA_ERR_DECODE })).toEqual({ kind: 'media-error', code: 3, message: '' });
    expect(mediaFailure({ code: 4, message: 'Format error' })).toEqual({
      kind: 'media-error',
      code: 4,
      message: 'Format error',
    });
  });

  it('counts loaded metadata without a picture size (sound plays, the picture stays black)', () => {
    expect(pictureFailure({ videoWidth: 0, videoHeight: 0 })).toEqual({ kind: 'no-picture' });
    expect(pictureFailure({ videoWidth: 640, videoHeight: 360 })).toBeNull();
  });
});

describe('explainUnplayable', () => {
  it('names H.265 when the browser cannot play it, and offers the download', () => {
    for (const entry of ['hev1', 'hvc1']) {
      const why = explainUnplayable(notSupported, read(entry), chromiumLinux);
      expect(why).toMatchObject({
        reason: 'codec',
        title: 'This camera records H.265 (HEVC), which this browser cannot play.',
        detail: 'Download the clip to watch it in a player that can (VLC, mpv).',
        download: true,
        videoCodec: 'H.265 (HEVC)',
        audioCodec: null,
      });
    }
  });

  it('says the same for H.265 + AAC, which loads with sound but no picture, and that only the sound would play', () => {
    const why = explainUnplayable(noPicture, read('hev1', 'mp4a'), chromiumLinux);
    expect(why.reason).toBe('codec');
    expect(why.title).toBe('This camera records H.265 (HEVC), which this browser cannot play.');
    expect(why.detail).toContain('Here only its sound would play.');
    expect(why).toMatchObject({ videoCodec: 'H.265 (HEVC)', audioCodec: 'AAC', download: true });
  });

  it('calls a playable codec that failed damaged, not unsupported', () => {
    const decode: PlaybackFailure = { kind: 'media-error', code: MEDIA_ERR_DECODE, message: '' };
    const why = explainUnplayable(decode, read('avc1', 'mp4a'), chromiumLinux);
    expect(why.reason).toBe('damaged');
    expect(why.title).toBe('This browser could not play this recording (H.264 (AVC)).');
    expect(why.download).toBe(true);
    // A browser that decodes H.265 and still fails: the file, not the codec.
    expect(explainUnplayable(notSupported, read('hvc1'), everything).reason).toBe('damaged');
  });

  it('treats a codec it does not know as one the browser cannot play, by its four letters', () => {
    const why = explainUnplayable(notSupported, read('mjp2'), everything);
    expect(why.reason).toBe('codec');
    expect(why.title).toBe('This camera records "mjp2", which this browser cannot play.');
  });

  it('while the file is read, says it cannot play and offers the download already', () => {
    const why = explainUnplayable(notSupported, { state: 'checking' }, chromiumLinux);
    expect(why).toMatchObject({ reason: 'checking', download: true, videoCodec: null });
  });

  it('without a readable codec, says so, and mentions H.265 only where the browser cannot play it', () => {
    const unknown = explainUnplayable(notSupported, { state: 'unreadable' }, chromiumLinux);
    expect(unknown.reason).toBe('unknown-format');
    expect(unknown.title).toBe('This browser cannot play this recording.');
    expect(unknown.detail).toContain('This browser cannot play H.265 (HEVC)');
    expect(unknown.download).toBe(true);
    expect(explainUnplayable(notSupported, read(null), everything).detail).not.toContain('H.265');
  });

  it('tells a missing or refused file from an unplayable one (a 404 is "not supported" to <video> too)', () => {
    const format: PlaybackFailure = { kind: 'media-error', code: 4, message: 'MEDIA_ELEMENT_ERROR: Format error' };
    expect(explainUnplayable(format, { state: 'http', status: 404 }, chromiumLinux)).toMatchObject({
      reason: 'gone',
      title: 'This recording is no longer on the server.',
      download: false,
    });
    expect(explainUnplayable(format, { state: 'http', status: 401 }, chromiumLinux)).toMatchObject({
      reason: 'refused',
      download: false,
    });
    expect(explainUnplayable(format, { state: 'http', status: 503 }, chromiumLinux)).toMatchObject({
      reason: 'server',
      title: 'The API answered 503 for this recording.',
    });
  });

  it('says a network error is one, whatever the codec', () => {
    const network: PlaybackFailure = { kind: 'media-error', code: MEDIA_ERR_NETWORK, message: '' };
    expect(explainUnplayable(network, read('hev1'), chromiumLinux)).toMatchObject({
      reason: 'network',
      download: true,
    });
  });
});

describe('chunkDownloadName', () => {
  it('names the file by camera and UTC start, without characters file systems refuse', () => {
    expect(chunkDownloadName({ camera: 'porch', startMs: Date.UTC(2026, 10, 30, 4, 50, 10, 123) })).toBe(
      'porch-2026-11-30T04-50-10Z.mp4',
    );
  });
});
