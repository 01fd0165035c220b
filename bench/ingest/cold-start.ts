/**
 * Cold start, the pure part: what /healthz says about each camera's decode mode while the
 * feed-handler starts, folded into per-camera times (measure.ts polls and feeds it), and the
 * learnt-modes file read back. A camera with nothing learnt decodes every frame (`mode` all,
 * `modeSource` learning) until it has seen enough keyframes, then hands over to a keyframes-only
 * ffmpeg (`keyframes`, `learnt`); with the file kept, it starts in `keyframes`, `remembered`.
 */

/** The feed-handler decodes keyframes only when they come at most this far apart (KEYFRAME_INTERVAL_LIMIT_MS). */
export const KEYFRAME_LIMIT_SECONDS = 1.1;

export interface ModeView {
  camera: string;
  mode: string | null;
  /** Absent in a feed-handler older than the learnt decode modes. */
  modeSource?: string | null | undefined;
}

/** Whether a camera decodes keyframes only and is no longer learning (handed over, or remembered, or forced). */
export function onKeyframes(camera: ModeView): boolean {
  return camera.mode === 'keyframes' && camera.modeSource !== 'learning';
}

/** Whether the sweep should wait, before its window, for every camera to decode keyframes only. */
export function expectsKeyframes(keyframeSeconds: number, decodeMode: string | undefined): boolean {
  return keyframeSeconds <= KEYFRAME_LIMIT_SECONDS && (decodeMode === undefined || decodeMode === 'auto');
}

/** Every one of `cameras` ids is shown, and on keyframes. */
export function allOnKeyframes(view: readonly ModeView[], cameras: readonly string[]): boolean {
  return cameras.every((id) => {
    const c = view.find((x) => x.camera === id);
    return c !== undefined && onKeyframes(c);
  });
}

/**
 * Per camera, when /healthz first showed it on keyframes (ms after the spawn), and what the very
 * first answer showed (a remembered mode is there from the start).
 */
export class ModeTracker {
  private readonly keyframesAt = new Map<string, number>();
  private first: { atMs: number; onKeyframes: number; sources: Map<string, number> } | null = null;

  constructor(
    private readonly cameras: readonly string[],
    private readonly spawnedAtMs: number,
  ) {}

  observe(view: readonly ModeView[], atMs: number): void {
    const wanted = view.filter((c) => this.cameras.includes(c.camera));
    if (this.first === null) {
      const sources = new Map<string, number>();
      for (const c of wanted) {
        const key = `${c.mode ?? 'unknown'}/${c.modeSource ?? 'n/a'}`;
        sources.set(key, (sources.get(key) ?? 0) + 1);
      }
      this.first = { atMs: atMs - this.spawnedAtMs, onKeyframes: wanted.filter(onKeyframes).length, sources };
    }
    for (const c of wanted) {
      if (!this.keyframesAt.has(c.camera) && onKeyframes(c)) this.keyframesAt.set(c.camera, atMs - this.spawnedAtMs);
    }
  }

  allOnKeyframes(): boolean {
    return this.keyframesAt.size === this.cameras.length;
  }

  /** Per camera in `cameras` order, ms after the spawn; +Infinity for one never seen on keyframes. */
  keyframesMs(): number[] {
    return this.cameras.map((id) => this.keyframesAt.get(id) ?? Number.POSITIVE_INFINITY);
  }

  /** The first answer: when (ms after spawn), how many on keyframes, and "mode/source" counts ("keyframes/remembered": 40). */
  firstAnswer(): { atMs: number; onKeyframes: number; sources: string } | null {
    if (!this.first) return null;
    const sources = [...this.first.sources]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    return { atMs: this.first.atMs, onKeyframes: this.first.onKeyframes, sources };
  }
}

/** How many of `cameras` the learnt-modes file remembers as keyframes-only (null: no file, or not readable). */
export function rememberedKeyframes(fileText: string | null, cameras: readonly string[]): number | null {
  if (fileText === null) return null;
  try {
    const data = JSON.parse(fileText) as { cameras?: Record<string, { mode?: unknown }> };
    const entries = data.cameras ?? {};
    return cameras.filter((id) => entries[id]?.mode === 'keyframes').length;
  } catch {
    return null;
  }
}

/** One start of the feed-handler, timed from its spawn. */
export interface ColdStartRun {
  label: 'nothing learnt' | 'learnt modes kept';
  /** Per camera: its first thumbnail file was written this long after the spawn (ms); +Infinity: none in time. */
  firstThumbnailMs: number[];
  /** Per camera: /healthz first showed it decoding keyframes only this long after the spawn (ms); +Infinity: never. */
  keyframesMs: number[];
  /** The first /healthz answer: when, how many cameras were on keyframes already, "mode/source n" counts. */
  firstAnswer: { atMs: number; onKeyframes: number; sources: string } | null;
  /** Cameras the learnt-modes file held as keyframes-only when the start was stopped. */
  rememberedAfter: number | null;
  /** CPU of the feed-handler tree from the spawn to the stop, core-seconds, and the span in seconds. */
  treeCpuSeconds: number;
  spanSeconds: number;
  /** The RTSP relay over the span, cores. */
  sourceCores: number;
  /** All cores busy over the span (other work included), in cores. */
  machineBusyCores: number;
  loadAtStart: string;
  loadAtEnd: string;
  timeoutMs: number;
  note: string;
}

export interface ColdStartResult {
  cameras: number;
  runs: ColdStartRun[];
}
