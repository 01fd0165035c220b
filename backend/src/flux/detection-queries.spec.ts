import { describe, expect, it } from 'vitest';
import { eventsQuery } from './activity-queries.js';
import { detectionsQuery, frameLabelsChain } from './detection-queries.js';
import { framesWithMetricsQuery } from './queries.js';

const T = 1_795_618_800_123_000_000n; // 2026-11-25T15:00:00.123Z
const S = 1_000_000_000n;
const range = { startNs: T, stopNs: T + 3_600n * S };

describe('detectionsQuery', () => {
  it('is one script: pushed-down read of measurement, label set, camera and fields, then pivot and the score test', () => {
    expect(detectionsQuery('fathom', range, ['car', 'truck'], 'porch', 0.5).toString()).toBe(`from(bucket: "fathom")
  |> range(start: time(v: 1795618800123000000), stop: time(v: 1795622400123000000))
  |> filter(fn: (r) => r._measurement == "detections" and (r["label"] == "car" or r["label"] == "truck") and r["camera"] == "porch" and (r._field == "score" or r._field == "box" or r._field == "count" or r._field == "filepath"))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> filter(fn: (r) => r["score"] >= 0.5)
  |> keep(columns: ["_time", "camera", "location", "label", "score", "box", "count", "filepath"])`);
  });

  it('asks every camera without a camera predicate, and renders min as a float', () => {
    const query = detectionsQuery('fathom', range, ['person'], undefined, 1).toString();
    expect(query).not.toContain('r["camera"]');
    expect(query).toContain('(r["label"] == "person")');
    expect(query).toContain('r["score"] >= 1.0');
  });

  it('keeps hostile values inside string literals, and refuses an empty label set', () => {
    const query = detectionsQuery('fa"thom', range, ['x") or true or ("'], 'c"m', 0).toString();
    expect(query).toContain('from(bucket: "fa\\"thom")');
    expect(query).toContain('r["label"] == "x\\") or true or (\\""');
    expect(query).toContain('r["camera"] == "c\\"m"');
    expect(() => detectionsQuery('fathom', range, [], undefined, 0.5)).toThrow(RangeError);
  });
});

describe('labels beside other reads', () => {
  it('frameLabelsChain reads the score field of one camera (or all), keeping time, camera, label and score', () => {
    expect(frameLabelsChain('fathom', 'porch', range, 'labels').toString()).toBe(`from(bucket: "fathom")
  |> range(start: time(v: 1795618800123000000), stop: time(v: 1795622400123000000))
  |> filter(fn: (r) => r._measurement == "detections" and r._field == "score" and r["camera"] == "porch")
  |> keep(columns: ["_time", "_value", "camera", "label"])
  |> yield(name: "labels")`);
  });

  it('/thumbnailGroup and /events get their labels as one more yield of the same script', () => {
    const group = framesWithMetricsQuery('fathom', undefined, range).toString();
    expect(group.match(/from\(/g)).toHaveLength(3);
    expect(group).toContain('yield(name: "frames")');
    expect(group).toContain('yield(name: "metrics")');
    expect(group).toContain('r._measurement == "detections" and r._field == "score")');
    expect(group).toContain('yield(name: "labels")');
    const events = eventsQuery(
      'fathom',
      'yard',
      range,
      { startNs: T - S, stopNs: range.stopNs },
      0.002,
      null,
    ).toString();
    expect(events.match(/from\(/g)).toHaveLength(2);
    expect(events).toContain('yield(name: "motion")');
    expect(events).toContain('range(start: time(v: 1795618799123000000)');
    expect(events).toContain('yield(name: "labels")');
  });
});
