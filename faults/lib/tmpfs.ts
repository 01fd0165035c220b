/**
 * A real full disk: a size-limited tmpfs mounted as THUMBNAIL_DIR, filled to the
 * last byte with a filler file, then freed. Needs CAP_SYS_ADMIN (root in the VM);
 * where mounting is not allowed, the ENOSPC fault is reported as skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface SizedFilesystem {
  dir: string;
  sizeMb: number;
  /** Writes a filler file until the filesystem answers ENOSPC; resolves to its size. */
  fill(): Promise<number>;
  free(): Promise<void>;
  unmount(): void;
}

export function mountSizedTmpfs(dir: string, sizeMb: number): SizedFilesystem | { unavailable: string } {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'fathom-faults', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { unavailable: `cannot mount a tmpfs at ${dir}: ${stderr || String(error)}` };
  }
  const filler = join(dir, '.fathom-faults-filler');
  return {
    dir,
    sizeMb,
    async fill() {
      const handle = await open(filler, 'a');
      let written = 0;
      try {
        // Big blocks first, then pages: the feed-handler must not find room for even one JPEG.
        for (const size of [1 << 20, 4096, 512]) {
          const block = Buffer.alloc(size, 0x5a);
          for (;;) {
            try {
              written += (await handle.write(block)).bytesWritten;
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        await handle.close();
      }
      return written;
    },
    free: () => rm(filler, { force: true }),
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // Already gone; nothing else to release.
      }
    },
  };
}
