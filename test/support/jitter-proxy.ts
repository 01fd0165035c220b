/**
 * A jitter proxy in front of an RTSP server, for tests (issue #17: "A Wi-Fi camera's link"; this
 * kernel has no netem). It listens on 127.0.0.1:<free port>; a client points its rtsp:// URL at
 * it instead of the server.
 *
 * - **RTSP connection (TCP, and RTP interleaved in it).** Client → server passes straight through
 *   (only a SETUP asking for UDP is rewritten, below). Server → client: every chunk read from the
 *   server is held for `meanMs ± spreadMs` (uniform, seeded) and delivered in order: a chunk never
 *   overtakes the one before it, so its delay is max(its own deadline, the previous delivery).
 *   That is what a TCP connection over a jittery link looks like to the receiver: late, never
 *   reordered. The seed fixes the sequence of holds; which chunk gets which depends on how the
 *   server's writes fall into reads, so two runs are alike, not identical (over UDP, one packet
 *   one draw, they repeat more closely).
 * - **RTP over UDP.** The client's SETUP carries `Transport: RTP/AVP;unicast;client_port=a-b`.
 *   The proxy binds two UDP sockets of its own (c, c+1), tells the server `client_port=c-(c+1)`
 *   instead, and relays what the server sends there to the client's a and b: RTP and RTCP each
 *   held like the TCP chunks (in order), and `rtpLossRate` of the RTP packets (not RTCP) dropped,
 *   seeded. The SETUP reply's `client_port` is rewritten back to a-b, so the client sees its own
 *   ports (ffmpeg 5.1 does not check them; another client might).
 *   The reply's `server_port` is left alone: the client's packets to the server (ffmpeg's NAT
 *   punch packets and RTCP receiver reports) go straight to the server's ports. Both ends are on
 *   127.0.0.1 here, so that path exists; it carries no media, only reports and keepalives, so
 *   holding it would change nothing the test measures, and the server sees them from the
 *   client's own ports, as it would without the proxy (GStreamer kept the sessions up).
 *   The client accepts RTP from any source address (ffmpeg filters only with
 *   `-rtsp_flags filter_src`), so relayed packets coming from the proxy's ports are taken.
 * - **URLs.** Nothing is rewritten in DESCRIBE's SDP or Content-Base: GStreamer's rtsp-server
 *   builds Content-Base from the request URL the client sent (the proxy's host:port) and its SDP
 *   names the stream relatively (`a=control:stream=0`, `c=IN IP4 0.0.0.0`), so ffmpeg sends SETUP
 *   and PLAY to the proxy's URL on the same connection. A server that writes its own host:port
 *   there would need rewriting; ffmpeg would then SETUP that URL on the same connection anyway. `control()` keeps each request and reply's first line
 *   and Transport/Content-Base headers, so a test can show that.
 * - **Counters.** `stats()`: connections, chunks and bytes held on the RTSP connections, RTP/RTCP
 *   packets relayed and dropped, and the delays actually applied (from read to write, so event-loop
 *   lateness is included).
 *
 * Pure parts (exported and unit-tested in jitter-proxy.spec.ts): the seeded RNG, the in-order hold
 * schedule, the RTSP stream splitter (interleaved `$` frames vs message heads and bodies), the
 * Transport `client_port` rewriting and the delay summary.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { percentile } from '../../scripts/lib/percentile.js';

// ---------------------------------------------------------------------------------------------
// Pure parts
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, uniform in [0, 1). The same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface HoldSpec {
  /** Mean hold (ms). */
  meanMs: number;
  /** Holds are uniform in meanMs ± spreadMs. */
  spreadMs: number;
}

/**
 * The schedule of one direction of a link that delays but never reorders: an item arriving at
 * `nowMs` draws a hold uniform in mean ± spread and is due at max(now + hold, previous due).
 */
