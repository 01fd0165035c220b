/**
 * What a process's memory is made of, from the text of /proc/PID/smaps, smaps_rollup, status
 * and task/TID/syscall: pure parsing and grouping, so the arithmetic is tested without a process.
 * Every size is in KiB, as the kernel prints it ("kB").
 */

/** The smaps fields this bench reads; a mapping lacks none of them on Linux 4.14+. */
export const SMAPS_FIELDS = [
  'Rss',
  'Pss',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Anonymous',
  'Swap',
] as const;
export type SmapsField = (typeof SMAPS_FIELDS)[number];
export type Sizes = Record<SmapsField, number>;

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  /** File path, a kernel name in brackets ([heap], [stack], [vdso] ...), or '' for anonymous memory. */
  path: string;
  kb: Sizes;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+[0-9a-f]+\s+\S+\s+\d+\s*(.*)$/;
const FIELD = /^(\w+):\s+(\d+) kB$/;

export function emptySizes(): Sizes {
  return {
    Rss: 0,
    Pss: 0,
    Shared_Clean: 0,
    Shared_Dirty: 0,
    Private_Clean: 0,
    Private_Dirty: 0,
    Anonymous: 0,
    Swap: 0,
  };
}

/** "Key:   123 kB" lines (status, smaps_rollup, one smaps entry) → KiB by key; other lines are skipped. */
export function parseKbFields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = FIELD.exec(line.trim());
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** /proc/PID/smaps → one entry per mapping (a path with spaces, or " (deleted)", stays whole). */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3] as string,
        path: (header[4] ?? '').trim(),
        kb: emptySizes(),
      };
      out.push(current);
      continue;
    }
    const field = FIELD.exec(line.trim());
    if (current && field && (SMAPS_FIELDS as readonly string[]).includes(field[1] as string)) {
      current.kb[field[1] as SmapsField] = Number(field[2]);
    }
  }
  return out;
}

/** smaps_rollup (or status) → the fields this bench reports; absent ones are 0. */
export function parseRollup(text: string): Sizes {
  const fields = parseKbFields(text);
  const sizes = emptySizes();
  for (const key of SMAPS_FIELDS) sizes[key] = fields.get(key) ?? 0;
  return sizes;
}

export interface StatusFigures {
  vmRss: number;
  vmHwm: number;
  rssAnon: number;
  rssFile: number;
  threads: number;
}

export function parseStatus(text: string): StatusFigures {
  const kb = parseKbFields(text);
  const threads = /^Threads:\s+(\d+)$/m.exec(text);
  return {
    vmRss: kb.get('VmRSS') ?? 0,
    vmHwm: kb.get('VmHWM') ?? 0,
    rssAnon: kb.get('RssAnon') ?? 0,
    rssFile: kb.get('RssFile') ?? 0,
    threads: threads ? Number(threads[1]) : 0,
  };
}

/**
 * The stack pointer of a thread from /proc/PID/task/TID/syscall: "nr a1 .. a6 sp pc" while it
 * waits in a system call, "-1 sp pc" while it runs in user space, "running" while on a CPU.
 */
export function parseSyscallStackPointer(text: string): bigint | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 9 && parts.length !== 3) return null;
  const sp = parts[parts.length - 2] as string;
  return /^0x[0-9a-f]+$/i.test(sp) ? BigInt(sp) : null;
}

export type Category =
  | 'library code and data (file pages)'
  | 'library pages written at load (relocations)'
  | 'library .bss'
  | 'main heap (brk)'
  | 'malloc arenas of other threads'
  | 'thread stacks'
  | 'main thread stack'
  | 'other anonymous mmaps (large buffers)'
  | 'kernel (vdso, vvar)';

export const CATEGORY_ORDER: readonly Category[] = [
  'library code and data (file pages)',
  'library pages written at load (relocations)',
  'library .bss',
  'main heap (brk)',
  'malloc arenas of other threads',
  'other anonymous mmaps (large buffers)',
  'thread stacks',
  'main thread stack',
  'kernel (vdso, vvar)',
];

/** glibc gives every non-main arena a 64 MiB reservation aligned to 64 MiB (HEAP_MAX_SIZE on 64-bit). */
const ARENA_BYTES = 64n << 20n;

export interface Part {
  category: Category;
  /** For file pages and relocations: the file's name (libavcodec.so.59...); otherwise ''. */
  file: string;
  kb: Sizes;
}

function addSizes(into: Sizes, from: Sizes): void {
  for (const key of SMAPS_FIELDS) into[key] += from[key];
}

