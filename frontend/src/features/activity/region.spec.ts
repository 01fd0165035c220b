import { describe, expect, it } from 'vitest';
import { formatRegionParam, parseRegionParam } from '../../api/activity';
import { containedRect, describeRegion, pointInPicture, regionFromDrag, regionStyle } from './region';

describe('containedRect', () => {
  it('finds a 16:9 picture letterboxed in a taller or wider box', () => {
    expect(containedRect({ width: 800, height: 800 }, { width: 320, height: 180 })).toEqual({
      left: 0,
      top: 175,
      width: 800,
      height: 450,
    });
    expect(containedRect({ width: 1000, height: 360 }, { width: 640, height: 360 })).toEqual({
      left: 180,
      top: 0,
      width: 640,
      height: 360,
    });
  });

  it('uses the whole box before the image has loaded', () => {
    expect(containedRect({ width: 300, height: 200 }, { width: 0, height: 0 })).toEqual({
      left: 0,
      top: 0,
      width: 300,
      height: 200,
    });
  });
});

describe('regions from a drag', () => {
  const picture = { left: 100, top: 50, width: 400, height: 225 };

  it('normalises pointer positions to the picture, clamped to it', () => {
    expect(pointInPicture(300, 162.5, picture)).toEqual({ x: 0.5, y: 0.5 });
    expect(pointInPicture(0, 1000, picture)).toEqual({ x: 0, y: 1 });
    expect(pointInPicture(10, 10, { left: 0, top: 0, width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
  });

  it('makes the same rectangle whichever way it is dragged', () => {
    const a = pointInPicture(150, 95, picture);
    const b = pointInPicture(400, 185, picture);
    const region = regionFromDrag(a, b);
    expect(region).toEqual({ x: 0.125, y: 0.2, w: 0.625, h: 0.4 });
    expect(regionFromDrag(b, a)).toEqual(region);
    expect(regionFromDrag({ x: a.x, y: b.y }, { x: b.x, y: a.y })).toEqual(region);
  });

  it('ignores a click, and keeps a drag past the edge inside the picture', () => {
    expect(regionFromDrag({ x: 0.5, y: 0.5 }, { x: 0.505, y: 0.6 })).toBeNull();
    const edge = regionFromDrag({ x: 1 / 3, y: 2 / 3 }, { x: 1.4, y: 1.2 });
    expect(edge).not.toBeNull();
    if (!edge) return;
    expect(edge.x + edge.w).toBeLessThanOrEqual(1.000001);
    expect(edge.y + edge.h).toBeLessThanOrEqual(1.000001);
    // What is drawn is what goes to the API and into the URL.
    expect(parseRegionParam(formatRegionParam(edge))).toEqual(edge);
  });

  it('describes and places a region', () => {
    const region = { x: 0.5, y: 0, w: 0.25, h: 0.5 };
    expect(describeRegion(region)).toBe('50–75 % across, 0–50 % down');
    expect(regionStyle(region)).toEqual({ left: '50%', top: '0%', width: '25%', height: '50%' });
  });
});
