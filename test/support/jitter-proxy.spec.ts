import { createSocket } from 'node:dgram';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  contentLength,
  headerValue,
  InOrderHold,
  type RtspSegment,
  RtspSplitter,
  requestMethod,
  rewriteClientPorts,
  seededRandom,
  startJitterProxy,
  summarizeDelays,
  udpClientPorts,
} from './jitter-proxy.js';

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds, stays in [0, 1) and is roughly uniform', () => {
    const a = seededRandom(17);
    const b = seededRandom(17);
    const c = seededRandom(18);
    const first = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(first);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(first.slice(0, 10));
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThan(1);
    const mean = first.reduce((sum, x) => sum + x, 0) / first.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const tenths = new Array<number>(10).fill(0);
    for (const x of first) tenths[Math.floor(x * 10)] = (tenths[Math.floor(x * 10)] ?? 0) + 1;
    for (const count of tenths) expect(Math.abs(count - 1_000)).toBeLessThan(150);
  });
});

describe('InOrderHold', () => {
  it('draws holds uniform in mean ± spread', () => {
    const hold = new InOrderHold(seededRandom(1), { meanMs: 40, spreadMs: 30 });
    const holds = Array.from({ length: 5_000 }, (_, i) => hold.next(i * 1_000).holdMs);
    expect(Math.min(...holds)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...holds)).toBeLessThanOrEqual(70);
    expect(Math.min(...holds)).toBeLessThan(11);
    expect(Math.max(...holds)).toBeGreaterThan(69);
    const mean = holds.reduce((sum, h) => sum + h, 0) / holds.length;
    expect(Math.abs(mean - 40)).toBeLessThan(1);
  });

  it('is due at its own deadline when the previous item is already out', () => {
    const hold = new InOrderHold(() => 0.5, { meanMs: 40, spreadMs: 30 });
    expect(hold.next(0)).toEqual({ dueMs: 40, holdMs: 40 });
    expect(hold.next(100)).toEqual({ dueMs: 140, holdMs: 40 });
  });

  it('never lets an item overtake the one before: due = max(own deadline, previous due)', () => {
    const draws = [1, 0, 0.5]; // holds 70, 10, 40 ms
    const hold = new InOrderHold(() => draws.shift() ?? 0, { meanMs: 40, spreadMs: 30 });
    expect(hold.next(0).dueMs).toBe(70);
    // Its own deadline would be 15 ms: it waits for the first.
    expect(hold.next(5)).toEqual({ dueMs: 70, holdMs: 10 });
    expect(hold.next(50).dueMs).toBe(90);
  });

  it('keeps due times non-decreasing whatever the draws', () => {
    const hold = new InOrderHold(seededRandom(99), { meanMs: 40, spreadMs: 30 });
    let previous = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < 2_000; i++) {
      const now = i * 3;
      const { dueMs, holdMs } = hold.next(now);
      expect(dueMs).toBeGreaterThanOrEqual(previous);
      expect(dueMs).toBeGreaterThanOrEqual(now + holdMs);
      previous = dueMs;
    }
  });

  it('refuses negative holds', () => {
    expect(() => new InOrderHold(Math.random, { meanMs: 10, spreadMs: 20 })).toThrow(RangeError);
  });
});

const text = (segments: RtspSegment[]) =>
  segments.map((s) => (Buffer.isBuffer(s) ? `[${s.toString('latin1')}]` : `{${s.head}}`)).join('');

function interleaved(channel: number, payload: string): Buffer {
  const header = Buffer.from([0x24, channel, 0, 0]);
  header.writeUInt16BE(payload.length, 2);
  return Buffer.concat([header, Buffer.from(payload, 'latin1')]);
}

