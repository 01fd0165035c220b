/**
 * Which hour folders can hold a thumbnail newer than a given time. Folders are
 * <YYYY>/<MM>/<DD>/<HH> in UTC, so a whole year, month, day or hour can be
 * skipped by its end time without listing it.
 */

/** End (exclusive) of the UTC period named by 1..4 folder numbers [year, month, day, hour]. */
export function periodEndMs(parts: readonly number[]): number {
  const [year = 0, month, day, hour] = parts;
  if (month === undefined) return Date.UTC(year + 1, 0, 1);
  if (day === undefined) return Date.UTC(year, month, 1); // month is 1-based: this is the next month
  if (hour === undefined) return Date.UTC(year, month - 1, day + 1);
  return Date.UTC(year, month - 1, day, hour + 1);
}

/** True when the period may contain a time strictly greater than afterMs (null: everything is newer). */
export function periodMayHoldNewer(parts: readonly number[], afterMs: number | null): boolean {
  return afterMs === null || periodEndMs(parts) > afterMs + 1;
}

const PART_PATTERNS = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/, /^\d{2}$/];

/** The folder names at one depth that are ours, as numbers, ascending. */
export function sortedFolderNumbers(names: readonly string[], depth: number): number[] {
  const pattern = PART_PATTERNS[depth];
  if (!pattern) return [];
  return names
    .filter((name) => pattern.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}
