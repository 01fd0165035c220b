import { useCameras } from '../../api/use-cameras';
import { ApiErrorNotice } from '../../components/ApiErrorNotice';
import { Notice } from '../../components/Notice';
import { useNow } from '../../lib/hooks';
import { CameraTile } from './CameraTile';

/** Frames arrive once a second; polling at the same rate keeps a tile at most ~2 s behind. */
const LIVE_POLL_MS = 1000;

export function LiveView() {
  const cameras = useCameras(LIVE_POLL_MS);
  const now = useNow(1000);

  if (cameras.loading && !cameras.data) return <Notice tone="loading" title="Loading cameras…" />;
  if (!cameras.data) return <ApiErrorNotice error={cameras.error} what="the cameras" />;
  return (
    <section aria-labelledby="live-heading">
      <h1 id="live-heading" className="view-title">
        Live
      </h1>
      {cameras.error ? <ApiErrorNotice error={cameras.error} what="the cameras" stale /> : null}
      {cameras.data.length === 0 ? (
        <Notice tone="empty" title="No cameras yet">
          A camera appears here as soon as the feed-handler has recorded its first frame.
        </Notice>
      ) : (
        <div className={`tiles${cameras.error ? ' is-stale' : ''}`}>
          {cameras.data.map((camera) => (
            <CameraTile key={camera.id} camera={camera} nowMs={now} />
          ))}
        </div>
      )}
    </section>
  );
}