export class InOrderHold {
  private lastDueMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly random: () => number,
    private readonly spec: HoldSpec,
  ) {
    if (spec.spreadMs < 0 || spec.meanMs - spec.spreadMs < 0) throw new RangeError('holds must not be negative');
  }

  next(nowMs: number): { dueMs: number; holdMs: number } {
    const holdMs = this.spec.meanMs - this.spec.spreadMs + 2 * this.spec.spreadMs * this.random();
    const dueMs = Math.max(nowMs + holdMs, this.lastDueMs);
    this.lastDueMs = dueMs;
    return { dueMs, holdMs };
  }
}

/** A message head (start line, headers and the blank line) found in an RTSP byte stream. */
export interface RtspHead {
  head: string;
}

/** What the splitter hands on: bytes to pass as they are, or a message head to look at first. */
export type RtspSegment = Buffer | RtspHead;

/** A head longer than this is not RTSP: the splitter passes everything through from there on. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Splits one direction of an RTSP connection into pass-through bytes and message heads, so a head
 * can be rewritten without buffering media. Interleaved frames (`$`, channel, 16-bit length,
 * payload) and message bodies (Content-Length) are passed on as they arrive, split wherever the
 * chunks split them; only an incomplete frame header or message head waits for the next chunk.
 */
export class RtspSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of an interleaved payload or a message body still to pass through. */
  private passLeft = 0;
  private gaveUp = false;

  push(chunk: Buffer): RtspSegment[] {
    if (this.gaveUp) return chunk.length > 0 ? [chunk] : [];
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: RtspSegment[] = [];
    let at = 0;
    while (at < data.length) {
      if (this.passLeft > 0) {
        const n = Math.min(this.passLeft, data.length - at);
        out.push(data.subarray(at, at + n));
        at += n;
        this.passLeft -= n;
        continue;
      }
      if (data[at] === 0x24) {
        if (data.length - at < 4) break;
        out.push(data.subarray(at, at + 4));
        this.passLeft = data.readUInt16BE(at + 2);
        at += 4;
        continue;
      }
      const end = data.indexOf('\r\n\r\n', at, 'latin1');
      if (end < 0) {
        if (data.length - at > MAX_HEAD_BYTES) {
          this.gaveUp = true;
          out.push(data.subarray(at));
          at = data.length;
        }
        break;
      }
      const head = data.toString('latin1', at, end + 4);
      out.push({ head });
      this.passLeft = contentLength(head);
      at = end + 4;
    }
    this.pending = Buffer.from(data.subarray(at));
    return mergeBuffers(out);
  }
}

/** Adjacent byte segments joined, so a chunk becomes as few writes as it can. */
function mergeBuffers(segments: RtspSegment[]): RtspSegment[] {
  const out: RtspSegment[] = [];
  let run: Buffer[] = [];
  for (const segment of segments) {
    if (Buffer.isBuffer(segment)) {
      run.push(segment);
      continue;
    }
    if (run.length > 0) out.push(Buffer.concat(run));
    run = [];
    out.push(segment);
  }
  if (run.length > 0) out.push(Buffer.concat(run));
  return out;
}

/** Content-Length of a message head (0 when absent). */
export function contentLength(head: string): number {
  const match = /^content-length:[ \t]*(\d+)[ \t]*$/im.exec(head);
  return match ? Number(match[1]) : 0;
}

/** The value of a header of a message head (first occurrence), or null. */
export function headerValue(head: string, name: string): string | null {
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) {
      return line.slice(colon + 1).trim();
    }
  }
  return null;
}

/** The request method of a head (`SETUP`, …), or null for a reply. */
export function requestMethod(head: string): string | null {
  const line = head.replace(/^(\r\n)+/, '').split('\r\n', 1)[0] ?? '';
  if (line.startsWith('RTSP/')) return null;
  const method = line.split(' ', 1)[0];
  return method ? method.toUpperCase() : null;
}

export interface PortPair {
  rtp: number;
  rtcp: number;
}

