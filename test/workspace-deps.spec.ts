/**
 * Each service workspace declares what it compiles against. The Dockerfiles
 * install one workspace (`npm ci -w <service>`), so a package that only another
 * workspace declares, found natively because npm hoists it, breaks the image
 * build (`TS7016: Could not find a declaration file for module 'express'`).
 * This finds that in a second, without an engine; the compose test builds the
 * images for real.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/lib/process.js';

const SERVICES = ['feed-handler', 'backend'];

interface PackageJson {
  name?: string;
  types?: string;
  typings?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name) && !/\.spec\.tsx?$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** Bare package names imported by compiled (non-test) sources: `express`, `@influxdata/influxdb-client`. */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const statements =
      // `from` as a keyword (after a space or `}`), and a specifier on one line: an export whose body holds
      // the string 'from' (a field name) must not read as an import of the text after it.
      /^\s*(?:import|export)\s[^;]*?[\s}]from\s*'([^'.\n][^'\n]*)'|^\s*import\s*'([^'.\n][^'\n]*)'|\bimport\(\s*'([^'.\n][^'\n]*)'\s*\)/gm;
    for (const match of text.matchAll(statements)) {
      const specifier = (match[1] ?? match[2] ?? match[3]) as string;
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
    }
  }
  return names;
}

/** Whether a package ships its own type declarations. */
function shipsTypes(name: string): boolean {
  const dir = join(REPO_ROOT, 'node_modules', name);
  const pkg = readJson(join(dir, 'package.json'));
  return Boolean(
    pkg.types ||
      pkg.typings ||
      existsSync(join(dir, 'index.d.ts')) ||
      JSON.stringify(pkg.exports ?? '').includes('.d.'),
  );
}

const typesPackage = (name: string) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

describe.each(SERVICES)('%s declares what it compiles against', (service) => {
  const pkg = readJson(join(REPO_ROOT, service, 'package.json'));
  const declared = { ...pkg.dependencies, ...pkg.optionalDependencies };
  const dev = { ...pkg.devDependencies };
  const imported = [...importedPackages(join(REPO_ROOT, service, 'src'))].sort();

  it('every imported package is a dependency', () => {
    expect(imported.filter((name) => !(name in declared))).toEqual([]);
  });

  it('every imported package without its own types has its @types declared', () => {
    const missing = imported
      .filter((name) => name in declared && !shipsTypes(name))
      .map(typesPackage)
      .filter((types) => !(types in dev) && !(types in declared));
    expect(missing).toEqual([]);
  });
});
