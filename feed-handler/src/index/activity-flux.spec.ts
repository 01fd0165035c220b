import { describe, expect, it } from 'vitest';
import { activityBackfillFlux, activityTaskFlux, activityTaskName } from './activity-flux.js';

describe('activity Flux', () => {
  it('the task sums the last 10 minutes into the activity bucket, every minute', () => {
    const flux = activityTaskFlux('fathom', 'fathom_activity');
    expect(flux.split('\n')[0]).toBe(
      `option task = {name: "${activityTaskName('fathom', 'fathom_activity')}", every: 1m, offset: 15s}`,
    );
    expect(flux.match(/range\(start: -10m\)/g)).toHaveLength(3);
    expect(flux).toContain('r._field == "motion")\n  |> aggregateWindow(every: 1m, fn: max');
    expect(flux).toContain('set(key: "_field", value: "motion_sum")');
    expect(flux).toContain('r._field == "bytes")\n  |> aggregateWindow(every: 1m, fn: count');
    expect(flux.match(/to\(bucket: "fathom_activity"\)/g)).toHaveLength(3);
  });

  it('a backfill covers whole minutes, in exact nanoseconds', () => {
    const flux = activityBackfillFlux('fathom', 'fathom_activity', 1_795_618_830_500, 1_795_618_899_000);
    expect(flux).toContain('range(start: time(v: 1795618800000000000), stop: time(v: 1795618920000000000))');
  });

  it('quotes names', () => {
    expect(activityTaskFlux('a"b', 'c')).toContain('from(bucket: "a\\"b")');
  });
});
