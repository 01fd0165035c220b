/**
 * Compose checks with no Docker engine (the engine run is stack.compose.spec.ts):
 * - Compose v2 (`config` needs no engine) accepts the root
 *   docker-compose.yml and frontend/docker-compose.yml, with the settings from
 *   .env.example and nothing else from this machine's environment, and prints no
 *   warning (such as "The X variable is not set");
 * - for feed-handler and backend, every key under `environment:` in the root compose
 *   file is known to that service's zod config schema, and every key the schema
 *   requires (no default, not optional) is passed by compose (`environment:` or an
 *   `env_file:`; an env_file `.env` is read as `.env.example`, its template);
 * - the environment compose resolves for each of them from .env.example is accepted by
 *   the service's `parseConfig` (or, without one, by its schema).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Compose v2, built once from its Go module (scripts/docker/provide-compose.sh). */
const COMPOSE = spawnSync('bash', [join(ROOT, 'scripts/docker/provide-compose.sh')], {
  encoding: 'utf8',
}).stdout.trim();
const home = mkdtempSync(join(tmpdir(), 'fathom-compose-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface ComposeCase {
  file: string;
  /** Variables a person sets in the shell for this file (beyond its env file). */
  env: Record<string, string>;
}
const CASES: ComposeCase[] = [
  { file: 'docker-compose.yml', env: {} },
  { file: 'frontend/docker-compose.yml', env: { FATHOM_API_URL: 'http://example:3000' } },
];

/** Keys compose may set that belong to the Node runtime, not to a service's config schema. */
const RUNTIME_KEYS = new Set(['NODE_ENV', 'TZ']);
/** Names a config module may export its zod object schema under, in order of preference. */
const SCHEMA_EXPORTS = [
  'envSchema',
  'backendEnvSchema',
  'feedHandlerEnvSchema',
  'configSchema',
  'ConfigSchema',
  'schema',
];

/** The template env file for a compose file: one beside it, else the root one. */
function envFileFor(file: string): string {
  const beside = join(ROOT, dirname(file), '.env.example');
  return existsSync(beside) ? beside : join(ROOT, '.env.example');
}

/**
 * A stand-in for the repository in a temp dir: symlinks to every entry, except that
 * the compose file's directory (and each one above it with a `.env.example`) holds a
 * `.env` copied from the template, as a person's `cp .env.example .env` would (compose errors on a missing `env_file: .env`, and
 * a developer's real `.env` must not change the result). Paths such as `..` or
 * `./backend` resolve as they do in the repository.
 */
function mirrorWithEnv(file: string): string {
  const mirror = mkdtempSync(join(tmpdir(), 'fathom-compose-'));
  const projectParts = dirname(file) === '.' ? [] : dirname(file).split('/');
  const fill = (src: string, dst: string, rest: string[]) => {
    for (const entry of readdirSync(src)) {
      if (entry === '.env') continue;
      if (entry === rest[0]) {
        mkdirSync(join(dst, entry));
        fill(join(src, entry), join(dst, entry), rest.slice(1));
      } else symlinkSync(join(src, entry), join(dst, entry));
    }
    if (rest.length === 0) copyFileSync(envFileFor(file), join(dst, '.env'));
    else if (existsSync(join(src, '.env.example'))) copyFileSync(join(src, '.env.example'), join(dst, '.env'));
  };
  fill(ROOT, mirror, projectParts);
  return mirror;
}

function runComposeConfig({ file, env }: ComposeCase) {
  const mirror = mirrorWithEnv(file);
  try {
    const path = join(mirror, file);
    const args = [
      '--ansi',
      'never',
      '-f',
      path,
      '--project-directory',
      dirname(path),
      '--env-file',
      join(dirname(path), '.env'),
      'config',
    ];
    // A clean environment: only what the env file and the case provide can resolve a ${VAR}.
    const result = spawnSync(COMPOSE, args, {
      cwd: dirname(path),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...env },
      timeout: 60_000,
    });
    return { args, envFile: envFileFor(file), ...result };
  } finally {
    rmSync(mirror, { recursive: true, force: true });
  }
}

