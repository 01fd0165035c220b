/**
 * The InfluxDB adapter: the only module that imports @influxdata/influxdb-client.
 *
 * It re-exports the client's `flux` template helpers because they are the query
 * sanitiser: InfluxDB OSS has no server-side query parameters (the `params` field
 * is Cloud-only), so every value reaches a query through `flux` or `fluxInteger`,
 * never through string concatenation.
 */
import { HttpError, InfluxDB, type ParameterizedQuery, RequestTimedOutError } from '@influxdata/influxdb-client';

export { flux, fluxInteger } from '@influxdata/influxdb-client';
export type FluxQuery = ParameterizedQuery;

/** One result row: column name -> value (times as RFC 3339 strings with up to 9 fraction digits). */
export type FluxRow = Record<string, unknown>;

/** One InfluxQL series: its columns and rows (times as RFC 3339 strings with up to 9 fraction digits). */
export interface InfluxQLSeries {
  columns: string[];
  values: unknown[][];
}

/** InfluxQL text and one entry per statement in it. */
export interface InfluxQLText {
  text: string;
  statements: readonly string[];
}

interface InfluxQLResponse {
  results?: { statement_id?: number; series?: InfluxQLSeries[]; error?: string }[];
  error?: string;
}

export type QueryOutcome = 'ok' | 'error';
export type QueryObserver = (label: string, seconds: number, outcome: QueryOutcome) => void;

/**
 * kind 'unavailable': InfluxDB down, timed out, or refusing our token/org/bucket (503 for clients);
 * kind 'rejected': InfluxDB refused the query itself, which is our bug (500).
 */
export class InfluxQueryError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'rejected',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InfluxQueryError';
  }
}

export interface InfluxReader {
  /** Runs a Flux query; `label` names it in metrics and errors. */
  query(query: FluxQuery, label: string): Promise<FluxRow[]>;
  /**
   * Runs InfluxQL against the bucket (InfluxDB 2's v1-compatible /query; the bucket is the
   * database through its automatic DBRP mapping). One array of series per statement, in order.
   */
  influxql(query: InfluxQLText, bucket: string, label: string): Promise<InfluxQLSeries[][]>;
}

export interface InfluxConnection {
  url: string;
  token: string;
  org: string;
  timeoutMs?: number;
}

function toQueryError(error: unknown, label: string): InfluxQueryError {
  if (error instanceof HttpError) {
    const rejected = error.statusCode === 400 || error.statusCode === 422;
    // The body is InfluxDB's JSON error message; it never contains our token.
    const reason = error.json?.message ?? error.body ?? error.message;
    return new InfluxQueryError(
      rejected ? 'rejected' : 'unavailable',
      `${label}: InfluxDB HTTP ${error.statusCode}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof RequestTimedOutError) {
    return new InfluxQueryError('unavailable', `${label}: InfluxDB timed out`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InfluxQueryError('unavailable', `${label}: InfluxDB unreachable: ${message}`, { cause: error });
}

/**
 * The per-statement series of a /query answer. InfluxQL reports statement errors inside a
 * 200 answer; an unknown database is the bucket missing (or not ours), anything else our query.
 */
export function influxQLSeries(body: unknown, statements: number, label: string): InfluxQLSeries[][] {
  const response = (typeof body === 'string' ? JSON.parse(body) : body) as InfluxQLResponse;
  const failure = response.error ?? response.results?.find((result) => result.error)?.error;
  if (failure) {
    const missing = /database not found|bucket not found/i.test(failure);
    throw new InfluxQueryError(missing ? 'unavailable' : 'rejected', `${label}: InfluxDB: ${failure}`);
  }
  const results = response.results ?? [];
  if (results.length !== statements) {
    throw new InfluxQueryError('rejected', `${label}: ${results.length} results for ${statements} statements`);
  }
  return results.map((result) => result.series ?? []);
}

export function createInfluxReader(connection: InfluxConnection, observe: QueryObserver = () => {}): InfluxReader {
  const client = new InfluxDB({
    url: connection.url,
    token: connection.token,
    timeout: connection.timeoutMs ?? 10_000,
  });
  const queryApi = client.getQueryApi(connection.org);
  return {
    async query(query, label) {
      const started = performance.now();
      try {
        const rows = await queryApi.collectRows<FluxRow>(query);
        observe(label, (performance.now() - started) / 1000, 'ok');
        return rows;
      } catch (error) {
        observe(label, (performance.now() - started) / 1000, 'error');
        throw toQueryError(error, label);
      }
    },

    async influxql({ text, statements }, bucket, label) {
      const started = performance.now();
      try {
        // POST with a form body: the query never lands in an access log as a URL. No epoch
        // parameter, so times come back as RFC 3339 strings with every nanosecond digit
        // (epoch=ns integers would lose precision in JSON.parse).
        const body: unknown = await client.transport.request(
          `/query?${new URLSearchParams({ db: bucket })}`,
          new URLSearchParams({ q: text }).toString(),
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          },
        );
        const series = influxQLSeries(body, statements.length, label);
        observe(label, (performance.now() - started) / 1000, 'ok');
        return series;
      } catch (error) {
        observe(label, (performance.now() - started) / 1000, 'error');
        throw error instanceof InfluxQueryError ? error : toQueryError(error, label);
      }
    },
  };
}
