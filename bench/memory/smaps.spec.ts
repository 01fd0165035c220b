import { describe, expect, it } from 'vitest';
import {
  byCategory,
  classify,
  fileCount,
  type Mapping,
  parseKbFields,
  parseRollup,
  parseSmaps,
  parseStatus,
  parseSyscallStackPointer,
  sumSizes,
  topFiles,
  uss,
} from './smaps.js';

/** One smaps entry as the kernel prints it (fields this bench does not read included). */
function entry(range: string, perms: string, path: string, kb: Record<string, number>): string {
  const fields = {
    Size: 0,
    KernelPageSize: 4,
    MMUPageSize: 4,
    Rss: 0,
    Pss: 0,
    Pss_Dirty: 0,
    Shared_Clean: 0,
    Shared_Dirty: 0,
    Private_Clean: 0,
    Private_Dirty: 0,
    Referenced: 0,
    Anonymous: 0,
    LazyFree: 0,
    AnonHugePages: 0,
    Swap: 0,
    SwapPss: 0,
    Locked: 0,
    ...kb,
  };
  const header = `${range} ${perms} 00000000 00:00 ${path ? 1234 : 0}${path ? `                     ${path}` : ''}`;
  return [
    header,
    ...Object.entries(fields).map(([k, v]) => `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB`),
    'THPeligible:    0',
    'VmFlags: rd wr mr mw me ac sd',
  ].join('\n');
}

const LIB = '/usr/lib/x86_64-linux-gnu/libavcodec.so.59.37.100';
// Mappings in address order, as the kernel lists them.
const SMAPS = [
  entry('55ed52c00000-55ed52c10000', 'r-xp', '/usr/bin/ffmpeg', { Rss: 40, Pss: 10, Shared_Clean: 40 }),
  entry('55ed52c9b000-55ed5381a000', 'rw-p', '[heap]', {
    Rss: 10260,
    Pss: 10260,
    Private_Dirty: 10260,
    Anonymous: 10260,
  }),
  // A 64 MiB-aligned arena: 656 KiB in use, the rest of its 64 MiB reserved (---p).
  entry('7f5d48000000-7f5d480a4000', 'rw-p', '', { Rss: 656, Pss: 656, Private_Dirty: 656, Anonymous: 656 }),
  entry('7f5d480a4000-7f5d4c000000', '---p', '', {}),
  // A thread stack (guard page first) holding a thread's stack pointer.
  entry('7f5d56a70000-7f5d56a71000', '---p', '', {}),
  entry('7f5d56a71000-7f5d57271000', 'rw-p', '', { Rss: 64, Pss: 64, Private_Dirty: 64, Anonymous: 64 }),
  // A big buffer nobody's stack is in.
  entry('7f5d59275000-7f5d59474000', 'rw-p', '', { Rss: 2044, Pss: 2044, Private_Dirty: 2044, Anonymous: 2044 }),
  // A library: code shared with 4 others, relocated data private, then its .bss.
  entry('7f5d6747c000-7f5d67eb4000', 'r-xp', LIB, { Rss: 2576, Pss: 515, Shared_Clean: 2576 }),
  entry('7f5d681ca000-7f5d6823e000', 'r--p', LIB, {
    Rss: 464,
    Pss: 464,
    Private_Dirty: 464,
    Anonymous: 464,
  }),
  entry('7f5d6823e000-7f5d68240000', 'rw-p', LIB, { Rss: 8, Pss: 5, Shared_Clean: 4, Private_Dirty: 4, Anonymous: 4 }),
  entry('7f5d68240000-7f5d6881c000', 'rw-p', '', { Rss: 124, Pss: 124, Private_Dirty: 124, Anonymous: 124 }),
  entry('7f5d69a6f000-7f5d69a73000', 'r--p', '[vvar]', {}),
  entry('7f5d69a75000-7f5d69a77000', 'r-xp', '[vdso]', { Rss: 4, Shared_Clean: 4 }),
  entry('7fff62f58000-7fff62f79000', 'rw-p', '[stack]', { Rss: 68, Pss: 68, Private_Dirty: 68, Anonymous: 68 }),
  entry('ffffffffff600000-ffffffffff601000', '--xp', '[vsyscall]', {}),
].join('\n');

