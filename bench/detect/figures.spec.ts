import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../ingest/prometheus.js';
import { compare, countsBetween, detectorCounts, framesWith, rateSummary } from './figures.js';
import { alone, detectorOn, phase } from './fixtures.js';

describe('detectorCounts', () => {
  it('sums fathom_feed_detector_frames_total over cameras, by outcome', () => {
    const text = [
      '# HELP fathom_feed_detector_frames_total Frames offered',
      '# TYPE fathom_feed_detector_frames_total counter',
      'fathom_feed_detector_frames_total{camera="on-c01",outcome="analysed"} 30',
      'fathom_feed_detector_frames_total{camera="on-c02",outcome="analysed"} 29',
      'fathom_feed_detector_frames_total{camera="on-c01",outcome="dropped"} 88',
      'fathom_feed_detections_total{camera="on-c01",label="person"} 30',
      'fathom_feed_detection_latency_seconds_bucket{le="5"} 59',
      'fathom_feed_detection_latency_seconds_sum 183.5',
      'fathom_feed_detection_latency_seconds_count 59',
      'fathom_feed_detector_inference_seconds_sum 11.8',
      'fathom_feed_detector_inference_seconds_count 59',
    ].join('\n');
    expect(detectorCounts(parsePrometheusText(text))).toEqual({
      analysed: 59,
      dropped: 88,
      failed: 0,
      latencySum: 183.5,
      latencyCount: 59,
      inferenceSum: 11.8,
      inferenceCount: 59,
    });
  });

  it('is zero without a detector, and differences are per outcome', () => {
    const zero = detectorCounts([]);
    expect(Object.values(zero)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(
      countsBetween(
        { ...zero, analysed: 10, dropped: 5, latencySum: 20, latencyCount: 10 },
        { ...zero, analysed: 130, dropped: 365, failed: 1, latencySum: 400, latencyCount: 130 },
      ),
    ).toEqual({ ...zero, analysed: 120, dropped: 360, failed: 1, latencySum: 380, latencyCount: 120 });
  });
});

describe('rateSummary', () => {
  it('gives the worst camera, the median (nearest rank) and the total', () => {
    expect(rateSummary([1, 0.95, 1.0167, 1])).toEqual({ worst: 0.95, median: 1, total: 3.9667 });
    expect(rateSummary([])).toEqual({ worst: 0, median: 0, total: 0 });
  });
});

describe('framesWith', () => {
  it('counts a frame once whatever its labels', () => {
    expect(
      framesWith(
        [
          { camera: 'a', timeMs: 1, label: 'person' },
          { camera: 'a', timeMs: 1, label: 'car' },
          { camera: 'a', timeMs: 2, label: 'car' },
          { camera: 'b', timeMs: 1, label: 'person' },
        ],
        'person',
      ),
    ).toEqual({ frames: 3, withLabel: 2 });
  });
});

describe('compare', () => {
  it('charges the detector the node process’s extra CPU and holds it to the CPU budget', () => {
    const on = phase({ name: 'B: detector on', detect: true, nodeCores: 0.65, detector: detectorOn });
    const c = compare(phase(), on, alone(), 2, 0.6);
    expect(c.detectorCores).toBeCloseTo(0.55, 9);
    expect(c.liveCpuSecondsPerFrame).toBeCloseTo(0.275, 9);
    expect(c.budgetCores).toBeCloseTo(0.6, 9);
    expect(c.fpsCapCores).toBeCloseTo(0.6, 9);
    expect(c.withinBudget).toBe(true);
    expect(compare(phase(), { ...on, nodeCores: 0.75 }, alone(), 2, 0.6).withinBudget).toBe(false);
  });

  it('compares the rates of all cameras together, and the worst camera on the side', () => {
    const on = phase({
      thumbnails: { worst: 0.95, median: 1, total: 7.95 },
      index: { worst: 1, median: 1, total: 7.9 },
    });
    const c = compare(phase(), on, alone(), 2, 0.6);
    expect(c.thumbnailRatio).toBeCloseTo(7.95 / 8, 9);
    expect(c.thumbnailWorstRatio).toBeCloseTo(0.95, 9);
    expect(c.thumbnailsUnchanged).toBe(true);
    expect(c.indexRatio).toBeCloseTo(7.9 / 8, 9);
    expect(c.indexUnchanged).toBe(false);
  });

  it('calls nothing unchanged when the detector-off phase recorded nothing', () => {
    const c = compare(phase({ thumbnails: { worst: 0, median: 0, total: 0 } }), phase(), alone(), 2, 0.6);
    expect(Number.isNaN(c.thumbnailRatio)).toBe(true);
    expect(c.thumbnailsUnchanged).toBe(false);
  });
});
