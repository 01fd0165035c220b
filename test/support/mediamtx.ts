/**
 * A throwaway MediaMTX (github.com/bluenviron/mediamtx): an RTSP server independent of
 * ours (rtsp/server.py), that cameras' own encoders (here ffmpeg, see camera-profiles.ts)
 * publish to and the feed-handler reads from. The binary comes from
 * scripts/provide-mediamtx.sh (built once from the Go module, cached in ~/.cache/fathom).
 * Only the RTSP server runs, on 127.0.0.1: a TCP port and an even/odd pair of UDP ports
 * for RTP/RTCP; RTMP, HLS, WebRTC, SRT, MoQ, the API, metrics and playback are off.
 * Every path accepts publishing from anyone; reading is anonymous unless a path names
 * a reader (user and password), which RTSP then asks for with digest authentication.
 * The config is a YAML file in a temp dir; MediaMTX runs under die-with-parent (spawnBound).
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, spawnBound, stopChild, tailOf, waitFor } from '../../scripts/lib/process.js';

export const MEDIAMTX_VERSION = 'v1.20.1';

export interface MediaMtxPath {
  name: string;
  /** Readers must give these (digest auth); absent: anyone may read. */
  reader?: { user: string; pass: string };
}

export interface MediaMtxOptions {
  paths: MediaMtxPath[];
  /** Binary; default: scripts/provide-mediamtx.sh's (builds it on first use, about a minute). */
  bin?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export interface MediaMtxHandle {
  rtspPort: number;
  rtpPort: number;
  rtcpPort: number;
  /** rtsp://127.0.0.1:PORT/<path>, with user:pass@ when `withCredentials` and the path has a reader. */
  url(path: string, withCredentials?: boolean): string;
  /** Where publishers send (never needs credentials). */
  publishUrl(path: string): string;
  pid: number;
  /** The last 200 KB of MediaMTX's log. */
  output(): string;
  stop(): Promise<void>;
}

/** The cached MediaMTX binary's path; builds it when missing (scripts/provide-mediamtx.sh). */
export function provideMediaMtx(): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts', 'provide-mediamtx.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MEDIAMTX_VERSION },
  }).trim();
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** An even UDP port whose odd neighbour is free too (MediaMTX wants RTCP = RTP + 1). */
async function freeUdpPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const rtp = 20_000 + 2 * Math.floor(Math.random() * 15_000);
    if ((await udpPortFree(rtp)) && (await udpPortFree(rtp + 1))) return rtp;
  }
  throw new Error('no free pair of UDP ports for RTP/RTCP');
}

function yamlString(value: string): string {
  return JSON.stringify(value); // a JSON string is a valid YAML double-quoted scalar
}

export function mediaMtxConfig(options: {
  paths: MediaMtxPath[];
  rtspPort: number;
  rtpPort: number;
  logLevel: string;
}): string {
  const open = options.paths.filter((p) => !p.reader);
  const guarded = options.paths.filter((p) => p.reader);
  const readPermissions = (names: string[]) => names.map((n) => `      - action: read\n        path: ${yamlString(n)}`);
  const users = [
    // Anyone may publish anywhere, and read the paths that name no reader.
    ['  - user: any', '    pass:', '    ips: []', '    permissions:', '      - action: publish', '        path:']
      .concat(readPermissions(open.map((p) => p.name)))
      .join('\n'),
    ...guarded.map((p) =>
      [
        `  - user: ${yamlString(p.reader?.user ?? '')}`,
        `    pass: ${yamlString(p.reader?.pass ?? '')}`,
        '    ips: []',
        '    permissions:',
        ...readPermissions([p.name]),
      ].join('\n'),
    ),
  ];
  return `logLevel: ${options.logLevel}
logDestinations: [stdout]
readTimeout: 10s
writeTimeout: 10s
authMethod: internal
authInternalUsers:
${users.join('\n')}
api: false
metrics: false
pprof: false
playback: false
rtsp: true
rtspTransports: [udp, tcp]
rtspEncryption: "no"
rtspAddress: 127.0.0.1:${options.rtspPort}
rtpAddress: 127.0.0.1:${options.rtpPort}
rtcpAddress: 127.0.0.1:${options.rtpPort + 1}
rtspAuthMethods: [digest]
rtmp: false
hls: false
webrtc: false
srt: false
moq: false
pathDefaults:
  source: publisher
  overridePublisher: true
paths:
${options.paths.map((p) => `  ${yamlString(p.name)}: {}`).join('\n')}
`;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts MediaMTX on free ports; resolves once its RTSP port accepts connections (15 s at most). */
export async function startMediaMtx(options: MediaMtxOptions): Promise<MediaMtxHandle> {
  const bin = options.bin ?? provideMediaMtx();
  const dir = mkdtempSync(join(tmpdir(), 'fathom-mediamtx-'));
  const rtspPort = await freePort();
  const rtpPort = await freeUdpPair();
  const config = join(dir, 'mediamtx.yml');
  writeFileSync(
    config,
    mediaMtxConfig({ paths: options.paths, rtspPort, rtpPort, logLevel: options.logLevel ?? 'info' }),
  );
  const child = spawnBound(bin, [config], { cwd: dir });
  const output = tailOf(child, 200_000);
  try {
    await waitFor(
      `MediaMTX on 127.0.0.1:${rtspPort}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`MediaMTX exited: ${output()}`);
        return (await portAccepts(rtspPort)) ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  } catch (error) {
    await stopChild(child, 2_000);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${String(error)}\n${output()}`);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('MediaMTX has no pid');
  const byName = new Map(options.paths.map((p) => [p.name, p]));
  let stopping: Promise<void> | undefined;
  return {
    rtspPort,
    rtpPort,
    rtcpPort: rtpPort + 1,
    pid,
    output,
    url(path, withCredentials = true) {
      const reader = byName.get(path)?.reader;
      const auth =
        reader && withCredentials ? `${encodeURIComponent(reader.user)}:${encodeURIComponent(reader.pass)}@` : '';
      return `rtsp://${auth}127.0.0.1:${rtspPort}/${path}`;
    },
    publishUrl(path) {
      return `rtsp://127.0.0.1:${rtspPort}/${path}`;
    },
    stop() {
      stopping ??= stopChild(child, 5_000).then(() => rmSync(dir, { recursive: true, force: true }));
      return stopping;
    },
  };
}
