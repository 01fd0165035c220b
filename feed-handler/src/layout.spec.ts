/**
 * The layout of feed-handler/src, checked on every unit run. A frame goes
 * through the stage folders in order: capture → footage (stored) → analysis
 * (motion) → index; restream sends a camera on to RTMP servers beside them;
 * http reports on them. The files at the top of src (main.ts, config.ts,
 * feed-handler.ts, logger.ts) are the composition root: they read the settings
 * and wire the stages together. Imports point one way:
 *
 * - the root may import anything below it; nothing below it imports the root
 *   (a stage that needs a setting or a type from the root declares the narrow
 *   type itself, or the type moves down);
 * - a stage imports its own folder, `shared/`, packages (`@fathom/index-contract`,
 *   `@fathom/service-kit`, npm), and the upstream stages listed in ALLOWED:
 *     footage → capture (a JPEG's size, the words for an error kind),
 *     index → footage (reconciliation lists the stored files),
 *     restream → capture (the stderr ring buffer, the words for an ffmpeg error, the exit type),
 *     http → capture, footage, restream (the health report shows camera, disk and restream state);
 *   a downstream stage hands an upstream one what it needs through a port the
 *   upstream stage declares (retention declares RetentionIndexPort, which the
 *   InfluxDB adapter implements);
 * - `shared/` imports only `shared/`.
 *
 * Only non-spec files count: specs may import test helpers from feed-handler/test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const ROOT = 'root';
const SHARED = 'shared';

/** Which stages each stage may import (besides itself and shared/). Must stay acyclic. */
const ALLOWED: Record<string, readonly string[]> = {
  capture: [],
  analysis: [],
  footage: ['capture'],
  index: ['footage'],
  restream: ['capture'],
  http: ['capture', 'footage', 'restream'],
};

const show = (path: string) => `feed-handler/src/${relative(SRC, path).split(sep).join('/')}`;

/** root for files directly in src/, else the first folder below src/. */
function zoneOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length === 1 ? ROOT : (parts[0] as string);
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
  }
  return files.sort();
}

/** Relative specifiers of every import and re-export, static or dynamic, type-only or not. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom|\bimport)\s*\(?\s*(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const match of text.matchAll(pattern)) found.push(match[2] as string);
  return found;
}

/** Every broken rule of one importing file, one line each, naming the file and the import. */
function violations(file: string, specifiers: readonly string[], srcDir = SRC): string[] {
  const from = zoneOf(file);
  const problems: string[] = [];
  for (const specifier of specifiers) {
    const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
    const where = `${show(file)} imports '${specifier}'`;
    if (relative(srcDir, target).startsWith('..')) {
      problems.push(`${where}: outside feed-handler/src (the build's rootDir)`);
      continue;
    }
    const to = zoneOf(target);
    if (from === ROOT || to === from) continue;
    if (to === ROOT) {
      problems.push(`${where} (${show(target)}): only the composition root imports the root; move what it needs down`);
    } else if (from === SHARED && to !== SHARED) {
      problems.push(`${where} (${show(target)}): shared/ imports no stage`);
    } else if (to !== SHARED && !(ALLOWED[from] ?? []).includes(to)) {
      problems.push(
        `${where} (${show(target)}): ${from}/ may import ${[...(ALLOWED[from] ?? []), SHARED].join(', ')} only, not ${to}/`,
      );
    }
  }
  return problems;
}

describe('feed-handler/src layout', () => {
  const files = sourceFiles(SRC);

  it('has only the known folders', () => {
    const zones = new Set(files.map(zoneOf));
    expect([...zones].filter((z) => z !== ROOT && z !== SHARED && !(z in ALLOWED))).toEqual([]);
  });

  it('imports point from the root down, and between stages only upstream as ALLOWED says', () => {
    const problems = files.flatMap((file) => violations(file, relativeImports(readFileSync(file, 'utf8'))));
    expect(problems).toEqual([]);
  });

  it('every relative import resolves to a file', () => {
    const present = new Set(sourceFiles(SRC));
    const missing = files.flatMap((file) =>
      relativeImports(readFileSync(file, 'utf8'))
        .filter((s) => !present.has(resolve(dirname(file), s.replace(/\.js$/, '.ts'))))
        .map((s) => `${show(file)} imports '${s}', which is not a source file`),
    );
    expect(missing).toEqual([]);
  });

  it('the allowed stage imports form no cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycle = (stage: string): boolean => {
      if (done.has(stage)) return false;
      if (visiting.has(stage)) return true;
      visiting.add(stage);
      const found = (ALLOWED[stage] ?? []).some(cycle);
      visiting.delete(stage);
      done.add(stage);
      return found;
    };
    expect(Object.keys(ALLOWED).filter(cycle)).toEqual([]);
  });

  it('names the file and the import of each broken rule', () => {
    const at = (path: string) => join(SRC, path);
    expect(violations(at('capture/ffmpeg.ts'), ['../config.js', './jpeg.js', '../shared/clock.js'])).toEqual([
      "feed-handler/src/capture/ffmpeg.ts imports '../config.js' (feed-handler/src/config.ts): only the composition root imports the root; move what it needs down",
    ]);
    expect(violations(at('capture/jpeg.ts'), ['../index/influx.js'])).toEqual([
      "feed-handler/src/capture/jpeg.ts imports '../index/influx.js' (feed-handler/src/index/influx.ts): capture/ may import shared only, not index/",
    ]);
    expect(violations(at('shared/clock.ts'), ['../capture/jpeg.js'])).toHaveLength(1);
    expect(violations(at('index/influx.ts'), ['../../test/support/fake-clock.js'])).toHaveLength(1);
    expect(violations(at('feed-handler.ts'), ['./capture/ffmpeg.js', './http/health.js'])).toEqual([]);
  });
});
