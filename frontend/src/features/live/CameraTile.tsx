import type { Camera } from '../../api/cameras';
import { RouteLink } from '../../app/router';
import { useLoadedImage } from '../../components/ApiImage';
import { dayOf, formatAge, formatClock } from '../../lib/time';
import { liveStatus } from './live-state';
import { restreamBadge } from './restream-badge';

interface ShownFrame {
  url: string;
  timeMs: number;
}

/** One camera's newest frame, its age and its state. The image swaps only once the next one has loaded. */
export function CameraTile({ camera, nowMs }: { camera: Camera; nowMs: number }) {
  const { shown, src, failed } = useLoadedImage<ShownFrame>(camera.newestFrame);
  const status = liveStatus(camera, nowMs);
  const title = camera.location ? `${camera.id} · ${camera.location}` : camera.id;
  return (
    <article
      className={`tile tile-${status.state}`}
      data-testid="camera-tile"
      data-camera={camera.id}
      data-state={status.state}
      aria-labelledby={`tile-${camera.id}`}
    >
      <header className="tile-header">
        <h2 id={`tile-${camera.id}`}>{title}</h2>
        <span className={`badge badge-${status.state}`}>{status.label}</span>
      </header>
      <div className="tile-frame">
        {src && shown ? (
          <img
            src={src}
            alt={`Newest frame from ${camera.id} at ${formatClock(shown.timeMs)}`}
            data-testid="live-image"
            data-time-ms={shown.timeMs}
          />
        ) : (
          <p className="tile-placeholder">{failed ? 'The frame could not be loaded.' : 'Waiting for a frame…'}</p>
        )}
      </div>
      <footer className="tile-footer">
        <p data-testid="live-time">
          {shown ? (
            <>
              <time dateTime={new Date(shown.timeMs).toISOString()}>{formatClock(shown.timeMs)}</time>
              <span className="muted"> · {formatAge(nowMs - shown.timeMs)}</span>
            </>
          ) : (
            <span className="muted">no frame yet</span>
          )}
        </p>
        <p className="tile-detail">{status.detail}</p>
        <Restreams camera={camera} />
        <nav className="tile-links" aria-label={`Footage of ${camera.id}`}>
          <RouteLink to={{ view: 'clips', camera: camera.id, day: dayOf(nowMs), minutes: 10 }}>Clips</RouteLink>
          <RouteLink to={{ view: 'scrub', camera: camera.id, day: dayOf(nowMs), span: '1h' }}>Scrub</RouteLink>
        </nav>
      </footer>
    </article>
  );
}

/** Each RTMP restream target's state as a badge; nothing when the camera has none (or the API does not say). */
function Restreams({ camera }: { camera: Camera }) {
  const { restreams } = camera;
  if (restreams === 'unavailable') {
    return (
      <p className="tile-detail" data-testid="restream-unavailable">
        Restream status unavailable: the feed-handler is not answering.
      </p>
    );
  }
  if (!restreams?.length) return null;
  return (
    <ul className="restreams" aria-label={`Restreams of ${camera.id}`} data-testid="restreams">
      {restreams.map((target) => {
        const badge = restreamBadge(target);
        return (
          <li key={target.name}>
            <span className="restream-name">{target.name}</span>
            <span
              className={`badge restream-badge restream-${badge.tone}`}
              data-testid="restream-badge"
              data-target={target.name}
              data-state={target.state}
              title={badge.title}
            >
              {badge.text}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
