import { describe, expect, it } from 'vitest';
import {
  InputDescriptionParser,
  isInputDescriptionLine,
  parseInputDescription,
  parseStreamLine,
} from './stream-info.js';

/*
 * Verbatim stderr of Debian's ffmpeg 5.1.9 (-hide_banner -loglevel info). The RTSP ones read
 * MediaMTX v1.20.1 fed by ffmpeg publishers (test/support/camera-profiles.ts style: libx264
 * or libx265 at 640x360, 10 fps, with a lavfi sine as AAC, pcm_alaw, pcm_mulaw or Opus).
 */
const lines = (text: string) => text.split('\n');

const RTSP_AAC = lines(`Input #0, rtsp, from 'rtsp://127.0.0.1:18554/aac':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 40 tbr, 90k tbn
  Stream #0:1: Audio: aac (LC), 16000 Hz, mono, fltp
[segment @ 0x557b9d760e80] Opening 'pipe:2' for writing`);

const RTSP_PCMA = lines(`Input #0, rtsp, from 'rtsp://127.0.0.1:18554/pcma':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
  Stream #0:1: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s
Stream mapping:
  Stream #0:0 -> #0:0 (copy)
  Stream #0:1 -> #0:1 (pcm_alaw (native) -> aac (native))`);

const RTSP_PCMU = lines(`Input #0, rtsp, from 'rtsp://127.0.0.1:18554/pcmu':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
  Stream #0:1: Audio: pcm_mulaw, 8000 Hz, mono, s16, 64 kb/s
Stream mapping:`);

const RTSP_HEVC = lines(`Input #0, rtsp, from 'rtsp://127.0.0.1:18554/hevc':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: hevc (Main), yuv420p(tv), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
  Stream #0:1: Audio: aac (LC), 16000 Hz, mono, fltp
Stream mapping:
  Stream #0:0 -> #0:0 (hevc (native) -> wrapped_avframe (native))
Press [q] to stop, [?] for help
[hevc @ 0x55567acc33c0] Could not find ref with POC 111`);

const RTSP_NO_AUDIO = lines(`[h264 @ 0x55ff52ff6680] co located POCs unavailable
Input #0, rtsp, from 'rtsp://127.0.0.1:18554/noaudio':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.500000, bitrate: N/A
  Stream #0:0: Video: h264 (High), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> wrapped_avframe (native))`);

const RTSP_OPUS = lines(`Input #0, rtsp, from 'rtsp://127.0.0.1:18554/opus':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: h264 (High), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
  Stream #0:1: Audio: opus, 48000 Hz, stereo, fltp
Stream mapping:`);

/** -analyzeduration 0 -probesize 32: the video's size and rate were never learnt. */
const RTSP_UNANALYSED =
  lines(`[rtsp @ 0x561f5b620980] Stream #0: not enough frames to estimate rate; consider increasing probesize
[rtsp @ 0x561f5b620980] Could not find codec parameters for stream 0 (Video: h264, none): unspecified size
Consider increasing the value for the 'analyzeduration' (0) and 'probesize' (32) options
Input #0, rtsp, from 'rtsp://127.0.0.1:18554/pcma':
  Metadata:
    title           : No Name
  Duration: N/A, start: 0.079375, bitrate: 64 kb/s
  Stream #0:0: Video: h264, none, 90k tbr, 90k tbn
  Stream #0:1: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s
Stream mapping:`);

const MKV_PCMU = lines(`Guessed Channel Layout for Input Stream #0.1 : mono
Input #0, matroska,webm, from 'pcmu.mkv':
  Metadata:
    ENCODER         : Lavf59.27.100
  Duration: 00:00:12.00, start: 0.000000, bitrate: 481 kb/s
  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 1k tbn
    Metadata:
      ENCODER         : Lavc59.37.100 libx264
      DURATION        : 00:00:12.000000000
  Stream #0:1: Audio: pcm_mulaw ([7][0][0][0] / 0x0007), 8000 Hz, mono, s16, 64 kb/s
    Metadata:
      ENCODER         : Lavc59.37.100 pcm_mulaw
      DURATION        : 00:00:12.000000000
Stream mapping:`);

