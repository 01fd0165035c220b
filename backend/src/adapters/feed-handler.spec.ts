import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/lib/process.js';
import type { Clock } from './clock.js';
import { createFeedHandlerClient } from './feed-handler.js';

const LIVE = {
  camera: 'porch',
  target: 'youtube',
  state: 'live',
  enabled: true,
  reason: null,
  since: '2026-11-25T15:00:00.000Z',
  uptimeSeconds: 754.6,
  bytesSent: 123_456,
  restarts: 1,
  retryAt: null,
  audio: 'silent',
};

interface FakeFeedHandler {
  url: string;
  requests: IncomingHttpHeaders[];
  /** What the next requests get: status and body, or a delay before answering. */
  answer: { status: number; body: string; delayMs?: number };
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function fakeFeedHandler(restreams: unknown[] = [LIVE]): Promise<FakeFeedHandler> {
  const fake: FakeFeedHandler = {
    url: '',
    requests: [],
    answer: { status: 200, body: JSON.stringify({ restreams }) },
    server: createServer((req, res) => {
      fake.requests.push(req.headers);
      const { status, body, delayMs } = fake.answer;
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs ?? 0);
    }),
  };
  servers.push(fake.server);
  fake.server.listen(0, '127.0.0.1');
  await once(fake.server, 'listening');
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

function manualClock(startMs = 1_795_618_800_000): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowNs: () => BigInt(nowMs) * 1_000_000n,
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

const silent = pino({ level: 'silent' });

describe('feed-handler adapter: restreams()', () => {
  it('copies only the status fields of each target, uptime in whole seconds, and sends the API token as Bearer', async () => {
    const fake = await fakeFeedHandler([{ ...LIVE, url: 'rtmp://a.example/live2/SECRET-KEY', key: 'SECRET-KEY' }]);
    const client = createFeedHandlerClient({
      url: fake.url,
      apiToken: 'token-0123456789abcdef',
      clock: manualClock(),
      logger: silent,
    });
    const reading = await client.restreams();
    expect(reading).toEqual({
      ok: true,
      restreams: [
        {
          camera: 'porch',
          target: 'youtube',
          state: 'live',
          reason: null,
          uptimeSeconds: 754,
          bytesSent: 123_456,
          restarts: 1,
        },
      ],
    });
    expect(JSON.stringify(reading)).not.toContain('SECRET-KEY');
    expect(fake.requests[0]?.authorization).toBe('Bearer token-0123456789abcdef');
  });

  it('sends no Authorization without a token', async () => {
    const fake = await fakeFeedHandler();
    await createFeedHandlerClient({ url: fake.url, clock: manualClock(), logger: silent }).restreams();
    expect(fake.requests[0]?.authorization).toBeUndefined();
  });

  it('answers from its cache for cacheMs, and concurrent callers share one request', async () => {
    const fake = await fakeFeedHandler();
    const clock = manualClock();
    const client = createFeedHandlerClient({ url: fake.url, clock, logger: silent, cacheMs: 2_000 });
    const [a, b, c] = await Promise.all([client.restreams(), client.restreams(), client.restreams()]);
    expect(fake.requests).toHaveLength(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
    clock.advance(1_999);
    await client.restreams();
    expect(fake.requests).toHaveLength(1);
    clock.advance(1);
    await client.restreams();
    expect(fake.requests).toHaveLength(2);
  });

  it('says unavailable, without throwing, when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const reading = await createFeedHandlerClient({ url, clock: manualClock(), logger: silent }).restreams();
    expect(reading).toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('says unavailable after timeoutMs when the feed-handler does not answer', async () => {
    const fake = await fakeFeedHandler();
    fake.answer = { ...fake.answer, delayMs: 2_000 };
    const client = createFeedHandlerClient({ url: fake.url, clock: manualClock(), logger: silent, timeoutMs: 200 });
    const startedAt = Date.now();
    const reading = await client.restreams();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(reading).toMatchObject({ ok: false, detail: expect.stringContaining('no answer within 200 ms') });
  });

  it('says unavailable for an error status or a body that is not the restream list', async () => {
    const fake = await fakeFeedHandler();
    const clock = manualClock();
    const client = createFeedHandlerClient({ url: fake.url, clock, logger: silent, cacheMs: 0 });
    fake.answer = { status: 503, body: '{"error":"internal"}' };
    expect(await client.restreams()).toMatchObject({ ok: false, detail: expect.stringContaining('answered 503') });
    fake.answer = { status: 200, body: '{"restreams":[{"camera":"porch","state":"melting"}]}' };
    expect(await client.restreams()).toMatchObject({ ok: false, detail: expect.stringContaining('unexpected body') });
    fake.answer = { status: 200, body: 'not json' };
    expect((await client.restreams()).ok).toBe(false);
    fake.answer = { status: 200, body: JSON.stringify({ restreams: [] }) };
    expect(await client.restreams()).toEqual({ ok: true, restreams: [] });
  });

  it('logs an outage once, and the recovery once', async () => {
    const fake = await fakeFeedHandler();
    const lines: { msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const client = createFeedHandlerClient({ url: fake.url, clock: manualClock(), logger, cacheMs: 0 });
    fake.answer = { status: 500, body: '' };
    await client.restreams();
    await client.restreams();
    fake.answer = { status: 200, body: JSON.stringify({ restreams: [] }) };
    await client.restreams();
    await client.restreams();
    expect(lines.map((l) => l.msg)).toEqual(['feed-handler unreachable', 'feed-handler reachable again']);
  });
});
