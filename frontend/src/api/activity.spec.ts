import { describe, expect, it } from 'vitest';
import { type ApiClient, ApiError } from '../lib/api-client';
import {
  ActivitySchema,
  bucketIndexAt,
  EventsSchema,
  formatMotionParam,
  formatMotionPercent,
  formatRegionParam,
  getMotionJump,
  isMissingRoute,
  parseRegionParam,
  toActivityRow,
  toMotionEvents,
} from './activity';

const body = {
  camera: 'yard',
  from: '2026-11-25T14:00:00.000Z',
  to: '2026-11-25T15:00:00.000Z',
  buckets: 3,
  bucketSeconds: 1200,
  source: 'minutes',
  max: [0, null, 0.05],
  mean: [0, null, 0.001],
  coverage: [1, 0, 0.5],
};

describe('/activity', () => {
  it('validates a row and turns it into epoch ms', () => {
    const row = toActivityRow(ActivitySchema.parse(body));
    expect(row).toMatchObject({
      fromMs: Date.UTC(2026, 10, 25, 14),
      toMs: Date.UTC(2026, 10, 25, 15),
      bucketMs: 1_200_000,
      max: [0, null, 0.05],
    });
    expect(bucketIndexAt(row, row.fromMs)).toBe(0);
    expect(bucketIndexAt(row, row.fromMs + 1_199_999)).toBe(0);
    expect(bucketIndexAt(row, row.fromMs + 1_200_000)).toBe(1);
    expect(bucketIndexAt(row, row.toMs - 1)).toBe(2);
    expect(bucketIndexAt(row, row.toMs)).toBeNull();
    expect(bucketIndexAt(row, row.fromMs - 1)).toBeNull();
  });

  it('refuses rows whose arrays disagree with the bucket count, or shares outside 0..1', () => {
    expect(ActivitySchema.safeParse({ ...body, coverage: [1, 0] }).success).toBe(false);
    expect(ActivitySchema.safeParse({ ...body, max: [0, null, 1.5] }).success).toBe(false);
  });
});

describe('parameters', () => {
  it('writes motion shares as plain decimals the API accepts', () => {
    expect(formatMotionParam(0.002)).toBe('0.002');
    expect(formatMotionParam(0.3)).toBe('0.3');
    expect(formatMotionParam(1)).toBe('1');
    expect(formatMotionParam(0.0000123)).toBe('0.000012');
    expect(formatMotionParam(1e-7)).toBe('0');
    expect(() => formatMotionParam(-1)).toThrow(RangeError);
    for (const v of [0.001, 0.0021, 0.013, 0.25]) expect(formatMotionParam(v)).toMatch(/^(0(\.\d{1,6})?|1)$/);
  });

  it('says a share as a percentage of the picture', () => {
    expect(formatMotionPercent(0.002)).toBe('0.2 %');
    expect(formatMotionPercent(0.0021)).toBe('0.21 %');
    expect(formatMotionPercent(0.013)).toBe('1.3 %');
    expect(formatMotionPercent(0.3)).toBe('30 %');
    expect(formatMotionPercent(0)).toBe('0 %');
  });

  it('round-trips regions and refuses rectangles outside the picture', () => {
    const region = { x: 0.125, y: 0, w: 0.5, h: 0.3333 };
    expect(formatRegionParam(region)).toBe('0.125,0,0.5,0.3333');
    expect(parseRegionParam(formatRegionParam(region))).toEqual(region);
    expect(formatRegionParam({ x: 1 / 3, y: 0.1, w: 0.2, h: 0.2 })).toBe('0.3333,0.1,0.2,0.2');
    expect(parseRegionParam('.5,.5,.5,.5')).toEqual({ x: 0.5, y: 0.5, w: 0.5, h: 0.5 });
    expect(parseRegionParam('0.6,0,0.5,1')).toBeNull();
    expect(parseRegionParam('0,0,0,1')).toBeNull();
    expect(parseRegionParam('0,0,1')).toBeNull();
    expect(parseRegionParam('0,0,1e-1,1')).toBeNull();
  });
});

