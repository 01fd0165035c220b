import { describe, expect, it } from 'vitest';
import { InfluxQueryError, influxQLSeries } from './influx.js';

describe('influxQLSeries', () => {
  const series = { columns: ['time', 'filepath'], values: [['2026-11-25T15:00:00Z', 'a.jpg']] };

  it('returns each statement its series, an empty list for a statement without rows', () => {
    expect(influxQLSeries({ results: [{ statement_id: 0, series: [series] }, { statement_id: 1 }] }, 2, 'x')).toEqual([
      [series],
      [],
    ]);
    expect(influxQLSeries(JSON.stringify({ results: [{ statement_id: 0 }] }), 1, 'x')).toEqual([[]]);
  });

  it('a missing bucket is "unavailable" (503), any other statement error is our bug (500)', () => {
    const missing = () => influxQLSeries({ results: [{ error: 'database not found: fathom' }] }, 1, 'nearest');
    expect(missing).toThrow(InfluxQueryError);
    expect(missing).toThrow(/nearest: InfluxDB: database not found/);
    try {
      missing();
    } catch (error) {
      expect((error as InfluxQueryError).kind).toBe('unavailable');
    }
    try {
      influxQLSeries({ results: [{ statement_id: 0 }, { error: 'invalid function' }] }, 2, 'nearest');
      expect.unreachable();
    } catch (error) {
      expect((error as InfluxQueryError).kind).toBe('rejected');
    }
  });

  it('refuses an answer with the wrong number of statements', () => {
    expect(() => influxQLSeries({ results: [] }, 2, 'x')).toThrow(/0 results for 2 statements/);
  });
});
