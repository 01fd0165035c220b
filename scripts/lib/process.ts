/**
 * Helpers for starting real services from tests, benchmarks and `npm run stack`.
 * Every long-running child goes through die-with-parent.py, so it cannot
 * outlive the process that started it, even when that process is SIGKILLed.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIE_WITH_PARENT = fileURLToPath(new URL('../die-with-parent.py', import.meta.url));

/** Debian's python3: python3-gi loads only there, not in the pyenv python first on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * `detached` puts the child in its own process group, so a Ctrl-C in the terminal
 * (sent to the whole foreground group) reaches only us, and we stop the services
 * in order: the feed-handler flushes to InfluxDB before InfluxDB goes away.
 */
export function spawnBound(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(SYSTEM_PYTHON, [DIE_WITH_PARENT, command, ...args], { stdio: 'pipe', detached: true, ...options });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Staged stop: SIGTERM, then SIGKILL after graceMs. Resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Keeps the last `limit` characters of a stream, for error messages. */
export function tailOf(child: ChildProcess, limit = 8_000): () => string {
  let buffer = '';
  const append = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => buffer;
}
