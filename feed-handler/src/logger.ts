/** pino, with secrets, RTSP credentials and RTMP stream keys kept out of every log line. */
import { createServiceLogger, type Logger, redactCredentials, SECRET_PATHS } from '@fathom/service-kit';
import { redactStreamUrls } from './restream/redaction.js';

export function createLogger(level: string): Logger {
  return createServiceLogger({
    service: 'feed-handler',
    level,
    redactPaths: [...SECRET_PATHS, 'config.influx.token', '*.headers.authorization', 'apiToken', '*.apiToken'],
    // A message may quote an ffmpeg line or a URL: strip user:pass@ from it, and what follows
    // an RTMP URL's application (the stream key). Objects are redacted where they are built
    // (camera URLs, the ffmpeg stderr tail, errors; restream/redaction.ts for keys).
    redactText: (text) => redactStreamUrls(redactCredentials(text)),
  });
}
