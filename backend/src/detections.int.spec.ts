/**
 * /detections, and the labels on /thumbnailGroup frames and /events, against a real influxd:
 * thumbnails and detections points written with the contract's names through the real client,
 * the real app over HTTP.
 */
import { type DetectionPoint, thumbnailRelativePath } from '@fathom/index-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonSchema, type OpenApiDocument, validate } from '../test/fuzz/json-schema.js';
import { type Fixture, type FramePoint, startFixture } from '../test/influx-fixture.js';
import { operators as profiledOperators } from '../test/profiler.js';
import { detectionsQuery } from './flux/detection-queries.js';
import { framesWithMetricsQuery } from './flux/queries.js';

/** Three hours ago, on a whole second: inside the default window (the last 24 hours). */
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / 1000) * 1000;
const at = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString();
const sec = (ms: number) => (ms / 1000).toFixed(3);
const FROM = sec(at(-60));
const TO = sec(at(900));

let fx: Fixture;

function detection(
  camera: 'porch' | 'drive',
  s: number,
  label: string,
  score: number,
  box: [number, number, number, number] = [0.1, 0.2, 0.3, 0.4],
): DetectionPoint {
  return {
    camera,
    location: camera === 'porch' ? 'front' : 'side',
    capturedAtMs: at(s),
    label,
    score,
    box,
    count: 1,
    filepath: thumbnailRelativePath(camera, at(s)),
  };
}

beforeAll(async () => {
  fx = await startFixture({}, { activity: true });
  // Ten minutes of one-a-second thumbnails on two cameras; porch moves at 10..20 s and 100..105 s.
  const frames: FramePoint[] = [];
  for (let s = 0; s < 600; s++) {
    const moving = (s >= 10 && s <= 20) || (s >= 100 && s <= 105);
    frames.push({
      camera: 'porch',
      location: 'front',
      ms: at(s),
      metrics: { motion: moving ? 0.05 : 0, grid: 'A'.repeat(48), luma: 100, lighting: false },
    });
    frames.push({ camera: 'drive', location: 'side', ms: at(s) });
  }
  await fx.writeFrames(frames);

  const points: DetectionPoint[] = [];
  // porch: a person 10..19 s (best 0.95 at 15 s, tied at 17 s), again 40..45 s, faint at 60..62 s; a dog 12..14 s.
  for (let s = 10; s <= 19; s++) {
    const score = s === 15 || s === 17 ? 0.95 : 0.6 + (s - 10) * 0.02;
    points.push(detection('porch', s, 'person', score, s === 15 ? [0.25, 0.1, 0.5, 0.95] : [0.1, 0.2, 0.3, 0.4]));
  }
  for (let s = 40; s <= 45; s++) points.push(detection('porch', s, 'person', 0.7));
  for (let s = 60; s <= 62; s++) points.push(detection('porch', s, 'person', 0.3));
  for (let s = 12; s <= 14; s++) points.push(detection('porch', s, 'dog', 0.8));
  // drive: a car every 2 s over 100..130 s, a truck, a bus, a motorcycle, a traffic light.
  for (let s = 100; s <= 130; s += 2) points.push(detection('drive', s, 'car', s === 120 ? 0.91 : 0.85));
  for (let s = 200; s <= 205; s++) points.push(detection('drive', s, 'truck', 0.75));
  points.push(detection('drive', 300, 'bus', 0.55));
  points.push(detection('drive', 400, 'motorcycle', 0.65));
  points.push(detection('drive', 500, 'traffic light', 0.9));
  await fx.writeDetections(points);
}, 300_000);

