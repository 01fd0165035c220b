/**
 * A real Docker engine and Compose v2 for the compose test, provided the way
 * scripts/docker/ documents: the engine (a private dockerd when none answers),
 * Compose v2 built from its Go module and installed as the `docker compose`
 * CLI plugin of a private DOCKER_CONFIG, and the base images (stand-ins when
 * the engine lacks the real ones). Then a person's checkout: a copy of the
 * repository in a temp dir, with `.env` copied from `.env.example`.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/process.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const log = (message: string) => process.stderr.write(`[compose-test] ${message}\n`);

export { log };

/** Runs a command to its end; rejects with its output's tail unless `allowFailure`. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean; echo?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Bounded: an image build prints megabytes; the tail is what explains a failure.
    const keep = (buffer: string, chunk: Buffer) => (buffer + chunk.toString()).slice(-200_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keep(stdout, chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = keep(stderr, chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new Error(`${command} ${args.join(' ')} exited ${result.code}\n${(stdout + stderr).slice(-6_000)}`));
      } else resolve(result);
    });
  });
}

export interface DockerHandle {
  /** The environment for `docker` and `docker compose`: DOCKER_HOST and DOCKER_CONFIG. */
  env: NodeJS.ProcessEnv;
  /** True when this run started the engine (then `release` stops it). */
  startedEngine: boolean;
  release(): Promise<void>;
}

export async function provideDocker(): Promise<DockerHandle> {
  const before = process.env.DOCKER_HOST;
  const engine = await run('bash', ['scripts/docker/provide-engine.sh'], { env: { ...process.env } });
  const dockerHost = engine.stdout.trim();
  const startedEngine = engine.stderr.includes('starting dockerd');
  log(`engine ${dockerHost}${startedEngine ? ' (started for this run)' : ''}`);

  const composeBin = (await run('bash', ['scripts/docker/provide-compose.sh'])).stdout.trim();
  const dockerConfig = mkdtempSync(join(tmpdir(), 'fathom-docker-config-'));
  mkdirSync(join(dockerConfig, 'cli-plugins'));
  symlinkSync(composeBin, join(dockerConfig, 'cli-plugins', 'docker-compose'));
  writeFileSync(join(dockerConfig, 'config.json'), '{}\n');

  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: dockerConfig };
  const version = await run('docker', ['compose', 'version', '--short'], { env });
  log(`docker compose ${version.stdout.trim()}`);
  await run('bash', ['scripts/docker/provide-base-images.sh'], { env, echo: true });

  return {
    env,
    startedEngine,
    async release() {
      rmSync(dockerConfig, { recursive: true, force: true });
      if (startedEngine && before === undefined) await run('bash', ['scripts/docker/stop-engine.sh']);
    },
  };
}

/**
 * A person's checkout: the repository's files (tracked and new, not ignored), with
 * `.env` from `.env.example`. Compose's `./influx/data` bind mount lands here, not
 * in the developer's own repository.
 */
export async function checkoutCopy(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fathom-compose-project-'));
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  for (const file of listed.stdout.split('\0')) {
    if (!file || file.startsWith('e2e/screenshots/')) continue;
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    try {
      cpSync(join(REPO_ROOT, file), target);
    } catch (error) {
      // A file deleted in the working tree but still tracked.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  cpSync(join(dir, '.env.example'), join(dir, '.env'));
  return dir;
}

/** `docker compose ps --format json`: one object per line (v2.21+) or one array. */
export function parsePs(stdout: string): { Service: string; State: string; Health: string }[] {
  const text = stdout.trim();
  if (!text) return [];
  if (text.startsWith('[')) return JSON.parse(text);
  return text.split('\n').map((line) => JSON.parse(line));
}
