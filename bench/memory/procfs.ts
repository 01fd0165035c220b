/** The memory bench's /proc adapter (Linux): one process's memory and CPU figures, read as text and parsed by smaps.ts. */
import { readdirSync, readFileSync } from 'node:fs';
import { parseStatLine } from '../ingest/process-tree.js';
import {
  type Mapping,
  parseRollup,
  parseSmaps,
  parseStatus,
  parseSyscallStackPointer,
  type Sizes,
  type StatusFigures,
} from './smaps.js';

export interface MemorySample {
  status: StatusFigures;
  rollup: Sizes;
  /** utime + stime of the process (its threads), clock ticks. */
  ticks: number;
}

/** null when the process is gone. */
export function readMemory(pid: number): MemorySample | null {
  try {
    const stat = parseStatLine(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return {
      status: parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')),
      rollup: parseRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')),
      ticks: stat?.ownTicks ?? 0,
    };
  } catch {
    return null;
  }
}

/** Every mapping, and the stack pointers of the threads other than the main one (to find their stacks). */
export function readMappings(pid: number): { mappings: Mapping[]; stackPointers: bigint[] } {
  const mappings = parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  const stackPointers: bigint[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    try {
      const sp = parseSyscallStackPointer(readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8'));
      if (sp !== null) stackPointers.push(sp);
    } catch {
      // the thread ended, or /proc/.../syscall is not readable (needs ptrace rights): its stack counts as anonymous
    }
  }
  return { mappings, stackPointers };
}