describe('docker compose config (v2, no engine)', () => {
  it('Compose v2 is provided', () => {
    expect(COMPOSE && existsSync(COMPOSE), `no Compose v2 binary: run scripts/docker/provide-compose.sh`).toBe(true);
  });

  it.each(CASES)('$file is valid and prints no warning', (c) => {
    expect(existsSync(join(ROOT, c.file)), `${c.file} does not exist`).toBe(true);
    const { args, envFile, status, stdout, stderr, error } = runComposeConfig(c);
    const warnings = (stderr ?? '').split('\n').filter((l) => l.trim() !== '');
    const how = `docker compose ${args.join(' ')} (.env = ${envFile}; env: ${JSON.stringify(c.env)})`;
    expect(error, `${how} could not run`).toBeUndefined();
    expect(status, `${how} exited ${status}:\n${stderr}`).toBe(0);
    expect(warnings, `${how} warned:\n${warnings.join('\n')}`).toEqual([]);
    expect(stdout).toMatch(/^services:/m);
  });
});

// ---------------------------------------------------------------------------------
// Environment cross-check against the services' zod config schemas.

type ZodLike = {
  shape?: Record<string, { safeParse: (v: unknown) => { success: boolean } }>;
  safeParse?: unknown;
  _zod?: { def?: { in?: unknown; innerType?: unknown; schema?: unknown } };
  _def?: { schema?: unknown; innerType?: unknown };
};

/** The object schema under transforms/pipes/defaults (zod v4; v3's ZodEffects too). */
function unwrapObject(schema: unknown): ZodLike | undefined {
  let s = schema as ZodLike | undefined;
  for (let depth = 0; s && depth < 10; depth++) {
    if (s.shape && typeof s.shape === 'object') return s;
    s = (s._zod?.def?.in ?? s._zod?.def?.innerType ?? s._zod?.def?.schema ?? s._def?.schema ?? s._def?.innerType) as
      | ZodLike
      | undefined;
  }
  return undefined;
}

/** Keys of a zod object schema, each with whether it is required (undefined does not parse). */
function schemaKeys(schema: unknown): { all: string[]; required: string[] } {
  const object = unwrapObject(schema);
  if (!object?.shape) throw new Error('not a zod object schema (no .shape under it)');
  const all = Object.keys(object.shape).sort();
  const required = all.filter((k) => !object.shape?.[k]?.safeParse(undefined).success);
  return { all, required };
}

/** The zod object schema a service's src/config.ts exports. */
async function loadSchema(service: string): Promise<{ name: string; schema: unknown; mod: Record<string, unknown> }> {
  const path = join(ROOT, service, 'src', 'config.ts');
  if (!existsSync(path)) throw new Error(`${service}/src/config.ts does not exist`);
  const mod = (await import(/* @vite-ignore */ path)) as Record<string, unknown>;
  for (const name of SCHEMA_EXPORTS) if (unwrapObject(mod[name])) return { name, schema: mod[name], mod };
  for (const [name, value] of Object.entries(mod)) {
    if (value && typeof (value as ZodLike).safeParse === 'function' && unwrapObject(value)) {
      return { name, schema: value, mod };
    }
  }
  throw new Error(
    `${service}/src/config.ts exports no zod object schema (looked for ${SCHEMA_EXPORTS.join(', ')}, ` +
      `then any export with .shape; it exports: ${Object.keys(mod).join(', ') || 'nothing'})`,
  );
}

/** KEY=VALUE lines of an env file (comments and blanks skipped). */
function envFileKeys(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(
      (l) =>
        l
          .replace(/^export\s+/, '')
          .split('=')[0]
          ?.trim() ?? '',
    );
}

/** `environment:` keys of a compose service, in map or list form. */
function environmentKeys(environment: unknown): string[] {
  if (!environment) return [];
  if (Array.isArray(environment)) return environment.map((e) => String(e).split('=')[0]?.trim() ?? '');
  return Object.keys(environment as Record<string, unknown>);
}

