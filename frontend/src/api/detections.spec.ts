import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../lib/api-client';
import {
  DETECTIONS_LIMIT,
  DetectionsSchema,
  detectionsParams,
  getDetections,
  searchRefusal,
  toDetectionResults,
} from './detections';

/** An answer in the shape GET /detections gives. */
const body = {
  query: {
    words: 'people',
    labels: ['person'],
    camera: null,
    from: '2026-11-24T15:00:00.000Z',
    to: '2026-11-25T15:00:00.000Z',
    minScore: 0.5,
    gapSeconds: 10,
  },
  appearances: [
    {
      camera: 'back-door',
      location: 'garden',
      label: 'person',
      firstSeen: '2026-11-25T14:03:07.000Z',
      lastSeen: '2026-11-25T14:03:26.000Z',
      frames: 20,
      best: {
        time: '2026-11-25T14:03:12.000Z',
        score: 0.91,
        box: [0.1, 0.2, 0.35, 0.9],
        filepath: 'back-door/2026/11/25/14/1795615392000.jpg',
        url: '/thumbnails/back-door/2026/11/25/14/1795615392000.jpg',
      },
    },
  ],
  truncated: false,
};

function recorder(respond: () => Response) {
  const urls: string[] = [];
  const impl = (async (input: RequestInfo | URL) => {
    urls.push(String(input));
    return respond();
  }) as typeof fetch;
  return { impl, urls };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

describe('/detections', () => {
  it('turns the answer into epoch ms', () => {
    expect(toDetectionResults(DetectionsSchema.parse(body))).toEqual({
      words: 'people',
      labels: ['person'],
      camera: null,
      fromMs: Date.UTC(2026, 10, 24, 15),
      toMs: Date.UTC(2026, 10, 25, 15),
      minScore: 0.5,
      gapSeconds: 10,
      appearances: [
        {
          camera: 'back-door',
          location: 'garden',
          label: 'person',
          firstMs: Date.UTC(2026, 10, 25, 14, 3, 7),
          lastMs: Date.UTC(2026, 10, 25, 14, 3, 26),
          frames: 20,
          best: {
            timeMs: Date.UTC(2026, 10, 25, 14, 3, 12),
            score: 0.91,
            box: [0.1, 0.2, 0.35, 0.9],
            filepath: 'back-door/2026/11/25/14/1795615392000.jpg',
            url: '/thumbnails/back-door/2026/11/25/14/1795615392000.jpg',
          },
        },
      ],
      truncated: false,
    });
  });

  it('takes the naming words as a list or as text', () => {
    const listed = { ...body, query: { ...body.query, words: ['people', 'dogs'], labels: ['person', 'dog'] } };
    expect(toDetectionResults(DetectionsSchema.parse(listed)).words).toBe('people, dogs');
    expect(DetectionsSchema.safeParse({ ...body, query: { ...body.query, words: 3 } }).success).toBe(false);
  });

  it('takes an appearance without a location', () => {
    const [first] = body.appearances;
    const { location: _, ...rest } = first as (typeof body.appearances)[number];
    const parsed = toDetectionResults(DetectionsSchema.parse({ ...body, appearances: [rest] }));
    expect(parsed.appearances[0]?.location).toBeNull();
  });

  it('refuses an answer of another shape', () => {
    const appearance = body.appearances[0] as (typeof body.appearances)[number];
    const withBox = (box: unknown) => ({
      ...body,
      appearances: [{ ...appearance, best: { ...appearance.best, box } }],
    });
    expect(DetectionsSchema.safeParse(withBox([0.1, 0.2, 0.3])).success).toBe(false);
    expect(DetectionsSchema.safeParse(withBox([0.1, 0.2, 0.3, 1.5])).success).toBe(false);
    expect(DetectionsSchema.safeParse({ ...body, truncated: undefined }).success).toBe(false);
    expect(DetectionsSchema.safeParse({ ...body, appearances: [{ ...appearance, firstSeen: 'noon' }] }).success).toBe(
      false,
    );
  });

  it('asks with the words as typed, exact unix seconds and the limit', () => {
    expect(
      detectionsParams({
        words: '  dogs and cats ',
        fromMs: Date.UTC(2026, 10, 24, 15, 0, 0, 7),
        toMs: Date.UTC(2026, 10, 25, 15, 0, 0, 7),
      }),
    ).toEqual({
      label: 'dogs and cats',
      camera: undefined,
      from: '1795532400.007',
      to: '1795618800.007',
      min: undefined,
      gap: undefined,
      limit: DETECTIONS_LIMIT,
    });
    expect(
      detectionsParams({ words: 'car,truck', camera: 'yard', fromMs: 0, toMs: 3_600_000, minScore: 0.6, limit: 10 }),
    ).toMatchObject({ label: 'car,truck', camera: 'yard', from: '0.000', to: '3600.000', min: 0.6, limit: 10 });
    expect(() => detectionsParams({ words: '   ', fromMs: 0, toMs: 1 })).toThrow(RangeError);
  });

  it('sends one GET with the query', async () => {
    const { impl, urls } = recorder(() => json(body));
    const client = createApiClient({ apiBaseUrl: 'http://api.test' }, impl);
    const results = await getDetections(client, {
      words: 'people',
      camera: 'back-door',
      fromMs: 1795532400000,
      toMs: 1795618800000,
    });
    expect(urls).toEqual([
      'http://api.test/detections?label=people&camera=back-door&from=1795532400.000&to=1795618800.000&limit=100',
    ]);
    expect(results.appearances).toHaveLength(1);
  });

  it("shows the API's own words when it refuses the search, and nothing for other failures", async () => {
    const detail = 'unknown words: "unicorns" (try people, vehicle, car, dog, …)';
    const { impl } = recorder(() => json({ error: 'bad_request', detail }, 400));
    const client = createApiClient({ apiBaseUrl: 'http://api.test' }, impl);
    const refused = await getDetections(client, { words: 'unicorns', fromMs: 0, toMs: 1000 }).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(searchRefusal(refused)).toBe(detail);
    expect(searchRefusal(new ApiError('bad-request', 'bad_request', 400))).toBe('bad_request');
    expect(searchRefusal(new ApiError('bad-request', 'unprocessable', 422, 'x'))).toBeNull();
    expect(searchRefusal(new ApiError('server', 'boom', 500, 'x'))).toBeNull();
    expect(searchRefusal(new ApiError('not-found', 'not_found', 404, 'no camera "porch" in the index'))).toBe(
      'no camera "porch" in the index',
    );
    expect(searchRefusal(new ApiError('not-found', 'not_found', 404, 'no route for GET /detections'))).toBeNull();
    expect(searchRefusal(new Error('x'))).toBeNull();
  });
});
