/**
 * Camera status reasons are data that reaches clients (the backend's
 * `/cameras`), so they are short, one line, from a fixed vocabulary and carry
 * no server paths, URLs or raw ffmpeg output: `exited: code 1 (disk full)`,
 * `exited: code 1 (connection refused)`, `stalled: no frame for 10 s`. The raw
 * (credential-redacted) stderr tail goes to the logs only. Pure.
 */
import type { ExitResult } from './ffmpeg.js';

/** Checked in order: the first kind whose pattern appears anywhere in the text wins. */
const KINDS: readonly (readonly [kind: string, pattern: RegExp])[] = [
  ['disk full', /No space left|\bENOSPC\b|Disk quota exceeded|\bEDQUOT\b/i],
  ['permission denied', /Permission denied|\bEACCES\b|\bEPERM\b|Operation not permitted/i],
  ['connection refused', /Connection refused|\bECONNREFUSED\b/i],
  ['unauthorized', /\b401\b|Unauthorized/i],
  ['forbidden', /\b403\b|Forbidden/i],
  ['not found', /\b404\b|Not Found|Stream not found/i],
  [
    'unknown host',
    /Name or service not known|Temporary failure in name resolution|\bENOTFOUND\b|\bEAI_AGAIN\b|Failed to resolve hostname/i,
  ],
  ['host unreachable', /No route to host|Network is unreachable|\bEHOSTUNREACH\b|\bENETUNREACH\b/i],
  ['timed out', /timed out|\bETIMEDOUT\b|Operation timeout/i],
  ['connection lost', /Connection reset|\bECONNRESET\b|Broken pipe|\bEPIPE\b|End of file/i],
  ['server error', /Server returned 5\d\d|\b50[0-4]\b.*(Server Error|Unavailable|Gateway)/i],
  ['invalid data', /Invalid data found|could not find codec parameters/i],
  ['out of memory', /Cannot allocate memory|\bENOMEM\b|Out of memory/i],
];

/** The kind of failure an ffmpeg stderr tail (or an error message) shows, or null when none is recognised. */
export function classifyFfmpegError(lines: readonly string[] | string): string | null {
  const text = typeof lines === 'string' ? lines : lines.join('\n');
  for (const [kind, pattern] of KINDS) if (pattern.test(text)) return kind;
  return null;
}

const withKind = (base: string, kind: string | null) => (kind ? `${base} (${kind})` : base);

/** The reason for an ffmpeg run that ended by itself. */
export function describeExit(result: ExitResult, stderrTail: readonly string[] = []): string {
  if (result.error) return withKind('failed: ffmpeg did not start', classifyFfmpegError(result.error));
  const kind = classifyFfmpegError(stderrTail);
  if (result.signal) return withKind(`exited: signal ${result.signal}`, kind);
  return withKind(`exited: code ${result.code ?? 'unknown'}`, kind);
}

/** fluent-ffmpeg's "ffmpeg exited with code 1: ..." and "ffmpeg was killed with signal SIGKILL". */
export function exitFromFluentMessage(message: string): { code: number | null; signal: string | null } {
  const code = /exited with code (\d+)/.exec(message);
  if (code) return { code: Number(code[1]), signal: null };
  const signal = /killed with signal (SIG[A-Z0-9]+)/.exec(message);
  return { code: null, signal: signal ? (signal[1] as string) : null };
}