describe('/motion', () => {
  const client = (answer: () => unknown): ApiClient => ({
    baseUrl: 'http://api',
    hasToken: false,
    resolve: (p) => p,
    resolveMedia: (p) => p,
    getBlob: () => Promise.reject(new Error('no')),
    postJson: () => Promise.reject(new Error('no')),
    deleteJson: () => Promise.reject(new Error('no')),
    getJson: async (_path, _query, schema) => schema.parse(answer()),
  });

  it('returns the frame, and null for "no such frame"', async () => {
    const found = await getMotionJump(
      client(() => ({
        camera: 'yard',
        dir: 'next',
        min: 0.002,
        from: '2026-11-25T14:00:00.000Z',
        frame: { time: '2026-11-25T14:05:07.000Z', ts: 1795615507, motion: 0.05, url: '/files/x.jpg' },
        distanceSeconds: 307,
      })),
      { camera: 'yard', atMs: Date.UTC(2026, 10, 25, 14), dir: 'next', min: 0.002 },
    );
    expect(found).toEqual({ timeMs: Date.UTC(2026, 10, 25, 14, 5, 7), motion: 0.05, url: '/files/x.jpg' });

    const none = new ApiError('not-found', 'not_found', 404, 'no frame of camera yard with motion >= 0.002 after …');
    expect(
      await getMotionJump(
        client(() => {
          throw none;
        }),
        { camera: 'yard', atMs: 0, dir: 'prev', min: 0.002 },
      ),
    ).toBeNull();
  });

  it('still fails when the backend has no /motion at all', async () => {
    const missing = new ApiError('not-found', 'not_found', 404, 'no route for GET /motion');
    expect(isMissingRoute(missing)).toBe(true);
    await expect(
      getMotionJump(
        client(() => {
          throw missing;
        }),
        { camera: 'yard', atMs: 0, dir: 'next', min: 0.002 },
      ),
    ).rejects.toBe(missing);
  });
});

describe('/events', () => {
  it('checks the count', () => {
    const events = {
      camera: 'yard',
      from: '2026-11-25T14:00:00.000Z',
      to: '2026-11-25T15:00:00.000Z',
      min: 0.002,
      count: 1,
      events: [
        {
          start: '2026-11-25T14:05:07.000Z',
          end: '2026-11-25T14:05:20.000Z',
          startTs: 1795615507,
          endTs: 1795615520,
          frames: 14,
          peak: { time: '2026-11-25T14:05:10.000Z', ts: 1795615510, motion: 0.08, url: '/files/y.jpg' },
        },
      ],
    };
    expect(EventsSchema.safeParse(events).success).toBe(true);
    expect(EventsSchema.safeParse({ ...events, count: 2 }).success).toBe(false);
  });

  it('carries what the detector saw in each event, and none from a backend without detection', () => {
    const event = {
      start: '2026-11-25T14:05:07.000Z',
      end: '2026-11-25T14:05:20.000Z',
      startTs: 1795615507,
      endTs: 1795615520,
      frames: 14,
      peak: { time: '2026-11-25T14:05:10.000Z', ts: 1795615510, motion: 0.08, url: '/files/y.jpg' },
    };
    const body = {
      camera: 'yard',
      from: '2026-11-25T14:00:00.000Z',
      to: '2026-11-25T15:00:00.000Z',
      min: 0.002,
      count: 2,
      events: [{ ...event, labels: ['person', 'dog'] }, event],
    };
    expect(toMotionEvents(EventsSchema.parse(body))).toEqual([
      {
        startMs: Date.UTC(2026, 10, 25, 14, 5, 7),
        endMs: Date.UTC(2026, 10, 25, 14, 5, 20),
        frames: 14,
        peak: { timeMs: Date.UTC(2026, 10, 25, 14, 5, 10), motion: 0.08, url: '/files/y.jpg' },
        labels: ['person', 'dog'],
      },
      {
        startMs: Date.UTC(2026, 10, 25, 14, 5, 7),
        endMs: Date.UTC(2026, 10, 25, 14, 5, 20),
        frames: 14,
        peak: { timeMs: Date.UTC(2026, 10, 25, 14, 5, 10), motion: 0.08, url: '/files/y.jpg' },
        labels: [],
      },
    ]);
    expect(EventsSchema.safeParse({ ...body, events: [{ ...event, labels: 'person' }], count: 1 }).success).toBe(false);
  });
});