describe('parseSmaps', () => {
  const mappings = parseSmaps(SMAPS);

  it('reads every mapping with its range, permissions, path and sizes', () => {
    expect(mappings).toHaveLength(15);
    expect(mappings[1]).toMatchObject({ start: 0x55ed52c9b000n, end: 0x55ed5381a000n, perms: 'rw-p', path: '[heap]' });
    expect(mappings[1]?.kb).toMatchObject({ Rss: 10260, Anonymous: 10260, Private_Dirty: 10260, Shared_Clean: 0 });
    expect(mappings[2]?.path).toBe('');
    // Addresses above 2^53 stay exact.
    expect(mappings[14]?.start).toBe(0xffffffffff600000n);
  });

  it('keeps a path with spaces and a deleted marker whole', () => {
    const [m] = parseSmaps(entry('1000-2000', 'r--p', '/tmp/a b/lib.so (deleted)', { Rss: 4 }));
    expect(m?.path).toBe('/tmp/a b/lib.so (deleted)');
    expect(m?.kb.Rss).toBe(4);
  });

  it('counts the distinct files mapped', () => {
    expect(fileCount(mappings)).toBe(2);
  });
});

describe('parseRollup, parseStatus, parseKbFields', () => {
  it('reads smaps_rollup', () => {
    const text =
      '564738a8d000-7ffd52ba7000 ---p 00000000 00:00 0                          [rollup]\nRss:               69004 kB\nPss:               33188 kB\nShared_Clean:      41512 kB\nPrivate_Clean:       984 kB\nPrivate_Dirty:     26508 kB\nAnonymous:         26508 kB\n';
    const r = parseRollup(text);
    expect(r).toMatchObject({ Rss: 69004, Pss: 33188, Shared_Clean: 41512, Private_Dirty: 26508, Swap: 0 });
    expect(uss(r)).toBe(984 + 26508);
  });

  it('reads status', () => {
    const text =
      'Name:\tffmpeg\nVmHWM:\t   69004 kB\nVmRSS:\t   68004 kB\nRssAnon:\t   26508 kB\nRssFile:\t   42496 kB\nThreads:\t7\n';
    expect(parseStatus(text)).toEqual({ vmRss: 68004, vmHwm: 69004, rssAnon: 26508, rssFile: 42496, threads: 7 });
    expect(parseKbFields(text).get('RssFile')).toBe(42496);
  });
});

describe('parseSyscallStackPointer', () => {
  it('reads the stack pointer while the thread waits in a system call', () => {
    expect(
      parseSyscallStackPointer('202 0x55ed52d474dc 0x189 0x0 0x0 0x0 0xffffffff 0x7f5d59273100 0x7f5d670b2f16\n'),
    ).toBe(0x7f5d59273100n);
  });

  it('reads it while the thread runs in user space, and gives up while it is on a CPU', () => {
    expect(parseSyscallStackPointer('-1 0x7ffc1000 0x7f5d670b2f16')).toBe(0x7ffc1000n);
    expect(parseSyscallStackPointer('running')).toBeNull();
  });
});

describe('classify and byCategory', () => {
  const mappings: Mapping[] = parseSmaps(SMAPS);
  const parts = classify(mappings, [0x7f5d57270100n]);
  const rows = byCategory(parts);
  const row = (category: string) => rows.find((r) => r.category === category);

  it('splits library mappings into shared file pages and pages written at load', () => {
    expect(row('library pages written at load (relocations)')?.kb).toMatchObject({
      Rss: 468,
      Anonymous: 468,
      Private_Dirty: 468,
    });
    expect(row('library code and data (file pages)')?.kb).toMatchObject({ Rss: 40 + 2576 + 4, Anonymous: 0 });
    expect(topFiles(parts, 'library pages written at load (relocations)', 'Anonymous', 3)).toEqual([
      { file: 'libavcodec.so.59.37.100', kb: 468 },
    ]);
  });

  it('names the heap, an arena, a thread stack, a .bss, a big buffer and the main stack', () => {
    expect(row('main heap (brk)')?.kb.Rss).toBe(10260);
    expect(row('malloc arenas of other threads')?.kb.Rss).toBe(656);
    expect(row('thread stacks')?.kb.Rss).toBe(64);
    expect(row('library .bss')?.kb.Rss).toBe(124);
    expect(row('other anonymous mmaps (large buffers)')?.kb.Rss).toBe(2044);
    expect(row('main thread stack')?.kb.Rss).toBe(68);
    expect(row('kernel (vdso, vvar)')?.kb.Rss).toBe(4);
  });

  it('without the stack pointers a thread stack is just anonymous memory', () => {
    const anon = byCategory(classify(mappings)).find((r) => r.category === 'other anonymous mmaps (large buffers)');
    expect(anon?.kb.Rss).toBe(2044 + 64);
  });

  it('loses nothing: the parts add up to the mappings', () => {
    const total = sumSizes(parts);
    const direct = sumSizes(mappings);
    expect(total).toEqual(direct);
    expect(rows.reduce((s, r) => s + r.kb.Rss, 0)).toBe(direct.Rss);
  });
});