/** The UDP `client_port=a-b` pairs a head's Transport header asks for (none for RTP/AVP/TCP). */
export function udpClientPorts(head: string): PortPair[] {
  const transport = headerValue(head, 'transport');
  if (transport === null) return [];
  const pairs: PortPair[] = [];
  for (const spec of transport.split(',')) {
    if (/^[^;]*\/TCP(;|$)/i.test(spec.trim())) continue;
    const match = /(?:^|;)\s*client_port=(\d+)(?:-(\d+))?/i.exec(spec);
    if (!match) continue;
    const rtp = Number(match[1]);
    pairs.push({ rtp, rtcp: match[2] === undefined ? rtp + 1 : Number(match[2]) });
  }
  return pairs;
}

/**
 * A head with the `client_port` of its Transport header rewritten by `map` (a pair it returns
 * null for stays). Only the Transport header is touched; every other byte stays the same.
 */
export function rewriteClientPorts(head: string, map: (pair: PortPair) => PortPair | null): string {
  return head.replace(/^(transport:[^\r\n]*)$/gim, (line) =>
    line.replace(/(^|[;:\s])client_port=(\d+)(?:-(\d+))?/gi, (whole, lead: string, rtp: string, rtcp?: string) => {
      const from = { rtp: Number(rtp), rtcp: rtcp === undefined ? Number(rtp) + 1 : Number(rtcp) };
      const to = map(from);
      return to ? `${lead}client_port=${to.rtp}-${to.rtcp}` : whole;
    }),
  );
}

export interface DelaySummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank summary of delays (ms, rounded to 0.1); NaN figures when there are none. */
export function summarizeDelays(delays: readonly number[]): DelaySummary {
  const sorted = [...delays].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((sum, d) => sum + d, 0) / sorted.length;
  return {
    count: sorted.length,
    minMs: round(sorted[0] ?? Number.NaN),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    meanMs: round(mean),
  };
}

// ---------------------------------------------------------------------------------------------
// The proxy
// ---------------------------------------------------------------------------------------------

export interface JitterProxyOptions {
  /** Default 40 ms. */
  meanMs?: number;
  /** Default 30 ms: holds uniform in 10..70 ms. */
  spreadMs?: number;
  /** Share of RTP packets over UDP dropped (RTCP never), default 0.01. */
  rtpLossRate?: number;
  /** Seed of every random draw (each connection and UDP relay derives its own), default 17. */
  seed?: number;
}

export interface JitterStats {
  /** RTSP connections accepted. */
  connections: number;
  /** Server → client on the RTSP connections (control, and RTP/RTCP when interleaved). */
  tcp: { chunks: number; bytes: number; delay: DelaySummary };
  /** RTP/RTCP over UDP, per SETUP that asked for it. */
  udp: {
    relays: number;
    rtpReceived: number;
    rtpRelayed: number;
    rtpDropped: number;
    rtcpRelayed: number;
    /** Packets that reached the proxy's UDP ports from the client itself (not expected): not relayed. */
    fromClient: number;
    delay: DelaySummary;
  };
}

export interface JitterProxy {
  port: number;
  /** rtsp://127.0.0.1:PORT/<path> */
  url(path: string): string;
  stats(): JitterStats;
  /** RTSP control seen, in order: `>` client → server, `<` server → client; first line plus Transport/Content-Base. */
  control(): string[];
  close(): Promise<void>;
}

/** Delivers items in order, each at its due time (one timer for the head of the queue). */
class DelayLine<T> {
  private readonly queue: { dueMs: number; receivedMs: number; item: T }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly hold: InOrderHold,
    private readonly deliver: (item: T, delayMs: number) => void,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    const receivedMs = performance.now();
    this.queue.push({ dueMs: this.hold.next(receivedMs).dueMs, receivedMs, item });
    if (this.timer === null) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head || this.closed) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, head.dueMs - performance.now()));
  }

  private flush(): void {
    this.timer = null;
    // Timers fire on the loop's millisecond clock, up to ~1 ms before a fractional due time:
    // never deliver more than that early, and never out of order (the queue is in order).
    for (let head = this.queue[0]; head && head.dueMs <= performance.now() + 1; head = this.queue[0]) {
      this.queue.shift();
      this.deliver(head.item, performance.now() - head.receivedMs);
      if (this.closed) return;
    }
    this.arm();
  }
}

