import { useEffect, useRef, useState } from 'react';
import { useApiClient } from '../lib/api-context';
import { useNearViewport } from '../lib/hooks';

export interface ImageItem {
  url: string;
}

/**
 * Loads an API image and reports it only once it has loaded, keeping the
 * previous one on screen meanwhile: a live tile or a timelapse never flashes
 * blank between frames. With an API token the image is fetched with the
 * bearer header (an <img> cannot send one) and shown from a blob URL.
 */
export function useLoadedImage<T extends ImageItem>(item: T | null, enabled = true) {
  const client = useApiClient();
  const [state, setState] = useState<{ shown: T | null; src: string | null; failed: boolean }>({
    shown: null,
    src: null,
    failed: false,
  });
  const blobUrl = useRef<string | null>(null);
  // Keyed by URL: a poll that returns the same frame as a new object reloads nothing.
  const itemRef = useRef(item);
  itemRef.current = item;
  const url = item?.url ?? null;

  useEffect(() => {
    const item = itemRef.current;
    if (!item || url === null || !enabled) return;
    let cancelled = false;
    const controller = new AbortController();
    const show = (src: string) => {
      if (cancelled) return;
      setState({ shown: item, src, failed: false });
    };
    const fail = () => {
      if (!cancelled) setState((previous) => ({ ...previous, failed: true }));
    };
    if (client.hasToken) {
      client.getBlob(url, controller.signal).then((blob) => {
        if (cancelled) return;
        const url = URL.createObjectURL(blob);
        if (blobUrl.current) URL.revokeObjectURL(blobUrl.current);
        blobUrl.current = url;
        show(url);
      }, fail);
    } else {
      const src = client.resolve(url);
      const image = new Image();
      image.onload = () => show(src);
      image.onerror = fail;
      image.src = src;
    }
    return () => {
      cancelled = true;
      controller.abort();
    };
  }, [client, url, enabled]);

  useEffect(
    () => () => {
      if (blobUrl.current) URL.revokeObjectURL(blobUrl.current);
    },
    [],
  );

  return state;
}

/** An API image that loads only when it comes near the viewport. */
export function LazyApiImage({ url, alt, className }: { url: string; alt: string; className?: string }) {
  const client = useApiClient();
  const [ref, near] = useNearViewport<HTMLDivElement>();
  const { src, failed } = useLoadedImage({ url }, near && client.hasToken);
  if (!client.hasToken) {
    // Without a token the browser's own lazy loading does the job, and caches by URL.
    return <img src={client.resolve(url)} alt={alt} className={className} loading="lazy" decoding="async" />;
  }
  return (
    <div ref={ref} className={`image-slot ${className ?? ''}`}>
      {src ? <img src={src} alt={alt} className={className} /> : null}
      {failed ? <span className="image-failed">image unavailable</span> : null}
    </div>
  );
}
