/**
 * The capture time drawn into each frame (pure). The text is computed here, per still, and
 * reaches ffmpeg as packet metadata (see timelapse-args.ts), so what is drawn is exactly the
 * index's time, not a re-derivation from frame timestamps that a 1/25 s time base would round.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** "2026-11-29 22:48:03 UTC" (or the zone's short name, e.g. "CET", "GMT+1"); seconds are truncated, as clocks show them. */
export function captureTimeLabel(timeMs: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(timeMs))) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}
