/** The bench's /proc adapter (Linux): process table, RSS, machine CPU, clock tick rate. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { type ProcessStat, type ProcessTable, parseCpuLine, parseStatLine } from './process-tree.js';

let ticksPerSecond: number | undefined;

/** getconf CLK_TCK (100 on every Linux we know of, asked anyway). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function readProcessTable(): ProcessTable {
  const table = new Map<number, ProcessStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStatLine(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat) table.set(stat.pid, stat);
    } catch {
      // it exited while we looked
    }
  }
  return table;
}

/**
 * VmRSS and its anonymous part (RssAnon) in MiB, zeros when the process is gone. The rest
 * of VmRSS is mostly the executable's pages (node: ~34 MiB), shared with every other
 * process running the same binary.
 */
export function memoryMiB(pid: number): { rss: number; anon: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024 };
  } catch {
    return { rss: 0, anon: 0 };
  }
}

export function readMachineCpu(): { busy: number; total: number } {
  return parseCpuLine(readFileSync('/proc/stat', 'utf8'));
}

/** A process's argv from /proc/<pid>/cmdline ([] when it is gone). */
export function readCommandLine(pid: number): string[] {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((x, i, all) => x !== '' || i < all.length - 1);
  } catch {
    return [];
  }
}