afterAll(async () => {
  await fx?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${fx.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
};

interface AppearanceBody {
  camera: string;
  location: string;
  label: string;
  firstSeen: string;
  lastSeen: string;
  frames: number;
  best: { time: string; score: number; box: number[]; filepath: string; url: string };
}

const brief = (a: AppearanceBody) => [a.camera, a.label, a.firstSeen, a.lastSeen, a.frames];

describe('GET /detections', () => {
  it("merges a camera's detections of a label into appearances, newest first, each with its best frame", async () => {
    const { status, body } = await get(`/detections?label=people&camera=porch&from=${FROM}&to=${TO}`);
    expect(status).toBe(200);
    expect(body.query).toEqual({
      words: ['people'],
      labels: ['person'],
      camera: 'porch',
      from: iso(-60),
      to: iso(900),
      minScore: 0.5,
      gapSeconds: 10,
    });
    expect(body.truncated).toBe(false);
    expect(body.appearances.map(brief)).toEqual([
      ['porch', 'person', iso(40), iso(45), 6],
      ['porch', 'person', iso(10), iso(19), 10],
    ]);
    const first = body.appearances[1] as AppearanceBody;
    expect(first.location).toBe('front');
    // The highest score, and of the two at 0.95 the earlier one, with its own box and file.
    const filepath = thumbnailRelativePath('porch', at(15));
    expect(first.best).toEqual({
      time: iso(15),
      score: 0.95,
      box: [0.25, 0.1, 0.5, 0.95],
      filepath,
      url: `/thumbnails/${filepath}`,
    });
    expect(first.best.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('maps plain words to labels: people is person; vehicle is car, truck, bus and motorcycle', async () => {
    const { status, body } = await get(`/detections?label=vehicle&from=${FROM}&to=${TO}`);
    expect(status).toBe(200);
    expect(body.query.words).toEqual(['vehicle']);
    expect(body.query.labels).toEqual(['car', 'motorcycle', 'bus', 'truck']);
    expect(body.query.camera).toBeNull();
    expect(body.appearances.map(brief)).toEqual([
      ['drive', 'motorcycle', iso(400), iso(400), 1],
      ['drive', 'bus', iso(300), iso(300), 1],
      ['drive', 'truck', iso(200), iso(205), 6],
      ['drive', 'car', iso(100), iso(130), 16],
    ]);
    expect(body.appearances[3].best.time).toBe(iso(120));
    expect(body.appearances[3].location).toBe('side');

    const mixed = await get(`/detections?label=${encodeURIComponent('people and dogs')}&from=${FROM}&to=${TO}`);
    expect(mixed.body.query.labels).toEqual(['person', 'dog']);
    expect(mixed.body.appearances.map(brief)).toEqual([
      ['porch', 'person', iso(40), iso(45), 6],
      ['porch', 'person', iso(10), iso(19), 10],
      ['porch', 'dog', iso(12), iso(14), 3],
    ]);
    const light = await get(`/detections?label=${encodeURIComponent('traffic light')}&from=${FROM}&to=${TO}`);
    expect(light.body.appearances.map(brief)).toEqual([['drive', 'traffic light', iso(500), iso(500), 1]]);
    const list = await get(`/detections?label=car,truck&from=${FROM}&to=${TO}`);
    expect(list.body.appearances.map((a: AppearanceBody) => a.label)).toEqual(['truck', 'car']);
  });

  it('min leaves out weaker detections', async () => {
    const faint = await get(`/detections?label=person&camera=porch&min=0.2&from=${FROM}&to=${TO}`);
    expect(faint.body.query.minScore).toBe(0.2);
    expect(faint.body.appearances.map(brief)).toEqual([
      ['porch', 'person', iso(60), iso(62), 3],
      ['porch', 'person', iso(40), iso(45), 6],
      ['porch', 'person', iso(10), iso(19), 10],
    ]);
    const strict = await get(`/detections?label=person&camera=porch&min=0.9&from=${FROM}&to=${TO}`);
    // Only 15 s and 17 s score 0.9 or more: 2 s apart, one appearance of two frames.
    expect(strict.body.appearances.map(brief)).toEqual([['porch', 'person', iso(15), iso(17), 2]]);
    const none = await get(`/detections?label=person&min=1&from=${FROM}&to=${TO}`);
    expect(none.body.appearances).toEqual([]);
  });

  it('gap and limit: a smaller gap splits, the newest are kept and truncated says so', async () => {
    const split = await get(`/detections?label=car&gap=2&from=${FROM}&to=${TO}`);
    expect(split.body.query.gapSeconds).toBe(2);
    expect(split.body.appearances).toHaveLength(16);
    const top = await get(`/detections?label=car&gap=2&limit=3&from=${FROM}&to=${TO}`);
    expect(top.body.truncated).toBe(true);
    expect(top.body.appearances.map((a: AppearanceBody) => a.lastSeen)).toEqual([iso(130), iso(128), iso(126)]);
  });

  it('the camera filter, and a camera the index does not know is a 404', async () => {
    const drive = await get(`/detections?label=people&camera=drive&from=${FROM}&to=${TO}`);
    expect(drive.status).toBe(200);
    expect(drive.body.appearances).toEqual([]);
    const porch = await get(`/detections?label=vehicle&camera=porch&from=${FROM}&to=${TO}`);
    expect(porch.body.appearances).toEqual([]);
    const nope = await get(`/detections?label=people&camera=nope&from=${FROM}&to=${TO}`);
    expect(nope.status).toBe(404);
    expect(nope.body).toEqual({ error: 'not_found', detail: 'no camera "nope" in the index' });
  });

  it('defaults to the last 24 hours', async () => {
    const { status, body } = await get('/detections?label=dog');
    expect(status).toBe(200);
    expect(Date.parse(body.query.to) - Date.parse(body.query.from)).toBe(86_400_000);
    expect(Math.abs(Date.parse(body.query.to) - Date.now())).toBeLessThan(60_000);
    expect(body.appearances.map(brief)).toEqual([['porch', 'dog', iso(12), iso(14), 3]]);
    const onlyTo = await get(`/detections?label=dog&to=${TO}`);
    expect(onlyTo.body.query.from).toBe(new Date(at(900) - 86_400_000).toISOString());
    expect(onlyTo.body.appearances).toHaveLength(1);
  });

  it('refuses what it cannot answer with a JSON problem that says why', async () => {
    const cases: [string, RegExp][] = [
      [`from=${FROM}&to=${TO}`, /^label is required$/],
      [`label=people,unicorns&from=${FROM}&to=${TO}`, /"unicorns".*known labels: person, bicycle.*plain words: people/],
      [`label=and&from=${FROM}&to=${TO}`, /names no object/],
      [`label=people&min=1.5&from=${FROM}&to=${TO}`, /^min must be a decimal from 0 to 1/],
      [`label=people&min=-0.1&from=${FROM}&to=${TO}`, /^min must be a decimal from 0 to 1/],
      [`label=people&from=${TO}&to=${FROM}`, /to must be after from/],
      [`label=people&from=${FROM}&to=${FROM}`, /to must be after from/],
      [`label=people&from=${FROM}&to=${sec(at(-60) + 32 * 86_400_000)}`, /at most 31 days/],
      [`label=people&gap=0&from=${FROM}&to=${TO}`, /^gap must be at least 1/],
      [`label=people&gap=601&from=${FROM}&to=${TO}`, /^gap must be at most 600/],
      [`label=people&limit=501&from=${FROM}&to=${TO}`, /^limit must be at most 500/],
      [`label=people&label=dogs&from=${FROM}&to=${TO}`, /^label must be given once/],
    ];
    for (const [query, says] of cases) {
      const { status, type, body } = await get(`/detections?${query}`);
      expect(status, query).toBe(400);
      expect(type, query).toMatch(/^application\/json/);
      expect(body.error, query).toBe('bad_request');
      expect(body.detail, query).toMatch(says);
    }
  });

  it('is one Flux script whose read is pushed down to storage', async () => {
    const ns = (ms: number) => BigInt(ms) * 1_000_000n;
    const query = detectionsQuery(
      fx.bucket,
      { startNs: ns(at(0)), stopNs: ns(at(600)) },
      ['person', 'dog'],
      'porch',
      0.5,
    );
    const ops = await profiledOperators(fx.client, 'fathom', query.toString());
    expect(ops.filter((o) => o.includes('influxdb.read'))).toEqual(['*influxdb.readFilterSource']);
    const group = framesWithMetricsQuery(fx.bucket, 'porch', { startNs: ns(at(0)), stopNs: ns(at(60)) });
    const reads = (await profiledOperators(fx.client, 'fathom', group.toString())).filter((o) =>
      o.includes('influxdb.read'),
    );
    expect(reads).toEqual(['*influxdb.readFilterSource', '*influxdb.readFilterSource', '*influxdb.readFilterSource']);
  });
});

describe('labels on /thumbnailGroup and /events', () => {
  it('each frame with detections has its labels (any score), best score first; others have none', async () => {
    const { status, body } = await get(`/thumbnailGroup?camera=porch&ts=${sec(at(9))}&minutes=1`);
    expect(status).toBe(200);
    const byTime = new Map<string, string[] | undefined>(
      body.thumbnails.map((t: { time: string; labels?: string[] }) => [t.time, t.labels]),
    );
    expect(byTime.get(iso(10))).toEqual(['person']);
    expect(byTime.get(iso(12))).toEqual(['dog', 'person']); // dog 0.8 over person 0.64
    expect(byTime.get(iso(14))).toEqual(['dog', 'person']); // 0.8 vs 0.68
    expect(byTime.get(iso(15))).toEqual(['person']);
    expect(byTime.get(iso(61))).toEqual(['person']); // 0.3: any score
    expect(byTime.get(iso(30))).toBeUndefined();
    expect(body.thumbnails.find((t: { time: string }) => t.time === iso(30))).not.toHaveProperty('labels');
    // Every camera: the drive's car frames carry theirs.
    const all = await get(`/thumbnailGroup?ts=${sec(at(99))}&minutes=1`);
    const car = all.body.thumbnails.find(
      (t: { camera: string; time: string }) => t.camera === 'drive' && t.time === iso(100),
    );
    expect(car.labels).toEqual(['car']);
    const porch = all.body.thumbnails.find(
      (t: { camera: string; time: string }) => t.camera === 'porch' && t.time === iso(100),
    );
    expect(porch).not.toHaveProperty('labels');
  });

  it('each motion event has the labels seen from its start to its end, best score first', async () => {
    const { status, body } = await get(`/events?camera=porch&from=${sec(at(0))}&to=${sec(at(600))}`);
    expect(status).toBe(200);
    expect(
      body.events.map((e: { start: string; end: string; labels: string[] }) => [e.start, e.end, e.labels]),
    ).toEqual([
      [iso(9), iso(20), ['person', 'dog']],
      [iso(99), iso(105), []],
    ]);
    const drive = await get(`/events?camera=drive&from=${sec(at(0))}&to=${sec(at(600))}`);
    expect(drive.body.events).toEqual([]);
  });
});

describe('the answers are what the document says', () => {
  it('/detections, /thumbnailGroup and /events with labels match their schemas, with no field undocumented', async () => {
    const document = (await (await fetch(`${fx.url}/openapi.json`)).json()) as OpenApiDocument;
    for (const [path, url] of [
      ['/detections', `/detections?label=people,vehicle&from=${FROM}&to=${TO}`],
      ['/thumbnailGroup', `/thumbnailGroup?ts=${sec(at(9))}&minutes=2`],
      ['/events', `/events?camera=porch&from=${sec(at(0))}&to=${sec(at(600))}`],
    ] as const) {
      const { status, body } = await get(url);
      expect(status, url).toBe(200);
      const schema = document.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema;
      expect(schema, path).toBeDefined();
      expect(validate(document, schema as JsonSchema, body, { closedObjects: true }), url).toEqual([]);
    }
  });
});

describe('settled answers wait for the detector', () => {
  let settled: Fixture;
  let now = 0;

  beforeAll(async () => {
    settled = await startFixture({}, { settled: { settleSeconds: 10 } });
    // Read now, not when the file loaded: the windows below are placed a few seconds from the live edge.
    now = Math.floor(Date.now() / 1000) * 1000;
    const frames: FramePoint[] = [];
    for (let s = 130; s >= 1; s--) frames.push({ camera: 'door', ms: now - s * 1000 });
    await settled.writeFrames(frames);
    await settled.writeDetections(
      [-100, -40].map((offset) => ({
        camera: 'door',
        location: 'lab',
        capturedAtMs: now + offset * 1000,
        label: 'cat',
        score: 0.7,
        box: [0, 0, 1, 1] as [number, number, number, number],
        count: 1,
        filepath: thumbnailRelativePath('door', now + offset * 1000),
      })),
    );
  });
  afterAll(() => settled?.close());

  it('a window past SETTLE_SECONDS but within the detection lag is not cached; one past both is, labels included', async () => {
    // Ends 15 s ago: settled by SETTLE_SECONDS (10), but its detections may still come.
    const recent = await fetch(`${settled.url}/thumbnailGroup?camera=door&ts=${sec(now - 75_000)}&minutes=1`);
    expect(recent.headers.get('cache-control')).toBe('no-cache');
    expect(recent.headers.get('etag')).toBeNull();
    const recentBody = await recent.json();
    expect(
      recentBody.thumbnails.find((t: { time: string }) => t.time === new Date(now - 40_000).toISOString()).labels,
    ).toEqual(['cat']);
    // Ends 60 s ago: past SETTLE_SECONDS and the 30 s detection lag.
    const url = `${settled.url}/thumbnailGroup?camera=door&ts=${sec(now - 120_000)}&minutes=1`;
    const old = await fetch(url);
    expect(old.headers.get('cache-control')).toBe('private, max-age=300');
    expect(old.headers.get('etag')).toBeTruthy();
    const cached = await (await fetch(url)).json();
    expect(
      cached.thumbnails.find((t: { time: string }) => t.time === new Date(now - 100_000).toISOString()).labels,
    ).toEqual(['cat']);
  });
});
