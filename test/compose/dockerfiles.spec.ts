/**
 * Static checks of every Dockerfile in the repository, with no Docker engine:
 * - `dockerfile-utils` (the linter behind the VS Code Docker language server) must
 *   report no problem of error severity (warnings are printed, not fatal);
 * - the four images the compose stack builds must exist;
 * - each image's final stage runs as a non-root USER and has a HEALTHCHECK;
 * - no image downloads ffmpeg-static: neither by name in an instruction nor
 *   through an `npm ci`/`npm install` that would run ffmpeg-static's postinstall
 *   download (it is an optional dependency of a workspace, so such an install needs
 *   `--omit=optional` or `--ignore-scripts`);
 * - the feed-handler image runs node with the flags and environment `npm run stack` and the
 *   benches use (scripts/lib/feed-handler-node.ts), so what bench:memory measures is what the image runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { FEED_HANDLER_NODE_ENV, FEED_HANDLER_NODE_FLAGS } from '../../scripts/lib/feed-handler-node.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The root Dockerfile builds the backend and feed-handler targets from one shared build stage.
const EXPECTED = ['Dockerfile', 'rtsp/Dockerfile', 'frontend/Dockerfile'];
// stand-ins: the test stand-ins for the official base images (node, influxdb), not Fathom's services.
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'data', 'thumbnails', 'coverage', 'stand-ins']);
const DIAGNOSTIC_ERROR = 1; // vscode-languageserver-types DiagnosticSeverity.Error
const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

/** Every file named Dockerfile or *.Dockerfile / Dockerfile.* below the root, as repo-relative paths. */
function findDockerfiles(dir = ROOT): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) found.push(...findDockerfiles(join(dir, entry.name)));
    } else if (/^Dockerfile(\..+)?$|\.Dockerfile$/.test(entry.name)) {
      found.push(relative(ROOT, join(dir, entry.name)));
    }
  }
  return found.sort();
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const text = (i: Instruction) => i.getTextContent();

/** The stages an image runs from: each that has a CMD (the targets), or else the last one. */
function runnableStages(content: string): { name: string; instructions: Instruction[] }[] {
  const all = stages(content);
  const withCmd = all.filter((stage) => stage.some((i) => i.getKeyword().toUpperCase() === 'CMD'));
  return (withCmd.length > 0 ? withCmd : all.slice(-1)).map((instructions) => ({
    name: /\bAS\s+(\S+)/i.exec(instructions[0]?.getArgumentsContent() ?? '')?.[1] ?? 'final',
    instructions,
  }));
}

/** Build stages: each a list of instructions starting with its FROM. */
function stages(content: string): Instruction[][] {
  const result: Instruction[][] = [];
  for (const i of DockerfileParser.parse(content).getInstructions()) {
    if (i.getKeyword().toUpperCase() === 'FROM') result.push([]);
    result.at(-1)?.push(i);
  }
  return result;
}

/** Workspace names (and paths) whose package.json depends on ffmpeg-static, per the lockfile. */
function workspacesPullingFfmpegStatic(): { root: boolean; workspaces: Set<string> } {
  const lock = JSON.parse(read('package-lock.json')) as {
    packages?: Record<string, { name?: string; [k: string]: unknown }>;
  };
  const packages = lock.packages ?? {};
  const workspaces = new Set<string>();
  let rootDepends = false;
  for (const [path, pkg] of Object.entries(packages)) {
    if (path.includes('node_modules')) continue;
    const deps = ['dependencies', 'optionalDependencies'].some(
      (k) => typeof pkg[k] === 'object' && pkg[k] !== null && 'ffmpeg-static' in (pkg[k] as object),
    );
    if (!deps) continue;
    if (path === '') rootDepends = true;
    else {
      workspaces.add(path);
      if (pkg.name) workspaces.add(pkg.name);
    }
  }
  return { root: rootDepends, workspaces };
}

