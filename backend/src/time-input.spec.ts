import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { influxTime, MAX_TIME_NS, nsToIso, nsToSeconds, parseDurationSeconds, parseTimestamp } from './time-input.js';

const ok = (raw: string) => {
  const parsed = parseTimestamp(raw);
  if (!parsed.ok) throw new Error(`${raw}: ${parsed.detail}`);
  return parsed.value;
};
const refusal = (raw: string) => {
  const parsed = parseTimestamp(raw);
  if (parsed.ok) throw new Error(`${raw} was accepted as ${parsed.value}`);
  return parsed.detail;
};

describe('parseTimestamp', () => {
  it('reads integer and fractional unix seconds exactly, to the nanosecond', () => {
    expect(ok('1795618800')).toBe(1795618800_000000000n);
    expect(ok('1795618800.123')).toBe(1795618800_123000000n);
    expect(ok('1795618800.000000001')).toBe(1795618800_000000001n);
    expect(ok('1.001')).toBe(1_001000000n);
    expect(ok('0')).toBe(0n);
  });

  it('reads ISO 8601 with Z or an offset, and a "+" that form-decoding turned into a space', () => {
    expect(ok('2026-11-25T15:00:00Z')).toBe(1795618800_000000000n);
    expect(ok('2026-11-25T15:00:00.123456789Z')).toBe(1795618800_123456789n);
    expect(ok('2026-11-25T16:00:00+01:00')).toBe(1795618800_000000000n);
    expect(ok('2026-11-25T16:00:00 01:00')).toBe(1795618800_000000000n);
    expect(ok('2026-11-25T10:30:00-0430')).toBe(1795618800_000000000n);
    expect(ok('2026-11-25T15:00Z')).toBe(1795618800_000000000n);
    expect(ok('2026-11-25t15:00:00,5z')).toBe(1795618800_500000000n);
  });

  it('says when a number can only be milliseconds, microseconds or nanoseconds', () => {
    expect(refusal('1795618800123')).toMatch(/milliseconds/);
    expect(refusal('1795618800123.5')).toMatch(/milliseconds/);
    expect(refusal('1795618800123456')).toMatch(/microseconds/);
    expect(refusal('1795618800123456789')).toMatch(/nanoseconds/);
    expect(refusal('99999999999999999999999')).toMatch(/out of range/);
    expect(refusal('9999999999')).toMatch(/out of range/);
  });

  it('refuses empty, text, NaN, negative, exponents, Flux fragments and zone-less times', () => {
    expect(refusal('')).toMatch(/empty/);
    expect(refusal('now')).toMatch(/not a time/);
    expect(refusal('NaN')).toMatch(/not a time/);
    expect(refusal('Infinity')).toMatch(/not a time/);
    expect(refusal('-1')).toMatch(/negative/);
    expect(refusal('1.7e9')).toMatch(/not a time/);
    expect(refusal(' 1795618800')).toMatch(/not a time/);
    expect(refusal('0x10')).toMatch(/not a time/);
    expect(refusal('1795618800) |> drop(columns: ["_value"]')).toMatch(/not a time/);
    expect(refusal('1795618800.1234567891')).toMatch(/9 fractional digits/);
    expect(refusal('2026-11-25T15:00:00')).toMatch(/no time zone/);
    expect(refusal('2026-02-30T15:00:00Z')).toMatch(/calendar/);
    expect(refusal('2026-11-25T24:00:00Z')).toMatch(/calendar/);
    expect(refusal('1969-12-31T23:59:59Z')).toMatch(/before 1970/);
    expect(refusal('0070-01-01T00:00:00Z')).toMatch(/before 1970/);
    expect(refusal('2262-04-12T00:00:00Z')).toMatch(/2262/);
    expect(refusal('x'.repeat(100))).toMatch(/too long/);
  });

  it('accepts the last whole second InfluxDB can store and nothing later', () => {
    expect(ok('9223372035.999999999')).toBeLessThanOrEqual(MAX_TIME_NS);
    expect(refusal('9223372036')).toMatch(/out of range/);
  });
});

describe('parseDurationSeconds', () => {
  it('reads non-negative decimal seconds', () => {
    expect(parseDurationSeconds('30')).toEqual({ ok: true, value: 30_000000000n });
    expect(parseDurationSeconds('0.5')).toEqual({ ok: true, value: 500000000n });
    expect(parseDurationSeconds('0')).toEqual({ ok: true, value: 0n });
  });
  it('refuses negative, text and empty', () => {
    expect(parseDurationSeconds('-1').ok).toBe(false);
    expect(parseDurationSeconds('abc').ok).toBe(false);
    expect(parseDurationSeconds('').ok).toBe(false);
    expect(parseDurationSeconds('1e3').ok).toBe(false);
  });
});

describe('formatting', () => {
  it('prints ms always and finer digits only when present', () => {
    expect(nsToIso(1795618800_000000000n)).toBe('2026-11-25T15:00:00.000Z');
    expect(nsToIso(1795618800_123000000n)).toBe('2026-11-25T15:00:00.123Z');
    expect(nsToIso(1795618800_123456700n)).toBe('2026-11-25T15:00:00.1234567Z');
  });
  it('gives unix seconds as a number', () => {
    expect(nsToSeconds(1795618800_123000000n)).toBe(1795618800.123);
    expect(nsToSeconds(5n)).toBe(0.000000005);
  });
});

describe('nsToSeconds fast path', () => {
  it('gives the same double as the exact decimal text for whole milliseconds', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_TIME_NS / 1_000_000n }), (ms) => {
        const ns = ms * 1_000_000n;
        const text = `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
        expect(nsToSeconds(ns)).toBe(Number(text));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('influxTime', () => {
  /** A time as InfluxDB writes it: RFC 3339 in UTC with 0 to 9 fraction digits, trailing zeros dropped. */
  const fluxText = (ns: bigint) => {
    const head = new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
    const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
    return `${head}${fraction ? `.${fraction}` : ''}Z`;
  };

  it('gives the exact ns and the same text as nsToIso, for any storable time', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_TIME_NS }), (ns) => {
        expect(influxTime(fluxText(ns))).toEqual({ ns, iso: nsToIso(ns) });
      }),
      { numRuns: 2_000 },
    );
    expect(influxTime('2026-11-25T15:00:00.1Z')).toEqual({
      ns: 1_795_618_800_100_000_000n,
      iso: '2026-11-25T15:00:00.100Z',
    });
  });

  it('takes other RFC 3339 forms the long way', () => {
    expect(influxTime('2026-11-25T16:00:00.5+01:00').iso).toBe('2026-11-25T15:00:00.500Z');
    expect(() => influxTime('yesterday')).toThrow(RangeError);
  });
});
