import { describe, expect, it } from 'vitest';
import { detectionRows, detectionsFlux, indexedTimesFlux, timedRows, timesByCamera } from './flux.js';

describe('the Flux', () => {
  it('reads one phase’s thumbnails in the window', () => {
    const flux = indexedTimesFlux('fathom', 'on-', Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 1));
    expect(flux).toContain('import "strings"');
    expect(flux).toContain('range(start: 2026-01-01T00:00:00.000Z, stop: 2026-01-01T00:01:00.000Z)');
    expect(flux).toContain('r._measurement == "filepaths" and r._field == "filepath"');
    expect(flux).toContain('strings.hasPrefix(v: r.camera, prefix: "on-")');
  });

  it('reads one row per frame and label of the detections', () => {
    const flux = detectionsFlux('fathom', 'on-', 0, 1000);
    expect(flux).toContain('r._measurement == "detections" and r._field == "score"');
    expect(flux).toContain('keep(columns: ["_time", "_value", "camera", "label"])');
  });
});

describe('rows', () => {
  const rows = [
    { _time: '2026-01-01T00:00:01.037Z', _value: 0.91, camera: 'on-c01', label: 'person' },
    { _time: 'not a time', _value: 0.5, camera: 'on-c01', label: 'car' },
    { _time: '2026-01-01T00:00:02.037Z', _value: 0.6, camera: 'on-c02', label: 'person' },
  ];

  it('keeps the rows with a camera and a time', () => {
    expect(timedRows(rows)).toEqual([
      { camera: 'on-c01', timeMs: Date.UTC(2026, 0, 1, 0, 0, 1, 37) },
      { camera: 'on-c02', timeMs: Date.UTC(2026, 0, 1, 0, 0, 2, 37) },
    ]);
  });

  it('keeps each detection’s label and score with its own row', () => {
    expect(detectionRows(rows).map((r) => [r.camera, r.label, r.score])).toEqual([
      ['on-c01', 'person', 0.91],
      ['on-c02', 'person', 0.6],
    ]);
  });

  it('groups times by camera', () => {
    expect(
      timesByCamera([
        { camera: 'a', timeMs: 1 },
        { camera: 'b', timeMs: 2 },
        { camera: 'a', timeMs: 3 },
      ]),
    ).toEqual(
      new Map([
        ['a', [1, 3]],
        ['b', [2]],
      ]),
    );
  });
});
