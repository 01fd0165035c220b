/**
 * /wall against a real influxd: 10 cameras with their own gaps; every camera's answer equals
 * /thumbnail?camera= at the same instant, and the whole wall costs one Flux request (of two chains) per ring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/rng.js';
import { type Fixture, type FramePoint, startFixture } from '../test/influx-fixture.js';
import type { WallBody } from './wall-schemas.js';

const T0 = Date.UTC(2026, 9, 10, 8);
const CAMERAS = Array.from({ length: 10 }, (_, i) => `cam${String(i).padStart(2, '0')}`);
const random = seededRandom(1610);
let fx: Fixture;

async function fluxRequests(): Promise<number> {
  const text = await (await fetch(`${fx.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('fathom_influx_query_duration_seconds_count{query="wall"'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  fx = await startFixture();
  const frames: FramePoint[] = [];
  for (const [i, camera] of CAMERAS.entries()) {
    // One frame a second for 10 minutes, with a 2-minute hole at a different place per camera, ±40 ms jitter.
    const holeStart = 60 + i * 40;
    for (let s = 0; s < 600; s++) {
      if (s >= holeStart && s < holeStart + 120) continue;
      frames.push({ camera, ms: T0 + s * 1000 + Math.floor(random() * 81) - 40 });
    }
  }
  await fx.writeFrames(frames);
});
afterAll(() => fx?.close());

describe('GET /wall', () => {
  it("gives every camera's nearest frame, the same as /thumbnail?camera= for each, with one Flux request per search ring", async () => {
    for (let k = 0; k < 20; k++) {
      const tMs = T0 + Math.floor(random() * 600_000);
      const ts = (tMs / 1000).toFixed(3);
      const before = await fluxRequests();
      const wall = (await (await fetch(`${fx.url}/wall?ts=${ts}`)).json()) as WallBody;
      const requests = (await fluxRequests()) - before;
      expect(wall.cameras.map((c) => c.camera)).toEqual(CAMERAS);
      // Rings: 2 s (read whole), then 60 s; a camera's 2-minute hole is never more than 60 s from a frame.
      expect(requests).toBeGreaterThanOrEqual(1);
      expect(requests).toBeLessThanOrEqual(2 + 1);
      for (const entry of wall.cameras) {
        const single = await (await fetch(`${fx.url}/thumbnail?ts=${ts}&camera=${entry.camera}`)).json();
        expect(entry.frame, `${entry.camera} at ${ts}`).toEqual(single);
      }
    }
  });

  it('takes cameras in the order asked, answers null for a camera with no frame, and refuses bad input', async () => {
    const ts = ((T0 + 30_000) / 1000).toFixed(3);
    const wall = (await (
      await fetch(`${fx.url}/wall?ts=${ts}&camera=cam03&camera=ghost&camera=cam01&within=5`)
    ).json()) as WallBody;
    expect(wall.cameras.map((c) => [c.camera, c.frame === null])).toEqual([
      ['cam03', false],
      ['ghost', true],
      ['cam01', false],
    ]);
    const bad = await fetch(`${fx.url}/wall?ts=${ts}&camera=../x`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/camera/);
    expect((await fetch(`${fx.url}/wall`)).status).toBe(400);
  });
});
