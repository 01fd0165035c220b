import { describe, expect, it } from 'vitest';
import {
  parseInputStreams,
  planRestream,
  probeArgs,
  publishUrl,
  type RestreamInput,
  restreamArgs,
  SILENT_AUDIO,
} from './restream-args.js';

const rtsp: RestreamInput = { kind: 'rtsp', url: 'rtsp://u:p@cam/1', socketTimeoutSeconds: 10 };
const out = 'rtmp://a.rtmp.youtube.com/live2/KEY';

/** The value after each occurrence of a flag. */
const after = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('restream ffmpeg arguments', () => {
  it('joins the server URL and the key', () => {
    expect(publishUrl({ url: 'rtmp://a.rtmp.youtube.com/live2', key: 'k-1' })).toBe(
      'rtmp://a.rtmp.youtube.com/live2/k-1',
    );
    expect(publishUrl({ url: 'rtmp://h/app/', key: 'k' })).toBe('rtmp://h/app/k');
  });

  it('probes the input alone, over TCP with the socket timeout in microseconds', () => {
    expect(probeArgs(rtsp)).toEqual([
      '-hide_banner',
      '-nostdin',
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '10000000',
      '-thread_queue_size',
      '512',
      '-i',
      'rtsp://u:p@cam/1',
    ]);
    expect(probeArgs({ kind: 'file', path: '/tmp/a.mp4' })).toEqual([
      '-hide_banner',
      '-nostdin',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      '/tmp/a.mp4',
    ]);
  });

  it("reads a UDP camera over UDP, with the capture's UDP options", () => {
    const udp = probeArgs({ ...rtsp, transport: 'udp' });
    expect(udp.slice(2, 6)).toEqual(['-rtsp_transport', 'udp', '-timeout', '10000000']);
    expect(after(udp, '-buffer_size')).toEqual(['2097152']);
    expect(udp.indexOf('-buffer_size')).toBeLessThan(udp.indexOf('-i'));
    expect(
      after(
        restreamArgs({
          input: { ...rtsp, transport: 'udp' },
          plan: { audio: 'silent' },
          outputUrl: out,
          audioBitrateKbps: 128,
        }),
        '-rtsp_transport',
      ),
    ).toEqual(['udp']);
  });

  it('copies video and the camera AAC into FLV, with progress on stdout', () => {
    const args = restreamArgs({ input: rtsp, plan: { audio: 'copy' }, outputUrl: out, audioBitrateKbps: 128 });
    expect(after(args, '-i')).toEqual(['rtsp://u:p@cam/1']);
    expect(after(args, '-map')).toEqual(['0:v:0', '0:a:0']);
    expect(after(args, '-c:v')).toEqual(['copy']);
    expect(after(args, '-c:a')).toEqual(['copy']);
    expect(after(args, '-progress')).toEqual(['pipe:1']);
    expect(after(args, '-f')).toEqual(['flv']);
    expect(args.at(-1)).toBe(out);
    expect(args).toContain('-nostats');
    expect(args).not.toContain('-shortest');
    expect(args).not.toContain('-nostdin'); // "q" on stdin is the polite stop
  });

  it('adds a silent stereo AAC track, mapped as the only audio, when the camera has none', () => {
    const args = restreamArgs({ input: rtsp, plan: { audio: 'silent' }, outputUrl: out, audioBitrateKbps: 128 });
    expect(after(args, '-i')).toEqual(['rtsp://u:p@cam/1', SILENT_AUDIO]);
    expect(after(args, '-f')).toEqual(['lavfi', 'flv']);
    expect(after(args, '-map')).toEqual(['0:v:0', '1:a:0']);
    expect(after(args, '-c:v')).toEqual(['copy']);
    expect(after(args, '-c:a')).toEqual(['aac']);
    expect(after(args, '-b:a')).toEqual(['128k']);
    expect(args).not.toContain('-shortest');
    // Input options come before their -i.
    expect(args.indexOf('-rtsp_transport')).toBeLessThan(args.indexOf('-i'));
  });

  it('encodes another camera audio codec to AAC at 44.1 kHz', () => {
    const args = restreamArgs({ input: rtsp, plan: { audio: 'encode' }, outputUrl: out, audioBitrateKbps: 96 });
    expect(after(args, '-map')).toEqual(['0:v:0', '0:a:0']);
    expect(after(args, '-c:a')).toEqual(['aac']);
    expect(after(args, '-ar')).toEqual(['44100']);
    expect(after(args, '-b:a')).toEqual(['96k']);
  });

  it('reads a file input in real time, looped', () => {
    const args = restreamArgs({
      input: { kind: 'file', path: '/t/a.mp4' },
      plan: { audio: 'copy' },
      outputUrl: out,
      audioBitrateKbps: 128,
    });
    expect(args.slice(args.indexOf('-re'), args.indexOf('-re') + 5)).toEqual([
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      '/t/a.mp4',
    ]);
  });
});

describe('probe output and plan', () => {
  const probe = (streams: string[]) => [
    "Input #0, rtsp, from 'rtsp://***@cam/1':",
    '  Duration: N/A, start: 0.066667, bitrate: N/A',
    ...streams,
    'At least one output file must be specified',
  ];

  it('finds the first video and audio codecs', () => {
    expect(
      parseInputStreams(
        probe([
          '  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 640x360, 15 fps, 90k tbn',
          '  Stream #0:1: Audio: aac (LC), 48000 Hz, stereo, fltp',
        ]),
      ),
    ).toEqual({ video: 'h264', audio: 'aac' });
    expect(
      parseInputStreams(
        probe([
          '  Stream #0:0[0x1](und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p, 1920x1080',
          '  Stream #0:1(und): Audio: pcm_mulaw, 8000 Hz, mono, s16, 64 kb/s',
        ]),
      ),
    ).toEqual({ video: 'hevc', audio: 'pcm_mulaw' });
    expect(parseInputStreams(probe(['  Stream #0:0: Video: h264, yuv420p']))).toEqual({ video: 'h264', audio: null });
  });

  it('says null when ffmpeg never opened the input', () => {
    expect(parseInputStreams(['rtsp://***@cam/1: Connection refused'])).toBeNull();
  });

  it('copies AAC, encodes other audio, adds silence without audio, refuses what RTMP cannot carry', () => {
    expect(planRestream({ video: 'h264', audio: 'aac' })).toEqual({ ok: true, plan: { audio: 'copy' } });
    expect(planRestream({ video: 'h264', audio: 'pcm_alaw' })).toEqual({ ok: true, plan: { audio: 'encode' } });
    expect(planRestream({ video: 'h264', audio: null })).toEqual({ ok: true, plan: { audio: 'silent' } });
    expect(planRestream({ video: 'hevc', audio: 'aac' })).toEqual({
      ok: false,
      reason: 'camera video is hevc; RTMP carries H.264 only',
    });
    expect(planRestream({ video: null, audio: 'aac' })).toEqual({ ok: false, reason: 'camera stream has no video' });
  });
});
