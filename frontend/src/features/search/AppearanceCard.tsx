import type { Appearance } from '../../api/detections';
import { RouteLink } from '../../app/router';
import { useLoadedImage } from '../../components/ApiImage';
import { useNearViewport } from '../../lib/hooks';
import { dayOf, formatClock } from '../../lib/time';
import { boxStyle, formatScore, formatSeenFor, formatSeenRange } from './search-math';

/**
 * One appearance: its best frame with the object's box drawn over it, what and where, when it
 * was seen, how many frames and the best score. The whole card is a link to the Scrub view of
 * that camera at the best frame, so it opens with a click, Enter, or in a new tab.
 */
export function AppearanceCard({ appearance, today }: { appearance: Appearance; today: string }) {
  const { camera, location, label, firstMs, lastMs, frames, best } = appearance;
  // A hundred cards: each picture loads only when it comes near the viewport.
  const [slot, near] = useNearViewport<HTMLDivElement>();
  const { src, failed } = useLoadedImage({ url: best.url }, near);
  const seen = formatSeenRange(firstMs, lastMs, today);
  const bestAt = `${dayOf(best.timeMs) !== today ? `${dayOf(best.timeMs)} ` : ''}${formatClock(best.timeMs)}`;
  const place = location ? `${camera} · ${location}` : camera;
  return (
    <li
      className="card search-card"
      data-testid="search-card"
      data-camera={camera}
      data-label={label}
      data-first-ms={firstMs}
      data-last-ms={lastMs}
      data-best-ms={best.timeMs}
      data-frames={frames}
      data-score={best.score}
    >
      <RouteLink
        to={{ view: 'scrub', camera, day: dayOf(best.timeMs), at: best.timeMs, span: '10m', zoom: '1h' }}
        aria-label={`${label} on ${place}, ${seen}, ${formatSeenFor(firstMs, lastMs, frames)}, best ${formatScore(best.score)} at ${bestAt}: open in Scrub`}
        data-testid="search-card-link"
      >
        <div ref={slot} className={`search-frame${src ? ' is-loaded' : ''}`}>
          {src ? (
            <div className="search-picture">
              <img src={src} alt="" className="search-image" data-testid="search-image" />
              <span
                className={`search-box${Math.min(best.box[1], best.box[3]) < 0.12 ? ' is-top' : ''}`}
                style={boxStyle(best.box)}
                data-testid="search-box"
                aria-hidden="true"
              >
                <span className="search-box-label">
                  {label} {formatScore(best.score)}
                </span>
              </span>
            </div>
          ) : (
            <span className="tile-placeholder">{failed ? 'The frame could not be loaded.' : 'Loading frame…'}</span>
          )}
        </div>
        <span className="search-card-title">
          <span className="search-label">{label}</span> <span className="muted">·</span> {place}
        </span>
        <span className="search-card-time" data-testid="search-seen">
          <time dateTime={new Date(firstMs).toISOString()}>{seen}</time>
        </span>
        <span className="search-card-meta" data-testid="search-meta">
          {formatSeenFor(firstMs, lastMs, frames)} · best {formatScore(best.score)} at {formatClock(best.timeMs)}
        </span>
      </RouteLink>
    </li>
  );
}
