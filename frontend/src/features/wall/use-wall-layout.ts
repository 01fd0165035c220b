import { useEffect, useState } from 'react';
import { wallLayout } from './wall-math';

/** Gap between tiles and the height of a tile's header and footer lines (styles.css, "Camera wall"). */
const GAP_PX = 12;
const CAPTION_PX = 72;
const MIN_TILE_WIDTH_PX = 240;

/**
 * Columns (and, when the height limits them, the tiles' width) for a grid of `count` pictures,
 * from the grid's width and the height left below its top edge in the window, so the whole wall
 * is on one screen when it can be.
 */
export function useWallLayout(
  count: number,
): [(element: HTMLElement | null) => void, { columns: number; tileWidthPx: number | null }] {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [space, setSpace] = useState({ width: 0, height: 0 });

  useEffect(() => {
    if (!element) return;
    const measure = () => {
      const rect = element.getBoundingClientRect();
      const top = rect.top + window.scrollY;
      // A wall far down the page (a short window) still gets half a screen to lay out in.
      const height = Math.max(window.innerHeight - top - GAP_PX, window.innerHeight / 2);
      setSpace((previous) =>
        previous.width === rect.width && previous.height === height ? previous : { width: rect.width, height },
      );
    };
    measure();
    window.addEventListener('resize', measure);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(element);
    return () => {
      window.removeEventListener('resize', measure);
      observer?.disconnect();
    };
  }, [element]);

  const layout = wallLayout({
    count,
    width: space.width,
    height: space.height,
    gapPx: GAP_PX,
    captionPx: CAPTION_PX,
    aspect: 16 / 9,
    minTileWidthPx: MIN_TILE_WIDTH_PX,
  });
  return [setElement, layout];
}
