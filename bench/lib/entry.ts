/**
 * A bench's entry point: runs its main; a failure prints the stack and the usage and exits 1. Ctrl-C
 * calls `onInterrupt` (what the run has set up to remove, e.g. its bulky output) and exits 130; the
 * children die with this process (scripts/die-with-parent.py).
 */
import { benchLog } from './run-log.js';

export function runBench(name: string, usage: string, main: () => Promise<void>, onInterrupt: () => void): void {
  process.on('SIGINT', () => {
    benchLog(name)('interrupted; the children die with this process');
    onInterrupt();
    process.exit(130);
  });
  main().catch((error: unknown) => {
    process.stderr.write(`bench:${name} failed: ${String((error as Error)?.stack ?? error)}\n${usage}\n`);
    process.exit(1);
  });
}
