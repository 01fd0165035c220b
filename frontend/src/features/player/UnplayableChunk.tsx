import { useEffect, useState } from 'react';
import type { VideoChunk } from '../../api/clips';
import { Notice } from '../../components/Notice';
import { formatBytes } from '../export/export-math';
import { probeChunk } from './chunk-probe';
import { type ChunkProbe, chunkDownloadName, explainUnplayable, type PlaybackFailure } from './unplayable';

function canPlay(type: string): boolean {
  return document.createElement('video').canPlayType(type) !== '';
}

/**
 * Shown in place of a chunk's <video> when this browser cannot play it: why
 * (the codec, read from the file's first bytes, when the browser cannot decode
 * it, e.g. H.265 in Chromium on Linux), and a link to the MP4 for a player that
 * can. Announced at once (role=alert); the link is an ordinary, focusable link.
 * Mount with `key` = the media URL.
 */
export function UnplayableChunk({
  chunk,
  mediaUrl,
  failure,
}: {
  chunk: VideoChunk;
  mediaUrl: string;
  failure: PlaybackFailure;
}) {
  const [probe, setProbe] = useState<ChunkProbe>({ state: 'checking' });
  useEffect(() => {
    const abort = new AbortController();
    probeChunk(mediaUrl, abort.signal).then(setProbe, () => {});
    return () => abort.abort();
  }, [mediaUrl]);

  const why = explainUnplayable(failure, probe, canPlay);
  const formats = [
    why.videoCodec ? `video ${why.videoCodec}` : null,
    why.audioCodec ? `sound ${why.audioCodec}` : null,
  ].filter(Boolean);
  const browserSaid = failure.kind === 'media-error' ? failure.message : '';
  return (
    <div
      data-testid="chunk-unplayable"
      data-reason={why.reason}
      data-video-codec={probe.state === 'read' ? (probe.codecs.video ?? '') : ''}
      data-audio-codec={probe.state === 'read' ? (probe.codecs.audio ?? '') : ''}
    >
      <Notice
        tone="error"
        title={why.title}
        action={
          why.download ? (
            // Across origins browsers ignore `download`; the API's ?download=1 (Content-Disposition:
            // attachment) saves the file wherever the API is, and the dashboard stays where it is.
            <a
              className="button-link"
              href={downloadUrl(mediaUrl)}
              download={chunkDownloadName(chunk)}
              data-testid="chunk-download"
            >
              Download the clip (MP4, {formatBytes(chunk.bytes)})
            </a>
          ) : null
        }
      >
        <p>{why.detail}</p>
        {formats.length > 0 ? <p data-testid="chunk-formats">This file: {formats.join(', ')}.</p> : null}
        {browserSaid ? <p className="muted">The browser said: {browserSaid}</p> : null}
      </Notice>
    </div>
  );
}

/** The chunk's URL asking the API to answer it as an attachment (it may already carry ?access_token=). */
export function downloadUrl(mediaUrl: string): string {
  return `${mediaUrl}${mediaUrl.includes('?') ? '&' : '?'}download=1`;
}
