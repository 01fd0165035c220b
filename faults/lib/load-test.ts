/** N clients for a while against /thumbnail, /thumbnailGroup and the JPEGs, while the feed-handler writes. */
import type { FaultStack } from './harness.js';
import { sleep } from './harness.js';
import { startTraffic, summariseTraffic, type TrafficSummary } from './traffic.js';

export async function runLoadTest(ctx: FaultStack, clients: number, seconds: number): Promise<TrafficSummary> {
  const started = performance.now();
  const traffic = startTraffic({
    baseUrl: ctx.stack.urls.backend,
    apiToken: ctx.apiToken,
    workers: clients,
    cameras: ctx.stack.cameras,
    fromMs: ctx.startedAtMs,
  });
  await sleep(seconds * 1000);
  const records = await traffic.stop();
  return summariseTraffic(records, (performance.now() - started) / 1000);
}
