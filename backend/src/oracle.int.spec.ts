/**
 * Oracle: 10,000 random frames over several days (3 cameras, bursts at 1/s, random
 * singles, multi-hour gaps) in a real influxd, 1,000 random `ts`; every /thumbnail
 * answer must equal a brute-force arg-min over the same frames (tie: earlier frame).
 * Seeded, so a failure names the seed that reproduces it (ORACLE_SEED=<n>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/rng.js';
import { type Fixture, type FramePoint, startFixture } from '../test/influx-fixture.js';

const SEED = Number(process.env.ORACLE_SEED ?? Date.now() % 1_000_000);
const T0 = Date.UTC(2026, 10, 20); // 5 days of data from here
const DAY = 86_400_000;
const CAMERAS = ['north', 'south', 'west'];

function generateFrames(random: () => number): FramePoint[] {
  const int = (n: number) => Math.floor(random() * n);
  const seen = new Set<string>();
  const frames: FramePoint[] = [];
  const add = (camera: string, ms: number) => {
    const key = `${camera}@${ms}`; // one point per camera and ms, as InfluxDB would merge duplicates
    if (seen.has(key)) return;
    seen.add(key);
    frames.push({ camera, ms });
  };
  while (frames.length < 6_000) {
    // Bursts: a camera delivering 1/s (with up to ±40 ms jitter) for up to 5 minutes.
    const camera = CAMERAS[int(3)] as string;
    const start = T0 + int(5 * DAY);
    const length = 1 + int(300);
    for (let i = 0; i < length && frames.length < 6_000; i++) add(camera, start + i * 1000 + int(81) - 40);
  }
  while (frames.length < 10_000) add(CAMERAS[int(3)] as string, T0 + int(5 * DAY)); // singles anywhere
  return frames;
}

interface Answer {
  timeMs: number;
  distanceNs: bigint;
}

/** Brute force over every frame, in exact nanoseconds. */
function oracle(frames: FramePoint[], tNs: bigint, camera?: string, withinNs?: bigint): Answer | null {
  let best: Answer | null = null;
  for (const frame of frames) {
    if (camera && frame.camera !== camera) continue;
    const timeNs = BigInt(frame.ms) * 1_000_000n;
    const distanceNs = timeNs > tNs ? timeNs - tNs : tNs - timeNs;
    if (withinNs !== undefined && distanceNs > withinNs) continue;
    if (!best || distanceNs < best.distanceNs || (distanceNs === best.distanceNs && frame.ms < best.timeMs)) {
      best = { timeMs: frame.ms, distanceNs };
    }
  }
  return best;
}

/** `ts` as unix seconds with 9 fractional digits, from exact ns. */
const tsText = (tNs: bigint) => `${tNs / 1_000_000_000n}.${(tNs % 1_000_000_000n).toString().padStart(9, '0')}`;

let fx: Fixture;
let frames: FramePoint[];
const random = seededRandom(SEED);

beforeAll(async () => {
  fx = await startFixture();
  frames = generateFrames(random);
  await fx.writeFrames(frames);
});
afterAll(() => fx?.close());

interface Case {
  tNs: bigint;
  camera: string | undefined;
  withinNs: bigint | undefined;
}

function makeCases(count: number): Case[] {
  const sorted = [...frames].sort((a, b) => a.ms - b.ms);
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 4;
    const pick = sorted[Math.floor(random() * sorted.length)] as FramePoint;
    const next = sorted[Math.min(sorted.indexOf(pick) + 1, sorted.length - 1)] as FramePoint;
    let tNs: bigint;
    if (kind === 0)
      tNs = BigInt(pick.ms) * 1_000_000n; // exact hits
    else if (kind === 1)
      tNs = BigInt(pick.ms + next.ms) * 500_000n; // midpoints: ties
    else tNs = BigInt(T0 - DAY + Math.floor(random() * 7 * DAY)) * 1_000_000n + BigInt(Math.floor(random() * 1e6)); // anywhere, sub-ms
    const camera = random() < 0.5 ? (CAMERAS[Math.floor(random() * 3)] as string) : undefined;
    const withinNs = random() < 0.25 ? BigInt(Math.floor(random() * 120_000)) * 1_000_000n : undefined;
    return { tNs, camera, withinNs };
  });
}

/** Asks every case with `clients` requests in flight at once; returns the mismatches and how many had an answer. */
async function check(cases: Case[], clients: number): Promise<{ mismatches: string[]; found: number }> {
  const mismatches: string[] = [];
  let found = 0;
  let next = 0;
  const client = async () => {
    while (next < cases.length) {
      const { tNs, camera, withinNs } = cases[next++] as Case;
      const query = new URLSearchParams({ ts: tsText(tNs) });
      if (camera) query.set('camera', camera);
      if (withinNs !== undefined) query.set('within', tsText(withinNs));
      const res = await fetch(`${fx.url}/thumbnail?${query}`);
      const want = oracle(frames, tNs, camera, withinNs);
      const body = (await res.json()) as { time?: string; camera?: string; distanceSeconds?: number };
      const got = res.status === 200 ? Date.parse(body.time as string) : null;
      if (want) found++;
      const ok =
        res.status === (want ? 200 : 404) &&
        got === (want?.timeMs ?? null) &&
        (!want || Math.abs((body.distanceSeconds as number) - Number(want.distanceNs) / 1e9) < 1e-6) &&
        (!want || frames.some((f) => f.ms === got && f.camera === body.camera)) &&
        (!camera || !want || body.camera === camera);
      if (!ok) mismatches.push(`${query}: got ${res.status} ${JSON.stringify(body)}, want ${want?.timeMs ?? 404}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { mismatches, found };
}

/** How many Flux requests of a kind the backend made so far (its /metrics). */
async function fluxRequests(label: string): Promise<number> {
  const text = await (await fetch(`${fx.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`fathom_influx_query_duration_seconds_count{query="${label}",outcome="ok"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe(`oracle (seed ${SEED})`, () => {
  it('every /thumbnail answer equals a brute-force arg-min over 10,000 frames for 1,000 random ts', async () => {
    expect(frames).toHaveLength(10_000);
    // Every frame is in the index: filepath, bytes, width and height per point.
    expect(await fx.countPoints()).toBe(40_000);
    const { mismatches, found } = await check(makeCases(1_000), 4);
    expect(mismatches, `seed ${SEED}`).toEqual([]);
    expect(found).toBeGreaterThan(500); // the cases mostly have an answer, so the test has teeth
  });

  it('under 50 concurrent clients, lookups share Flux requests and every answer still equals the oracle', async () => {
    const before = { batched: await fluxRequests('nearest_batch'), single: await fluxRequests('nearest') };
    const { mismatches, found } = await check(makeCases(2_000), 50);
    expect(mismatches, `seed ${SEED}`).toEqual([]);
    expect(found).toBeGreaterThan(1_000);
    // The coalescing really happened: some requests carried several lookups.
    const batched = (await fluxRequests('nearest_batch')) - before.batched;
    const single = (await fluxRequests('nearest')) - before.single;
    expect(batched).toBeGreaterThan(0);
    process.stdout.write(
      `[oracle] seed ${SEED}: 2,000 requests at 50 clients, ${mismatches.length} mismatches, ${found} with a frame; Flux requests: ${batched} batched + ${single} single\n`,
    );
  });
});
