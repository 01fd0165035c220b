/** pino, with secrets kept out of every log line. */
import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths pino removes wherever they appear, should a caller ever log a header or a config. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'token',
  'influx.token',
  'apiToken',
  '*.token',
  '*.apiToken',
];

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'backend' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** A request URL fit for logs: the access_token query value replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}