const MPEGTS = lines(`Input #0, mpegts, from 'ts.ts':
  Duration: 00:00:02.33, start: 1.569933, bitrate: 604 kb/s
  Program 1 
    Metadata:
      service_name    : Service01
      service_provider: FFmpeg
  Stream #0:0[0x100]: Video: h264 (Main) ([27][0][0][0] / 0x001B), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 90k tbn
  Stream #0:1[0x101](eng): Audio: mp2 ([4][0][0][0] / 0x0004), 16000 Hz, mono, s16p, 160 kb/s
Stream mapping:`);

/** One of our own chunks, read back: H.265 tagged hvc1, AAC, language and disposition. */
const MP4_CHUNK = lines(`Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'rt/hevc/c-000001.mp4':
  Metadata:
    major_brand     : isom
    minor_version   : 512
    compatible_brands: isomiso2mp41
    title           : No Name
    encoder         : Lavf59.27.100
  Duration: 00:00:02.00, start: 0.000000, bitrate: 623 kb/s
  Stream #0:0[0x1](und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), 640x360 [SAR 1:1 DAR 16:9], 563 kb/s, 10 fps, 10 tbr, 10240 tbn (default)
    Metadata:
      handler_name    : VideoHandler
      vendor_id       : [0][0][0][0]
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 16000 Hz, mono, fltp, 52 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
      vendor_id       : [0][0][0][0]
Stream mapping:`);

/** Two inputs; input #0 has a 5.1 AC-3 track before a G.711 one. */
const TWO_INPUTS = lines(`Guessed Channel Layout for Input Stream #0.2 : mono
Input #0, matroska,webm, from 'two.mkv':
  Metadata:
    ENCODER         : Lavf59.27.100
  Duration: 00:00:01.01, start: 0.000000, bitrate: 807 kb/s
  Stream #0:0: Video: h264 (High), yuv420p(progressive), 320x240 [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 1k tbn
    Metadata:
      ENCODER         : Lavc59.37.100 libx264
      DURATION        : 00:00:01.006000000
  Stream #0:1: Audio: ac3, 44100 Hz, 5.1(side), fltp, 448 kb/s (default)
    Metadata:
      ENCODER         : Lavc59.37.100 ac3
      DURATION        : 00:00:01.010000000
  Stream #0:2: Audio: pcm_alaw ([6][0][0][0] / 0x0006), 8000 Hz, mono, s16, 64 kb/s
    Metadata:
      ENCODER         : Lavc59.37.100 pcm_alaw
      DURATION        : 00:00:01.006000000
Input #1, matroska,webm, from 'aac.mkv':
  Metadata:
    ENCODER         : Lavf59.27.100
  Duration: 00:00:12.06, start: 0.000000, bitrate: 460 kb/s
  Stream #1:0: Video: h264 (Main), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 1k tbn
  Stream #1:1: Audio: aac (LC), 16000 Hz, mono, fltp
Stream mapping:`);

const H264_640 = { codec: 'h264', profile: 'Main', width: 640, height: 360, fps: 10, tbr: 10 };

