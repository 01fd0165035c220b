/**
 * Two-stream mode, the pure part: the CAMERAS entries (each camera records its 1080p `url` and
 * takes thumbnails and motion from its 640x360 `thumbnailUrl`), and the check that the
 * feed-handler really reads the sub-stream: which URL each of its ffmpeg children opens, from
 * their command lines. A feed-handler that does not know `thumbnailUrl` would drop the key and
 * read the main stream only, and its figures would then pass for two-stream ones.
 */

export interface BenchCamera {
  id: string;
  url: string;
  thumbnailUrl?: string;
}

/** Camera i records mainUrls[i] and takes its thumbnails from subUrls[i]. */
export function twoStreamCameras(
  ids: readonly string[],
  mainUrls: readonly string[],
  subUrls: readonly string[],
): BenchCamera[] {
  if (ids.length !== mainUrls.length || ids.length !== subUrls.length) {
    throw new Error(`${ids.length} cameras, ${mainUrls.length} main and ${subUrls.length} sub-stream URLs`);
  }
  return ids.map((id, i) => ({ id, url: mainUrls[i] as string, thumbnailUrl: subUrls[i] as string }));
}

/** The `-i` inputs of one ffmpeg command line (argv, as /proc/<pid>/cmdline holds it). */
export function ffmpegInputs(argv: readonly string[]): string[] {
  const inputs: string[] = [];
  for (let i = 0; i < argv.length - 1; i++) if (argv[i] === '-i') inputs.push(argv[i + 1] as string);
  return inputs;
}

export interface InputCount {
  /** ffmpeg processes that open a main stream, a sub-stream, or something else (a pipe, a file). */
  main: number;
  sub: number;
  other: number;
  /** Sub-streams opened at least once, out of subUrls. */
  subCovered: number;
}

export function countInputs(
  commandLines: readonly (readonly string[])[],
  mainUrls: readonly string[],
  subUrls: readonly string[],
): InputCount {
  const mains = new Set(mainUrls);
  const subs = new Set(subUrls);
  const covered = new Set<string>();
  const count: InputCount = { main: 0, sub: 0, other: 0, subCovered: 0 };
  for (const argv of commandLines) {
    const inputs = ffmpegInputs(argv);
    const sub = inputs.find((u) => subs.has(u));
    if (sub !== undefined) {
      count.sub++;
      covered.add(sub);
    } else if (inputs.some((u) => mains.has(u))) count.main++;
    else count.other++;
  }
  count.subCovered = covered.size;
  return count;
}

/** Every camera's thumbnails come from its sub-stream: each sub-stream is open in some ffmpeg. */
export function readsEverySubStream(count: InputCount, cameras: number): boolean {
  return count.subCovered >= cameras;
}

export function inputText(count: InputCount | null): string {
  if (count === null) return 'n/a';
  return `${count.main} main / ${count.sub} sub${count.other ? ` / ${count.other} other` : ''}`;
}