describe('RtspSplitter', () => {
  const reply = 'RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Length: 5\r\n\r\n';

  it('hands on heads, and passes bodies and interleaved frames through', () => {
    const splitter = new RtspSplitter();
    const stream = Buffer.concat([
      Buffer.from(`${reply}v=0\r\n`, 'latin1'),
      interleaved(0, 'RTP!'),
      interleaved(1, 'R'),
    ]);
    const segments = splitter.push(stream);
    expect(segments[0]).toEqual({ head: reply });
    expect(text(segments.slice(1))).toBe(`[v=0\r\n$\x00\x00\x04RTP!$\x01\x00\x01R]`);
  });

  it('gives the same bytes whatever the chunking, and waits only for incomplete heads', () => {
    const stream = Buffer.concat([
      interleaved(0, 'x'.repeat(300)),
      Buffer.from(`${reply}v=0\r\n`, 'latin1'),
      interleaved(1, '$$$$'), // a payload full of '$' is not a frame start
      Buffer.from('GET_PARAMETER rtsp://h/a RTSP/1.0\r\nCSeq: 4\r\n\r\n', 'latin1'),
      interleaved(0, 'tail'),
    ]);
    const whole = text(new RtspSplitter().push(stream));
    for (const size of [1, 2, 3, 7, 64]) {
      const splitter = new RtspSplitter();
      const out: RtspSegment[] = [];
      for (let at = 0; at < stream.length; at += size) out.push(...splitter.push(stream.subarray(at, at + size)));
      const bytes = Buffer.concat(out.map((s) => (Buffer.isBuffer(s) ? s : Buffer.from(s.head, 'latin1')))).toString(
        'latin1',
      );
      expect(bytes).toBe(stream.toString('latin1'));
      const heads = out.filter((s): s is { head: string } => !Buffer.isBuffer(s)).map((s) => s.head);
      expect(heads).toEqual([reply, 'GET_PARAMETER rtsp://h/a RTSP/1.0\r\nCSeq: 4\r\n\r\n']);
      if (size === 64) expect(out.length).toBeGreaterThan(3);
    }
    expect(whole).toContain(`{${reply}}`);
  });

  it('passes interleaved payload on as it arrives, not when the frame is whole', () => {
    const splitter = new RtspSplitter();
    const frame = interleaved(0, 'abcdefgh');
    expect(text(splitter.push(frame.subarray(0, 6)))).toBe('[$\x00\x00\x08ab]');
    expect(text(splitter.push(frame.subarray(6)))).toBe('[cdefgh]');
  });

  it('gives up parsing (passes everything) after 64 KiB without a head end', () => {
    const splitter = new RtspSplitter();
    const junk = Buffer.alloc(70 * 1024, 0x41);
    expect(Buffer.concat(splitter.push(junk) as Buffer[]).length).toBe(junk.length);
    expect(splitter.push(Buffer.from('RTSP/1.0 200 OK\r\n\r\n'))).toEqual([Buffer.from('RTSP/1.0 200 OK\r\n\r\n')]);
  });
});

