import { useState } from 'react';
import { cancelExport, type ExportJob, exportDownloadUrl, listExports } from '../../api/exports';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { Notice } from '../../components/Notice';
import { useApiClient } from '../../lib/api-context';
import { useNow, usePoll } from '../../lib/hooks';
import { formatClock } from '../../lib/time';
import { badgeClass, describeSettings, ExportProgress, ExportResult } from './ExportJobView';
import { exportErrorText, formatRange, isFinishedState, jobProblem, stateLabel } from './export-math';

/** Fast enough to watch a running export move, cheap for a list the backend keeps in memory. */
const LIST_POLL_MS = 1_500;

/** Every export the backend keeps, newest first: progress, video, download, cancel and delete. */
export function ExportsView() {
  const client = useApiClient();
  const list = usePoll((signal) => listExports(client, signal), LIST_POLL_MS, `exports:${client.baseUrl}`);
  // Deleted here: hidden at once rather than at the next poll.
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const nowMs = useNow(1_000);
  const jobs = list.data?.filter((job) => !removed.has(job.id));

  return (
    <section aria-labelledby="exports-heading">
      <h1 id="exports-heading" className="view-title">
        Exports
      </h1>
      <p className="hint">
        Timelapses made from the stills, newest first. Start one with “Export timelapse” in the Clips or Scrub view.
      </p>
      {list.error ? (
        list.data ? (
          <ApiErrorNotice error={list.error} what="the exports" stale />
        ) : (
          <Notice tone="error" title="Could not load the exports">
            {exportErrorText(list.error, client.baseUrl)}
          </Notice>
        )
      ) : null}
      {list.loading && !list.data ? <Notice tone="loading" title="Loading exports…" /> : null}
      {jobs && jobs.length === 0 ? (
        <Notice tone="empty" title="No exports yet">
          Finished exports are kept for a few days (EXPORT_RETENTION_HOURS), then removed.
        </Notice>
      ) : null}
      {jobs && jobs.length > 0 ? (
        <ol className="export-list" data-testid="export-list">
          {jobs.map((job) => (
            <ExportRow
              key={job.id}
              job={job}
              nowMs={nowMs}
              onRemoved={() => setRemoved((previous) => new Set(previous).add(job.id))}
            />
          ))}
        </ol>
      ) : null}
    </section>
  );
}

function ExportRow({ job, nowMs, onRemoved }: { job: ExportJob; nowMs: number; onRemoved: () => void }) {
  const client = useApiClient();
  const [playing, setPlaying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const finished = isFinishedState(job.state);
  const problem = jobProblem(job);
  const download = exportDownloadUrl(client, job);

  const remove = () => {
    setBusy(true);
    setActionError(null);
    cancelExport(client, job.id).then(
      (answer) => {
        setBusy(false);
        // A running job comes back cancelled (the list shows it at the next poll); a finished one is gone.
        if (!answer) onRemoved();
      },
      (error: unknown) => {
        setBusy(false);
        setActionError(exportErrorText(error, client.baseUrl));
      },
    );
  };

  return (
    <li className="card export-row" data-testid="export-row" data-job-id={job.id} data-state={job.state}>
      <div className="export-row-head">
        <p className="export-state">
          <span className={badgeClass(job)}>{stateLabel(job.state)}</span> <strong>{job.camera}</strong> ·{' '}
          {formatRange(job)}
        </p>
        <div className="export-actions">
          {job.state === 'done' ? (
            <button type="button" aria-expanded={playing} onClick={() => setPlaying(!playing)}>
              Video
            </button>
          ) : null}
          {download ? (
            <a className="button-link" href={download} download data-testid="export-row-download">
              Download
            </a>
          ) : null}
          <button type="button" onClick={remove} disabled={busy} data-testid="export-row-delete">
            {finished ? (busy ? 'Deleting…' : 'Delete') : busy ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      </div>
      <p className="hint">
        {describeSettings(job)} · asked at {formatClock(job.createdMs)}
      </p>
      {!finished ? <ExportProgress job={job} nowMs={nowMs} /> : null}
      {job.state === 'done' && playing ? <ExportResult job={job} /> : null}
      {problem ? (
        // Cancelled is what someone asked for: said quietly; failures in red.
        <p className={job.state === 'cancelled' ? 'export-problem is-quiet' : 'export-problem'}>
          {`${problem.title}: ${problem.detail}`}
        </p>
      ) : null}
      {actionError ? (
        <p className="export-problem" role="alert">
          {actionError}
        </p>
      ) : null}
    </li>
  );
}