describe('parseInputDescription', () => {
  it.each([
    // This camera's timestamps made ffmpeg guess 40 tbr for its 10 fps.
    ['AAC', RTSP_AAC, { ...H264_640, tbr: 40 }, { codec: 'aac', profile: 'LC', sampleRate: 16000, channels: 1 }],
    ['G.711 A-law', RTSP_PCMA, H264_640, { codec: 'pcm_alaw', sampleRate: 8000, channels: 1 }],
    ['G.711 µ-law', RTSP_PCMU, H264_640, { codec: 'pcm_mulaw', sampleRate: 8000, channels: 1 }],
    [
      'H.265',
      RTSP_HEVC,
      { ...H264_640, codec: 'hevc' },
      { codec: 'aac', profile: 'LC', sampleRate: 16000, channels: 1 },
    ],
    ['Opus', RTSP_OPUS, { ...H264_640, profile: 'High' }, { codec: 'opus', sampleRate: 48000, channels: 2 }],
  ])('reads an RTSP camera with %s sound', (_name, stderr, video, audio) => {
    expect(parseInputDescription(stderr)).toEqual({ video, audio });
  });

  it('reads a camera without sound as audio null', () => {
    expect(parseInputDescription(RTSP_NO_AUDIO)).toEqual({ video: { ...H264_640, profile: 'High' }, audio: null });
  });

  it('leaves out what ffmpeg could not tell', () => {
    expect(parseInputDescription(RTSP_UNANALYSED)).toEqual({
      // tbr is the stream's time base when nothing was analysed: no frame rate to go by (camera-supervisor.ts
      // takes fps first).
      video: { codec: 'h264', tbr: 90_000 },
      audio: { codec: 'pcm_alaw', sampleRate: 8000, channels: 1 },
    });
  });

  it('skips codec tags, per-stream metadata, programs, ids and languages', () => {
    expect(parseInputDescription(MKV_PCMU)?.audio).toEqual({ codec: 'pcm_mulaw', sampleRate: 8000, channels: 1 });
    expect(parseInputDescription(MPEGTS)).toEqual({
      video: H264_640,
      audio: { codec: 'mp2', sampleRate: 16000, channels: 1 },
    });
    expect(parseInputDescription(MP4_CHUNK)).toEqual({
      video: { ...H264_640, codec: 'hevc' },
      audio: { codec: 'aac', profile: 'LC', sampleRate: 16000, channels: 1 },
    });
  });

  it('describes the first audio stream of input #0 only', () => {
    expect(parseInputDescription(TWO_INPUTS)).toEqual({
      video: { codec: 'h264', profile: 'High', width: 320, height: 240, fps: 25, tbr: 25 },
      audio: { codec: 'ac3', sampleRate: 44100, channels: 6 },
    });
  });

  it('takes the lowest index when programs print the streams out of order', () => {
    const stderr = [
      "Input #0, mpegts, from 'x.ts':",
      '  Program 2 ',
      '  Stream #0:3[0x201]: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s',
      '  Program 1 ',
      '  Stream #0:0[0x100]: Video: h264 (Main), yuv420p(progressive), 640x360, 10 fps, 10 tbr, 90k tbn',
      '  Stream #0:1[0x101]: Audio: aac (LC), 16000 Hz, mono, fltp',
      'Stream mapping:',
    ];
    expect(parseInputDescription(stderr)?.audio?.codec).toBe('aac');
  });

  it('also reads a whole stderr text, and says null when there is no input description', () => {
    expect(parseInputDescription(RTSP_PCMA.join('\r\n'))?.audio?.codec).toBe('pcm_alaw');
    expect(parseInputDescription(['[rtsp @ 0x55] method DESCRIBE failed: 404 Not Found'])).toBeNull();
  });
});

