/**
 * Time math and wording for the dashboard. Pure: no DOM, no clock. Days and
 * clock times are in the browser's local time zone (what a person means by
 * "today"); everything crossing the API is epoch ms or unix seconds.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Unix seconds with exactly millisecond precision, built from integers so the
 * API never sees a float artefact like 1795618800.1229999 (the seed's timestamp
 * bug was a units mix-up at exactly this boundary).
 */
export function msToUnixSecondsParam(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a non-negative integer ms time: ${ms}`);
  return `${Math.floor(ms / 1000)}.${pad(ms % 1000, 3)}`;
}

/** "14:03:07", or "14:03:07.412" with milliseconds. */
export function formatClock(ms: number, options: { withMs?: boolean } = {}): string {
  const d = new Date(ms);
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return options.withMs ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** "14:03" */
export function formatHourMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local calendar day of a time, "YYYY-MM-DD". */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(value: string): boolean {
  const m = DAY_PATTERN.exec(value);
  if (!m) return false;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayOf(d.getTime()) === value;
}

/**
 * Local midnight to the next local midnight, [startMs, endMs). Not always 24 h:
 * a daylight-saving day is 23 or 25 hours long.
 */
export function dayBounds(day: string): { startMs: number; endMs: number } {
  const m = DAY_PATTERN.exec(day);
  if (!m || !isDay(day)) throw new RangeError(`not a day: ${day}`);
  const year = Number(m[1]);
  const monthIndex = Number(m[2]) - 1;
  const date = Number(m[3]);
  return {
    startMs: new Date(year, monthIndex, date).getTime(),
    endMs: new Date(year, monthIndex, date + 1).getTime(),
  };
}

/** The day before or after, "YYYY-MM-DD". */
export function shiftDay(day: string, by: number): string {
  const { startMs } = dayBounds(day);
  const d = new Date(startMs);
  return dayOf(new Date(d.getFullYear(), d.getMonth(), d.getDate() + by).getTime());
}

/** "45 s", "2 min 30 s", "1 h 5 min", "3 days". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(Math.abs(ms) / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) {
    const seconds = totalSeconds % 60;
    return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  return `${Math.floor(hours / 24)} days`;
}

/** How old a frame is, in words: "just now", "4 s ago", "2 min 5 s ago". */
export function formatAge(ageMs: number): string {
  // A slightly fast camera clock makes a fresh frame look like it is from the future.
  if (ageMs < 1500) return 'just now';
  return `${formatDuration(ageMs)} ago`;
}

/**
 * Where the frame is relative to the requested moment, in words:
 * "exact match", "0.4 s after", "3 min 4 s before".
 */
export function formatDistance(frameMs: number, requestedMs: number): string {
  const delta = frameMs - requestedMs;
  if (delta === 0) return 'exact match';
  const abs = Math.abs(delta);
  const amount = abs < 10_000 ? `${(abs / 1000).toFixed(abs < 1000 ? 3 : 1)} s` : formatDuration(abs);
  return `${amount} ${delta > 0 ? 'after' : 'before'}`;
}
