/**
 * /activity, /motion and /events against a real influxd: two days of one-a-second
 * thumbnails with motion fields (quiet, with scripted bursts, regions and a gap),
 * the per-minute bucket as the InfluxDB task writes it, and a brute-force oracle
 * over the same frames for every answer.
 */
import { encodeGrid, GRID_CELLS, type Region, regionCells, regionLevel } from '@fathom/index-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/rng.js';
import { type Fixture, type FramePoint, type MinutePoint, startFixture } from '../test/influx-fixture.js';
import { operators as profiledOperators } from '../test/profiler.js';
import { minuteActivityQuery, minuteStepQuery, motionStepQuery, rawActivityQuery } from './flux/activity-queries.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1); // two days of footage in the past: every minute settled
const GAP = { from: T0 + 30 * 3_600_000, to: T0 + 32 * 3_600_000 }; // no frames at all
const STILL = encodeGrid(new Uint8Array(GRID_CELLS));
const LEFT: Region = { x: 0, y: 0, w: 0.25, h: 1 };
const RIGHT: Region = { x: 0.75, y: 0, w: 0.25, h: 1 };

function gridIn(region: Region, level: number): string {
  const levels = new Uint8Array(GRID_CELLS);
  for (const cell of regionCells(region)) levels[cell] = level;
  return encodeGrid(levels);
}

interface Truth {
  ms: number;
  motion: number;
  grid: string;
}

let fx: Fixture;
const frames: Truth[] = [];
const random = seededRandom(20261129);

beforeAll(async () => {
  fx = await startFixture({}, { activity: true });
  // Bursts: 40 of 1..20 s, each on the left or the right of the picture; then sub-threshold flicker.
  const moving = new Map<number, Truth>();
  for (let i = 0; i < 40; i++) {
    const start = T0 + Math.floor((random() * (2 * DAY - 60_000)) / 1000) * 1000;
    const seconds = 1 + Math.floor(random() * 20);
    const region = random() < 0.5 ? LEFT : RIGHT;
    for (let s = 0; s < seconds; s++) {
      const ms = start + s * 1000;
      moving.set(ms, { ms, motion: Math.round((0.01 + random() * 0.2) * 10_000) / 10_000, grid: gridIn(region, 2) });
    }
  }
  for (let i = 0; i < 300; i++) {
    const ms = T0 + Math.floor((random() * 2 * DAY) / 1000) * 1000;
    if (!moving.has(ms)) moving.set(ms, { ms, motion: 0.0009, grid: gridIn({ x: 0.5, y: 0.5, w: 0.05, h: 0.05 }, 1) });
  }
  const points: FramePoint[] = [];
  for (let ms = T0; ms < T0 + 2 * DAY; ms += 1000) {
    if (ms >= GAP.from && ms < GAP.to) continue;
    const truth = moving.get(ms) ?? { ms, motion: 0, grid: STILL };
    frames.push(truth);
    points.push({
      camera: 'yard',
      ms,
      metrics: { motion: truth.motion, grid: truth.grid, luma: 100, lighting: false },
    });
  }
  await fx.writeFrames(points);
  // The per-minute bucket, as the task computes it.
  const minutes = new Map<number, MinutePoint>();
  for (const f of frames) {
    const start = f.ms - (f.ms % 60_000);
    const m = minutes.get(start) ?? { camera: 'yard', ms: start, motionMax: 0, motionSum: 0, frames: 0 };
    m.motionMax = Math.max(m.motionMax, f.motion);
    m.motionSum += f.motion;
    m.frames++;
    minutes.set(start, m);
  }
  await fx.writeMinutes([...minutes.values()]);
}, 300_000);

