/**
 * How a day of one camera's footage is cut into clips and laid out. Pure.
 *
 * A clip is one X-minute group as the backend's /thumbnailGroup defines it:
 * the frames with fromMs < time <= fromMs + X min. Clips are aligned to local
 * hours (X divides 60), so a day is hour sections of 60/X clips each. A section
 * is first probed for any footage at all (one cheap nearest-frame query), and
 * only sections with footage have their clips fetched, lazily, the way photo
 * timelines load counts per bucket first.
 */

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Clip lengths offered: divisors of 60, so clips never straddle an hour. */
export const CLIP_MINUTES = [1, 2, 5, 10, 15, 20, 30, 60] as const;
export const DEFAULT_CLIP_MINUTES = 10;

export function isClipMinutes(value: number): boolean {
  return (CLIP_MINUTES as readonly number[]).includes(value);
}

/** A half-open interval (fromMs, toMs], like a /thumbnailGroup. */
export interface Interval {
  fromMs: number;
  toMs: number;
}

/** The hour sections of a day that have begun by `nowMs`, oldest first. */
export function hourSections(dayStartMs: number, dayEndMs: number, nowMs: number): Interval[] {
  const sections: Interval[] = [];
  for (let fromMs = dayStartMs; fromMs < dayEndMs && fromMs < nowMs; fromMs += HOUR_MS) {
    sections.push({ fromMs, toMs: Math.min(fromMs + HOUR_MS, dayEndMs) });
  }
  return sections;
}

/** The clips of a section that have begun by `nowMs`. */
export function sectionClips(section: Interval, minutes: number, nowMs: number): Interval[] {
  const step = minutes * MINUTE_MS;
  const clips: Interval[] = [];
  for (let fromMs = section.fromMs; fromMs < section.toMs && fromMs < nowMs; fromMs += step) {
    clips.push({ fromMs, toMs: fromMs + step });
  }
  return clips;
}

/**
 * The nearest-frame probe that tells whether a section has any footage:
 * centred, and reaching one millisecond past both ends so that a frame on a
 * boundary is never missed (a false "maybe" only costs one clip fetch).
 */
export function sectionProbe(section: Interval): { atMs: number; withinSeconds: number } {
  const halfMs = (section.toMs - section.fromMs) / 2;
  return { atMs: section.fromMs + Math.floor(halfMs), withinSeconds: (Math.ceil(halfMs) + 1) / 1000 };
}

export interface FrameRef {
  timeMs: number;
  url: string;
}

export interface ClipSummary {
  count: number;
  firstMs: number;
  lastMs: number;
  /** The middle frame stands for the clip. */
  representative: FrameRef;
}

/** Summary of a group's frames (oldest first), or null when there are none. */
export function summarizeClip(frames: readonly FrameRef[]): ClipSummary | null {
  const first = frames[0];
  const last = frames[frames.length - 1];
  const middle = frames[Math.floor((frames.length - 1) / 2)];
  if (!first || !last || !middle) return null;
  return { count: frames.length, firstMs: first.timeMs, lastMs: last.timeMs, representative: middle };
}

export type ClipState =
  | { status: 'pending' }
  | { status: 'loaded'; summary: ClipSummary | null }
  | { status: 'error'; message: string };

export type SectionState =
  | { status: 'pending' }
  | { status: 'empty' }
  | { status: 'footage' }
  | { status: 'error'; message: string };

export type DayItem =
  | { kind: 'checking'; fromMs: number; toMs: number }
  | { kind: 'gap'; fromMs: number; toMs: number }
  | { kind: 'pending'; fromMs: number; toMs: number }
  | { kind: 'clip'; fromMs: number; toMs: number; summary: ClipSummary; live: boolean }
  | { kind: 'error'; fromMs: number; toMs: number; message: string };

/**
 * Frames come once a second; a silence longer than this between two clips is
 * shown as a gap of its own, so a camera that stopped for 15 minutes in the
 * middle of two 10-minute clips is visible in the grid.
 */
export const GAP_MIN_MS = MINUTE_MS;

export interface DayInput {
  sections: readonly Interval[];
  sectionState: (section: Interval) => SectionState;
  clipState: (clip: Interval) => ClipState;
  minutes: number;
  nowMs: number;
}

/**
 * The items to show for a day, oldest first. Empty stretches are kept, as gaps,
 * and neighbouring gaps merge into one, so a night without footage is one
 * "no footage 00:00–06:00" item rather than 36 empty tiles.
 */
export function layoutDay(input: DayInput): DayItem[] {
  const items: DayItem[] = [];
  const push = (item: DayItem) => {
    const previous = items[items.length - 1];
    // Gaps are exact where the frames say so: from the last frame before to the first frame after.
    if (item.kind === 'gap' && previous?.kind === 'clip') item.fromMs = Math.min(item.fromMs, previous.summary.lastMs);
    if (item.kind === 'clip' && previous?.kind === 'gap') previous.toMs = Math.max(previous.toMs, item.summary.firstMs);
    if (
      item.kind === 'clip' &&
      previous?.kind === 'clip' &&
      item.summary.firstMs - previous.summary.lastMs > GAP_MIN_MS
    ) {
      items.push({ kind: 'gap', fromMs: previous.summary.lastMs, toMs: item.summary.firstMs });
    }
    if (item.kind === 'gap' && previous?.kind === 'gap' && previous.toMs >= item.fromMs) {
      previous.toMs = Math.max(previous.toMs, item.toMs);
    } else {
      items.push(item);
    }
  };
  for (const section of input.sections) {
    const state = input.sectionState(section);
    const visibleTo = Math.min(section.toMs, Math.max(input.nowMs, section.fromMs));
    if (state.status === 'pending') push({ kind: 'checking', ...section });
    else if (state.status === 'empty') push({ kind: 'gap', fromMs: section.fromMs, toMs: visibleTo });
    else if (state.status === 'error') push({ kind: 'error', ...section, message: state.message });
    else {
      for (const clip of sectionClips(section, input.minutes, input.nowMs)) {
        const clipState = input.clipState(clip);
        if (clipState.status === 'pending') push({ kind: 'pending', ...clip });
        else if (clipState.status === 'error') push({ kind: 'error', ...clip, message: clipState.message });
        else if (clipState.summary === null) {
          push({ kind: 'gap', fromMs: clip.fromMs, toMs: Math.min(clip.toMs, input.nowMs) });
        } else {
          push({ kind: 'clip', ...clip, summary: clipState.summary, live: clip.toMs > input.nowMs });
        }
      }
    }
  }
  return items;
}

/** Which clip (fromMs of its group) a frame at `timeMs` belongs to: (from, from + X]. */
export function clipStartFor(timeMs: number, dayStartMs: number, minutes: number): number {
  const step = minutes * MINUTE_MS;
  return dayStartMs + Math.ceil((timeMs - dayStartMs) / step) * step - step;
}
