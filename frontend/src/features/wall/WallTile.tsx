import type { WallCamera } from '../../api/wall';
import { RouteLink } from '../../app/router';
import { useLoadedImage } from '../../components/ApiImage';
import { dayOf, formatClock, formatDistance, formatDuration } from '../../lib/time';
import type { SpanKey } from '../scrub/timeline-math';
import { FAR_FRAME_SECONDS, isFarFrame, NEAR_WITHIN_SECONDS } from './wall-math';

/**
 * One camera on the wall at the wall's instant: its frame, that frame's own time and how far it is
 * from the instant. A frame more than FAR_FRAME_SECONDS away is flagged, so a camera that had a gap
 * there is not mistaken for one showing the same moment as the others.
 */
export function WallTile({ entry, instantMs, span }: { entry: WallCamera; instantMs: number; span: SpanKey }) {
  const { camera, frame } = entry;
  // The previous picture stays until the next has loaded: scrubbing never flashes blank tiles.
  const { shown, src, failed } = useLoadedImage(frame);
  const far = frame !== null && isFarFrame(frame.distanceSeconds);
  const title = frame?.location ? `${camera} · ${frame.location}` : camera;
  const headingId = `wall-tile-${camera}`;
  const current = frame !== null && shown?.url === frame.url;
  return (
    <article
      className={`tile wall-tile${far ? ' is-far' : ''}${frame ? '' : ' is-empty'}`}
      data-testid="wall-tile"
      data-camera={camera}
      data-instant-ms={instantMs}
      data-frame-ms={frame?.timeMs}
      data-distance-s={frame?.distanceSeconds}
      data-far={far}
      aria-labelledby={headingId}
    >
      <header className="tile-header">
        <h2 id={headingId}>{title}</h2>
        {far ? (
          <span
            className="badge badge-far"
            data-testid="wall-far"
            title={`This camera's nearest frame is more than ${FAR_FRAME_SECONDS} s from the moment shown: it has a gap here.`}
          >
            Gap · {formatDistance(frame.timeMs, instantMs)}
          </span>
        ) : null}
      </header>
      <div className="tile-frame">
        {frame === null ? (
          <div className="wall-no-frame" data-testid="wall-no-frame">
            <p className="wall-no-frame-title">No frame near this moment</p>
            <p className="muted">
              {camera} recorded nothing within {formatDuration(NEAR_WITHIN_SECONDS * 1000)} of {formatClock(instantMs)}.
            </p>
          </div>
        ) : src && shown ? (
          <>
            <img
              src={src}
              alt={`${camera} at ${formatClock(shown.timeMs, { withMs: true })}`}
              className={current ? undefined : 'is-previous'}
              data-testid="wall-image"
              data-time-ms={shown.timeMs}
            />
            {failed && !current ? <span className="wall-image-failed">This frame could not be loaded.</span> : null}
          </>
        ) : (
          <p className="tile-placeholder">{failed ? 'The frame could not be loaded.' : 'Loading frame…'}</p>
        )}
      </div>
      <footer className="tile-footer wall-tile-footer">
        <p data-testid="wall-frame-time">
          {frame ? (
            <>
              <time dateTime={new Date(frame.timeMs).toISOString()}>{formatClock(frame.timeMs, { withMs: true })}</time>
              <span className={far ? 'wall-distance is-far' : 'wall-distance muted'} data-testid="wall-distance">
                {' '}
                · {formatDistance(frame.timeMs, instantMs)}
              </span>
            </>
          ) : (
            <span className="muted">no frame</span>
          )}
        </p>
        <RouteLink
          to={{ view: 'scrub', camera, day: dayOf(instantMs), at: instantMs, span }}
          aria-label={`Scrub ${camera} from this moment`}
        >
          Scrub
        </RouteLink>
      </footer>
    </article>
  );
}
