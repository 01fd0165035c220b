import { HttpError } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { toQueryError } from './influx.js';

describe('toQueryError', () => {
  it('takes a full InfluxDB query queue (HTTP 400 "queue length exceeded") as unavailable, so clients retry', () => {
    const error = toQueryError(
      new HttpError(400, 'Bad Request', '{"code":"invalid","message":"queue length exceeded"}'),
      'nearest',
    );
    expect(error.kind).toBe('unavailable');
  });
  it('takes any other 400 as a query InfluxDB refused (our bug)', () => {
    const error = toQueryError(
      new HttpError(400, 'Bad Request', '{"code":"invalid","message":"error @1:1: undefined identifier"}'),
      'nearest',
    );
    expect(error.kind).toBe('rejected');
  });
});
