import { type FormEvent, useEffect, useId, useState } from 'react';
import { isMissingRoute } from '../../api/activity';
import { DETECTIONS_LIMIT, type DetectionResults, getDetections, searchRefusal } from '../../api/detections';
import { useCameras } from '../../api/use-cameras';
import type { Route } from '../../app/route';
import { useRouter } from '../../app/router';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { dayOf } from '../../lib/time';
import { AppearanceCard } from './AppearanceCard';
import {
  EXAMPLE_SEARCHES,
  emptyResultText,
  MAX_SEARCH_LENGTH,
  resultSummary,
  SEARCH_RANGE_LABELS,
  SEARCH_RANGES,
  type SearchRangeKey,
  searchWindow,
  splitCameraPhrase,
} from './search-math';

type SearchRoute = Extract<Route, { view: 'search' }>;

/** What the search is for, as asked: kept with its answer, so the words shown match the cards. */
interface Asked {
  words: string;
  camera: string | undefined;
  range: SearchRangeKey;
}

type SearchState =
  | { status: 'idle' }
  /** The previous answer stays on screen, dimmed, until the new one arrives. */
  | { status: 'loading'; asked: Asked; last: { asked: Asked; results: DetectionResults } | null }
  | { status: 'done'; asked: Asked; results: DetectionResults }
  | { status: 'failed'; asked: Asked; error: unknown };

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Where a kind of object was seen: words (people, vehicle, "car, truck", dogs and cats) over
 * one camera or all of them, for the last hour to the last 30 days, answered by one
 * GET /detections as cards of appearances, newest first. The search lives in the URL.
 */
