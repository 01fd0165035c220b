import { describe, expect, it } from 'vitest';
import { framesInRangeInfluxQL, nearestSidesInfluxQL, quoteIdentifier, quoteString } from './queries.js';

const T = 1_795_618_800_123_000_000n; // 2026-11-25T15:00:00.123Z
const S = 1_000_000_000n;

describe('nearestSidesInfluxQL', () => {
  it('is two selectors with exact ns bounds, one per side, labelled in order', () => {
    const query = nearestSidesInfluxQL('cam1', {
      before: { startNs: T - 60n * S, stopNs: T },
      after: { startNs: T, stopNs: T + 60n * S + 1n },
    });
    expect(query.statements).toEqual(['before', 'after']);
    expect(query.text).toBe(
      `SELECT last("filepath") AS "filepath", "location"::tag, "camera"::tag FROM "filepaths" WHERE time >= 1795618740123000000 AND time < 1795618800123000000 AND "camera"::tag = 'cam1'; ` +
        `SELECT first("filepath") AS "filepath", "location"::tag, "camera"::tag FROM "filepaths" WHERE time >= 1795618800123000000 AND time < 1795618860123000001 AND "camera"::tag = 'cam1'`,
    );
  });

  it('merges every camera when none is given, and can ask for one side only', () => {
    const query = nearestSidesInfluxQL(undefined, { after: { startNs: T, stopNs: T + 1n } });
    expect(query.statements).toEqual(['after']);
    expect(query.text).not.toContain("'");
    expect(query.text).not.toContain('last(');
    expect(query.text).not.toContain('GROUP BY');
  });

  it('refuses empty ranges, no sides, and non-bigint bounds', () => {
    expect(() => nearestSidesInfluxQL(undefined, { before: { startNs: T, stopNs: T } })).toThrow(RangeError);
    expect(() => nearestSidesInfluxQL(undefined, {})).toThrow(RangeError);
    expect(() =>
      nearestSidesInfluxQL(undefined, { before: { startNs: 1 as unknown as bigint, stopNs: 2 as unknown as bigint } }),
    ).toThrow(TypeError);
  });

  it('keeps hostile camera text inside one string literal', () => {
    const text = nearestSidesInfluxQL("x' OR time > 0; DROP DATABASE \\'", {
      after: { startNs: T, stopNs: T + 1n },
    }).text;
    expect(text).toContain(`"camera"::tag = 'x\\' OR time > 0; DROP DATABASE \\\\\\''`);
  });
});

describe('framesInRangeInfluxQL', () => {
  it('selects the frame columns in a half-open ns range', () => {
    expect(framesInRangeInfluxQL('cam1', { startNs: T + 1n, stopNs: T + 600n * S + 1n }).text).toBe(
      `SELECT "filepath", "location"::tag, "camera"::tag FROM "filepaths" WHERE time >= 1795618800123000001 AND time < 1795619400123000001 AND "camera"::tag = 'cam1'`,
    );
  });
});

describe('quoting', () => {
  it('escapes backslashes and the quote character', () => {
    expect(quoteString("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(quoteIdentifier('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
