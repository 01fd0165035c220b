/**
 * Timelapse exports in the dashboard's words: the range a view exports, the
 * choices offered, and how a job's progress, end and failure are said. Pure:
 * no DOM, no clock (the time is always passed in).
 */
import type { ExportJob, ExportMode, ExportState } from '../../api/exports';
import { ApiError, describeError } from '../../lib/api-client';
import { dayOf, formatClock, formatDuration } from '../../lib/time';

export interface ExportRange {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

export interface ExportOptions {
  mode: ExportMode;
  fps: number;
  width: number;
  burnIn: boolean;
}

/** 30 fps turns an hour of stills (one a second) into two minutes of video. */
export const DEFAULT_EXPORT_OPTIONS: ExportOptions = { mode: 'all', fps: 30, width: 640, burnIn: true };
/** Frame rates the API takes (1..60) that people pick. */
export const EXPORT_FPS_CHOICES = [5, 10, 15, 24, 30, 60] as const;
/** Even widths within the API's 64..1920. */
export const EXPORT_WIDTH_CHOICES = [320, 480, 640, 960, 1280, 1920] as const;
/** How often a running job is asked for its progress. */
export const EXPORT_POLL_MS = 600;

const FINISHED: ReadonlySet<ExportState> = new Set(['done', 'failed', 'cancelled', 'interrupted']);

export function isFinishedState(state: ExportState): boolean {
  return FINISHED.has(state);
}

/**
 * The part of a range that has happened: nothing after `nowMs` exists yet, and a
 * range asked for up to now is reproducible (a later look at the job shows the same stills).
 * Null when nothing of it has happened.
 */
export function rangeUpToNow(range: ExportRange, nowMs: number): ExportRange | null {
  const toMs = Math.min(range.toMs, Math.floor(nowMs));
  return toMs > range.fromMs ? { fromMs: range.fromMs, toMs } : null;
}

/**
 * "2026-11-25 12:00:00–12:10:00 (10 min)"; a range reaching the next midnight ends at
 * 24:00:00, and one spanning days names both.
 */
export function formatRange(range: ExportRange): string {
  const length = ` (${formatDuration(range.toMs - range.fromMs)})`;
  const firstDay = dayOf(range.fromMs);
  if (firstDay === dayOf(range.toMs - 1)) {
    const end = dayOf(range.toMs) === firstDay ? formatClock(range.toMs) : '24:00:00';
    return `${firstDay} ${formatClock(range.fromMs)}–${end}${length}`;
  }
  return `${firstDay} ${formatClock(range.fromMs)} – ${dayOf(range.toMs)} ${formatClock(range.toMs)}${length}`;
}

/** "about 20 s of video" from a number of stills: one frame each. */
export function videoLengthText(stills: number, fps: number): string {
  const seconds = stills / fps;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s of video`;
  return `${formatDuration(seconds * 1000)} of video`;
}

/** What to expect before asking: cameras index one still a second, so a range holds at most that many. */
export function estimateText(range: ExportRange, options: Pick<ExportOptions, 'mode' | 'fps'>): string {
  const stills = Math.floor((range.toMs - range.fromMs) / 1000);
  const most = `At most ${stillCount(stills)} (one a second)`;
  return options.mode === 'motion'
    ? `${most}, fewer with only motion: at most ${videoLengthText(stills, options.fps)}`
    : `${most}: at most ${videoLengthText(stills, options.fps)}`;
}

const STATE_LABELS: Record<ExportState, string> = {
  queued: 'Waiting for the export before it',
  planning: 'Finding the stills',
  encoding: 'Encoding',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function stateLabel(state: ExportState): string {
  return STATE_LABELS[state];
}

/** "1 still", "1,234 stills" */
export function stillCount(count: number): string {
  return `${count.toLocaleString('en-US')} still${count === 1 ? '' : 's'}`;
}

/** "12 of 40 stills", with the stills whose file was gone when there were some. */
export function stillsText(stills: ExportJob['stills']): string {
  const base = `${stills.done.toLocaleString('en-US')} of ${stillCount(stills.total)}`;
  return stills.missing > 0 ? `${base} (${stills.missing.toLocaleString('en-US')} missing on disk, left out)` : base;
}

/** "42 %" */
export function percentText(progress: number): string {
  return `${Math.floor(Math.min(Math.max(progress, 0), 1) * 100)} %`;
}

/**
 * Stills encoded before the backend's expected end is worth showing: its rate so far
 * includes ffmpeg's start, so after the first few stills it says minutes for a job of seconds.
 */
export const SETTLED_STILLS = 30;

/**
 * When a running job should end: "ends about 14:03:07 (in 12 s)"; "working out when
 * it ends…" until the rate has settled; null while there is no rate at all (queued, planning).
 */
export function expectedEndText(
  expectedEndMs: number | null,
  nowMs: number,
  stills: Pick<ExportJob['stills'], 'done' | 'total'>,
): string | null {
  if (expectedEndMs === null) return null;
  if (stills.done < Math.min(stills.total, SETTLED_STILLS)) return 'working out when it ends…';
  if (expectedEndMs <= nowMs + 500) return 'ends any moment';
  return `ends about ${formatClock(expectedEndMs)} (in ${formatDuration(expectedEndMs - nowMs)})`;
}

/** "1.2 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Why a finished job has no video, in plain words; null for a job that is done (or still running). */
export function jobProblem(job: Pick<ExportJob, 'state' | 'error'>): { title: string; detail: string } | null {
  switch (job.state) {
    case 'failed':
      return { title: 'The export failed', detail: job.error?.detail ?? 'The backend gave no reason.' };
    case 'interrupted':
      return {
        title: 'The export was interrupted',
        detail: job.error?.detail ?? 'The backend stopped while it ran; it was not started again.',
      };
    case 'cancelled':
      return { title: 'Cancelled', detail: 'No video was made. Start it again to make one.' };
    default:
      return null;
  }
}

/**
 * A failed request in plain words. The API's own `detail` says what was wrong
 * with an export request ("camera "x" has no stills from …", "the range may be
 * at most 168 hours"), so it is what a person reads.
 */
export function exportErrorText(error: unknown, baseUrl: string): string {
  if (error instanceof ApiError) {
    if (error.kind === 'not-found' && /^no route\b/.test(error.detail ?? '')) {
      return 'This backend has no timelapse exports: it is older than this dashboard.';
    }
    if (error.status === 503 && error.message === 'exports_unavailable') {
      return `Exports cannot run on this backend: ${error.detail ?? 'no reason given'}.`;
    }
    if ((error.kind === 'bad-request' || error.kind === 'not-found') && error.detail) return error.detail;
  }
  return describeError(error, baseUrl);
}

/** The browser's IANA time zone, for the burned-in times; UTC when the browser will not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
