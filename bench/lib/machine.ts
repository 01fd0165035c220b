/** The machine a run was measured on: cores, CPU model, memory, versions, date. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverage: string;
  node: string;
  influxd: string;
  date: string;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // not Linux: fall through to os.cpus()
  }
  return cpus()[0]?.model ?? 'unknown';
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return cpus().length;
  }
}

export function influxdVersion(bin: string): string {
  try {
    return execFileSync(bin, ['version'], { encoding: 'utf8' }).trim().split(/\s+/).slice(0, 2).join(' ');
  } catch {
    return 'unknown';
  }
}

export function machineInfo(influxdBin: string): MachineInfo {
  return {
    cores: nproc(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    node: process.version,
    influxd: influxdVersion(influxdBin),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}
