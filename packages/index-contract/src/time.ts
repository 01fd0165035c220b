/**
 * Time conversions shared by writer and reader. Points are written at
 * millisecond precision; Flux bounds are computed from these in nanoseconds.
 *
 * The seed's timestamp bug lived here: unix seconds handed to APIs that expect
 * milliseconds (Date) or nanoseconds (the client's default write precision).
 * Every conversion is therefore named by its units.
 */

export const MS_PER_SECOND = 1000;
export const NS_PER_MS = 1_000_000n;

export function secondsToMs(seconds: number): number {
  // Round, don't truncate: 1.001 s * 1000 is 1000.9999999999999 in binary floating point.
  return Math.round(seconds * MS_PER_SECOND);
}

export function msToSeconds(ms: number): number {
  return ms / MS_PER_SECOND;
}

export function msToNs(ms: number): bigint {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`not an integer millisecond time: ${ms}`);
  return BigInt(ms) * NS_PER_MS;
}

export function msToIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses an RFC 3339 time as InfluxDB returns it (up to nanoseconds) to epoch ms, truncating. */
export function rfc3339ToMs(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 time: ${value}`);
  return ms;
}

/** Parses an RFC 3339 time to epoch nanoseconds, keeping the sub-millisecond digits. */
export function rfc3339ToNs(value: string): bigint {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!match) throw new RangeError(`not an RFC 3339 time: ${value}`);
  const [, head, fraction = '', zone] = match;
  const wholeMs = Date.parse(`${head}${zone}`);
  if (Number.isNaN(wholeMs)) throw new RangeError(`not an RFC 3339 time: ${value}`);
  return BigInt(wholeMs) * NS_PER_MS + BigInt(fraction.padEnd(9, '0'));
}