describe('InputDescriptionParser', () => {
  it('yields once, at the first line that is not part of the description', () => {
    const parser = new InputDescriptionParser();
    const yielded = RTSP_PCMA.map((line) => parser.push(line));
    // Nothing until "Stream mapping:" (index 6); the mapping's own lines yield nothing again.
    expect(yielded.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(yielded[6]?.audio?.codec).toBe('pcm_alaw');
    expect(yielded.slice(7)).toEqual([null, null]);
    expect(parser.done).toBe(true);
    expect(parser.end()).toBeNull();
  });

  it('ends at an av_log line too, e.g. the segment muxer opening its list', () => {
    const parser = new InputDescriptionParser();
    const yielded = RTSP_AAC.map((line) => parser.push(line)).filter((info) => info !== null);
    expect(yielded).toEqual([
      { video: { ...H264_640, tbr: 40 }, audio: { codec: 'aac', profile: 'LC', sampleRate: 16000, channels: 1 } },
    ]);
  });

  it('ignores blank lines inside the description', () => {
    const parser = new InputDescriptionParser();
    const withBlanks = RTSP_PCMA.flatMap((line) => [line, '']);
    const yielded = withBlanks.map((line) => parser.push(line)).filter((info) => info !== null);
    expect(yielded).toHaveLength(1);
    expect(yielded[0]?.video?.codec).toBe('h264');
  });

  it('hands over a description that nothing followed when stderr ends', () => {
    const parser = new InputDescriptionParser();
    for (const line of RTSP_PCMU.slice(0, 6)) expect(parser.push(line)).toBeNull();
    expect(parser.done).toBe(false);
    expect(parser.end()?.audio?.codec).toBe('pcm_mulaw');
    expect(parser.end()).toBeNull();
  });

  it('gives null at the end when no input was described', () => {
    const parser = new InputDescriptionParser();
    parser.push('[rtsp @ 0x561f5b620980] method DESCRIBE failed: 401 Unauthorized');
    expect(parser.end()).toBeNull();
  });
});

describe('parseStreamLine', () => {
  it('reads the debug-level form with frame count and time base', () => {
    expect(
      parseStreamLine(
        '  Stream #0:0[0x100], 22, 1/90000: Video: h264 (Main), 1 reference frame ([27][0][0][0] / 0x001B), yuv420p(progressive, left), 640x360 (640x368) [SAR 1:1 DAR 16:9], 0/1, 10 fps, 10 tbr, 90k tbn',
      ),
    ).toEqual({ file: 0, index: 0, type: 'video', video: H264_640 });
  });

  it('counts channels of layouts ffmpeg names', () => {
    const channels = (layout: string) => {
      const parsed = parseStreamLine(`  Stream #0:1: Audio: aac (LC), 48000 Hz, ${layout}, fltp`);
      return parsed?.type === 'audio' ? parsed.audio.channels : 'not audio';
    };
    expect(channels('mono')).toBe(1);
    expect(channels('stereo')).toBe(2);
    expect(channels('5.1(side)')).toBe(6);
    expect(channels('7.1(wide-side)')).toBe(8);
    expect(channels('quad')).toBe(4);
    expect(channels('3 channels')).toBe(3);
    expect(channels('2 channels (FL+LFE)')).toBe(2);
    expect(channels('constructor')).toBeUndefined();
  });

  it('reads a fractional and a thousands frame rate', () => {
    const fps = (field: string) => {
      const parsed = parseStreamLine(`  Stream #0:0: Video: h264 (High), yuv420p, 1920x1080, ${field}, 90k tbn`);
      return parsed?.type === 'video' ? parsed.video.fps : 'not video';
    };
    expect(fps('29.97 fps')).toBe(29.97);
    expect(fps('1k fps')).toBe(1000);
  });

  it('tells other streams apart and refuses the mapping lines', () => {
    expect(parseStreamLine('  Stream #0:2: Data: none')).toEqual({ file: 0, index: 2, type: 'other' });
    expect(parseStreamLine('  Stream #0:1 -> #0:1 (pcm_alaw (native) -> aac (native))')).toBeNull();
  });
});

describe('isInputDescriptionLine', () => {
  it('takes every line of the input descriptions', () => {
    // Each sample without what surrounds its description ("Stream mapping:", warnings before it).
    const description = [
      ...RTSP_PCMA.slice(0, 6),
      ...MKV_PCMU.slice(1, -1),
      ...MPEGTS.slice(0, -1),
      ...MP4_CHUNK.slice(0, -1),
      ...TWO_INPUTS.slice(1, -1),
    ];
    for (const line of description) expect(isInputDescriptionLine(line), line).toBe(true);
  });

  it('leaves the mapping, av_log lines, warnings and errors alone', () => {
    const others = [
      'Stream mapping:',
      '  Stream #0:0 -> #0:0 (copy)',
      '  Stream #0:1 -> #0:1 (pcm_alaw (native) -> aac (native))',
      'Press [q] to stop, [?] for help',
      "[segment @ 0x557b9d760e80] Opening 'pipe:2' for writing",
      'Guessed Channel Layout for Input Stream #0.1 : mono',
      '[hevc @ 0x55567acc33c0] Could not find ref with POC 111',
      "Consider increasing the value for the 'analyzeduration' (0) and 'probesize' (32) options",
      '    Last message repeated 3 times',
      'c-000001.mp4,2.297852,4.297852',
      '',
    ];
    for (const line of others) expect(isInputDescriptionLine(line), line).toBe(false);
  });
});
