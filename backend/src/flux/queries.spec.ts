import { describe, expect, it } from 'vitest';
import {
  batchedSidesQuery,
  bucketExistsQuery,
  camerasAndStatusQuery,
  framesInRangeQuery,
  newestFramesQuery,
  wallSidesQuery,
} from './queries.js';

const T = 1_795_618_800_123_000_000n; // 2026-11-25T15:00:00.123Z
const S = 1_000_000_000n;

describe('batchedSidesQuery', () => {
  it('is a pushed-down bare selector per side, with exact ns bounds and yields named by position', () => {
    const query = batchedSidesQuery('fathom', [
      {
        camera: 'cam1',
        request: { before: { startNs: T - 60n * S, stopNs: T }, after: { startNs: T, stopNs: T + 60n * S + 1n } },
      },
    ]).toString();
    expect(query).toBe(`from(bucket: "fathom")
  |> range(start: time(v: 1795618740123000000), stop: time(v: 1795618800123000000))
  |> filter(fn: (r) => r._measurement == "filepaths" and r._field == "filepath" and r["camera"] == "cam1")
  |> last()
  |> yield(name: "b0")

from(bucket: "fathom")
  |> range(start: time(v: 1795618800123000000), stop: time(v: 1795618860123000001))
  |> filter(fn: (r) => r._measurement == "filepaths" and r._field == "filepath" and r["camera"] == "cam1")
  |> first()
  |> yield(name: "a0")`);
  });

  it('reads a whole first ring in one chain, and several lookups in one script', () => {
    const query = batchedSidesQuery('fathom', [
      {
        camera: undefined,
        request: {
          before: { startNs: T - 2n * S, stopNs: T },
          after: { startNs: T, stopNs: T + 2n * S + 1n },
          whole: true,
        },
      },
      { camera: 'cam2', request: { after: { startNs: T, stopNs: T + 1n } } },
    ]).toString();
    expect(query.match(/from\(/g)).toHaveLength(2);
    expect(query).toContain('|> keep(columns: ["_time", "_value", "camera", "location"])\n  |> yield(name: "w0")');
    expect(query).toContain('|> first()\n  |> yield(name: "a1")');
    expect(query).not.toContain('"b1"');
  });

  it('never contains what defeats pushdown or means the wrong unit', () => {
    const query = batchedSidesQuery('fathom', [
      { camera: 'cam1', request: { before: { startNs: T - S, stopNs: T }, after: { startNs: T, stopNs: T + S } } },
    ]).toString();
    expect(query).not.toMatch(/sort\(|limit\(|r\._time|tail\(|map\(|group\(/);
    // No bare integer bounds (seconds to Flux) and no ms-precision Date literals.
    expect(query).not.toMatch(/range\(start: \d/);
  });

  it('keeps hostile values inside string literals', () => {
    const query = batchedSidesQuery('fa"thom', [
      { camera: 'x") |> drop(columns: ["_value"]) //', request: { before: { startNs: 0n, stopNs: 1n } } },
    ]).toString();
    expect(query).toContain('from(bucket: "fa\\"thom")');
    expect(query).toContain('r["camera"] == "x\\") |> drop(columns: [\\"_value\\"]) //"');
  });

  it('refuses empty ranges and batches without a side', () => {
    expect(() =>
      batchedSidesQuery('fathom', [{ camera: undefined, request: { before: { startNs: T, stopNs: T } } }]),
    ).toThrow(RangeError);
    expect(() => batchedSidesQuery('fathom', [{ camera: undefined, request: {} }])).toThrow(RangeError);
  });
});

describe('wallSidesQuery', () => {
  it('asks a set of cameras in two chains, or every camera with no camera filter', () => {
    const ring = { before: { startNs: T - S, stopNs: T }, after: { startNs: T, stopNs: T + S } };
    const some = wallSidesQuery('fathom', ['a', 'b'], ring).toString();
    expect(some.match(/from\(/g)).toHaveLength(2);
    expect(some).toContain('(r["camera"] == "a" or r["camera"] == "b")');
    expect(wallSidesQuery('fathom', undefined, ring).toString()).not.toContain('camera');
  });
});

describe('framesInRangeQuery', () => {
  it('reads [start, stop) of one camera and keeps only what the answer needs', () => {
    const query = framesInRangeQuery('fathom', 'cam1', { startNs: T + 1n, stopNs: T + 600n * S + 1n }).toString();
    expect(query).toBe(`from(bucket: "fathom")
  |> range(start: time(v: 1795618800123000001), stop: time(v: 1795619400123000001))
  |> filter(fn: (r) => r._measurement == "filepaths" and r._field == "filepath" and r["camera"] == "cam1")
  |> keep(columns: ["_time", "_value", "camera", "location"])`);
  });
});

describe('camera queries', () => {
  it('lists ids via the tag-values shape and the latest status per camera and field', () => {
    const query = camerasAndStatusQuery('fathom').toString();
    expect(query).toContain(
      'filter(fn: (r) => r._measurement == "filepaths")\n  |> keep(columns: ["camera"])\n  |> group()\n  |> distinct(column: "camera")',
    );
    expect(query).toContain(
      'r._measurement == "camera_status" and (r._field == "online" or r._field == "reason"))\n  |> group(columns: ["camera", "_field"])\n  |> last()',
    );
    expect(query).toContain('range(start: time(v: 0), stop: time(v: 9223372036854775807))');
  });

  it('asks for the newest frame per camera since a time', () => {
    const query = newestFramesQuery('fathom', T - 3_600n * S).toString();
    expect(query).toContain('range(start: time(v: 1795615200123000000), stop: time(v: 9223372036854775807))');
    expect(query).toContain('|> group(columns: ["camera"])\n  |> last()');
    expect(newestFramesQuery('fathom', -5n).toString()).toContain('range(start: time(v: 0),');
  });

  it('checks readiness by the bucket name', () => {
    expect(bucketExistsQuery('fathom').toString()).toBe(
      'buckets()\n  |> filter(fn: (r) => r.name == "fathom")\n  |> keep(columns: ["name"])',
    );
  });
});
