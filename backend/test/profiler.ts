/** Which storage operators InfluxDB ran for a query (the Flux operator profiler): proof of pushdown. */
import type { InfluxDB } from '@influxdata/influxdb-client';

export async function operators(client: InfluxDB, org: string, query: string): Promise<string[]> {
  const rows = await client
    .getQueryApi(org)
    .collectRows<{ result: string; Type: string }>(
      `import "profiler"\noption profiler.enabledProfilers = ["operator"]\n${query}`,
    );
  return rows.filter((row) => row.result === '_profiler').map((row) => row.Type);
}