/** Keys passed through a service's `env_file:` (string, list of strings, or list of {path}). */
function envFilesKeys(envFile: unknown, projectDir: string): { keys: string[]; read: string[] } {
  const entries = envFile === undefined ? [] : Array.isArray(envFile) ? envFile : [envFile];
  const keys: string[] = [];
  const read: string[] = [];
  for (const entry of entries) {
    const rel = typeof entry === 'string' ? entry : String((entry as { path?: unknown }).path);
    let path = resolve(projectDir, rel);
    // `.env` is each person's copy of `.env.example`; the template stands for it here.
    if (!existsSync(path) && basename(path) === '.env') path = `${path}.example`;
    if (!existsSync(path)) throw new Error(`env_file ${rel} does not exist`);
    keys.push(...envFileKeys(path));
    read.push(path);
  }
  return { keys, read };
}

describe('compose environment matches the config schemas', () => {
  it.each(['feed-handler', 'backend'])(
    '%s: environment keys are known and required keys are passed',
    async (service) => {
      const composePath = join(ROOT, 'docker-compose.yml');
      expect(existsSync(composePath), 'docker-compose.yml does not exist').toBe(true);
      const compose = parse(readFileSync(composePath, 'utf8'), { merge: true }) as {
        services?: Record<string, { environment?: unknown; env_file?: unknown }>;
      };
      const svc = compose.services?.[service];
      expect(svc, `docker-compose.yml has no service "${service}"`).toBeDefined();

      const { name, schema } = await loadSchema(service);
      const keys = schemaKeys(schema);
      const environment = environmentKeys(svc?.environment);
      const fromFiles = envFilesKeys(svc?.env_file, ROOT);
      const passed = new Set([...environment, ...fromFiles.keys]);

      const unknown = environment.filter((k) => !keys.all.includes(k) && !RUNTIME_KEYS.has(k));
      const missing = keys.required.filter((k) => !passed.has(k));
      const report = [
        `${service}: schema ${service}/src/config.ts#${name}`,
        `  schema keys: ${keys.all.join(', ')}`,
        `  required:    ${keys.required.join(', ') || '(none)'}`,
        `  compose environment: ${environment.join(', ') || '(none)'}`,
        `  env_file: ${fromFiles.read.join(', ') || '(none)'}`,
        `  in environment but unknown to the schema: ${unknown.join(', ') || '(none)'}`,
        `  required by the schema but not passed:    ${missing.join(', ') || '(none)'}`,
      ].join('\n');
      expect({ unknown, missing }, report).toEqual({ unknown: [], missing: [] });
    },
  );

  it.each(['feed-handler', 'backend'])(
    '%s: the environment compose resolves from .env.example is accepted',
    async (service) => {
      const { status, stdout, stderr } = runComposeConfig(CASES[0] as ComposeCase);
      expect(status, `docker compose config failed:\n${stderr}`).toBe(0);
      const resolved = parse(stdout) as { services?: Record<string, { environment?: Record<string, unknown> }> };
      const env = Object.fromEntries(
        Object.entries(resolved.services?.[service]?.environment ?? {}).map(([k, v]) => [
          k,
          v == null ? '' : String(v),
        ]),
      );
      const { name, schema, mod } = await loadSchema(service);
      // The service's own entry point when it has one (it may treat KEY= as unset), else the bare schema.
      let problem: string | undefined;
      let via = name;
      if (typeof mod.parseConfig === 'function') {
        via = 'parseConfig';
        try {
          (mod.parseConfig as (env: Record<string, string>) => unknown)(env);
        } catch (error) {
          problem = error instanceof Error ? `${error.message} ${JSON.stringify(error)}` : String(error);
        }
      } else {
        type SafeParse = (v: unknown) => { success: boolean; error?: { issues?: unknown } };
        const result = (schema as { safeParse: SafeParse }).safeParse(env);
        if (!result.success) problem = JSON.stringify(result.error?.issues, null, 2);
      }
      expect(
        problem,
        `${service}/src/config.ts#${via} rejects the environment compose gives ${service}:\n` +
          `${JSON.stringify(env, null, 2)}\n${problem}`,
      ).toBeUndefined();
    },
  );
});