afterAll(async () => {
  await fx?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${fx.url}${path}`);
  return { status: res.status, body: await res.json() };
};
const sec = (ms: number) => (ms / 1000).toFixed(3);

function oracleStep(tsMs: number, dir: 'next' | 'prev', min: number, region?: Region): Truth | null {
  const cells = region ? regionCells(region) : null;
  const ok = (f: Truth) => f.motion >= min && (!cells || regionLevel(f.grid, cells) > 0);
  if (dir === 'next') return frames.find((f) => f.ms > tsMs && ok(f)) ?? null;
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i] as Truth;
    if (f.ms < tsMs && ok(f)) return f;
  }
  return null;
}

describe('/motion against the oracle', () => {
  it('next and prev, with and without a region, from 60 random times', async () => {
    let checked = 0;
    let found = 0;
    for (let i = 0; i < 60; i++) {
      const ts = T0 - DAY / 2 + Math.floor(random() * 3 * DAY);
      const dir = i % 2 === 0 ? 'next' : 'prev';
      const min = [0.002, 0.05, 0.15][i % 3] as number;
      const region = [undefined, LEFT, RIGHT][Math.floor(i / 3) % 3];
      const q = new URLSearchParams({ camera: 'yard', ts: sec(ts), dir, min: String(min) });
      if (region) q.set('region', `${region.x},${region.y},${region.w},${region.h}`);
      const { status, body } = await get(`/motion?${q}`);
      const want = oracleStep(ts, dir, min, region);
      const how = `${q} -> ${status} ${JSON.stringify(body)}; oracle ${JSON.stringify(want)}`;
      if (!want) {
        expect(status, how).toBe(404);
      } else {
        expect(status, how).toBe(200);
        expect(Date.parse(body.frame.time), how).toBe(want.ms);
        expect(body.frame.motion).toBe(want.motion);
        expect(body.frame.url).toMatch(/^\/thumbnails\/yard\/2026\/10\/0[1-3]\/\d\d\/\d+\.jpg$/);
        found++;
      }
      checked++;
    }
    expect(checked).toBe(60);
    expect(found).toBeGreaterThan(20);
  });

  it('jumps across the gap and across a quiet stretch of hours', async () => {
    const before = oracleStep(GAP.from, 'prev', 0.002);
    const after = oracleStep(GAP.from, 'next', 0.002);
    const next = await get(`/motion?camera=yard&ts=${sec(GAP.from)}`);
    expect(Date.parse(next.body.frame.time)).toBe(after?.ms);
    const prev = await get(`/motion?camera=yard&ts=${sec(GAP.to)}&dir=prev`);
    expect(Date.parse(prev.body.frame.time)).toBe(before?.ms);
  });

  it('refuses bad input with a 400 that says why', async () => {
    for (const [query, says] of [
      ['ts=1795618800', 'camera is required'],
      ['camera=yard&ts=1795618800&dir=up', 'dir must be "next" or "prev"'],
      ['camera=yard&ts=1795618800&min=2', 'min must be a decimal from 0 to 1'],
      ['camera=yard&ts=1795618800&region=0.9,0,0.5,0.5', 'region must lie inside the picture'],
      ['camera=yard&ts=1795618800&region=a,b', 'region must be x,y,w,h'],
    ] as const) {
      const { status, body } = await get(`/motion?${query}`);
      expect(status, query).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.detail, query).toContain(says);
    }
  });
});

describe('/events against the oracle', () => {
  function oracleEvents(fromMs: number, toMs: number, min: number, gapS: number, region?: Region) {
    const cells = region ? regionCells(region) : null;
    const out: { start: number; end: number; peak: number; peakMs: number; frames: number }[] = [];
    for (const f of frames) {
      if (f.ms < fromMs || f.ms >= toMs || f.motion < min) continue;
      if (cells && regionLevel(f.grid, cells) === 0) continue;
      const last = out[out.length - 1];
      if (last && f.ms - last.end <= gapS * 1000) {
        last.end = f.ms;
        last.frames++;
        if (f.motion > last.peak) Object.assign(last, { peak: f.motion, peakMs: f.ms });
      } else out.push({ start: f.ms, end: f.ms, peak: f.motion, peakMs: f.ms, frames: 1 });
    }
    return out;
  }

  it.each([
    ['the whole two days', T0, T0 + 2 * DAY, 0.002, 3, undefined],
    ['one day, only strong motion', T0, T0 + DAY, 0.1, 3, undefined],
    ['the left region, long gap', T0, T0 + 2 * DAY, 0.002, 60, LEFT],
  ] as const)('%s', async (_name, from, to, min, gap, region) => {
    const q = new URLSearchParams({ camera: 'yard', from: sec(from), to: sec(to), min: String(min), gap: String(gap) });
    if (region) q.set('region', `${region.x},${region.y},${region.w},${region.h}`);
    const { status, body } = await get(`/events?${q}`);
    expect(status, JSON.stringify(body)).toBe(200);
    const want = oracleEvents(from, to, min, gap, region);
    expect(want.length).toBeGreaterThan(0);
    // `start` is the thumbnail before the first moving one: the motion began after it.
    for (const e of body.events as { start: string; firstMotion: { time: string } }[]) {
      expect(Date.parse(e.firstMotion.time) - Date.parse(e.start)).toBe(1000);
    }
    expect(
      body.events.map(
        (e: {
          firstMotion: { time: string };
          end: string;
          frames: number;
          peak: { time: string; motion: number };
        }) => ({
          start: Date.parse(e.firstMotion.time),
          end: Date.parse(e.end),
          peak: e.peak.motion,
          peakMs: Date.parse(e.peak.time),
          frames: e.frames,
        }),
      ),
    ).toEqual(want);
  });
});

describe('/activity against the oracle', () => {
  function oracleRow(fromMs: number, toMs: number, buckets: number) {
    const width = (toMs - fromMs) / buckets;
    const max: (number | null)[] = new Array(buckets).fill(null);
    const sum = new Array(buckets).fill(0);
    const count = new Array(buckets).fill(0);
    for (const f of frames) {
      if (f.ms < fromMs || f.ms >= toMs) continue;
      const i = Math.floor((f.ms - fromMs) / width);
      max[i] = Math.max(max[i] ?? 0, f.motion);
      sum[i] += f.motion;
      count[i]++;
    }
    const round = (v: number) => Math.round(v * 10_000) / 10_000;
    return {
      max: max.map((v) => (v === null ? null : round(v))),
      mean: max.map((v, i) => (v === null ? null : round(sum[i] / count[i]))),
      coverage: count.map((c) => round(Math.min(1, c / (width / 1000)))),
    };
  }

  it.each([
    ['an hour in 120 buckets (from the thumbnails)', T0 + 3_600_000, T0 + 7_200_000, 120, 'thumbnails'],
    ['two days in 192 buckets (from the minute bucket)', T0, T0 + 2 * DAY, 192, 'minutes'],
    ['the gap shows as zero coverage', GAP.from - 3_600_000, GAP.to + 3_600_000, 48, 'minutes'],
  ] as const)('%s', async (_name, from, to, buckets, source) => {
    const { status, body } = await get(`/activity?camera=yard&from=${sec(from)}&to=${sec(to)}&buckets=${buckets}`);
    expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expect(body.source).toBe(source);
    const want = oracleRow(from, to, buckets);
    expect({ max: body.max, mean: body.mean, coverage: body.coverage }).toEqual(want);
  });

  it('refuses ranges it does not serve', async () => {
    for (const [query, says] of [
      [`camera=yard&from=${sec(T0)}&to=${sec(T0 + 30_000)}`, 'at least 1 minute'],
      [`camera=yard&from=${sec(T0)}&to=${sec(T0 + 40 * DAY)}`, 'at most 31 days'],
      [
        `camera=yard&from=${sec(T0)}&to=${sec(T0 + 120_000)}&buckets=500`,
        'buckets must be at most the range in seconds',
      ],
      [`camera=yard&from=${sec(T0)}&to=${sec(T0 + DAY)}&buckets=2001`, 'buckets must be at most 2000'],
    ] as const) {
      const { status, body } = await get(`/activity?${query}`);
      expect(status, query).toBe(400);
      expect(body.detail, query).toContain(says);
    }
  });
});

describe('/thumbnailGroup carries the metrics', () => {
  it('each frame of a window with motion has its motion, luma and lighting', async () => {
    const burst = frames.find((f) => f.motion >= 0.01) as Truth;
    const from = burst.ms - 30_000;
    const { status, body } = await get(`/thumbnailGroup?camera=yard&ts=${sec(from)}&minutes=1`);
    expect(status).toBe(200);
    const want = frames.filter((f) => f.ms > from && f.ms <= from + 60_000);
    expect(
      body.thumbnails.map((t: { time: string; metrics?: { motion: number } }) => [Date.parse(t.time), t.metrics]),
    ).toEqual(want.map((f) => [f.ms, { motion: f.motion, luma: 100, lighting: false }]));
  });
});

describe('the activity Flux runs in storage', () => {
  const operators = (query: string) => profiledOperators(fx.client, 'fathom', query);
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  const range = { startNs: ns(T0), stopNs: ns(T0 + DAY) };

  it('heatmaps are windowed by storage, three aggregates, nothing read row by row', async () => {
    const minute = 60_000_000_000n;
    for (const query of [
      rawActivityQuery(fx.bucket, 'yard', range, 15n * minute),
      minuteActivityQuery(`${fx.bucket}_activity`, 'yard', range, 15n * minute),
    ]) {
      const ops = await operators(query.toString());
      expect(ops.filter((o) => o.includes('influxdb.read'))).toEqual([
        '*influxdb.readWindowAggregateSource',
        '*influxdb.readWindowAggregateSource',
        '*influxdb.readWindowAggregateSource',
      ]);
    }
  });

  it('a jump is one storage aggregate: the motion predicate and first() pushed down', async () => {
    expect(await operators(motionStepQuery(fx.bucket, 'yard', range, 0.01, 'next').toString())).toEqual([
      '*influxdb.readGroupSource',
    ]);
    expect(await operators(minuteStepQuery(`${fx.bucket}_activity`, 'yard', range, 0.01, 'prev').toString())).toEqual([
      '*influxdb.readGroupSource',
    ]);
  });
});
