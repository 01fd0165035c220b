/**
 * CPU of a process tree from a /proc snapshot: pure functions over the table that
 * procfs.ts reads, so the arithmetic is tested without real processes.
 */

export interface ProcessStat {
  pid: number;
  ppid: number;
  comm: string;
  /**
   * utime + stime + cutime + cstime, in clock ticks. The children's part keeps the time of
   * a descendant that exited and was reaped inside the window (it moves to its parent's
   * cutime), so a tree's total never goes backwards.
   */
  ticks: number;
  /** utime + stime: the process alone, without its reaped children. */
  ownTicks: number;
}

export type ProcessTable = ReadonlyMap<number, ProcessStat>;

/** Parses one /proc/<pid>/stat line. comm may hold spaces and parentheses, so split after the last ')'. */
export function parseStatLine(line: string): ProcessStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  const rest = line
    .slice(close + 2)
    .trim()
    .split(' ');
  // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  const ppid = Number(rest[1]);
  const ownTicks = Number(rest[11]) + Number(rest[12]);
  const ticks = ownTicks + Number(rest[13]) + Number(rest[14]);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(ticks)) return null;
  return { pid, ppid, comm: line.slice(open + 1, close), ticks, ownTicks };
}

/** The root and every descendant alive in the snapshot. */
export function treePids(table: ProcessTable, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  if (!table.has(root)) return [];
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return out;
}

/** Ticks of the trees under `roots` (a pid in two trees is counted once). */
export function treesTicks(table: ProcessTable, roots: readonly number[]): number {
  const seen = new Set<number>();
  let ticks = 0;
  for (const root of roots) {
    for (const pid of treePids(table, root)) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      ticks += table.get(pid)?.ticks ?? 0;
    }
  }
  return ticks;
}

/** Descendants (not the root) whose command name is `comm`, e.g. the feed-handler's ffmpeg children. */
export function descendantsNamed(table: ProcessTable, root: number, comm: string): number[] {
  return treePids(table, root).filter((pid) => pid !== root && table.get(pid)?.comm === comm);
}

/** Machine-wide CPU from the first line of /proc/stat: busy and total ticks (all cores). */
export function parseCpuLine(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}
