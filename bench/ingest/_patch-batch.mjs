// temporary experiment: what the feed-handler's RSS would be with a small client batchSize
import { InfluxDB } from '@influxdata/influxdb-client';

const original = InfluxDB.prototype.getWriteApi;
InfluxDB.prototype.getWriteApi = function (org, bucket, precision, options) {
  return original.call(this, org, bucket, precision, { ...options, batchSize: 10_000 });
};
