import { useEffect, useRef, useState } from 'react';
import type { VideoChunk } from '../../api/clips';
import { useApiClient } from '../../lib/api-context';
import { formatClock } from '../../lib/time';
import { momentAt, offsetSeconds } from './chunk-choice';
import { UnplayableChunk } from './UnplayableChunk';
import { mediaFailure, type PlaybackFailure, pictureFailure } from './unplayable';

/**
 * One recorded chunk played by the browser straight from the API (the backend
 * serves byte ranges, so seeking fetches only what is needed). It opens at
 * `seekToMs` and says which wall-clock moment is on screen. An <video> cannot
 * send an Authorization header, so with an API token the URL carries it as
 * ?access_token= (the backend accepts that for GET). When this browser cannot
 * play the chunk (an error, or a picture that never gets a size: H.265 in
 * Chromium on Linux), UnplayableChunk takes the player's place and says why.
 */
export function ChunkVideo({
  chunk,
  seekToMs,
  onEnded,
}: {
  chunk: VideoChunk;
  seekToMs: number;
  onEnded?: () => void;
}) {
  const client = useApiClient();
  const video = useRef<HTMLVideoElement>(null);
  const [shownMs, setShownMs] = useState(seekToMs);
  const src = client.resolveMedia(chunk.url);
  // A failure belongs to one file: another chunk gets its own chance (a seek in this one keeps it).
  const [failed, setFailed] = useState<{ src: string; failure: PlaybackFailure | null } | null>(null);
  const failure = failed?.src === src ? failed.failure : null;

  // A new moment in the same chunk seeks; a new chunk loads (and seeks once its metadata is in).
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const seek = () => {
      element.currentTime = offsetSeconds(chunk, seekToMs);
      setShownMs(momentAt(chunk, element.currentTime));
    };
    if (element.readyState >= HTMLMediaElement.HAVE_METADATA) seek();
    else element.addEventListener('loadedmetadata', seek, { once: true });
    return () => element.removeEventListener('loadedmetadata', seek);
  }, [chunk, seekToMs]);

  return (
    <figure className="stage stage-video">
      <video
        ref={video}
        // Not `hidden`: the stage's CSS gives the video display: block. Kept, not unmounted, so its error stays readable.
        style={failure ? { display: 'none' } : undefined}
        src={src}
        controls
        muted
        playsInline
        preload="metadata"
        data-testid="clip-video"
        data-chunk-start-ms={chunk.startMs}
        data-chunk-end-ms={chunk.endMs}
        onTimeUpdate={(event) => setShownMs(momentAt(chunk, event.currentTarget.currentTime))}
        onSeeked={(event) => setShownMs(momentAt(chunk, event.currentTarget.currentTime))}
        onEnded={onEnded}
        onLoadedMetadata={(event) => setFailed({ src, failure: pictureFailure(event.currentTarget) })}
        onError={(event) => setFailed({ src, failure: mediaFailure(event.currentTarget.error) })}
      />
      {failure ? <UnplayableChunk key={src} chunk={chunk} mediaUrl={src} failure={failure} /> : null}
      <figcaption>
        <time dateTime={new Date(shownMs).toISOString()} data-testid="video-time" data-time-ms={shownMs}>
          {formatClock(shownMs, { withMs: true })}
        </time>
        <span className="muted">
          {' '}
          · video {formatClock(chunk.startMs)}–{formatClock(chunk.endMs)}
        </span>
      </figcaption>
    </figure>
  );
}
