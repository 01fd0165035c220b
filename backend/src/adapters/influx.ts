/**
 * The InfluxDB adapter: the only module that imports @influxdata/influxdb-client.
 *
 * It re-exports the client's `flux` template helpers because they are the query
 * sanitiser: InfluxDB OSS has no server-side query parameters (the `params` field
 * is Cloud-only), so every value reaches a query through `flux` or `fluxInteger`,
 * never through string concatenation.
 */
import { HttpError, InfluxDB, type ParameterizedQuery, RequestTimedOutError } from '@influxdata/influxdb-client';

export { flux, fluxFloat, fluxInteger } from '@influxdata/influxdb-client';
export type FluxQuery = ParameterizedQuery;

/** One result row: column name -> value (times as RFC 3339 strings with up to 9 fraction digits). */
export type FluxRow = Record<string, unknown>;

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
}

export interface InfluxConnection {
  url: string;
  token: string;
  org: string;
  timeoutMs?: number;
}

export function toQueryError(error: unknown, label: string): InfluxQueryError {
  if (error instanceof HttpError) {
    // The body is InfluxDB's JSON error message; it never contains our token.
    const reason = error.json?.message ?? error.body ?? error.message;
    // A full query queue (--query-queue-size) is answered 400 "queue length exceeded": load, not our bug, so retryable (503).
    const overloaded = /queue length exceeded/i.test(String(reason));
    const rejected = !overloaded && (error.statusCode === 400 || error.statusCode === 422);
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
  };
}
