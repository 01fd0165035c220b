/**
 * The learnt decode modes, kept across process restarts in one small JSON file
 * beside the footage (`<THUMBNAIL_DIR>/.fathom/decode-modes.json`; `.fathom`
 * can never be a camera id). The capture stage declares the port
 * (LearntModes); this adapter implements it. Written like the thumbnails:
 * a temporary file, then a rename, so a reader (or a crash) never sees half a
 * file. Each entry carries a fingerprint of the camera's URL without its
 * credentials: a camera id pointed at another stream starts learning afresh.
 *
 * {"version":1,"cameras":{"porch":{"mode":"keyframes","keyframeIntervalMs":1006,
 *   "codecs":{"video":"h264","audio":"aac"},"url":"3f1c…","learntAt":"2026-11-30T02:00:00.000Z"}}}
 *
 * `mode` is absent for a camera whose mode is set (DECODE_MODE), `codecs` until a run has
 * described its input: the chunk recorder needs the sound's codec before it starts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LearntModes, StreamCodecs } from '../capture/decode-mode.js';
import type { DecodeMode } from '../capture/ffmpeg-args.js';

export const DECODE_MODE_FILE_VERSION = 1;

export interface DecodeModeEntry {
  mode?: DecodeMode;
  keyframeIntervalMs?: number | null;
  codecs?: StreamCodecs;
  /** urlFingerprint of the camera URL it was learnt on. */
  url: string;
  learntAt: string;
}

export type DecodeModeEntries = Record<string, DecodeModeEntry>;

/** A short hash of the URL without user and password: enough to notice another stream, and no secret. */
export function urlFingerprint(url: string): string {
  const withoutCredentials = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  return createHash('sha256').update(withoutCredentials).digest('hex').slice(0, 16);
}

/** The file's entries; anything unreadable is left out (a bad file costs relearning, never a failed start). */
export function parseDecodeModeFile(text: string): { entries: DecodeModeEntries; problem: string | null } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { entries: {}, problem: 'not JSON' };
  }
  const file = data as { version?: unknown; cameras?: unknown };
  if (typeof data !== 'object' || data === null || file.version !== DECODE_MODE_FILE_VERSION) {
    return { entries: {}, problem: `not version ${DECODE_MODE_FILE_VERSION}` };
  }
  if (typeof file.cameras !== 'object' || file.cameras === null) return { entries: {}, problem: 'no cameras' };
  const entries: DecodeModeEntries = {};
  let skipped = 0;
  for (const [camera, raw] of Object.entries(file.cameras as Record<string, unknown>)) {
    const entry = raw as Partial<DecodeModeEntry> | null;
    const interval = entry?.keyframeIntervalMs;
    const codecs = entry?.codecs;
    const codecName = (value: unknown) =>
      value === null || (typeof value === 'string' && /^[a-z0-9_]{1,32}$/.test(value));
    const hasMode =
      (entry?.mode === 'keyframes' || entry?.mode === 'all') &&
      (interval === null || (typeof interval === 'number' && Number.isFinite(interval) && interval > 0));
    const hasCodecs =
      typeof codecs === 'object' && codecs !== null && codecName(codecs.video) && codecName(codecs.audio);
    if (
      entry &&
      (hasMode || (entry.mode === undefined && hasCodecs)) &&
      (codecs === undefined || hasCodecs) &&
      typeof entry.url === 'string' &&
      typeof entry.learntAt === 'string'
    ) {
      entries[camera] = {
        ...(hasMode ? { mode: entry.mode, keyframeIntervalMs: interval } : {}),
        ...(hasCodecs ? { codecs: { video: codecs.video, audio: codecs.audio } } : {}),
        url: entry.url,
        learntAt: entry.learntAt,
      };
    } else skipped++;
  }
  return { entries, problem: skipped > 0 ? `${skipped} unreadable entries left out` : null };
}

export function formatDecodeModeFile(entries: DecodeModeEntries): string {
  const cameras = Object.fromEntries(
    Object.keys(entries)
      .sort()
      .map((camera) => [camera, entries[camera]]),
  );
  return `${JSON.stringify({ version: DECODE_MODE_FILE_VERSION, cameras }, null, 2)}\n`;
}

export interface DecodeModeFile extends LearntModes {
  readonly path: string;
  /** What the file held at open, when it could not all be read (logged by the caller). */
  readonly problem: string | null;
}

/** Reads the file (missing or unreadable: empty, the latter with a problem) and returns the port; writes are serialised, each a whole new file. */
export async function openDecodeModeFile(
  path: string,
  now: () => number,
  onWriteError: (error: unknown) => void,
): Promise<DecodeModeFile> {
  let text: string | null = null;
  let readProblem: string | null = null;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') readProblem = `not readable (${code ?? String(error)})`;
  }
  const { entries, problem } =
    text === null ? { entries: {} as DecodeModeEntries, problem: readProblem } : parseDecodeModeFile(text);
  let writes: Promise<void> = Promise.resolve();
  let sequence = 0;
  const write = async () => {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${sequence++}.tmp`;
    await writeFile(temporary, formatDecodeModeFile(entries));
    await rename(temporary, path);
  };
  return {
    path,
    problem,
    recall(camera, url) {
      const entry = entries[camera];
      if (!entry?.mode || entry.url !== urlFingerprint(url)) return null;
      return { mode: entry.mode, keyframeIntervalMs: entry.keyframeIntervalMs ?? null };
    },
    remember(camera, url, learnt) {
      const fingerprint = urlFingerprint(url);
      const known = entries[camera]?.url === fingerprint ? entries[camera] : undefined;
      // Only a change is written: the same verdict at every restart costs nothing.
      if (known?.mode === learnt.mode) return writes;
      entries[camera] = { ...known, ...learnt, url: fingerprint, learntAt: new Date(now()).toISOString() };
      writes = writes.then(write).catch(onWriteError);
      return writes;
    },
    recallCodecs(camera, url) {
      const entry = entries[camera];
      if (!entry?.codecs || entry.url !== urlFingerprint(url)) return null;
      return { ...entry.codecs };
    },
    rememberCodecs(camera, url, codecs) {
      const fingerprint = urlFingerprint(url);
      const known = entries[camera]?.url === fingerprint ? entries[camera] : undefined;
      if (known?.codecs?.video === codecs.video && known.codecs.audio === codecs.audio) return writes;
      entries[camera] = { ...known, codecs: { ...codecs }, url: fingerprint, learntAt: new Date(now()).toISOString() };
      writes = writes.then(write).catch(onWriteError);
      return writes;
    },
  };
}
