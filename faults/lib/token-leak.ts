/**
 * The InfluxDB token must appear nowhere a user or an operator can see it:
 * the built frontend (frontend/dist), the API's responses, and the services' logs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNeedles } from './secrets.js';

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Files under `dir` holding any of the needles; also how many files were read. */
export async function searchTree(dir: string, needles: Record<string, string>) {
  const hits: string[] = [];
  let scanned = 0;
  for await (const path of files(dir)) {
    scanned++;
    for (const name of findNeedles(await readFile(path), needles)) hits.push(`${path}: ${name}`);
  }
  return { scanned, hits };
}

/** Log lines holding any of the needles (the line is not repeated: it holds a secret). */
export function searchLines(lines: readonly string[], needles: Record<string, string>): string[] {
  const hits: string[] = [];
  lines.forEach((line, i) => {
    for (const name of findNeedles(line, needles)) hits.push(`log line ${i + 1} (${line.split(' ')[0]}): ${name}`);
  });
  return hits;
}
