import { useCallback, useEffect, useRef, useState } from 'react';
import { cancelExport, type ExportJob, getExport } from '../../api/exports';
import { ApiError } from '../../lib/api-client';
import { useApiClient } from '../../lib/api-context';
import { EXPORT_POLL_MS, isFinishedState } from './export-math';

export interface ExportJobState {
  job: ExportJob;
  /** The last failed poll; cleared by the next answer. The job shown is then the last one known. */
  pollError: unknown;
  /** The backend no longer has the job (deleted, or past its retention): polling has stopped. */
  gone: boolean;
  cancelling: boolean;
  cancelError: unknown;
  cancel: () => void;
}

/** A finished state is final: an answer fetched before a cancel landed must not bring the job back to life. */
function newer(previous: ExportJob, next: ExportJob): ExportJob {
  return isFinishedState(previous.state) && !isFinishedState(next.state) ? previous : next;
}

/**
 * Follows one export from the answer that created it: polls GET /exports/{id}
 * about every EXPORT_POLL_MS until the job is finished, and stops on unmount
 * (the job itself goes on in the backend; the Exports view still shows it).
 * Mount it with `key={job.id}`: a new job is a new hook.
 */
export function useExportJob(initial: ExportJob): ExportJobState {
  const client = useApiClient();
  const [job, setJob] = useState(initial);
  const [pollError, setPollError] = useState<unknown>(undefined);
  const [gone, setGone] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(undefined);
  const id = initial.id;
  const startedFinished = isFinishedState(initial.state);
  const unmounted = useRef(new AbortController());

  useEffect(() => {
    const controller = new AbortController();
    unmounted.current = controller;
    return () => controller.abort();
  }, []);

  useEffect(() => {
    if (startedFinished) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const next = await getExport(client, id, controller.signal);
        if (controller.signal.aborted) return;
        setJob((previous) => newer(previous, next));
        setPollError(undefined);
        if (isFinishedState(next.state)) return;
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.kind === 'not-found') {
          setGone(true);
          return;
        }
        // Offline or failing: keep showing the last known state and keep asking.
        setPollError(error);
      }
      timer = setTimeout(tick, EXPORT_POLL_MS);
    };
    // The answer that created the job is fresh: the first poll can wait one interval.
    timer = setTimeout(tick, EXPORT_POLL_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, id, startedFinished]);

  const cancel = useCallback(() => {
    const { signal } = unmounted.current;
    setCancelling(true);
    setCancelError(undefined);
    cancelExport(client, id, signal).then(
      (answer) => {
        if (signal.aborted) return;
        setCancelling(false);
        // 204: the job had finished meanwhile and is now deleted.
        if (answer) setJob((previous) => newer(previous, answer));
        else setGone(true);
      },
      (error: unknown) => {
        if (signal.aborted) return;
        setCancelling(false);
        setCancelError(error);
      },
    );
  }, [client, id]);

  return { job, pollError, gone, cancelling, cancelError, cancel };
}
