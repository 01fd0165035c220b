/** pino as every service sets it up: a level, the service's name on each line, secrets kept out. */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Object paths that hold a secret in any service: InfluxDB tokens, HTTP authorization headers. */
export const SECRET_PATHS: readonly string[] = ['token', '*.token', 'influx.token', 'headers.authorization'];

export interface ServiceLoggerOptions {
  service: string;
  level: string;
  /** Object paths pino replaces with `[redacted]` wherever a caller logs them (SECRET_PATHS and the service's own). */
  redactPaths: readonly string[];
  /** Applied to every string argument of a log call (the message and its format arguments). */
  redactText?: (text: string) => string;
}

/** `destination` is for tests; by default pino writes to stdout. */
export function createServiceLogger(options: ServiceLoggerOptions, destination?: DestinationStream): Logger {
  const { redactText } = options;
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { service: options.service },
    redact: { paths: [...options.redactPaths], censor: '[redacted]' },
  };
  if (redactText) {
    settings.hooks = {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)) as Parameters<typeof method>,
        );
      },
    };
  }
  return destination ? pino(settings, destination) : pino(settings);
}
