/** Reads the stack's settings: .env when present, else .env.example (safe demo defaults). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { REPO_ROOT } from './process.js';

export function readStackEnvFile(root = REPO_ROOT): { file: string; values: Record<string, string> } {
  const file = existsSync(join(root, '.env')) ? '.env' : '.env.example';
  const path = join(root, file);
  return { file, values: existsSync(path) ? parse(readFileSync(path)) : {} };
}
