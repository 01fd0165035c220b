/**
 * The InfluxDB side of the checks (the suite's only InfluxDB client): thumbnail
 * points and camera_status points in a time window, the canary points, and a
 * second bucket that no route may reach.
 */
import { MEASUREMENT, rfc3339ToMs, STATUS_FIELD, TAG, THUMBNAIL_FIELD } from '@fathom/index-contract';
import { flux, fluxDateTime, InfluxDB, Point } from '@influxdata/influxdb-client';
import type { StatusRow } from './gaps.js';

export interface InfluxTarget {
  url: string;
  token: string;
  org: string;
  bucket: string;
}

const iso = (ms: number) => fluxDateTime(new Date(ms).toISOString());

export function createIndexProbe(target: InfluxTarget) {
  // A short timeout: these probes run while InfluxDB may be down and must fail fast.
  const client = new InfluxDB({ url: target.url, token: target.token, timeout: 10_000 });
  const query = client.getQueryApi(target.org);

  return {
    /** Capture times (ms) of the thumbnail points per camera in [fromMs, toMs]. */
    async thumbnailTimes(fromMs: number, toMs: number): Promise<Map<string, number[]>> {
      const rows = await query.collectRows<{ _time: string; camera: string }>(flux`
        from(bucket: ${target.bucket})
          |> range(start: ${iso(fromMs)}, stop: ${iso(toMs + 1)})
          |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.filepath})
          |> keep(columns: ["_time", ${TAG.camera}])`);
      const times = new Map<string, number[]>();
      for (const row of rows) {
        const list = times.get(row.camera) ?? [];
        list.push(rfc3339ToMs(row._time));
        times.set(row.camera, list);
      }
      return times;
    },

    /** count() of thumbnail points grouped by camera, the figure the issue asks for. */
    async thumbnailCounts(fromMs: number, toMs: number): Promise<Record<string, number>> {
      const rows = await query.collectRows<{ camera: string; _value: number }>(flux`
        from(bucket: ${target.bucket})
          |> range(start: ${iso(fromMs)}, stop: ${iso(toMs + 1)})
          |> filter(fn: (r) => r._measurement == ${MEASUREMENT.thumbnails} and r._field == ${THUMBNAIL_FIELD.filepath})
          |> group(columns: [${TAG.camera}])
          |> count()`);
      return Object.fromEntries(rows.map((r) => [r.camera, Number(r._value)]));
    },

    async statusRows(fromMs: number, toMs: number): Promise<StatusRow[]> {
      const rows = await query.collectRows<{ _time: string; camera: string; online: boolean; reason: string }>(flux`
        from(bucket: ${target.bucket})
          |> range(start: ${iso(fromMs)}, stop: ${iso(toMs + 1)})
          |> filter(fn: (r) => r._measurement == ${MEASUREMENT.cameraStatus})
          |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
          |> group()`);
      return rows.map((r) => ({
        camera: r.camera,
        atMs: rfc3339ToMs(r._time),
        online: r[STATUS_FIELD.online as 'online'] === true || String(r.online) === 'true',
        reason: String(r[STATUS_FIELD.reason as 'reason'] ?? ''),
      }));
    },

    async writeCanaryPoint(bucket: string, measurement: string, marker: string, atMs: number): Promise<void> {
      const write = client.getWriteApi(target.org, bucket, 'ms', { maxRetries: 0 });
      write.writePoint(
        new Point(measurement)
          .tag(TAG.camera, 'canary')
          .tag('secret', marker)
          .stringField(THUMBNAIL_FIELD.filepath, `../canary.jpg#${marker}`)
          .timestamp(new Date(atMs)),
      );
      await write.close();
    },

    /** How many canary points (tagged with the marker) are in bucket/measurement. */
    async countCanary(bucket: string, measurement: string, marker: string): Promise<number> {
      const rows = await query.collectRows<{ _value: number }>(flux`
        from(bucket: ${bucket})
          |> range(start: 0)
          |> filter(fn: (r) => r._measurement == ${measurement} and r.secret == ${marker})
          |> group()
          |> count()`);
      return rows.reduce((n, r) => n + Number(r._value), 0);
    },

    /** Creates a bucket (infinite retention) in the org, if it does not exist. */
    async ensureBucket(name: string): Promise<void> {
      const headers = { authorization: `Token ${target.token}`, 'content-type': 'application/json' };
      const orgs = (await (
        await fetch(`${target.url}/api/v2/orgs?org=${encodeURIComponent(target.org)}`, { headers })
      ).json()) as { orgs?: { id: string }[] };
      const orgID = orgs.orgs?.[0]?.id;
      if (!orgID) throw new Error(`org ${target.org} not found`);
      const res = await fetch(`${target.url}/api/v2/buckets`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ orgID, name, retentionRules: [] }),
      });
      if (res.status !== 201 && res.status !== 422) throw new Error(`create bucket ${name}: HTTP ${res.status}`);
    },
  };
}

export type IndexProbe = ReturnType<typeof createIndexProbe>;