describe('RTSP heads', () => {
  const setupUdp =
    'SETUP rtsp://127.0.0.1:8554/a/stream=0 RTSP/1.0\r\nTransport: RTP/AVP/UDP;unicast;client_port=23996-23997\r\nCSeq: 3\r\n\r\n';
  const setupTcp =
    'SETUP rtsp://127.0.0.1:8554/a/stream=0 RTSP/1.0\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nCSeq: 3\r\n\r\n';
  const setupReply =
    'RTSP/1.0 200 OK\r\nCSeq: 3\r\nTransport: RTP/AVP;unicast;client_port=35688-35689;server_port=34398-34399;ssrc=D0275508;mode="PLAY"\r\nSession: abc\r\n\r\n';

  it('reads methods, headers and Content-Length', () => {
    expect(requestMethod(setupUdp)).toBe('SETUP');
    expect(requestMethod(`\r\n${setupUdp}`)).toBe('SETUP');
    expect(requestMethod(setupReply)).toBeNull();
    expect(headerValue(setupReply, 'transport')).toMatch(/^RTP\/AVP;unicast;client_port=35688-35689/);
    expect(headerValue(setupReply, 'Content-Base')).toBeNull();
    expect(contentLength('DESCRIBE x RTSP/1.0\r\ncontent-length: 42\r\n\r\n')).toBe(42);
    expect(contentLength(setupUdp)).toBe(0);
  });

  it('finds the UDP client ports a SETUP asks for, none for interleaved TCP', () => {
    expect(udpClientPorts(setupUdp)).toEqual([{ rtp: 23996, rtcp: 23997 }]);
    expect(udpClientPorts(setupTcp)).toEqual([]);
    expect(udpClientPorts('SETUP x RTSP/1.0\r\nTransport: RTP/AVP;unicast;client_port=5000\r\n\r\n')).toEqual([
      { rtp: 5000, rtcp: 5001 },
    ]);
    expect(
      udpClientPorts(
        'SETUP x RTSP/1.0\r\nTransport: RTP/AVP/TCP;interleaved=0-1,RTP/AVP;unicast;client_port=6000-6001\r\n\r\n',
      ),
    ).toEqual([{ rtp: 6000, rtcp: 6001 }]);
  });

  it('rewrites client_port in the Transport header only, byte for byte elsewhere', () => {
    const out = rewriteClientPorts(setupUdp, (pair) => (pair.rtp === 23996 ? { rtp: 40000, rtcp: 40001 } : null));
    expect(out).toBe(setupUdp.replace('client_port=23996-23997', 'client_port=40000-40001'));
    const back = rewriteClientPorts(setupReply, (pair) => (pair.rtp === 35688 ? { rtp: 23996, rtcp: 23997 } : null));
    expect(back).toBe(setupReply.replace('client_port=35688-35689', 'client_port=23996-23997'));
    expect(back).toContain('server_port=34398-34399');
    expect(rewriteClientPorts(setupReply, () => null)).toBe(setupReply);
    expect(rewriteClientPorts(setupTcp, () => ({ rtp: 1, rtcp: 2 }))).toBe(setupTcp);
    // A client_port outside Transport (say in a body-less custom header) stays.
    const other = 'SETUP x RTSP/1.0\r\nX-Note: client_port=1-2\r\nTransport: RTP/AVP;client_port=3-4\r\n\r\n';
    expect(rewriteClientPorts(other, () => ({ rtp: 8, rtcp: 9 }))).toBe(
      'SETUP x RTSP/1.0\r\nX-Note: client_port=1-2\r\nTransport: RTP/AVP;client_port=8-9\r\n\r\n',
    );
  });
});

describe('summarizeDelays', () => {
  it('gives nearest-rank percentiles', () => {
    const delays = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeDelays(delays)).toEqual({
      count: 100,
      minMs: 1,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      maxMs: 100,
      meanMs: 50.5,
    });
    expect(summarizeDelays([]).count).toBe(0);
  });
});

