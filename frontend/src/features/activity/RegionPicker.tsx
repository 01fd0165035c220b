import { type PointerEvent, useCallback, useEffect, useRef, useState } from 'react';
import { formatRegionParam, type Region } from '../../api/activity';
import { type Box, containedRect, describeRegion, pointInPicture, regionFromDrag, regionStyle } from './region';

/**
 * The shown frame, on which a rectangle can be dragged to search for motion only
 * there. With a mouse or pen a drag always draws; with a finger only while
 * `drawing` is on (otherwise the finger scrolls the page). The rectangle is
 * normalised to the picture itself, not to the letterboxed <img> box.
 */
export function RegionPicker({
  src,
  alt,
  region,
  drawing,
  onRegion,
}: {
  src: string;
  alt: string;
  region: Region | null;
  drawing: boolean;
  onRegion: (region: Region) => void;
}) {
  const image = useRef<HTMLImageElement>(null);
  const [picture, setPicture] = useState<Box | null>(null);
  const start = useRef<{ x: number; y: number } | null>(null);
  const [draft, setDraft] = useState<Region | null>(null);

  const measure = useCallback(() => {
    const img = image.current;
    if (!img) return;
    setPicture(
      containedRect(
        { width: img.clientWidth, height: img.clientHeight },
        { width: img.naturalWidth, height: img.naturalHeight },
      ),
    );
  }, []);

  useEffect(() => {
    const img = image.current;
    if (!img || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(img);
    return () => observer.disconnect();
  }, [measure]);

  const point = (event: PointerEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return pointInPicture(event.clientX, event.clientY, {
      left: rect.left,
      top: rect.top,
      width: rect.width,
      height: rect.height,
    });
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button > 0 || (event.pointerType === 'touch' && !drawing)) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    start.current = point(event);
    setDraft(null);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (start.current) setDraft(regionFromDrag(start.current, point(event)));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    const from = start.current;
    start.current = null;
    setDraft(null);
    if (!from) return;
    const drawn = regionFromDrag(from, point(event));
    if (drawn) onRegion(drawn);
  };

  return (
    <div className="region-frame">
      <img ref={image} src={src} alt={alt} data-testid="scrub-image" onLoad={measure} />
      {picture ? (
        // Pointer-only: the keyboard way to set a region is the text field next to the motion buttons.
        <div
          className={`region-picture${drawing ? ' is-drawing' : ''}`}
          style={{ left: picture.left, top: picture.top, width: picture.width, height: picture.height }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => {
            start.current = null;
            setDraft(null);
          }}
          title="Drag a rectangle to look for motion only there"
          data-testid="region-picture"
        >
          {region ? (
            <div
              className="region-outline"
              style={regionStyle(region)}
              data-testid="region-outline"
              data-region={formatRegionParam(region)}
            >
              <span className="region-label">Motion region</span>
            </div>
          ) : null}
          {draft ? <div className="region-outline region-draft" style={regionStyle(draft)} /> : null}
        </div>
      ) : null}
      {region ? <p className="visually-hidden">Motion region: {describeRegion(region)}</p> : null}
    </div>
  );
}
