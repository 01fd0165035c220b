/**
 * The browser tests run the built dashboard exactly as production does
 * (frontend/server.mjs serving frontend/dist), so dist is rebuilt first when
 * any of its sources is newer than it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/process.js';

const FRONTEND = join(REPO_ROOT, 'frontend');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function dashboardIsStale(): boolean {
  const index = join(FRONTEND, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newestMtime(join(FRONTEND, source)) > built);
}

export function ensureDashboardBuilt(): void {
  if (!dashboardIsStale()) return;
  // vitest sets NODE_ENV=test, which would bundle React's development build.
  execFileSync('npm', ['run', 'build', '--silent', '-w', '@fathom/frontend'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
