/**
 * Parsing of the `ts` and `within` query values into exact epoch nanoseconds.
 *
 * Everything stays in bigint nanoseconds: `1795618800.123` must mean exactly
 * ...800.123000000, and a float multiply (ts * 1000) is the kind of unit slip
 * that broke the seed. Values that can only be milliseconds, microseconds or
 * nanoseconds are refused with a message that says so, instead of being read
 * as seconds in the year 58,000.
 */

import { rfc3339ToNs } from '@fathom/index-contract';

export const NS_PER_SECOND = 1_000_000_000n;
export const NS_PER_MS = 1_000_000n;

/**
 * The last instant InfluxDB can store (its models.MaxNanoTime, 2262-04-11); Flux
 * converts bounds with UnixNano, which wraps after it. One ns below int64 max so
 * that an exclusive stop bound of MAX_TIME_NS + 1 is still an int64.
 */
export const MAX_TIME_NS = 9_223_372_036_854_775_806n;
/** Thumbnails are named by non-negative epoch ms (the contract), so nothing is before 1970. */
export const MIN_TIME_NS = 0n;
export const MAX_TIMESTAMP_SECONDS = MAX_TIME_NS / NS_PER_SECOND; // 9223372036 -> keep whole seconds valid
const LAST_WHOLE_SECOND = MAX_TIMESTAMP_SECONDS - 1n;

export type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

function fractionToNs(fraction: string | undefined): Parsed<bigint> {
  if (!fraction) return { ok: true, value: 0n };
  if (fraction.length > 9) return { ok: false, detail: 'has more than 9 fractional digits (finer than a nanosecond)' };
  return { ok: true, value: BigInt(fraction.padEnd(9, '0')) };
}

/** Why an integer part too large for seconds was refused: names the unit it looks like. */
function describeTooLarge(whole: bigint): string {
  if (whole >= 10n ** 11n && whole < 10n ** 14n) {
    return 'looks like milliseconds; send unix seconds (divide by 1000), e.g. 1795618800.123';
  }
  if (whole >= 10n ** 14n && whole < 10n ** 17n) return 'looks like microseconds; send unix seconds';
  if (whole >= 10n ** 17n && whole < 10n ** 20n) return 'looks like nanoseconds; send unix seconds';
  return `is out of range: unix seconds must be at most ${LAST_WHOLE_SECOND} (2262-04-11)`;
}

function parseUnixSeconds(text: string): Parsed<bigint> | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const whole = BigInt(match[1] as string);
  if (whole > LAST_WHOLE_SECOND) return { ok: false, detail: describeTooLarge(whole) };
  const fraction = fractionToNs(match[2]);
  if (!fraction.ok) return fraction;
  return { ok: true, value: whole * NS_PER_SECOND + fraction.value };
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function parseIso8601(text: string): Parsed<bigint> | null {
  const match = ISO_8601.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '00', fraction, zone] = match;
  if (!zone) {
    return { ok: false, detail: 'has no time zone; add Z (UTC) or an offset such as +01:00' };
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // Checked before Date.UTC, which maps years 0-99 to 1900-1999.
  if (year < 1970) return { ok: false, detail: 'is before 1970-01-01T00:00:00Z' };
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, detail: 'is not a valid calendar date and time' };
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2) || '0');
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, detail: 'has an invalid UTC offset' };
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const fractionNs = fractionToNs(fraction);
  if (!fractionNs.ok) return fractionNs;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const ns = BigInt(epochMs) * NS_PER_MS + fractionNs.value;
  if (ns < MIN_TIME_NS) return { ok: false, detail: 'is before 1970-01-01T00:00:00Z' };
  if (ns > MAX_TIME_NS) return { ok: false, detail: 'is after 2262-04-11, the last time InfluxDB can store' };
  return { ok: true, value: ns };
}

/**
 * A point in time: integer or fractional unix seconds (up to 9 fractional digits),
 * or ISO 8601 / RFC 3339 with a zone (Z or ±HH:MM). Returns epoch nanoseconds.
 */
