/**
 * The OpenAPI document's patterns against the parsers behind them: every text a pattern admits is
 * one the server accepts (so a client following the document is never refused), and the pattern
 * leaves out only the edges it documents. contract.int.spec.ts fuzzes the running server; these
 * properties run many more values, without a server.
 */
import { chunkRelativePath, parseChunkPath, parseThumbnailPath, thumbnailRelativePath } from '@fathom/index-contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { motionQuerySchema, REGION_PATTERN, REGION_SLACK } from './activity-schemas.js';
import { parseConfig } from './config.js';
import { detectionsQuerySchema } from './detection-schemas.js';
import { EXPORT_MAX_HOURS_SETTING, exportRequestSchema } from './exports/export-request.js';
import { LABEL_WORDS_MAX_LENGTH, LABEL_WORDS_PATTERN } from './label-words.js';
import { buildOpenApiDocument } from './openapi.js';
import {
  CHUNK_PATH_PATTERN,
  DURATION_MAX_LENGTH,
  DURATION_PATTERN,
  MAX_UNIX_SECONDS_NUMBER,
  readTimestamp,
  THUMBNAIL_PATH_PATTERN,
  TIMESTAMP_MAX_LENGTH,
  TIMESTAMP_PATTERN,
} from './schemas.js';
import { parseDurationSeconds, parseTimestamp } from './time-input.js';

const RUNS = 5_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Unix-seconds-like texts: digits with leading zeros, fractions of 0..10 digits, around the 2262 edge. */
const secondsText = fc
  .tuple(
    fc.oneof(
      fc.bigInt({ min: 0n, max: 99_999_999_999n }),
      fc.bigInt({ min: 9_223_372_030n, max: 9_223_372_040n }),
      fc.constantFrom(0n, 9n, 999_999_999n, 1_000_000_000n),
    ),
    fc.nat({ max: 3 }),
    fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined }),
  )
  .map(([whole, zeros, fraction]) => `${'0'.repeat(zeros)}${whole}${fraction === undefined ? '' : `.${fraction}`}`);

/** ISO-8601-like texts with every date, time and zone form the parser knows, near both ends of the range. */
const isoText = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1969, max: 2263 }), fc.constantFrom(1970, 1971, 2000, 2100, 2261, 2262)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    fraction: fc.option(fc.stringMatching(/^[.,]\d{1,10}$/), { nil: undefined }),
    t: fc.constantFrom('T', 't'),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z', ''),
      fc
        .tuple(
          fc.constantFrom('+', '-', ' '),
          fc.integer({ min: 0, max: 24 }),
          fc.constantFrom('', ':'),
          fc.option(fc.integer({ min: 0, max: 60 })),
        )
        .map(([sign, h, colon, m]) => `${sign}${pad(h)}${m === null ? '' : `${colon}${pad(m)}`}`),
    ),
  })
  .map(
    (p) =>
      `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${p.t}${pad(p.hour)}:${pad(p.minute)}` +
      `${p.second === undefined ? '' : `:${pad(p.second)}${p.fraction ?? ''}`}${p.zone}`,
  );

const anyTimeText = fc.oneof(fc.stringMatching(TIMESTAMP_PATTERN), secondsText, isoText, fc.string({ maxLength: 12 }));