export function SearchView({ q, camera, range }: Omit<SearchRoute, 'view'>) {
  const client = useApiClient();
  const { navigate } = useRouter();
  const cameras = useCameras(60_000);
  const inputId = useId();
  const [text, setText] = useState(q ?? '');
  // A search changed from outside (back and forward, a link) shows its own words.
  useEffect(() => setText(q ?? ''), [q]);
  // Searching again for the same words asks again: the range ends at the new now.
  const [run, setRun] = useState(0);
  const [state, setState] = useState<SearchState>({ status: 'idle' });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `run` asks again for an unchanged search
  useEffect(() => {
    if (!q) {
      setState({ status: 'idle' });
      return;
    }
    const asked: Asked = { words: q, camera, range };
    const controller = new AbortController();
    setState((previous) => ({
      status: 'loading',
      asked,
      last:
        previous.status === 'done'
          ? { asked: previous.asked, results: previous.results }
          : previous.status === 'loading'
            ? previous.last
            : null,
    }));
    getDetections(
      client,
      { words: q, ...(camera ? { camera } : {}), ...searchWindow(range, Date.now()) },
      controller.signal,
    ).then(
      (results) => {
        if (!controller.signal.aborted) setState({ status: 'done', asked, results });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', asked, error });
      },
    );
    return () => controller.abort();
  }, [client, q, camera, range, run]);

  const known = cameras.data ?? [];
  const cameraOptions =
    camera && !known.some((c) => c.id === camera) ? [camera, ...known.map((c) => c.id)] : known.map((c) => c.id);

  const search = (words: string) => {
    const split = splitCameraPhrase(words, known);
    const chosen = split.camera ?? camera;
    setText(split.words);
    navigate({
      view: 'search',
      ...(split.words ? { q: split.words } : {}),
      ...(chosen ? { camera: chosen } : {}),
      range,
    });
    setRun((n) => n + 1);
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    search(text);
  };
  /** A camera or range picked after a search applies to it at once. */
  const change = (patch: { camera?: string; range?: SearchRangeKey }) => {
    const next = { camera, range, ...patch };
    navigate(
      {
        view: 'search',
        ...(q ? { q } : {}),
        ...(next.camera ? { camera: next.camera } : {}),
        range: next.range,
      },
      { replace: true },
    );
  };

  const shown =
    state.status === 'done'
      ? { asked: state.asked, results: state.results }
      : state.status === 'loading'
        ? state.last
        : null;
  const today = dayOf(Date.now());

  return (
    <section aria-labelledby="search-heading">
      <h1 id="search-heading" className="view-title">
        Search
      </h1>
      <search aria-label="Objects seen by the cameras">
        <form className="toolbar search-form" onSubmit={onSubmit}>
          <label htmlFor={inputId} className="search-field">
            <span>Look for</span>
            <input
              id={inputId}
              type="search"
              name="q"
              value={text}
              maxLength={MAX_SEARCH_LENGTH}
              onChange={(e) => setText(e.target.value)}
              placeholder="people at the back door"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${inputId}-help`}
              data-testid="search-input"
            />
          </label>
          <label>
            <span>Camera</span>
            <select
              value={camera ?? ''}
              onChange={(e) => change({ camera: e.target.value || undefined })}
              data-testid="search-camera"
            >
              <option value="">All cameras</option>
              {cameraOptions.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>When</span>
            <select
              value={range}
              onChange={(e) => change({ range: e.target.value as SearchRangeKey })}
              data-testid="search-range"
            >
              {(Object.keys(SEARCH_RANGES) as SearchRangeKey[]).map((key) => (
                <option key={key} value={key}>
                  {capitalise(SEARCH_RANGE_LABELS[key])}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" data-testid="search-submit">
            Search
          </button>
        </form>
      </search>
      <p id={`${inputId}-help`} className="hint search-examples">
        Plain words or object names, e.g.{' '}
        {EXAMPLE_SEARCHES.map((example, i) => (
          <span key={example}>
            {i > 0 ? ', ' : ''}
            <button type="button" className="link-button" onClick={() => search(example)}>
              {example}
            </button>
          </span>
        ))}
        . End with “at” and a camera’s name or place (“people at the back door”) to pick that camera.
      </p>
      {cameras.error && !cameras.data ? <ApiErrorNotice error={cameras.error} what="the cameras" /> : null}

      <div
        className="search-status"
        data-testid="search-results"
        data-status={state.status}
        data-words={state.status === 'idle' ? undefined : state.asked.words}
        data-camera={state.status === 'idle' ? undefined : (state.asked.camera ?? '')}
        data-range={state.status === 'idle' ? undefined : state.asked.range}
        data-count={shown?.results.appearances.length}
        data-truncated={shown?.results.truncated}
        aria-live="polite"
      >
        {state.status === 'idle' ? (
          <Notice tone="info" title="Search the footage for people, vehicles and animals">
            Type what to look for and press Enter. Each result is one appearance: the frames of a camera on which the
            object was seen, shown by its best frame. Open one to scrub the footage around it.
          </Notice>
        ) : null}
        {state.status === 'loading' ? (
          <Notice
            tone="loading"
            title={`Looking for ${state.asked.words} in the ${SEARCH_RANGE_LABELS[state.asked.range]}…`}
          />
        ) : null}
        {state.status === 'failed' ? <SearchFailure error={state.error} /> : null}
        {state.status === 'done' && state.results.appearances.length === 0 ? (
          <Notice tone="empty" title={emptyResultText(state.asked.words, state.asked.range, state.asked.camera)}>
            {state.results.labels.length > 0
              ? `Looked for ${state.results.labels.join(', ')}. Try a longer range${state.asked.camera ? ' or all cameras' : ''}.`
              : null}
          </Notice>
        ) : null}
        {shown && shown.results.appearances.length > 0 ? (
          <p className="search-summary" data-testid="search-summary">
            {resultSummary(shown.results.appearances.length, shown.results.labels)}
            {shown.asked.camera ? ` on ${shown.asked.camera}` : ''} in the {SEARCH_RANGE_LABELS[shown.asked.range]},
            newest first.
          </p>
        ) : null}
        {shown?.results.truncated ? (
          <Notice tone="info" title={`Showing the newest ${shown.results.appearances.length}`}>
            There were more than {DETECTIONS_LIMIT} appearances. Pick a camera or a shorter range to see the rest.
          </Notice>
        ) : null}
      </div>
      {shown && shown.results.appearances.length > 0 ? (
        <ul className={`search-grid${state.status === 'loading' ? ' is-stale' : ''}`} data-testid="search-grid">
          {shown.results.appearances.map((appearance) => (
            <AppearanceCard
              key={`${appearance.camera}:${appearance.label}:${appearance.firstMs}`}
              appearance={appearance}
              today={today}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function SearchFailure({ error }: { error: unknown }) {
  const refusal = searchRefusal(error);
  if (refusal !== null) {
    return (
      <div data-testid="search-error" data-kind="refused">
        <Notice tone="error" title="The API cannot search for that">
          {refusal}
        </Notice>
      </div>
    );
  }
  if (isMissingRoute(error)) {
    return (
      <div data-testid="search-error" data-kind="missing">
        <Notice tone="info" title="This backend cannot search for objects yet">
          It has no GET /detections: the dashboard is newer than the backend it talks to.
        </Notice>
      </div>
    );
  }
  return (
    <div data-testid="search-error" data-kind="api">
      <ApiErrorNotice error={error} what="the search results" />
    </div>
  );
}