export function parseTimestamp(raw: string): Parsed<bigint> {
  if (raw === '') return { ok: false, detail: 'is empty' };
  if (raw.length > 64) return { ok: false, detail: 'is too long to be a time' };
  if (raw.startsWith('-')) return { ok: false, detail: 'is negative; times before 1970 hold no thumbnails' };
  // In a query string an unencoded "+01:00" arrives as " 01:00" (form decoding); take it back.
  const text = /^\d{4}-\d{2}-\d{2}[Tt][\d:.,]+ \d{2}(:?\d{2})?$/.test(raw) ? raw.replace(' ', '+') : raw;
  const parsed = parseUnixSeconds(text) ?? parseIso8601(text);
  if (parsed) return parsed;
  return {
    ok: false,
    detail:
      'is not a time: send unix seconds (e.g. 1795618800 or 1795618800.123) or ISO 8601 with a zone (e.g. 2026-11-25T15:00:00.123Z)',
  };
}

/** A non-negative duration in seconds (integer or decimal, up to ns). Returns nanoseconds. */
export function parseDurationSeconds(raw: string): Parsed<bigint> {
  if (raw === '') return { ok: false, detail: 'is empty' };
  if (raw.length > 32) return { ok: false, detail: 'is too long' };
  if (raw.startsWith('-')) return { ok: false, detail: 'must not be negative' };
  const match = DECIMAL.exec(raw);
  if (!match) return { ok: false, detail: 'is not a number of seconds (e.g. 30 or 1.5)' };
  const whole = BigInt(match[1] as string);
  if (whole > LAST_WHOLE_SECOND) return { ok: false, detail: `must be at most ${LAST_WHOLE_SECOND} seconds` };
  const fraction = fractionToNs(match[2]);
  if (!fraction.ok) return fraction;
  return { ok: true, value: whole * NS_PER_SECOND + fraction.value };
}

/** Epoch ns as RFC 3339 UTC: milliseconds always, more digits only when the time has them. */
export function nsToIso(ns: bigint): string {
  const ms = ns / NS_PER_MS;
  const subMs = ns % NS_PER_MS;
  const iso = new Date(Number(ms)).toISOString();
  if (subMs === 0n) return iso;
  return `${iso.slice(0, -1)}${subMs.toString().padStart(6, '0').replace(/0+$/, '')}Z`;
}

/** Epoch ns as unix seconds in a JSON number (exact to the microsecond for current dates). */
export function nsToSeconds(ns: bigint): number {
  // Whole milliseconds (every frame the feed-handler writes): ms / 1000 is the same correctly
  // rounded double as parsing the decimal text below, without building a string.
  if (ns % NS_PER_MS === 0n) return Number(ns / NS_PER_MS) / 1000;
  const whole = ns / NS_PER_SECOND;
  const fraction = ns % NS_PER_SECOND;
  return Number(`${whole}.${fraction.toString().padStart(9, '0')}`);
}

/** The earlier of two ns times (Math.min takes no bigint). */
export const minNs = (a: bigint, b: bigint): bigint => (a < b ? a : b);
/** The later of two ns times. */
export const maxNs = (a: bigint, b: bigint): bigint => (a > b ? a : b);

const UTC_RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;
/** Epoch ns of each whole second seen lately: a window's frames share their seconds across cameras. */
const secondsSeen = new Map<string, bigint>();

/**
 * A time as InfluxDB writes it (RFC 3339 in UTC, up to 9 fraction digits, trailing zeros dropped)
 * to exact epoch ns and to the text nsToIso would give, without a Date per call: this runs once
 * per row, 6,000 times for a 10-camera window. Other forms go the long way.
 */
export function influxTime(value: string): { ns: bigint; iso: string } {
  const match = UTC_RFC3339.exec(value);
  if (!match) {
    const ns = rfc3339ToNs(value);
    return { ns, iso: nsToIso(ns) };
  }
  const head = match[1] as string;
  const fraction = match[2] ?? '';
  let second = secondsSeen.get(head);
  if (second === undefined) {
    const ms = Date.parse(`${head}Z`);
    if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 time: ${value}`);
    if (secondsSeen.size > 100_000) secondsSeen.clear();
    second = BigInt(ms) * NS_PER_MS;
    secondsSeen.set(head, second);
  }
  const ns = fraction ? second + BigInt(fraction.padEnd(9, '0')) : second;
  const millis =
    fraction.length >= 3 ? fraction.slice(0, 3) + fraction.slice(3).replace(/0+$/, '') : fraction.padEnd(3, '0');
  return { ns, iso: `${head}.${millis}Z` };
}