describe('the timestamp pattern', () => {
  it('admits only what parseTimestamp accepts', () => {
    fc.assert(
      fc.property(anyTimeText, (text) => {
        if (text.length > TIMESTAMP_MAX_LENGTH || !TIMESTAMP_PATTERN.test(text)) return;
        expect(parseTimestamp(text), text).toMatchObject({ ok: true });
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('is exact for unix seconds: the pattern and the parser agree both ways', () => {
    fc.assert(
      fc.property(secondsText, (text) => {
        expect(TIMESTAMP_PATTERN.test(text), text).toBe(parseTimestamp(text).ok);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves out of ISO 8601 only 1970-01-01 ahead of UTC and the last days before 2262-04-11', () => {
    fc.assert(
      fc.property(isoText, (text) => {
        if (!parseTimestamp(text).ok) return;
        const documentedEdge = /^(1970-01-01|2262-04-1)/.test(text);
        if (!documentedEdge) expect(TIMESTAMP_PATTERN.test(text), text).toBe(true);
      }),
      { numRuns: RUNS * 4 },
    );
    expect(TIMESTAMP_PATTERN.test('1970-01-01T00:00:00Z')).toBe(true);
    expect(TIMESTAMP_PATTERN.test('1970-01-01T05:00:00-01:00')).toBe(true);
    expect(TIMESTAMP_PATTERN.test('1970-01-01T05:00:00+01:00')).toBe(false);
    expect(TIMESTAMP_PATTERN.test('2262-04-09T23:59:59.999999999-23:59')).toBe(true);
    expect(TIMESTAMP_PATTERN.test('2262-04-10T00:00:00Z')).toBe(false);
    expect(TIMESTAMP_PATTERN.test('2000-02-29T00:00Z')).toBe(true);
    expect(TIMESTAMP_PATTERN.test('2100-02-29T00:00Z')).toBe(false);
  });

  it('is binding on the server: a time the parser takes but the pattern does not is a 400 that says why', () => {
    expect(readTimestamp('2262-04-10T00:00:00Z')).toEqual({
      ok: false,
      detail: 'is outside the times this API takes: ISO 8601 dates from 1970-01-01 to 2262-04-09',
    });
    // The parser's own words come first, where it has some.
    expect(readTimestamp('1795618800123')).toMatchObject({ ok: false, detail: expect.stringMatching(/milliseconds/) });
  });
});

describe('the duration pattern', () => {
  it('agrees with parseDurationSeconds both ways', () => {
    fc.assert(
      fc.property(fc.oneof(secondsText, fc.string({ maxLength: 8 })), (text) => {
        const documented = text.length <= DURATION_MAX_LENGTH && DURATION_PATTERN.test(text);
        expect(documented, text).toBe(parseDurationSeconds(text).ok);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the file path patterns', () => {
  const camera = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
  const ms = fc.integer({ min: 0, max: 9_999_999_999_999 });

  it('admit every name of ours', () => {
    fc.assert(
      fc.property(camera, ms, ms, (id, a, b) => {
        expect(THUMBNAIL_PATH_PATTERN.test(thumbnailRelativePath(id, a))).toBe(true);
        expect(CHUNK_PATH_PATTERN.test(chunkRelativePath(id, Math.min(a, b), Math.max(a, b)))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('leave the rest to the contract, which decides whether a name of that shape is ours (404 if not) and never throws', () => {
    fc.assert(
      fc.property(fc.stringMatching(THUMBNAIL_PATH_PATTERN), fc.stringMatching(CHUNK_PATH_PATTERN), (thumb, chunk) => {
        const ours = parseThumbnailPath(thumb);
        if (ours) expect(thumbnailRelativePath(ours.camera, ours.capturedAtMs)).toBe(thumb);
        const chunkOurs = parseChunkPath(chunk);
        if (chunkOurs) expect(chunkRelativePath(chunkOurs.camera, chunkOurs.startMs, chunkOurs.endMs)).toBe(chunk);
      }),
      { numRuns: RUNS },
    );
    for (const outside of ['cam/2026/11/25/15/1.jpg.tmp', '../x/2026/11/25/15/1.jpg', 'cam/2026/11/25/1.jpg', '']) {
      expect(THUMBNAIL_PATH_PATTERN.test(outside), outside).toBe(false);
    }
    expect(CHUNK_PATH_PATTERN.test('cam1/2026/11/25/15/1.mp4')).toBe(false);
  });
});

describe('the region pattern and its rule', () => {
  it('the server takes a region exactly when the pattern and the rule say so', () => {
    const region = fc.oneof(
      fc.stringMatching(REGION_PATTERN),
      fc
        .array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 4, maxLength: 4 })
        .map((parts) => parts.map((n) => (n === 1_000_000 ? '1' : `0.${pad(n, 6)}`)).join(',')),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(region, (text) => {
        const accepted = motionQuerySchema.safeParse({ camera: 'yard', ts: '1795618800', region: text }).success;
        const [x, y, w, h] = text.split(',').map(Number) as [number, number, number, number];
        const documented =
          REGION_PATTERN.test(text) && w > 0 && h > 0 && x + w <= 1 + REGION_SLACK && y + h <= 1 + REGION_SLACK;
        expect(accepted, text).toBe(documented);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the label words', () => {
  it('the server takes a label exactly when the pattern says so (label-words.spec.ts has more)', () => {
    const words = fc.oneof(
      fc.stringMatching(LABEL_WORDS_PATTERN),
      fc.constantFrom('people', 'car,truck', 'traffic light', 'people and dogs', 'unicorn', 'and', '', 'person!'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(words, (text) => {
        const accepted = detectionsQuerySchema.safeParse({ label: text }).success;
        const documented = text.length <= LABEL_WORDS_MAX_LENGTH && LABEL_WORDS_PATTERN.test(text);
        expect(accepted, text).toBe(documented);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the export request', () => {
  const body = (from: unknown) => ({ camera: 'porch', from, to: '2262-04-09T00:00:00Z' });

  it('takes a number up to its documented maximum, and nothing past it', () => {
    expect(exportRequestSchema.safeParse(body(MAX_UNIX_SECONDS_NUMBER)).success).toBe(true);
    expect(exportRequestSchema.safeParse(body(9_223_372_035.9994)).success).toBe(false);
    expect(exportRequestSchema.safeParse(body(0)).success).toBe(true);
    expect(exportRequestSchema.safeParse(body(-0.001)).success).toBe(false);
  });

  it('states the EXPORT_MAX_HOURS range config.ts enforces', () => {
    const hours = (value: string) => parseConfig({ INFLUX_TOKEN: 't', EXPORT_MAX_HOURS: value }).exports.maxRangeHours;
    expect(parseConfig({ INFLUX_TOKEN: 't' }).exports.maxRangeHours).toBe(EXPORT_MAX_HOURS_SETTING.default);
    expect(hours(String(EXPORT_MAX_HOURS_SETTING.least))).toBe(EXPORT_MAX_HOURS_SETTING.least);
    expect(hours(String(EXPORT_MAX_HOURS_SETTING.most))).toBe(EXPORT_MAX_HOURS_SETTING.most);
    expect(() => hours(String(EXPORT_MAX_HOURS_SETTING.least - 1))).toThrow();
    expect(() => hours(String(EXPORT_MAX_HOURS_SETTING.most + 1))).toThrow();
  });
});

describe('the document', () => {
  const document = buildOpenApiDocument({
    groupMinutes: { default: 10, max: 60 },
    tokenRequired: false,
    chunks: true,
    activity: true,
    detections: true,
    exports: true,
  }) as unknown as {
    paths: Record<string, Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[] }>>;
  };

  it('constrains every text parameter: a pattern or an enum, never "any string"', () => {
    const loose: string[] = [];
    const constrained = (schema: Record<string, unknown>): boolean => {
      const branches = schema.anyOf as Record<string, unknown>[] | undefined;
      if (branches) return branches.every(constrained);
      if (schema.type === 'array') return constrained(schema.items as Record<string, unknown>);
      return schema.type !== 'string' || 'pattern' in schema || 'enum' in schema;
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const p of op.parameters ?? []) if (!constrained(p.schema)) loose.push(`${method} ${path} ${p.name}`);
      }
    }
    expect(loose).toEqual([]);
  });
});
