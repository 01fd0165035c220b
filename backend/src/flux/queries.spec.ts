import { describe, expect, it } from 'vitest';
import { bucketExistsQuery, camerasAndStatusQuery, newestFramesQuery } from './queries.js';

const T = 1_795_618_800_123_000_000n; // 2026-11-25T15:00:00.123Z
const S = 1_000_000_000n;

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
