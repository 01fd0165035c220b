/**
 * What every bench prints as it goes: progress lines on stderr (stdout is the tables), tagged with the bench
 * and the time of day, and the machine's load averages, which say how quiet the machine was.
 */
import { loadavg } from 'node:os';

/** A progress logger: `[bench:<name> HH:MM:SS] message` on stderr. */
export function benchLog(name: string): (message: string) => void {
  return (message) => process.stderr.write(`[bench:${name} ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The 1-, 5- and 15-minute load averages, e.g. "0.12 0.30 0.41". */
export function loadAverages(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