describe('startJitterProxy (loopback)', () => {
  /** A stand-in RTSP server: hands each request head to `onRequest`, with the connection to answer on. */
  async function fakeServer(
    onRequest: (head: string, socket: Socket) => void,
  ): Promise<{ port: number; close(): void }> {
    const server = createServer((socket) => {
      const splitter = new RtspSplitter();
      socket.on('data', (chunk: Buffer) => {
        for (const segment of splitter.push(chunk)) if (!Buffer.isBuffer(segment)) onRequest(segment.head, socket);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, close: () => server.close() };
  }

  function readUntil(socket: Socket, done: (received: Buffer) => boolean): Promise<Buffer> {
    return new Promise((resolve) => {
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (done(received)) resolve(received);
      });
    });
  }

  it('holds server → client chunks 10..70 ms, in order and byte for byte; client → server passes', async () => {
    const frames = Array.from({ length: 40 }, (_, i) => interleaved(0, `packet ${i} `.padEnd(100, '.')));
    const server = await fakeServer((head, socket) => {
      socket.write(`RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n`);
      // Forty frames, a millisecond or so apart: each a chunk of its own, most of them.
      let i = 0;
      const timer = setInterval(() => {
        socket.write(frames[i++] as Buffer);
        if (i === frames.length) clearInterval(timer);
      }, 1);
      expect(head.startsWith('PLAY ')).toBe(true);
    });
    const proxy = await startJitterProxy({ host: '127.0.0.1', port: server.port }, { seed: 3 });
    try {
      const client = connect(proxy.port, '127.0.0.1');
      const expected = Buffer.concat([Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n'), ...frames]);
      const received = readUntil(client, (bytes) => bytes.length >= expected.length);
      client.write('PLAY rtsp://127.0.0.1/a RTSP/1.0\r\nCSeq: 1\r\n\r\n');
      expect((await received).equals(expected)).toBe(true);
      client.destroy();
      const { tcp } = proxy.stats();
      expect(tcp.bytes).toBe(expected.length);
      // Never earlier than the shortest hold (timers may fire up to 1 ms early).
      expect(tcp.delay.minMs).toBeGreaterThanOrEqual(9);
      expect(proxy.control()[0]).toBe('> PLAY rtsp://127.0.0.1/a RTSP/1.0');
    } finally {
      await proxy.close();
      server.close();
    }
  });

  it('over UDP: gives the server its own ports, relays RTP and RTCP to the client, drops RTP as told', async () => {
    const serverUdp = createSocket('udp4');
    await new Promise<void>((resolve) => serverUdp.bind(0, '127.0.0.1', resolve));
    const clientRtp = createSocket('udp4');
    const clientRtcp = createSocket('udp4');
    await new Promise<void>((resolve) => clientRtp.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => clientRtcp.bind(0, '127.0.0.1', resolve));
    const [a, b] = [clientRtp.address().port, clientRtcp.address().port];
    let toldServer: number[] = [];
    const server = await fakeServer((head, socket) => {
      const ports = udpClientPorts(head)[0] as { rtp: number; rtcp: number };
      toldServer = [ports.rtp, ports.rtcp];
      socket.write(
        `RTSP/1.0 200 OK\r\nCSeq: 2\r\nTransport: RTP/AVP;unicast;client_port=${ports.rtp}-${ports.rtcp};server_port=6970-6971\r\n\r\n`,
      );
      for (let i = 0; i < 200; i++) serverUdp.send(Buffer.from(`rtp ${i}`), ports.rtp, '127.0.0.1');
      serverUdp.send(Buffer.from('rtcp'), ports.rtcp, '127.0.0.1');
    });
    const proxy = await startJitterProxy({ host: '127.0.0.1', port: server.port }, { seed: 5, rtpLossRate: 0.5 });
    try {
      const client = connect(proxy.port, '127.0.0.1');
      const reply = readUntil(client, (bytes) => bytes.includes('\r\n\r\n'));
      const rtp: string[] = [];
      clientRtp.on('message', (packet) => rtp.push(packet.toString()));
      const rtcp = new Promise<string>((resolve) => clientRtcp.once('message', (packet) => resolve(packet.toString())));
      client.write(
        `SETUP rtsp://127.0.0.1/a/stream=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/UDP;unicast;client_port=${a}-${b}\r\n\r\n`,
      );
      const text = (await reply).toString();
      expect(toldServer).not.toEqual([a, b]);
      expect(toldServer[1]).toBe((toldServer[0] as number) + 1);
      expect(text).toContain(`client_port=${a}-${b};server_port=6970-6971`);
      expect(await rtcp).toBe('rtcp');
      await waitUntil(() => proxy.stats().udp.rtpRelayed + proxy.stats().udp.rtpDropped === 200);
      const { udp } = proxy.stats();
      expect(udp.relays).toBe(1);
      expect(udp.rtpDropped).toBeGreaterThan(70);
      expect(udp.rtpDropped).toBeLessThan(130);
      await waitUntil(() => rtp.length === udp.rtpRelayed);
      // In order: the numbers only go up.
      const numbers = rtp.map((p) => Number(p.split(' ')[1]));
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
      expect(udp.delay.minMs).toBeGreaterThanOrEqual(9);
      client.destroy();
    } finally {
      await proxy.close();
      server.close();
      for (const socket of [serverUdp, clientRtp, clientRtcp]) socket.close();
    }
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