function subtract(a: Sizes, b: Sizes): Sizes {
  const out = emptySizes();
  for (const key of SMAPS_FIELDS) out[key] = a[key] - b[key];
  return out;
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Splits each mapping into what holds it. A file mapping's anonymous pages are pages the dynamic
 * loader wrote (relocations, GOT: private to the process); its other pages are the file's, shared
 * with every process that maps it. An unnamed mapping right after a file's is that file's .bss. A
 * glibc arena is an rw part at a 64 MiB boundary followed by its inaccessible remainder; a thread
 * stack is the anonymous mapping holding that thread's stack pointer.
 */
export function classify(mappings: readonly Mapping[], stackPointers: readonly bigint[] = []): Part[] {
  const parts: Part[] = [];
  mappings.forEach((m, i) => {
    const previous = i > 0 ? mappings[i - 1] : undefined;
    const next = mappings[i + 1];
    if (m.path.startsWith('/')) {
      const relocated = { ...emptySizes(), Anonymous: m.kb.Anonymous };
      // Anonymous pages of a file mapping are private and dirty (copy-on-write); their Pss is whole.
      relocated.Rss = m.kb.Anonymous;
      relocated.Pss = Math.min(m.kb.Anonymous, m.kb.Pss);
      relocated.Private_Dirty = Math.min(m.kb.Anonymous, m.kb.Private_Dirty);
      parts.push({
        category: 'library code and data (file pages)',
        file: basename(m.path),
        kb: subtract(m.kb, relocated),
      });
      if (m.kb.Anonymous > 0) {
        parts.push({ category: 'library pages written at load (relocations)', file: basename(m.path), kb: relocated });
      }
      return;
    }
    let category: Category;
    let file = '';
    if (m.path === '[heap]') category = 'main heap (brk)';
    else if (m.path === '[stack]') category = 'main thread stack';
    else if (m.path.startsWith('[')) category = 'kernel (vdso, vvar)';
    else if (stackPointers.some((sp) => sp >= m.start && sp < m.end)) category = 'thread stacks';
    else if (
      m.perms.startsWith('rw') &&
      m.start % ARENA_BYTES === 0n &&
      next !== undefined &&
      next.start === m.end &&
      next.perms.startsWith('---') &&
      next.path === '' &&
      next.end - m.start === ARENA_BYTES
    ) {
      category = 'malloc arenas of other threads';
    } else if (previous?.path.startsWith('/') && previous.end === m.start && m.perms.startsWith('rw')) {
      category = 'library .bss';
      file = basename(previous.path);
    } else category = 'other anonymous mmaps (large buffers)';
    parts.push({ category, file, kb: { ...m.kb } });
  });
  return parts;
}

export interface CategoryRow {
  category: Category;
  mappings: number;
  kb: Sizes;
}

/** Sums by category, in CATEGORY_ORDER; categories with nothing resident are left out. */
export function byCategory(parts: readonly Part[]): CategoryRow[] {
  const rows = new Map<Category, CategoryRow>();
  for (const part of parts) {
    let row = rows.get(part.category);
    if (!row) {
      row = { category: part.category, mappings: 0, kb: emptySizes() };
      rows.set(part.category, row);
    }
    row.mappings += 1;
    addSizes(row.kb, part.kb);
  }
  return CATEGORY_ORDER.flatMap((c) => {
    const row = rows.get(c);
    return row && row.kb.Rss > 0 ? [row] : [];
  });
}

/** The files holding the most of `field` in `category` (summed over their mappings), largest first. */
export function topFiles(
  parts: readonly Part[],
  category: Category,
  field: SmapsField,
  count: number,
): { file: string; kb: number }[] {
  const sums = new Map<string, number>();
  for (const p of parts) if (p.category === category) sums.set(p.file, (sums.get(p.file) ?? 0) + p.kb[field]);
  return [...sums]
    .map(([file, kb]) => ({ file, kb }))
    .filter((x) => x.kb > 0)
    .sort((a, b) => b.kb - a.kb || a.file.localeCompare(b.file))
    .slice(0, count);
}

/** Distinct files mapped (shared libraries and the executable). */
export function fileCount(mappings: readonly Mapping[]): number {
  return new Set(mappings.filter((m) => m.path.startsWith('/')).map((m) => m.path)).size;
}

export function sumSizes(parts: readonly { kb: Sizes }[]): Sizes {
  const total = emptySizes();
  for (const p of parts) addSizes(total, p.kb);
  return total;
}

/** USS: what the kernel frees when the process exits (its pages no other process maps). */
export const uss = (kb: Sizes) => kb.Private_Clean + kb.Private_Dirty;
