/** Reading the Wall view in a browser page, and the API requests the page makes. */
import type { Page } from 'playwright-core';

export interface TileView {
  camera: string;
  /** The instant the tile shows the camera at. */
  instantMs: number;
  /** The frame the tile says it shows (null: the "no frame near this moment" placeholder). */
  frameMs: number | null;
  far: boolean;
  farBadge: boolean;
  placeholder: boolean;
  /** The frame's time as the tile writes it. */
  timeText: string | null;
  /** The frame whose picture is on screen (null: none yet), and whether it decoded. */
  imageMs: number | null;
  imageDecoded: boolean;
}

export interface WallView {
  live: boolean;
  status: string | null;
  /** Where the timeline points, and the instant whose answer the tiles show. */
  instantMs: number;
  shownMs: number | null;
  columns: number;
  tiles: TileView[];
}

/** The whole wall read at one moment, so that the instant and the tiles belong together. */
export function readWall(page: Page): Promise<WallView> {
  return page.evaluate(() => {
    const num = (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value));
    const wall = document.querySelector('[data-testid=wall]');
    const tiles = Array.from(document.querySelectorAll('[data-testid=wall-tile]')).map((tile) => {
      const image = tile.querySelector<HTMLImageElement>('[data-testid=wall-image]');
      return {
        camera: tile.getAttribute('data-camera') ?? '',
        instantMs: Number(tile.getAttribute('data-instant-ms')),
        frameMs: num(tile.getAttribute('data-frame-ms')),
        far: tile.getAttribute('data-far') === 'true',
        farBadge: tile.querySelector('[data-testid=wall-far]') !== null,
        placeholder: tile.querySelector('[data-testid=wall-no-frame]') !== null,
        timeText: tile.querySelector('[data-testid=wall-frame-time] time')?.textContent ?? null,
        imageMs: num(image?.getAttribute('data-time-ms')),
        imageDecoded: image ? image.complete && image.naturalWidth > 0 : false,
      };
    });
    return {
      live: wall?.getAttribute('data-live') === 'true',
      status: wall?.getAttribute('data-status') ?? null,
      instantMs: Number(wall?.getAttribute('data-instant-ms')),
      shownMs: num(wall?.getAttribute('data-shown-ms')),
      columns: Number(wall?.getAttribute('data-columns')),
      tiles,
    };
  });
}

/** Whether every tile shows, decoded, the picture of the frame it names (or its placeholder). */
export function settled(view: WallView): boolean {
  return (
    view.status === 'done' &&
    view.tiles.length > 0 &&
    view.tiles.every((t) => t.instantMs === view.shownMs) &&
    view.tiles.every((t) => (t.frameMs === null ? t.placeholder : t.imageMs === t.frameMs && t.imageDecoded))
  );
}

/** Every GET the page sends to one API path (e.g. "/wall"), as URLs, in order. */
export function recordRequests(page: Page, apiOrigin: string, path: string): URL[] {
  const seen: URL[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'GET') return;
    const url = new URL(request.url());
    if (url.origin === apiOrigin && url.pathname === path) seen.push(url);
  });
  return seen;
}
