import { useEffect, useId, useRef, useState } from 'react';
import { formatMotionPercent } from '../../api/activity';
import { createExport, type ExportJob, type ExportMode } from '../../api/exports';
import { RouteLink } from '../../app/router';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { ExportJobView } from './ExportJobView';
import {
  browserTimeZone,
  DEFAULT_EXPORT_OPTIONS,
  EXPORT_FPS_CHOICES,
  EXPORT_WIDTH_CHOICES,
  type ExportOptions,
  type ExportRange,
  estimateText,
  exportErrorText,
  formatRange,
  rangeUpToNow,
} from './export-math';

const MODE_LABELS: Record<ExportMode, string> = { all: 'Every still', motion: 'Only motion' };

/**
 * "Export timelapse": a button that opens a panel to choose how the stills of
 * `range` become a video (every still or only motion, frame rate, width,
 * burned-in times), starts the export and then follows it to the finished video.
 * Place it last in a toolbar: the panel takes a row of its own below.
 */
export function ExportTimelapse({
  camera,
  range,
  scope,
  minMotion,
}: {
  camera: string | undefined;
  /** What this view would export; the part after now is left out when the export starts. */
  range: ExportRange | null;
  /** What `range` is, for people: "the whole day", "the timeline's window". */
  scope: string;
  /** The least motion that counts in this view, used by "only motion". */
  minMotion: number;
}) {
  const client = useApiClient();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<ExportOptions>(DEFAULT_EXPORT_OPTIONS);
  const [timeZone] = useState(browserTimeZone);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [job, setJob] = useState<ExportJob | null>(null);
  const unmounted = useRef(new AbortController());
  useEffect(() => {
    const controller = new AbortController();
    unmounted.current = controller;
    return () => controller.abort();
  }, []);

  const shownRange = range ? rangeUpToNow(range, Date.now()) : null;
  const unavailable = !camera ? 'Pick a camera first' : !shownRange ? 'Nothing of this range has happened yet' : null;
  const set = (patch: Partial<ExportOptions>) => setOptions((previous) => ({ ...previous, ...patch }));

  const start = async () => {
    // Up to the moment the button is pressed: a range ending in the future would change as footage arrives.
    const asked = range ? rangeUpToNow(range, Date.now()) : null;
    if (!camera || !asked) return;
    const { signal } = unmounted.current;
    setStarting(true);
    setStartError(null);
    try {
      const created = await createExport(client, { camera, ...asked, ...options, minMotion, timeZone }, signal);
      if (!signal.aborted) setJob(created);
    } catch (error) {
      if (!signal.aborted) setStartError(exportErrorText(error, client.baseUrl));
    } finally {
      if (!signal.aborted) setStarting(false);
    }
  };

  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        disabled={unavailable !== null && !open}
        title={unavailable ?? `Make a video of ${scope}`}
        data-testid="export-open"
      >
        Export timelapse
      </button>
      {open ? (
        <section id={panelId} className="export-panel" aria-labelledby={`${panelId}-title`} data-testid="export-panel">
          <div className="export-panel-head">
            <h2 id={`${panelId}-title`} className="export-title">
              Timelapse of {scope}
            </h2>
            <button type="button" onClick={() => setOpen(false)} data-testid="export-close">
              Close
            </button>
          </div>

          {job ? (
            <>
              <ExportJobView key={job.id} initial={job} onNewExport={() => setJob(null)} />
              <div className="export-actions">
                <RouteLink to={{ view: 'exports' }}>All exports</RouteLink>
              </div>
            </>
          ) : (
            <form
              className="export-form"
              onSubmit={(event) => {
                event.preventDefault();
                void start();
              }}
            >
              <p className="export-range" data-testid="export-range">
                {camera ?? 'No camera'} · {shownRange ? formatRange(shownRange) : 'nothing recorded yet'}
              </p>
              <div className="export-options">
                <fieldset className="segmented" aria-label="Which stills">
                  {(Object.keys(MODE_LABELS) as ExportMode[]).map((mode) => (
                    <button
                      key={mode}
                      type="button"
                      aria-pressed={options.mode === mode}
                      onClick={() => set({ mode })}
                      data-testid={`export-mode-${mode}`}
                    >
                      {MODE_LABELS[mode]}
                    </button>
                  ))}
                </fieldset>
                <label>
                  <span>Frame rate</span>
                  <select
                    value={options.fps}
                    onChange={(e) => set({ fps: Number(e.target.value) })}
                    data-testid="export-fps"
                  >
                    {EXPORT_FPS_CHOICES.map((fps) => (
                      <option key={fps} value={fps}>
                        {fps} fps
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span>Width</span>
                  <select
                    value={options.width}
                    onChange={(e) => set({ width: Number(e.target.value) })}
                    data-testid="export-width"
                  >
                    {EXPORT_WIDTH_CHOICES.map((width) => (
                      <option key={width} value={width}>
                        {width} px
                      </option>
                    ))}
                  </select>
                </label>
                <label className="export-check">
                  <input
                    type="checkbox"
                    checked={options.burnIn}
                    onChange={(e) => set({ burnIn: e.target.checked })}
                    data-testid="export-burn-in"
                  />
                  <span>Burn in capture times ({timeZone})</span>
                </label>
              </div>
              <p className="hint">
                {options.mode === 'motion'
                  ? `Stills where ${formatMotionPercent(minMotion)} or more of the picture changed, with 2 s around each. `
                  : 'One frame per still, in time order. '}
                {shownRange ? `${estimateText(shownRange, options)}.` : ''}
              </p>
              {startError ? (
                <div data-testid="export-error">
                  <Notice tone="error" title="The export was not started">
                    {startError}
                  </Notice>
                </div>
              ) : null}
              <div className="export-actions">
                <button
                  type="submit"
                  className="primary"
                  disabled={starting || unavailable !== null}
                  title={unavailable ?? undefined}
                  data-testid="export-start"
                >
                  {starting ? 'Starting…' : 'Start export'}
                </button>
                <RouteLink to={{ view: 'exports' }}>All exports</RouteLink>
              </div>
            </form>
          )}
        </section>
      ) : null}
    </>
  );
}
