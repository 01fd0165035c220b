import { describe, expect, it } from 'vitest';
import {
  descendantsNamed,
  type ProcessStat,
  parseCpuLine,
  parseStatLine,
  treePids,
  treesTicks,
} from './process-tree.js';

const stat = (pid: number, ppid: number, comm: string, ticks: number): ProcessStat => ({
  pid,
  ppid,
  comm,
  ticks,
  ownTicks: ticks,
});
const table = new Map(
  [
    stat(1, 0, 'init', 1000),
    stat(10, 1, 'node', 50),
    stat(11, 10, 'ffmpeg', 7),
    stat(12, 10, 'ffmpeg', 9),
    stat(13, 12, 'sh', 1),
    stat(20, 1, 'python3', 30),
  ].map((s) => [s.pid, s]),
);

describe('parseStatLine', () => {
  it('reads ppid and utime+stime(+children) after a comm that holds spaces and parentheses', () => {
    const line = '4242 (node (main) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 150 30 7 3 20 0 11 0 1 2 3';
    expect(parseStatLine(line)).toEqual({ pid: 4242, ppid: 17, comm: 'node (main) x', ticks: 190, ownTicks: 180 });
  });

  it('rejects garbage', () => {
    expect(parseStatLine('nonsense')).toBeNull();
  });
});

describe('process trees', () => {
  it('walks every descendant', () => {
    expect(treePids(table, 10).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(treePids(table, 99)).toEqual([]);
  });

  it('sums ticks over trees without counting a process twice', () => {
    expect(treesTicks(table, [10])).toBe(67);
    expect(treesTicks(table, [10, 12, 20])).toBe(97);
  });

  it('finds the ffmpeg children by name', () => {
    expect(descendantsNamed(table, 10, 'ffmpeg').sort()).toEqual([11, 12]);
  });
});

describe('parseCpuLine', () => {
  it('counts idle and iowait as idle, guest time not twice', () => {
    const text = 'cpu  100 5 50 800 20 3 2 0 40 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n';
    expect(parseCpuLine(text)).toEqual({ busy: 160, total: 980 });
  });
});
