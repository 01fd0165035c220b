import { useCallback, useEffect, useRef, useState } from 'react';
import { getVideoChunks } from '../../api/clips';
import { getThumbnailGroup } from '../../api/thumbnails';
import { RouteLink, useRouter } from '../../app/router';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { LazyApiImage, useLoadedImage } from '../../components/ApiImage';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { usePoll } from '../../lib/hooks';
import { dayOf, formatClock, formatHourMinute } from '../../lib/time';
import { MINUTE_MS } from '../clips/day-layout';
import { ChunkVideo } from './ChunkVideo';
import { chunkIndexFor } from './chunk-choice';
import {
  DEFAULT_PLAYBACK_FPS,
  frameIntervalMs,
  indexOfTime,
  nextPlayingIndex,
  PLAYBACK_FPS,
  shiftSpeed,
  stepIndex,
} from './playback';

/** Keys typed into form fields (or given to the video's own controls) are theirs, not the timelapse's. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && /^(INPUT|SELECT|TEXTAREA|VIDEO)$/.test(target.tagName);
}

export function ClipView({
  camera,
  from,
  minutes,
  frame,
}: {
  camera: string;
  from: number;
  minutes: number;
  frame?: number;
}) {
  const client = useApiClient();
  const { navigate } = useRouter();
  const to = from + minutes * MINUTE_MS;
  const live = to > Date.now();
  // A clip still being recorded is refreshed so its newest frames show up; a finished one loads once.
  const group = usePoll(
    (signal) => getThumbnailGroup(client, { camera, fromMs: from, minutes }, signal),
    live ? 10_000 : 24 * 3_600_000,
    `${camera}:${from}:${minutes}`,
  );
  const frames = group.data ?? [];
  // The recorded video of the clip, if the feed-handler recorded chunks for it.
  const video = usePoll(
    (signal) => getVideoChunks(client, { camera, fromMs: from, toMs: to }, signal),
    live ? 10_000 : 24 * 3_600_000,
    `video:${camera}:${from}:${minutes}`,
  );
  const chunks = video.data ?? [];
  // The moment to show: the one picked (timeline, filmstrip) or the clip's start.
  const [videoMoment, setVideoMoment] = useState(frame ?? from + 1);
  useEffect(() => setVideoMoment(frame ?? from + 1), [frame, from]);
  const chunkIndex = chunkIndexFor(chunks, videoMoment);
  const chunk = chunkIndex === null ? null : (chunks[chunkIndex] ?? null);
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [fps, setFps] = useState(DEFAULT_PLAYBACK_FPS);
  const filmstrip = useRef<HTMLOListElement>(null);
  const initialised = useRef(false);

  const count = frames.length;
  useEffect(() => {
    if (initialised.current || count === 0 || !group.data) return;
    initialised.current = true;
    if (frame !== undefined)
      setIndex(
        indexOfTime(
          group.data.map((f) => f.timeMs),
          frame,
        ),
      );
  }, [count, frame, group.data]);

  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => {
      const next = nextPlayingIndex(index, count);
      if (next === null) setPlaying(false);
      else setIndex(next);
    }, frameIntervalMs(fps));
    return () => clearTimeout(timer);
  }, [playing, index, count, fps]);

  const current = frames[Math.min(index, Math.max(count - 1, 0))] ?? null;
  const shown = useLoadedImage(current);

  // Warm the cache a few frames ahead so playback does not stall on the network.
  useEffect(() => {
    if (!playing || client.hasToken) return;
    for (const f of frames.slice(index + 1, index + 1 + Math.max(5, fps))) {
      const image = new Image();
      image.src = client.resolve(f.url);
    }
  }, [playing, index, fps, frames, client]);

  // Keep the current frame centred in the filmstrip, scrolling the strip only (never the page);
  // the strip is position: relative, so offsetLeft is measured from it.
  useEffect(() => {
    const strip = filmstrip.current;
    const item = strip?.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (!strip || !item) return;
    strip.scrollTo({ left: item.offsetLeft - (strip.clientWidth - item.clientWidth) / 2 });
  }, [index]);

  const step = useCallback(
    (by: number) => {
      setPlaying(false);
      setIndex((i) => stepIndex(i, count, by));
    },
    [count],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
      const handled = (() => {
        switch (event.key) {
          case 'ArrowLeft':
            step(event.shiftKey ? -10 : -1);
            return true;
          case 'ArrowRight':
            step(event.shiftKey ? 10 : 1);
            return true;
          case 'Home':
            step(-count);
            return true;
          case 'End':
            step(count);
            return true;
          case ' ':
          case 'k':
            if (event.target instanceof HTMLButtonElement && event.key === ' ') return false;
            setPlaying((p) => !p);
            return true;
          case '+':
          case '=':
            setFps((f) => shiftSpeed(f, 1));
            return true;
          case '-':
            setFps((f) => shiftSpeed(f, -1));
            return true;
          default:
            return false;
        }
      })();
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, count]);

  const togglePlay = () => {
    if (!playing && index >= count - 1) setIndex(0);
    setPlaying((p) => !p);
  };

  const neighbour = (by: number) => ({ view: 'clip' as const, camera, from: from + by * minutes * MINUTE_MS, minutes });
  const title = `${camera}, ${dayOf(from)} ${formatHourMinute(from)}–${formatHourMinute(to)}`;

  return (
    <section aria-labelledby="clip-heading" className="clip-view">
      <div className="toolbar">
        <RouteLink to={{ view: 'clips', camera, day: dayOf(from + 1), minutes }}>
          ← All clips of {dayOf(from + 1)}
        </RouteLink>
        <RouteLink to={neighbour(-1)}>‹ Previous clip</RouteLink>
        {to < Date.now() ? <RouteLink to={neighbour(1)}>Next clip ›</RouteLink> : null}
      </div>
      <h1 id="clip-heading" className="view-title">
        {title}
      </h1>

      {group.loading && !group.data ? <Notice tone="loading" title="Loading the clip's frames…" /> : null}
      {group.error ? <ApiErrorNotice error={group.error} what="this clip" stale={Boolean(group.data)} /> : null}
      {group.data && count === 0 ? (
        <Notice tone="empty" title="No frames in this clip">
          Nothing was recorded by {camera} between {formatClock(from)} and {formatClock(to)}.
        </Notice>
      ) : null}

      {chunk ? (
        <section aria-label="Recorded video" data-testid="clip-video-section">
          <ChunkVideo
            chunk={chunk}
            seekToMs={videoMoment}
            onEnded={() => {
              const next = chunkIndex === null ? undefined : chunks[chunkIndex + 1];
              if (next) setVideoMoment(next.startMs);
            }}
          />
          {chunks.length > 1 ? (
            <p className="hint">
              Video part {(chunkIndex ?? 0) + 1} of {chunks.length}
              {chunks.map((c, i) => (
                <button
                  type="button"
                  key={c.url}
                  className="link-button"
                  aria-current={i === chunkIndex ? 'true' : undefined}
                  onClick={() => setVideoMoment(c.startMs)}
                >
                  {formatClock(c.startMs)}
                </button>
              ))}
            </p>
          ) : null}
        </section>
      ) : video.data && count > 0 ? (
        <p className="hint" data-testid="no-video">
          No video was recorded for this clip; its thumbnails play as a timelapse below.
        </p>
      ) : null}

      {count > 0 && current ? (
        <>
          <figure className="stage">
            {shown.src ? (
              <img
                src={shown.src}
                alt={`Frame ${index + 1} of ${count}, ${formatClock(current.timeMs, { withMs: true })}`}
                data-testid="player-image"
                data-time-ms={shown.shown?.timeMs}
              />
            ) : (
              <p className="tile-placeholder">Loading frame…</p>
            )}
            <figcaption>
              <time dateTime={new Date(current.timeMs).toISOString()} data-testid="player-time">
                {formatClock(current.timeMs, { withMs: true })}
              </time>
              <span className="muted" data-testid="player-position">
                {' '}
                · frame {index + 1} of {count}
              </span>
            </figcaption>
          </figure>
          <fieldset className="player-controls" aria-label="Playback">
            <button type="button" onClick={() => step(-1)} aria-label="Previous frame" aria-keyshortcuts="ArrowLeft">
              ◀
            </button>
            <button
              type="button"
              onClick={togglePlay}
              aria-pressed={playing}
              aria-keyshortcuts="k"
              data-testid="play-toggle"
            >
              {playing ? 'Pause' : 'Play'}
            </button>
            <button type="button" onClick={() => step(1)} aria-label="Next frame" aria-keyshortcuts="ArrowRight">
              ▶
            </button>
            <label>
              <span>Speed</span>
              <select value={fps} onChange={(e) => setFps(Number(e.target.value))} data-testid="speed-select">
                {PLAYBACK_FPS.map((s) => (
                  <option key={s} value={s}>
                    {s} frames/s ({s}×)
                  </option>
                ))}
              </select>
            </label>
            <RouteLink
              to={{ view: 'scrub', camera, day: dayOf(current.timeMs), at: current.timeMs, span: '10m' }}
              className="button-link"
            >
              Scrub around this moment
            </RouteLink>
            <p className="hint">Keys: ← → step (Shift: 10), k play/pause, + − speed, Home/End.</p>
          </fieldset>
          <ol className="filmstrip" ref={filmstrip} aria-label="Frames" data-testid="filmstrip">
            {frames.map((f, i) => (
              <li key={f.url} data-index={i}>
                <button
                  type="button"
                  className={i === index ? 'is-current' : undefined}
                  aria-current={i === index ? 'true' : undefined}
                  onClick={() => {
                    setPlaying(false);
                    setIndex(i);
                    setVideoMoment(f.timeMs);
                    navigate({ view: 'clip', camera, from, minutes, frame: f.timeMs }, { replace: true });
                  }}
                  data-testid="filmstrip-frame"
                  data-time-ms={f.timeMs}
                >
                  <LazyApiImage url={f.url} alt="" className="filmstrip-image" />
                  <span>{formatClock(f.timeMs)}</span>
                </button>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
