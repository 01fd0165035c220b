/**
 * The bench's InfluxDB adapter: bucket creation and line-protocol writes over the HTTP
 * API, and Flux queries through the official client (the one the seed and the backend use).
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InfluxDB } from '@influxdata/influxdb-client';
import { type InfluxdHandle, provideInfluxd, setupInfluxd, startInfluxd } from '../../influx/influxd.js';
import { freePort } from '../../scripts/lib/process.js';

export interface InfluxTarget {
  url: string;
  token: string;
  org: string;
}

const headers = (token: string) => ({ authorization: `Token ${token}`, 'content-type': 'application/json' });

async function orgId(target: InfluxTarget): Promise<string> {
  const res = await fetch(`${target.url}/api/v2/orgs?org=${encodeURIComponent(target.org)}`, {
    headers: headers(target.token),
  });
  const id = ((await res.json()) as { orgs?: { id: string }[] }).orgs?.[0]?.id;
  if (!id) throw new Error(`org ${target.org} not found (HTTP ${res.status})`);
  return id;
}

/** Deletes the bucket if it exists (a half-loaded one from an interrupted run), then creates it empty. */
export async function recreateBucket(target: InfluxTarget, name: string): Promise<void> {
  const list = await fetch(`${target.url}/api/v2/buckets?name=${encodeURIComponent(name)}`, {
    headers: headers(target.token),
  });
  for (const bucket of ((await list.json()) as { buckets?: { id: string }[] }).buckets ?? []) {
    await fetch(`${target.url}/api/v2/buckets/${bucket.id}`, { method: 'DELETE', headers: headers(target.token) });
  }
  const res = await fetch(`${target.url}/api/v2/buckets`, {
    method: 'POST',
    headers: headers(target.token),
    // Infinite retention: the data sets are fixed historical times.
    body: JSON.stringify({ orgID: await orgId(target), name, retentionRules: [] }),
  });
  if (res.status !== 201) throw new Error(`creating bucket ${name}: HTTP ${res.status} ${await res.text()}`);
}

/** One POST of line protocol at ms precision; throws on anything but 204. */
export async function writeLines(target: InfluxTarget, bucket: string, lines: string[]): Promise<void> {
  const query = new URLSearchParams({ org: target.org, bucket, precision: 'ms' });
  const res = await fetch(`${target.url}/api/v2/write?${query}`, {
    method: 'POST',
    headers: {
      authorization: `Token ${target.token}`,
      'content-type': 'text/plain; charset=utf-8',
      'content-encoding': 'gzip',
    },
    // gzip level 1: a 6 MB batch shrinks ~10x for a few ms of CPU.
    body: gzipSync(lines.join('\n'), { level: 1 }),
  });
  if (res.status !== 204) throw new Error(`write to ${bucket}: HTTP ${res.status} ${await res.text()}`);
}

export function queryClient(target: InfluxTarget, timeoutMs = 600_000) {
  return new InfluxDB({ url: target.url, token: target.token, timeout: timeoutMs }).getQueryApi(target.org);
}

/** Every row of a query (small results only). */
export function queryRows(target: InfluxTarget, flux: string): Promise<Record<string, unknown>[]> {
  return queryClient(target).collectRows<Record<string, unknown>>(flux);
}

/**
 * Streams a query's rows into `onRow` without keeping them: the naive "fetch everything and
 * choose in JS" needs millions of rows and must not measure the garbage collector instead.
 */
export function streamRows(target: InfluxTarget, flux: string, onRow: (values: string[], timeIndex: number) => void) {
  return new Promise<number>((resolve, reject) => {
    let rows = 0;
    queryClient(target).queryRows(flux, {
      next(values, meta) {
        rows++;
        onRow(values, meta.column('_time').index);
      },
      error: reject,
      complete: () => resolve(rows),
    });
  });
}

/**
 * A throwaway influxd for one run: the cached build (influx/provide-influxd.sh), its data in
 * `<workDir>/influxd` and its log in `<workDir>/influxd.log`, set up with org `fathom`, `bucket` (kept
 * forever) and `token`. `bin` is the binary, for the machine line. The caller stops it.
 */
export async function startThrowawayInfluxd(
  workDir: string,
  token: string,
  bucket = 'fathom',
): Promise<{ influxd: InfluxdHandle; bin: string }> {
  const bin = await provideInfluxd();
  const influxd = await startInfluxd({
    bin,
    dataDir: join(workDir, 'influxd'),
    port: await freePort(),
    logFile: join(workDir, 'influxd.log'),
  });
  try {
    await setupInfluxd(influxd.url, {
      username: 'bench',
      password: 'bench-password-not-a-secret',
      org: 'fathom',
      bucket,
      token,
      retentionSeconds: 0,
    });
  } catch (error) {
    await influxd.stop();
    throw error;
  }
  return { influxd, bin };
}
