import { useState } from 'react';
import { type ExportJob, exportDownloadUrl, exportVideoUrl } from '../../api/exports';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { useNow } from '../../lib/hooks';
import {
  expectedEndText,
  exportErrorText,
  formatBytes,
  formatRange,
  isFinishedState,
  jobProblem,
  percentText,
  stateLabel,
  stillCount,
  stillsText,
  videoLengthText,
} from './export-math';
import { useExportJob } from './use-export-job';

/** Badge colours: green done, red failed, accent while it runs, plain for cancelled. */
export function badgeClass(job: Pick<ExportJob, 'state'>): string {
  if (job.state === 'done') return 'badge badge-online';
  if (job.state === 'failed' || job.state === 'interrupted') return 'badge badge-offline';
  if (job.state === 'cancelled') return 'badge';
  return 'badge badge-running';
}

/** "640 px, 30 fps, every still, times burned in (Europe/Berlin)" */
export function describeSettings(job: ExportJob): string {
  return [
    `${job.width}${job.height ? `×${job.height}` : ''} px`,
    `${job.fps} fps`,
    job.mode === 'motion' ? 'only motion' : 'every still',
    job.burnIn ? `times burned in (${job.timeZone})` : 'no times burned in',
  ].join(', ');
}

/** How far a queued or running export is: a progress bar, "N of M stills", the expected end. */
export function ExportProgress({ job, nowMs }: { job: ExportJob; nowMs: number }) {
  const stills = stillsText(job.stills);
  const end = expectedEndText(job.expectedEndMs, nowMs, job.stills);
  return (
    <div className="export-progress">
      <progress
        max={1}
        // Queued: nothing to measure yet, so the bar is indeterminate.
        value={job.state === 'queued' ? undefined : job.progress}
        aria-label={`Export of ${job.camera}: ${stateLabel(job.state)}`}
        aria-valuetext={`${stills}, ${percentText(job.progress)}`}
        data-testid="export-progress"
        data-progress={job.progress}
      />
      <p className="export-numbers">
        <span data-testid="export-stills">{stills}</span> · {percentText(job.progress)}
        {end ? (
          <>
            {' '}
            · <span data-testid="export-expected-end">{end}</span>
          </>
        ) : null}
      </p>
    </div>
  );
}

/** The finished MP4, played inline from the API, with a link that saves it. */
export function ExportResult({ job }: { job: ExportJob }) {
  const client = useApiClient();
  const [failed, setFailed] = useState(false);
  const src = exportVideoUrl(client, job);
  const download = exportDownloadUrl(client, job);
  if (!src || !download) return null;
  return (
    <figure className="stage stage-video export-result">
      <video
        src={src}
        controls
        muted
        playsInline
        preload="metadata"
        onError={() => setFailed(true)}
        data-testid="export-video"
      />
      <figcaption>
        {stillCount(job.stills.total)} · {videoLengthText(job.stills.total, job.fps)} at {job.fps} fps
        {job.height ? ` · ${job.width}×${job.height}` : ''}
        {job.bytes !== null ? ` · ${formatBytes(job.bytes)}` : ''}{' '}
        <a className="button-link" href={download} download data-testid="export-download">
          Download MP4
        </a>
        {failed ? (
          <span className="muted" data-testid="export-video-error">
            {' '}
            · this browser could not play the video; the download still works
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

/**
 * One export followed live: state, progress and expected end while it runs, a
 * Cancel button, then the video and its download, or why there is none; once it
 * has finished, "New export" (a new one is not started beside a running one by accident).
 * Mount with `key={job.id}`.
 */
export function ExportJobView({ initial, onNewExport }: { initial: ExportJob; onNewExport?: () => void }) {
  const client = useApiClient();
  const { job, pollError, gone, cancelling, cancelError, cancel } = useExportJob(initial);
  const finished = isFinishedState(job.state);
  const nowMs = useNow(finished ? 60_000 : 1_000);
  const problem = jobProblem(job);

  return (
    <div
      className="export-job"
      data-testid="export-job"
      data-job-id={job.id}
      data-state={job.state}
      data-done={job.stills.done}
      data-total={job.stills.total}
    >
      <p className="export-state" aria-live="polite">
        <span className={badgeClass(job)} data-testid="export-state">
          {stateLabel(job.state)}
        </span>{' '}
        {job.camera} · {formatRange(job)}
      </p>
      <p className="hint">{describeSettings(job)}</p>

      {!finished && !gone ? (
        <div className="export-running">
          <ExportProgress job={job} nowMs={nowMs} />
          <button type="button" onClick={cancel} disabled={cancelling} data-testid="export-cancel">
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      ) : null}

      {job.state === 'done' && !gone ? <ExportResult job={job} /> : null}

      {problem && job.state === 'cancelled' ? (
        <div data-testid="export-cancelled">
          <Notice tone="info" title={problem.title}>
            {problem.detail}
          </Notice>
        </div>
      ) : problem ? (
        <div data-testid="export-error">
          <Notice tone="error" title={problem.title}>
            {problem.detail}
          </Notice>
        </div>
      ) : null}

      {gone ? (
        <Notice tone="empty" title="This export no longer exists">
          It was deleted, or it finished longer ago than the backend keeps exports (EXPORT_RETENTION_HOURS).
        </Notice>
      ) : null}
      {cancelError ? (
        <div data-testid="export-error">
          <Notice tone="error" title="Could not cancel the export">
            {exportErrorText(cancelError, client.baseUrl)}
          </Notice>
        </div>
      ) : null}
      {pollError && !gone ? <ApiErrorNotice error={pollError} what="the export's progress" stale /> : null}
      {onNewExport && (finished || gone) ? (
        <button type="button" className="export-again" onClick={onNewExport} data-testid="export-again">
          New export
        </button>
      ) : null}
    </div>
  );
}