const NPM_INSTALL = /\bnpm\s+(?:ci|install|i|add|clean-install|install-clean)\b/;
const SAFE_FLAG = /--omit[= ](?:["']?[\w ,]*)optional|--no-optional|--ignore-scripts/;
const SAFE_ENV = /npm_config_omit\s*=\s*["']?[^\n]*optional|npm_config_ignore_scripts\s*=\s*["']?true/i;

/** Problems where an npm install in a stage would run ffmpeg-static's download. */
function ffmpegStaticProblems(content: string): string[] {
  const problems: string[] = [];
  for (const i of DockerfileParser.parse(content).getInstructions()) {
    if (/ffmpeg-static/i.test(text(i))) {
      problems.push(`line ${i.getRange().start.line + 1}: mentions ffmpeg-static: ${text(i).trim()}`);
    }
  }
  const pulling = workspacesPullingFfmpegStatic();
  if (!pulling.root && pulling.workspaces.size === 0) return problems;
  for (const stage of stages(content)) {
    const stageEnvSafe = stage.some((i) => /^(ENV|ARG)$/i.test(i.getKeyword()) && SAFE_ENV.test(text(i)));
    for (const i of stage) {
      if (i.getKeyword().toUpperCase() !== 'RUN') continue;
      // One RUN may chain several commands; judge each npm install on its own.
      for (const cmd of text(i).split(/&&|\|\||;|\n/)) {
        if (!NPM_INSTALL.test(cmd) || SAFE_FLAG.test(cmd) || SAFE_ENV.test(cmd) || stageEnvSafe) continue;
        const selected = [...cmd.matchAll(/(?:^|\s)(?:-w|--workspace)(?:=|\s+)(["']?)([^\s"']+)\1/g)].map(
          (m) => m[2] ?? '',
        );
        // No workspace flag (or --workspaces) at the root installs every workspace.
        const allWorkspaces = selected.length === 0 || /\s--workspaces\b/.test(cmd);
        const hits = allWorkspaces ? [...pulling.workspaces] : selected.filter((w) => pulling.workspaces.has(w));
        const rootHit = pulling.root && (selected.length === 0 || /--include-workspace-root/.test(cmd));
        if (hits.length > 0 || rootHit) {
          problems.push(
            `line ${i.getRange().start.line + 1}: \`${cmd.trim()}\` installs ffmpeg-static (optional dependency of ` +
              `${hits.join(', ') || 'the root'}), whose postinstall downloads ffmpeg; add --omit=optional ` +
              '(or --ignore-scripts) and use the distribution ffmpeg',
          );
        }
      }
    }
  }
  return problems;
}

describe('Dockerfiles', () => {
  it.each(EXPECTED)('%s exists', (file) => {
    expect(existsSync(join(ROOT, file)), `${file} is missing`).toBe(true);
  });

  it('the glob finds at least the expected Dockerfiles that exist', () => {
    const found = findDockerfiles();
    console.log(`Dockerfiles found: ${found.join(', ') || '(none)'}`);
    for (const file of EXPECTED.filter((f) => existsSync(join(ROOT, f)))) expect(found).toContain(file);
  });

  it('.dockerignore leaves out what a host build writes: a copied tsbuildinfo makes tsc -b emit nothing', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const wanted of ['**/node_modules', '**/dist', '**/*.tsbuildinfo']) expect(patterns).toContain(wanted);
  });

  const present = findDockerfiles();
  describe.each(present)('%s', (file) => {
    it('lints with no error-severity problem (dockerfile-utils)', () => {
      const diagnostics = validate(read(file));
      const lines = diagnostics.map(
        (d) =>
          `${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${SEVERITY[d.severity ?? 1]} ` +
          `[${String(d.code)}] ${d.message}`,
      );
      if (lines.length > 0) console.log(lines.join('\n'));
      const errors = lines.filter((_, n) => (diagnostics[n]?.severity ?? DIAGNOSTIC_ERROR) === DIAGNOSTIC_ERROR);
      expect(errors, `dockerfile-utils errors:\n${errors.join('\n')}`).toEqual([]);
    });

    it('every runnable stage switches to a non-root USER', () => {
      for (const stage of runnableStages(read(file))) {
        const users = stage.instructions.filter((i) => i.getKeyword().toUpperCase() === 'USER');
        const last = users.at(-1)?.getArgumentsContent()?.trim();
        expect(last, `${file} (${stage.name}): no USER instruction`).toBeTruthy();
        const user = (last ?? '').split(':')[0];
        expect(['root', '0'], `${file} (${stage.name}): runs as ${user}`).not.toContain(user);
      }
    });

    it('every runnable stage has a HEALTHCHECK', () => {
      for (const stage of runnableStages(read(file))) {
        const checks = stage.instructions.filter((i) => i.getKeyword().toUpperCase() === 'HEALTHCHECK');
        const last = checks.at(-1)?.getArgumentsContent()?.trim() ?? '';
        expect(checks.length, `${file} (${stage.name}): no HEALTHCHECK`).toBeGreaterThan(0);
        expect(last.toUpperCase(), `${file} (${stage.name}): HEALTHCHECK NONE disables the check`).not.toBe('NONE');
      }
    });

    it('compose builds every runnable target of it', () => {
      const targets = runnableStages(read(file)).map((s) => s.name);
      const compose = read('docker-compose.yml') + read('frontend/docker-compose.yml');
      if (targets.length > 1) for (const target of targets) expect(compose).toContain(`target: ${target}`);
    });

    it('does not download ffmpeg-static', () => {
      const problems = ffmpegStaticProblems(read(file));
      expect(problems, `${file}:\n${problems.join('\n')}`).toEqual([]);
    });
  });

  it('the feed-handler image runs node as the stack and the benches do (scripts/lib/feed-handler-node.ts)', () => {
    const stage = stages(read('Dockerfile')).find((st) =>
      /\bAS\s+feed-handler\s*$/i.test(st[0]?.getArgumentsContent() ?? ''),
    );
    expect(stage, 'Dockerfile has no feed-handler stage').toBeDefined();
    const cmd = stage?.filter((i) => i.getKeyword().toUpperCase() === 'CMD').at(-1);
    expect(JSON.parse(cmd?.getArgumentsContent() ?? '[]')).toEqual([
      'node',
      ...FEED_HANDLER_NODE_FLAGS,
      'feed-handler/dist/main.js',
    ]);
    const env = new Map<string, string>();
    for (const i of stage ?? []) {
      if (i.getKeyword().toUpperCase() !== 'ENV') continue;
      for (const m of i.getArgumentsContent()?.matchAll(/(\w+)=(\S+)/g) ?? []) env.set(m[1] as string, m[2] as string);
    }
    for (const [key, value] of Object.entries(FEED_HANDLER_NODE_ENV)) expect(env.get(key), key).toBe(value);
  });
});
