/**
 * The feed-handler's ffmpeg: Debian's 5.1.9 source built with only what its command lines use
 * (feed-handler/provide-ffmpeg.sh: built once, about 1.5 min on 2 cores, cached outside the repo).
 * Its image runs that build; the tests, the benches and `npm run stack` run the feed-handler with
 * the same one, so what they measure is what ships.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './process.js';

const execFileAsync = promisify(execFile);

let provided: Promise<string> | undefined;

/** The cached lean ffmpeg's path (asked once per process); builds it when missing, its progress on our stderr. */
export function provideFeedHandlerFfmpeg(): Promise<string> {
  provided ??= (async () => {
    const script = join(REPO_ROOT, 'feed-handler', 'provide-ffmpeg.sh');
    const build = execFileAsync('bash', [script], { maxBuffer: 1 << 20, timeout: 30 * 60_000 });
    build.child.stderr?.pipe(process.stderr);
    const { stdout } = await build;
    return stdout.trim().split('\n').at(-1) ?? '';
  })();
  // A failed build is not cached: the next caller tries again (and sees why).
  provided.catch(() => {
    provided = undefined;
  });
  return provided;
}
