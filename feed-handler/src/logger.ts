/** pino, with secrets and RTSP credentials kept out of every log line. */
import { createServiceLogger, type Logger, redactCredentials, SECRET_PATHS } from '@fathom/service-kit';

export function createLogger(level: string): Logger {
  return createServiceLogger({
    service: 'feed-handler',
    level,
    redactPaths: [...SECRET_PATHS, 'config.influx.token', '*.headers.authorization'],
    // A message may quote an ffmpeg line or a URL: strip user:pass@ from it. Objects
    // are redacted where they are built (camera URLs, the ffmpeg stderr tail, errors).
    redactText: redactCredentials,
  });
}
