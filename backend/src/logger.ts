/** pino, with secrets kept out of every log line. */
import { createServiceLogger, type Logger, SECRET_PATHS } from '@fathom/service-kit';

export type { Logger };

/** Paths pino removes wherever they appear, should a caller ever log a header or a config. */
export const REDACT_PATHS = [
  ...SECRET_PATHS,
  'req.headers.authorization',
  'req.headers.cookie',
  'apiToken',
  '*.apiToken',
];

export function createLogger(level: string): Logger {
  return createServiceLogger({ service: 'backend', level, redactPaths: REDACT_PATHS });
}

/** A request URL fit for logs: the access_token query value replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}