function bindUdp(port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, '127.0.0.1', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** Two UDP sockets on consecutive ports, RTP on the even one (what RTSP servers expect). */
async function bindPortPair(): Promise<{ rtp: UdpSocket; rtcp: UdpSocket }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const rtp = await bindUdp(0);
    const port = rtp.address().port;
    if (port % 2 === 0 && port < 65_535) {
      try {
        return { rtp, rtcp: await bindUdp(port + 1) };
      } catch {
        // taken: try another pair
      }
    }
    rtp.close();
  }
  throw new Error('jitter proxy: no free pair of consecutive UDP ports');
}

/**
 * Starts a jitter proxy in front of the RTSP server at target (its RTSP port), on 127.0.0.1 and a
 * free port. `close()` stops listening and ends every connection and UDP relay.
 */
export async function startJitterProxy(
  target: { host: string; port: number },
  options: JitterProxyOptions = {},
): Promise<JitterProxy> {
  const spec: HoldSpec = { meanMs: options.meanMs ?? 40, spreadMs: options.spreadMs ?? 30 };
  const lossRate = options.rtpLossRate ?? 0.01;
  const seed = options.seed ?? 17;
  const tcpDelays: number[] = [];
  const udpDelays: number[] = [];
  const counters = {
    connections: 0,
    chunks: 0,
    bytes: 0,
    relays: 0,
    rtpReceived: 0,
    rtpRelayed: 0,
    rtpDropped: 0,
    rtcpRelayed: 0,
    fromClient: 0,
  };
  const control: string[] = [];
  const sockets = new Set<Socket>();
  const lines = new Set<{ close(): void }>();
  const udpSockets = new Set<UdpSocket>();

  const note = (direction: '>' | '<', head: string) => {
    const first = head.replace(/^(\r\n)+/, '').split('\r\n', 1)[0] ?? '';
    const extra = ['transport', 'content-base']
      .map((name) => [name, headerValue(head, name)] as const)
      .filter(([, value]) => value !== null)
      .map(([name, value]) => ` | ${name}: ${value}`)
      .join('');
    if (control.length < 500) control.push(`${direction} ${first}${extra}`);
  };

  /** A relay for one SETUP over UDP: our ports c, c+1 stand in for the client's a, b. */
  const startRelay = async (client: PortPair, clientHost: string, relayIndex: number): Promise<PortPair> => {
    const { rtp, rtcp } = await bindPortPair();
    udpSockets.add(rtp);
    udpSockets.add(rtcp);
    counters.relays++;
    const loss = seededRandom(seed * 7_919 + 1_000 + relayIndex * 2);
    const rtpLine = new DelayLine<Buffer>(
      new InOrderHold(seededRandom(seed * 7_919 + 1_001 + relayIndex * 2), spec),
      (packet, delayMs) => {
        udpDelays.push(delayMs);
        counters.rtpRelayed++;
        rtp.send(packet, client.rtp, clientHost);
      },
    );
    const rtcpLine = new DelayLine<Buffer>(
      new InOrderHold(seededRandom(seed * 7_919 + 5_001 + relayIndex * 2), spec),
      (packet) => {
        counters.rtcpRelayed++;
        rtcp.send(packet, client.rtcp, clientHost);
      },
    );
    lines.add(rtpLine);
    lines.add(rtcpLine);
    const fromClient = (port: number, host: string) =>
      host === clientHost && (port === client.rtp || port === client.rtcp);
    rtp.on('message', (packet, from) => {
      if (fromClient(from.port, from.address)) {
        counters.fromClient++;
        return;
      }
      counters.rtpReceived++;
      if (loss() < lossRate) counters.rtpDropped++;
      else rtpLine.push(packet);
    });
    rtcp.on('message', (packet, from) => {
      if (fromClient(from.port, from.address)) {
        counters.fromClient++;
        return;
      }
      rtcpLine.push(packet);
    });
    rtp.on('error', () => undefined);
    rtcp.on('error', () => undefined);
    return { rtp: rtp.address().port, rtcp: rtcp.address().port };
  };

  const onConnection = (client: Socket) => {
    const connectionIndex = counters.connections++;
    sockets.add(client);
    client.setNoDelay(true);
    const upstream = connect({ host: target.host, port: target.port });
    sockets.add(upstream);
    upstream.setNoDelay(true);
    const clientHost = client.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    /** Our UDP pair (by RTP port) → the client's pair, for rewriting the SETUP reply back. */
    const relayed = new Map<number, PortPair>();

    // Server → client: held, in order; SETUP replies get the client's own ports back.
    const toClient = new DelayLine<Buffer | null>(
      new InOrderHold(seededRandom(seed * 7_919 + connectionIndex), spec),
      (chunk, delayMs) => {
        if (chunk === null) {
          client.end();
          return;
        }
        tcpDelays.push(delayMs);
        counters.chunks++;
        counters.bytes += chunk.length;
        if (!client.destroyed) client.write(chunk);
      },
    );
    lines.add(toClient);
    const fromServer = new RtspSplitter();
    upstream.on('data', (chunk: Buffer) => {
      const parts = fromServer.push(chunk).map((segment) => {
        if (Buffer.isBuffer(segment)) return segment;
        note('<', segment.head);
        const head = rewriteClientPorts(segment.head, (pair) => relayed.get(pair.rtp) ?? null);
        if (head !== segment.head) note('<', `(proxy) ${head}`);
        return Buffer.from(head, 'latin1');
      });
      const out = Buffer.concat(parts);
      if (out.length > 0) toClient.push(out);
    });
    upstream.on('end', () => toClient.push(null));

    // Client → server: straight through, in order; a SETUP asking for UDP gets our ports.
    const fromClient = new RtspSplitter();
    let chain: Promise<void> = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const segments = fromClient.push(chunk);
      chain = chain.then(async () => {
        for (const segment of segments) {
          if (Buffer.isBuffer(segment)) {
            upstream.write(segment);
            continue;
          }
          note('>', segment.head);
          let head = segment.head;
          if (requestMethod(head) === 'SETUP') {
            const mapping = new Map<number, PortPair>();
            for (const pair of udpClientPorts(head)) {
              if (!mapping.has(pair.rtp)) {
                const ours = await startRelay(pair, clientHost, counters.relays);
                mapping.set(pair.rtp, ours);
                relayed.set(ours.rtp, pair);
              }
            }
            head = rewriteClientPorts(head, (pair) => mapping.get(pair.rtp) ?? null);
            if (mapping.size > 0) note('>', `(proxy) ${head}`);
          }
          upstream.write(Buffer.from(head, 'latin1'));
        }
      });
      chain.catch(() => client.destroy());
    });
    client.on('end', () => {
      chain.then(() => upstream.end()).catch(() => undefined);
    });
    const closeBoth = () => {
      toClient.close();
      lines.delete(toClient);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', () => {
      // Let what the server sent last still reach the client (toClient ends it), unless it is gone.
      sockets.delete(upstream);
      if (client.destroyed) closeBoth();
    });
    client.on('error', () => closeBoth());
    upstream.on('error', () => closeBoth());
  };

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('jitter proxy: no address');
  const port = address.port;

  return {
    port,
    url: (path) => `rtsp://127.0.0.1:${port}/${path.replace(/^\//, '')}`,
    control: () => [...control],
    stats: () => ({
      connections: counters.connections,
      tcp: { chunks: counters.chunks, bytes: counters.bytes, delay: summarizeDelays(tcpDelays) },
      udp: {
        relays: counters.relays,
        rtpReceived: counters.rtpReceived,
        rtpRelayed: counters.rtpRelayed,
        rtpDropped: counters.rtpDropped,
        rtcpRelayed: counters.rtcpRelayed,
        fromClient: counters.fromClient,
        delay: summarizeDelays(udpDelays),
      },
    }),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      for (const line of lines) line.close();
      lines.clear();
      for (const socket of udpSockets) socket.close();
      udpSockets.clear();
    },
  };
}
