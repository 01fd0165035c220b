import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getClosestThumbnail, getThumbnailGroup } from '../../api/thumbnails';
import { describeError } from '../../lib/api-client';
import { useApiClient } from '../../lib/api-context';
import { createLimiter } from '../../lib/limiter';
import { dayBounds } from '../../lib/time';
import {
  type ClipState,
  type DayItem,
  hourSections,
  type Interval,
  layoutDay,
  type SectionState,
  sectionProbe,
  summarizeClip,
} from './day-layout';

export interface DayClips {
  items: DayItem[];
  /** True until every hour has been probed. */
  checking: boolean;
  /** Asks for a clip's frames (called when its placeholder nears the viewport). */
  requestClip: (clip: Interval) => void;
  refresh: () => void;
  /** The moment the layout was computed for; "now" for today. */
  asOfMs: number;
}

/**
 * A day of clips for one camera: every hour is probed for footage, and the
 * clips of hours with footage are fetched when they come into view.
 */
export function useDayClips(camera: string | undefined, day: string, minutes: number): DayClips {
  const client = useApiClient();
  const [generation, setGeneration] = useState(0);
  const [sectionStates, setSectionStates] = useState<ReadonlyMap<number, SectionState>>(new Map());
  const [clipStates, setClipStates] = useState<ReadonlyMap<number, ClipState>>(new Map());
  const requested = useRef(new Set<number>());
  const abort = useRef<AbortController | null>(null);
  const limit = useMemo(() => createLimiter(4), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the refresh trigger
  const asOfMs = useMemo(() => Date.now(), [camera, day, minutes, generation]);
  const sections = useMemo(() => {
    const { startMs, endMs } = dayBounds(day);
    return hourSections(startMs, endMs, asOfMs);
  }, [day, asOfMs]);

  useEffect(() => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    requested.current = new Set();
    setSectionStates(new Map());
    setClipStates(new Map());
    if (!camera) return;
    for (const section of sections) {
      const probe = sectionProbe(section);
      void limit(async () => {
        if (controller.signal.aborted) return;
        let state: SectionState;
        try {
          const frame = await getClosestThumbnail(
            client,
            { camera, atMs: probe.atMs, withinSeconds: probe.withinSeconds },
            controller.signal,
          );
          state = frame ? { status: 'footage' } : { status: 'empty' };
        } catch (error) {
          if (controller.signal.aborted) return;
          state = { status: 'error', message: describeError(error, client.baseUrl) };
        }
        setSectionStates((previous) => new Map(previous).set(section.fromMs, state));
      });
    }
    return () => controller.abort();
  }, [client, camera, sections, limit]);

  const requestClip = useCallback(
    (clip: Interval) => {
      const controller = abort.current;
      if (!camera || !controller || requested.current.has(clip.fromMs)) return;
      requested.current.add(clip.fromMs);
      void limit(async () => {
        if (controller.signal.aborted) return;
        let state: ClipState;
        try {
          const frames = await getThumbnailGroup(client, { camera, fromMs: clip.fromMs, minutes }, controller.signal);
          state = { status: 'loaded', summary: summarizeClip(frames) };
        } catch (error) {
          if (controller.signal.aborted) return;
          requested.current.delete(clip.fromMs);
          state = { status: 'error', message: describeError(error, client.baseUrl) };
        }
        setClipStates((previous) => new Map(previous).set(clip.fromMs, state));
      });
    },
    [client, camera, minutes, limit],
  );

  const items = useMemo(
    () =>
      layoutDay({
        sections,
        sectionState: (s) => sectionStates.get(s.fromMs) ?? { status: 'pending' },
        clipState: (c) => clipStates.get(c.fromMs) ?? { status: 'pending' },
        minutes,
        nowMs: asOfMs,
      }),
    [sections, sectionStates, clipStates, minutes, asOfMs],
  );

  return {
    items,
    checking: sections.some((s) => !sectionStates.has(s.fromMs)),
    requestClip,
    refresh: useCallback(() => setGeneration((g) => g + 1), []),
    asOfMs,
  };
}
