/** pino, with secrets and RTSP credentials kept out of every log line. */
import pino, { type Logger } from 'pino';
import { redactCredentials } from './redact.js';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'feed-handler' },
    redact: {
      paths: [
        'token',
        '*.token',
        'influx.token',
        'config.influx.token',
        'headers.authorization',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
    hooks: {
      // A message may quote an ffmpeg line or a URL: strip user:pass@ from it. Objects
      // are redacted where they are built (camera URLs, the ffmpeg stderr tail, errors).
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactCredentials(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
  });
}
